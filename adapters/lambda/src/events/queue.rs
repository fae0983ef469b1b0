//! SQS and SNS batches into [`QueueBatch`].

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use anyfn::event::{Message, QueueBatch};
use anyfn::Error;
use serde::Deserialize;

use crate::describe::{read, unexpected};
use crate::EventSource;

const EXPECTED: &str = "expected an SQS or SNS batch (`Records` with `eventSource` \"aws:sqs\" \
or `EventSource` \"aws:sns\")";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawPayload {
    #[serde(rename = "Records")]
    records: Option<Vec<RawRecord>>,
    /// SQS's ReceiveMessage answer (`Messages`), as some integrations pass it.
    #[serde(rename = "Messages")]
    messages: Option<Vec<RawApiMessage>>,
}

/// An SQS record and an SNS record in one: each uses its own fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawRecord {
    #[serde(rename = "eventSource")]
    event_source: Option<String>,
    #[serde(rename = "EventSource")]
    sns_event_source: Option<String>,
    #[serde(rename = "messageId")]
    message_id: Option<String>,
    body: Option<String>,
    attributes: BTreeMap<String, String>,
    #[serde(rename = "messageAttributes")]
    message_attributes: BTreeMap<String, RawSqsAttribute>,
    #[serde(rename = "eventSourceARN")]
    event_source_arn: Option<String>,
    #[serde(rename = "Sns")]
    sns: Option<RawSns>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawSqsAttribute {
    string_value: Option<String>,
    binary_value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct RawSns {
    message_id: String,
    message: String,
    topic_arn: Option<String>,
    timestamp: Option<String>,
    message_attributes: BTreeMap<String, RawSnsAttribute>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct RawSnsAttribute {
    value: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct RawApiMessage {
    message_id: String,
    body: String,
    attributes: BTreeMap<String, String>,
}

pub(super) fn decode(payload: &[u8]) -> Result<(QueueBatch, EventSource), Error> {
    let raw: RawPayload = read(payload, EXPECTED)?;
    if let Some(messages) = raw.messages {
        let messages = messages
            .into_iter()
            .map(|message| {
                sqs_message(
                    message.message_id,
                    message.body,
                    &message.attributes,
                    BTreeMap::new(),
                    None,
                )
            })
            .collect();
        return Ok((QueueBatch::new(messages), EventSource::Sqs));
    }
    let Some(records) = raw.records else {
        return Err(unexpected(EXPECTED, payload));
    };
    let mut source = None;
    let mut messages = Vec::with_capacity(records.len());
    for (index, record) in records.into_iter().enumerate() {
        let (message, record_source) = match (
            record.event_source.as_deref(),
            record.sns_event_source.as_deref(),
        ) {
            (Some("aws:sqs"), _) => {
                let attributes = record
                    .message_attributes
                    .into_iter()
                    .filter_map(|(name, value)| {
                        Some((name, value.string_value.or(value.binary_value)?))
                    })
                    .collect();
                let message = sqs_message(
                    record.message_id.unwrap_or_default(),
                    record.body.unwrap_or_default(),
                    &record.attributes,
                    attributes,
                    record.event_source_arn,
                );
                (message, EventSource::Sqs)
            }
            (_, Some("aws:sns")) => {
                let sns = record.sns.unwrap_or_default();
                let mut message = Message::new(sns.message_id, sns.message);
                message.attributes = sns
                    .message_attributes
                    .into_iter()
                    .map(|(name, attribute)| (name, attribute.value))
                    .collect();
                message.sent_time = sns
                    .timestamp
                    .as_deref()
                    .and_then(|t| anyfn::time::parse_rfc3339(t).ok());
                message.source = sns.topic_arn;
                (message, EventSource::Sns)
            }
            (sqs, sns) => {
                return Err(Error::bad_request(format!(
                    "{EXPECTED}; record {index} has eventSource {:?}",
                    sqs.or(sns).unwrap_or_default()
                )))
            }
        };
        if source.is_some_and(|seen| seen != record_source) {
            return Err(Error::bad_request(format!(
                "{EXPECTED}; record {index} mixes SQS and SNS records"
            )));
        }
        source = Some(record_source);
        messages.push(message);
    }
    Ok((
        QueueBatch::new(messages),
        source.unwrap_or(EventSource::Sqs),
    ))
}

fn sqs_message(
    id: String,
    body: String,
    system: &BTreeMap<String, String>,
    attributes: BTreeMap<String, String>,
    source: Option<String>,
) -> Message {
    let mut message = Message::new(id, body);
    message.attributes = attributes;
    message.delivery_attempt = system
        .get("ApproximateReceiveCount")
        .and_then(|n| n.parse().ok());
    message.sent_time = system
        .get("SentTimestamp")
        .and_then(|ms| ms.parse::<u64>().ok())
        .and_then(|ms| UNIX_EPOCH.checked_add(Duration::from_millis(ms)));
    message.source = source;
    message.ordering_key = system.get("MessageGroupId").cloned();
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_batch_is_an_empty_sqs_batch() {
        let (batch, source) = decode(br#"{"Records":[]}"#).unwrap();
        assert!(batch.messages.is_empty());
        assert_eq!(source, EventSource::Sqs);
    }

    #[test]
    fn a_fifo_message_group_is_the_ordering_key() {
        let (batch, _) = decode(
            br#"{"Records":[{"eventSource":"aws:sqs","messageId":"m","body":"b",
                "attributes":{"MessageGroupId":"orders-7"}}]}"#,
        )
        .unwrap();
        assert_eq!(batch.messages[0].ordering_key.as_deref(), Some("orders-7"));
    }

    #[test]
    fn unknown_records_are_refused() {
        let err = decode(br#"{"Records":[{"eventSource":"aws:s3"}]}"#).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("record 0 has eventSource \"aws:s3\""),
            "{err}"
        );
    }
}

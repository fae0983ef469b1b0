//! SQS and SNS batches into [`QueueBatch`].

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use anyfn::event::{Message, QueueBatch};
use anyfn::Error;
use serde::Deserialize;

use crate::{read_payload, unexpected_payload, AwsShape};

/// What [`decode_queue_batch`] reads, as its errors and
/// [`FromAwsPayload::AWS_PAYLOADS`](crate::FromAwsPayload::AWS_PAYLOADS) name it.
macro_rules! queue_batch_payloads {
    () => {
        "an SQS or SNS batch (`Records` with `eventSource` \"aws:sqs\" \
        or `EventSource` \"aws:sns\")"
    };
}
pub(crate) use queue_batch_payloads;

const EXPECTED: &str = concat!("expected ", queue_batch_payloads!());

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

/// Reads an SQS batch or an SNS delivery as a [`QueueBatch`], and says
/// which it was.
///
/// - SQS (`Records` with `eventSource` `aws:sqs`; [`AwsShape::Sqs`]): each
///   message's `messageId` and `body`; its message attributes (the string
///   value, else the binary value as its base64 text); the
///   `ApproximateReceiveCount` as the delivery attempt, the
///   `SentTimestamp` (milliseconds) as the sent time, the
///   `MessageGroupId` (FIFO queues) as the ordering key, and the queue's
///   `eventSourceARN` as the source. SQS's ReceiveMessage answer
///   (`Messages`, as some integrations pass it) is read the same way.
/// - SNS (`Records` with `EventSource` `aws:sns`; [`AwsShape::Sns`]): the
///   `Sns` object's `MessageId`, `Message`, message attributes' `Value`s,
///   `Timestamp` as the sent time and `TopicArn` as the source.
///
/// `{"Records": []}` is an empty SQS batch. A system attribute or time that
/// does not parse is left out rather than refused.
///
/// # Errors
///
/// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest) saying what was
/// expected and what was found: a payload that is not JSON or not of this
/// shape, a record of another source (naming its index and source), a batch
/// mixing SQS and SNS records, or a JSON object with neither `Records` nor
/// `Messages`.
///
/// # Example
///
/// ```
/// use anyfn_formats_aws::{decode_queue_batch, AwsShape};
///
/// let (batch, shape) = decode_queue_batch(
///     br#"{"Records":[{"EventSource":"aws:sns","Sns":{"MessageId":"n-1","Message":"hi",
///         "TopicArn":"arn:aws:sns:us-east-1:123456789012:orders"}}]}"#,
/// )?;
/// assert_eq!(shape, AwsShape::Sns);
/// assert_eq!(batch.messages[0].text()?, "hi");
/// assert_eq!(batch.messages[0].source.as_deref(), Some("arn:aws:sns:us-east-1:123456789012:orders"));
///
/// let err = decode_queue_batch(br#"{"Records":[{"eventSource":"aws:s3"}]}"#).err().expect("not a queue");
/// assert!(err.message().ends_with(r#"record 0 has eventSource "aws:s3""#));
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn decode_queue_batch(payload: &[u8]) -> Result<(QueueBatch, AwsShape), Error> {
    let raw: RawPayload = read_payload(payload, EXPECTED)?;
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
        return Ok((QueueBatch::new(messages), AwsShape::Sqs));
    }
    let Some(records) = raw.records else {
        return Err(unexpected_payload(EXPECTED, payload));
    };
    let mut shape = None;
    let mut messages = Vec::with_capacity(records.len());
    for (index, record) in records.into_iter().enumerate() {
        let (message, record_shape) = match (
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
                (message, AwsShape::Sqs)
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
                (message, AwsShape::Sns)
            }
            (sqs, sns) => {
                return Err(Error::bad_request(format!(
                    "{EXPECTED}; record {index} has eventSource {:?}",
                    sqs.or(sns).unwrap_or_default()
                )))
            }
        };
        if shape.is_some_and(|seen| seen != record_shape) {
            return Err(Error::bad_request(format!(
                "{EXPECTED}; record {index} mixes SQS and SNS records"
            )));
        }
        shape = Some(record_shape);
        messages.push(message);
    }
    Ok((QueueBatch::new(messages), shape.unwrap_or(AwsShape::Sqs)))
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
        let (batch, shape) = decode_queue_batch(br#"{"Records":[]}"#).unwrap();
        assert!(batch.messages.is_empty());
        assert_eq!(shape, AwsShape::Sqs);
    }

    #[test]
    fn a_fifo_message_group_is_the_ordering_key() {
        let (batch, _) = decode_queue_batch(
            br#"{"Records":[{"eventSource":"aws:sqs","messageId":"m","body":"b",
                "attributes":{"MessageGroupId":"orders-7"}}]}"#,
        )
        .unwrap();
        assert_eq!(batch.messages[0].ordering_key.as_deref(), Some("orders-7"));
    }

    #[test]
    fn unknown_records_are_refused() {
        let err = decode_queue_batch(br#"{"Records":[{"eventSource":"aws:s3"}]}"#).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("record 0 has eventSource \"aws:s3\""),
            "{err}"
        );
    }

    fn fixture(name: &str) -> &'static str {
        match name {
            "sqs" => include_str!("../../../../tests/fixtures/aws/example-sqs-event.json"),
            "sqs-obj" => include_str!("../../../../tests/fixtures/aws/example-sqs-event-obj.json"),
            "sqs-api" => include_str!("../../../../tests/fixtures/aws/example-sqs-api-event-obj.json"),
            "sns" => include_str!("../../../../tests/fixtures/aws/example-sns-event.json"),
            "sns-obj" => include_str!("../../../../tests/fixtures/aws/example-sns-event-obj.json"),
            "sns-pascal" => {
                include_str!("../../../../tests/fixtures/aws/example-sns-event-pascal-case.json")
            }
            "alarm-single" => include_str!(
                "../../../../tests/fixtures/aws/example-cloudwatch-alarm-sns-payload-single-metric.json"
            ),
            "alarm-multiple" => include_str!(
                "../../../../tests/fixtures/aws/example-cloudwatch-alarm-sns-payload-multiple-metrics.json"
            ),
            other => panic!("no fixture {other}"),
        }
    }

    fn decoded(name: &str) -> (QueueBatch, AwsShape) {
        decode_queue_batch(fixture(name).as_bytes()).unwrap_or_else(|err| panic!("{name}: {err}"))
    }

    /// aws_lambda_events' SQS example with attributes of every kind: the
    /// string value, else the binary one; the system attributes mapped.
    #[test]
    fn the_sqs_fixture_decodes_with_its_attributes_and_system_fields() {
        let (batch, shape) = decoded("sqs-obj");
        assert_eq!(shape, AwsShape::Sqs);
        let expected = Message::new("MessageID_1", r#"{"a":"Test","b":123}"#)
            .with_attribute("Attribute1", "AttributeValue1")
            .with_attribute("Attribute2", "123")
            .with_attribute("Attribute3", "MTEwMA==")
            .with_delivery_attempt(2)
            .with_sent_time(UNIX_EPOCH + Duration::from_millis(1_520_621_625_029))
            .with_source("arn:aws:sqs:us-west-2:123456789012:SQSQueue");
        assert_eq!(batch.messages, [expected]);
        let (batch, shape) = decoded("sqs");
        assert_eq!(shape, AwsShape::Sqs);
        assert!(!batch.messages.is_empty());
        for message in &batch.messages {
            assert!(!message.id.is_empty());
            assert!(message
                .source
                .as_deref()
                .is_some_and(|arn| arn.starts_with("arn:aws:sqs:")));
        }
    }

    #[test]
    fn the_receive_message_fixture_is_an_sqs_batch() {
        let (batch, shape) = decoded("sqs-api");
        assert_eq!(shape, AwsShape::Sqs);
        let expected = Message::new(
            "f663a189-97e2-41f5-9c0e-cfb595d8322c",
            r#"{"country": "usa", "city": "provincetown"}"#,
        );
        assert_eq!(batch.messages, [expected]);
    }

    /// Both spellings of SNS's example (`SigningCertURL` and
    /// `SigningCertUrl`) and the object form read alike.
    #[test]
    fn the_sns_fixtures_decode_with_their_fields() {
        for name in ["sns", "sns-pascal"] {
            let (batch, shape) = decoded(name);
            assert_eq!(shape, AwsShape::Sns, "{name}");
            let expected = Message::new("82833b5c-8d5d-56d0-b0e1-7511f8253eb8", "Hello\r\nworld!")
                .with_sent_time(UNIX_EPOCH + Duration::from_millis(1_439_920_952_111))
                .with_source("arn:aws:sns:us-east-1:246796806071:snsNetTest");
            assert_eq!(batch.messages, [expected], "{name}");
        }
        let (batch, shape) = decoded("sns-obj");
        assert_eq!(shape, AwsShape::Sns);
        assert_eq!(batch.messages.len(), 1);
        assert!(batch.messages[0].json::<serde_json::Value>().is_ok());
    }

    /// CloudWatch alarms reach Lambda as SNS deliveries: the alarm is the
    /// message's JSON text.
    #[test]
    fn the_cloudwatch_alarm_fixtures_are_sns_deliveries() {
        for (name, records) in [("alarm-single", 1), ("alarm-multiple", 2)] {
            let (batch, shape) = decoded(name);
            assert_eq!(shape, AwsShape::Sns, "{name}");
            assert_eq!(batch.messages.len(), records, "{name}");
            for message in &batch.messages {
                assert_eq!(message.id, "95df01b4-ee98-5cb9-9903-4c221d41eb5e", "{name}");
                let alarm: serde_json::Value = message.json().unwrap();
                assert_eq!(alarm["AlarmName"], "EXAMPLE", "{name}");
            }
        }
    }

    #[test]
    fn a_batch_mixing_sqs_and_sns_records_is_refused() {
        let err = decode_queue_batch(
            br#"{"Records":[{"eventSource":"aws:sqs"},{"EventSource":"aws:sns"}]}"#,
        )
        .unwrap_err();
        assert!(err.is_bad_request());
        assert_eq!(
            err.message(),
            format!("{EXPECTED}; record 1 mixes SQS and SNS records")
        );
    }
}

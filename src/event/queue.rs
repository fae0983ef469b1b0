//! Queue and pub/sub messages in batches: [`QueueBatch`], [`Message`], and
//! the partial-failure output [`BatchResult`].

use std::collections::BTreeMap;
use std::time::SystemTime;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, ErrorKind};

/// One message from a queue (SQS, Pub/Sub) or a topic (SNS).
///
/// Serializes with the body as text, or as base64 with
/// `"bodyEncoding": "base64"` when it is not UTF-8.
///
/// # Example
///
/// ```
/// use anyfn::event::Message;
///
/// let message = Message::new("m-1", r#"{"order":7}"#).with_attribute("tenant", "acme");
/// assert_eq!(message.text()?, r#"{"order":7}"#);
/// let order: serde_json::Value = message.json()?;
/// assert_eq!(order["order"], 7);
/// assert_eq!(message.attributes["tenant"], "acme");
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The message's id, used to report it failed.
    pub id: String,
    /// The body, as bytes.
    pub body: Bytes,
    /// String attributes (SQS message attributes, SNS message attributes,
    /// Pub/Sub attributes).
    pub attributes: BTreeMap<String, String>,
    /// How many times it has been delivered, this time included, when known.
    pub delivery_attempt: Option<u32>,
    /// When it was sent, when known.
    pub sent_time: Option<SystemTime>,
    /// Where it came from: the queue or topic ARN or name, when known.
    pub source: Option<String>,
    /// The ordering key: messages with the same key are delivered in the
    /// order they were sent (Pub/Sub's `orderingKey`, SQS FIFO's
    /// `MessageGroupId`), when the message has one.
    pub ordering_key: Option<String>,
}

impl Message {
    /// A message `id` with `body`, no attributes.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    ///
    /// let message = Message::new("m-1", "hello");
    /// assert_eq!(message.id, "m-1");
    /// assert_eq!(message.body, "hello");
    /// assert!(message.attributes.is_empty());
    /// ```
    pub fn new(id: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Self {
            id: id.into(),
            body: body.into(),
            attributes: BTreeMap::new(),
            delivery_attempt: None,
            sent_time: None,
            source: None,
            ordering_key: None,
        }
    }

    /// Adds an attribute.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    ///
    /// let message = Message::new("m-1", "hi").with_attribute("tenant", "acme");
    /// assert_eq!(message.attributes["tenant"], "acme");
    /// ```
    #[must_use]
    pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// Sets the delivery attempt.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    ///
    /// let message = Message::new("m-1", "hi").with_delivery_attempt(3);
    /// assert_eq!(message.delivery_attempt, Some(3));
    /// ```
    #[must_use]
    pub fn with_delivery_attempt(mut self, attempt: u32) -> Self {
        self.delivery_attempt = Some(attempt);
        self
    }

    /// Sets the sent time.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use anyfn::event::Message;
    ///
    /// let sent = UNIX_EPOCH + Duration::from_secs(1_714_564_800);
    /// let message = Message::new("m-1", "hi").with_sent_time(sent);
    /// assert_eq!(message.sent_time, Some(sent));
    /// assert_eq!(serde_json::to_value(&message)?["sentTime"], "2024-05-01T12:00:00Z");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_sent_time(mut self, time: SystemTime) -> Self {
        self.sent_time = Some(time);
        self
    }

    /// Sets the source.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    ///
    /// let queue = "arn:aws:sqs:eu-west-1:123456789012:orders";
    /// let message = Message::new("m-1", "hi").with_source(queue);
    /// assert_eq!(message.source.as_deref(), Some(queue));
    /// ```
    #[must_use]
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Sets the ordering key.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    ///
    /// let message = Message::new("m-1", "hi").with_ordering_key("customer-42");
    /// assert_eq!(message.ordering_key.as_deref(), Some("customer-42"));
    /// ```
    #[must_use]
    pub fn with_ordering_key(mut self, key: impl Into<String>) -> Self {
        self.ordering_key = Some(key.into());
        self
    }

    /// The body as UTF-8 text.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`] when it is not UTF-8.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    ///
    /// assert_eq!(Message::new("m-1", "hello").text()?, "hello");
    /// let err = Message::new("m-2", vec![0xff]).text().unwrap_err();
    /// assert!(err.is_bad_request());
    /// assert!(err.to_string().starts_with("message m-2 is not UTF-8 text"));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn text(&self) -> Result<&str, Error> {
        std::str::from_utf8(&self.body).map_err(|err| {
            Error::with_source(
                ErrorKind::BadRequest,
                format_args!("message {} is not UTF-8 text", self.id),
                err,
            )
        })
    }

    /// The body parsed as JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`] saying what was wrong.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    ///
    /// let order: serde_json::Value = Message::new("m-1", r#"{"order":7}"#).json()?;
    /// assert_eq!(order["order"], 7);
    /// let err = Message::new("m-2", "not json").json::<serde_json::Value>().unwrap_err();
    /// assert!(err.to_string().starts_with("message m-2 is not the JSON expected"));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|err| {
            Error::with_source(
                ErrorKind::BadRequest,
                format_args!("message {} is not the JSON expected", self.id),
                err,
            )
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageDocument {
    id: String,
    body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body_encoding: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delivery_attempt: Option<u32>,
    #[serde(
        default,
        with = "crate::time::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    sent_time: Option<SystemTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ordering_key: Option<String>,
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (body, body_encoding) = match std::str::from_utf8(&self.body) {
            Ok(text) => (text.to_owned(), None),
            Err(_) => (crate::base64::encode(&self.body), Some("base64".to_owned())),
        };
        MessageDocument {
            id: self.id.clone(),
            body,
            body_encoding,
            attributes: self.attributes.clone(),
            delivery_attempt: self.delivery_attempt,
            sent_time: self.sent_time,
            source: self.source.clone(),
            ordering_key: self.ordering_key.clone(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let document = MessageDocument::deserialize(deserializer)?;
        let body = match document.body_encoding.as_deref() {
            None | Some("text") => Bytes::from(document.body),
            Some("base64") => Bytes::from(
                crate::base64::decode(&document.body).map_err(serde::de::Error::custom)?,
            ),
            Some(other) => {
                return Err(serde::de::Error::custom(format!(
                    "bodyEncoding {other:?} is not \"text\" or \"base64\""
                )))
            }
        };
        Ok(Self {
            id: document.id,
            body,
            attributes: document.attributes,
            delivery_attempt: document.delivery_attempt,
            sent_time: document.sent_time,
            source: document.source,
            ordering_key: document.ordering_key,
        })
    }
}

/// A batch of messages delivered together. A handler answers with a
/// [`BatchResult`] naming the ones that failed, so that only those are retried.
///
/// # Example
///
/// ```
/// use anyfn::event::{BatchResult, Message, QueueBatch};
///
/// let batch = QueueBatch::new(vec![Message::new("a", "ok"), Message::new("b", "fail")]);
/// let result: BatchResult = batch
///     .messages
///     .iter()
///     .filter(|m| m.body.as_ref() == b"fail")
///     .map(|m| m.id.clone())
///     .collect();
/// assert_eq!(result.failed, ["b"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QueueBatch {
    /// The messages, in delivery order (at most
    /// [`MAX_BATCH_LEN`](super::MAX_BATCH_LEN) when read from JSON).
    #[serde(deserialize_with = "super::bounded::deserialize")]
    pub messages: Vec<Message>,
}

impl QueueBatch {
    /// A batch of `messages`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{Message, QueueBatch};
    ///
    /// let batch = QueueBatch::new(vec![Message::new("a", "1"), Message::new("b", "2")]);
    /// assert_eq!(batch.messages.len(), 2);
    /// assert_eq!(batch.messages[1].id, "b");
    /// ```
    pub fn new(messages: Vec<Message>) -> Self {
        Self { messages }
    }
}

/// The outcome of a [`QueueBatch`]: the ids of the messages that failed (and
/// will be delivered again); the others succeeded.
///
/// Serializes as Lambda's partial batch response,
/// `{"batchItemFailures": [{"itemIdentifier": "id"}]}`, on every runtime.
///
/// # Example
///
/// ```
/// use anyfn::event::BatchResult;
///
/// let result = BatchResult::failed_ids(["m-2"]);
/// assert_eq!(serde_json::to_string(&result)?, r#"{"batchItemFailures":[{"itemIdentifier":"m-2"}]}"#);
/// assert!(BatchResult::all_succeeded().failed.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchResult {
    /// The ids of the failed messages.
    pub failed: Vec<String>,
}

impl BatchResult {
    /// Every message succeeded.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::BatchResult;
    ///
    /// let result = BatchResult::all_succeeded();
    /// assert!(result.failed.is_empty());
    /// assert_eq!(serde_json::to_string(&result)?, r#"{"batchItemFailures":[]}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn all_succeeded() -> Self {
        Self::default()
    }

    /// The messages `ids` failed.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::BatchResult;
    ///
    /// let result = BatchResult::failed_ids(vec!["m-2".to_string(), "m-5".to_string()]);
    /// assert_eq!(result.failed, ["m-2", "m-5"]);
    /// ```
    pub fn failed_ids<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        Self {
            failed: ids.into_iter().map(Into::into).collect(),
        }
    }

    /// Marks message `id` failed.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{BatchResult, Message, QueueBatch};
    ///
    /// let batch = QueueBatch::new(vec![Message::new("a", "ok"), Message::new("b", "oops")]);
    /// let mut result = BatchResult::all_succeeded();
    /// for message in &batch.messages {
    ///     if message.body != "ok" {
    ///         result.fail(&message.id);
    ///     }
    /// }
    /// assert_eq!(result.failed, ["b"]);
    /// ```
    pub fn fail(&mut self, id: impl Into<String>) {
        self.failed.push(id.into());
    }
}

impl FromIterator<String> for BatchResult {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        Self {
            failed: iter.into_iter().collect(),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchDocument {
    batch_item_failures: Vec<ItemFailure>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemFailure {
    item_identifier: String,
}

impl Serialize for BatchResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        BatchDocument {
            batch_item_failures: self
                .failed
                .iter()
                .map(|id| ItemFailure {
                    item_identifier: id.clone(),
                })
                .collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for BatchResult {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let document = BatchDocument::deserialize(deserializer)?;
        Ok(document
            .batch_item_failures
            .into_iter()
            .map(|failure| failure.item_identifier)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_bodies_round_trip_as_base64() {
        let message = Message::new("m", vec![0xde, 0xad, 0xbe, 0xef]);
        let json = serde_json::to_string(&message).unwrap();
        assert_eq!(
            json,
            r#"{"id":"m","body":"3q2+7w==","bodyEncoding":"base64"}"#
        );
        assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), message);
    }

    #[test]
    fn the_ordering_key_round_trips_as_ordering_key() {
        let message = Message::new("m", "x").with_ordering_key("orders-7");
        let json = serde_json::to_string(&message).unwrap();
        assert_eq!(json, r#"{"id":"m","body":"x","orderingKey":"orders-7"}"#);
        assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), message);
    }

    /// A 6 MiB body of tiny messages took 15 times its size to read: a
    /// batch read from JSON holds at most `MAX_BATCH_LEN` messages.
    #[test]
    fn regression_a_batch_longer_than_the_bound_is_refused_naming_it() {
        let batch = |n: usize| {
            let messages: Vec<String> = (0..n)
                .map(|i| format!(r#"{{"id":"{i}","body":""}}"#))
                .collect();
            format!(r#"{{"messages":[{}]}}"#, messages.join(","))
        };
        let at_the_bound = serde_json::from_str::<QueueBatch>(&batch(crate::event::MAX_BATCH_LEN))
            .expect("a batch at the bound");
        assert_eq!(at_the_bound.messages.len(), 10_000);
        let err = serde_json::from_str::<QueueBatch>(&batch(crate::event::MAX_BATCH_LEN + 1))
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a batch holds at most 10000 items"),
            "{err}"
        );
        let objects: Vec<String> = (0..=crate::event::MAX_BATCH_LEN)
            .map(|_| r#"{"change":"created","bucket":"b","key":"k"}"#.to_owned())
            .collect();
        let storage = format!(r#"{{"objects":[{}]}}"#, objects.join(","));
        assert!(serde_json::from_str::<crate::event::StorageEvent>(&storage).is_err());
    }

    #[test]
    fn unknown_body_encoding_is_an_error() {
        let err =
            serde_json::from_str::<Message>(r#"{"id":"m","body":"x","bodyEncoding":"rot13"}"#)
                .unwrap_err();
        assert!(err.to_string().contains("bodyEncoding \"rot13\""), "{err}");
    }
}

//! [`MAX_BATCH_LEN`]: how many items a batch event holds at most when read
//! from JSON, so that a body of tiny items cannot take many times its size.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

/// The most messages a [`QueueBatch`](super::QueueBatch), or objects a
/// [`StorageEvent`](super::StorageEvent), holds when read from JSON:
/// 10,000, the largest batch SQS and Kinesis deliver to a function (Pub/Sub
/// push, S3 and Azure deliver one; Cloudflare Queues at most 100).
///
/// Each item takes about 150 bytes in memory however small its JSON, so
/// without a bound a 6 MiB body of tiny messages took 15 times its size to
/// read. A longer list is refused as the JSON's error, naming the bound.
///
/// # Example
///
/// ```
/// use anyfn::event::{QueueBatch, MAX_BATCH_LEN};
///
/// assert_eq!(MAX_BATCH_LEN, 10_000);
/// let message = serde_json::json!({"id": "m", "body": ""});
/// let messages = vec![message; MAX_BATCH_LEN + 1];
/// let json = serde_json::json!({"messages": messages});
/// let err = serde_json::from_value::<QueueBatch>(json).unwrap_err();
/// assert!(err.to_string().starts_with("a batch holds at most 10000 items"));
/// ```
pub const MAX_BATCH_LEN: usize = 10_000;

/// Reads a JSON array of at most [`MAX_BATCH_LEN`] items.
pub(crate) fn deserialize<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_seq(Bounded(PhantomData))
}

struct Bounded<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for Bounded<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of at most {MAX_BATCH_LEN} items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            if items.len() == MAX_BATCH_LEN {
                return Err(serde::de::Error::custom(format_args!(
                    "a batch holds at most {MAX_BATCH_LEN} items (the largest batch SQS delivers); \
                     this one holds more"
                )));
            }
            items.push(item);
        }
        Ok(items)
    }
}

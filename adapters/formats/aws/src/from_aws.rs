//! One trait over the decoders: [`FromAwsPayload`], so that code generic
//! over an event type (an adapter's codec, a test harness) reads AWS's event
//! JSON with the same function the Lambda adapter uses.

use anyfn::event::{CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::Error;

use crate::eventbridge::{cloud_event_payloads, schedule_tick_payloads};
use crate::queue::queue_batch_payloads;
use crate::storage::storage_event_payloads;
use crate::AwsShape;

/// A portable event read from the JSON AWS delivers for it: each
/// implementation is one of this crate's decoders, the one the Lambda
/// adapter reads its invocations' payloads with, so an event file (a
/// fixture, what `sam local invoke -e` or `cargo lambda invoke` takes) gives
/// the same value wherever it is read.
///
/// | type | decoder |
/// |---|---|
/// | [`StorageEvent`] | [`decode_storage_event`](crate::decode_storage_event) |
/// | [`QueueBatch`] | [`decode_queue_batch`](crate::decode_queue_batch) |
/// | [`ScheduleTick`] | [`decode_schedule_tick`](crate::decode_schedule_tick) |
/// | [`CloudEvent`] | [`decode_cloud_event`](crate::decode_cloud_event) |
///
/// # Example
///
/// ```
/// use anyfn::event::ScheduleTick;
/// use anyfn_formats_aws::{AwsShape, FromAwsPayload};
///
/// fn read<T: FromAwsPayload>(payload: &[u8]) -> Result<T, anyfn::Error> {
///     T::from_aws_payload(payload).map(|(event, _shape)| event)
/// }
///
/// let tick: ScheduleTick = read(
///     br#"{"id":"53dc4d37","detail-type":"Scheduled Event","source":"aws.events",
///         "account":"123456789012","region":"us-east-1","time":"2015-10-08T16:53:06Z",
///         "resources":["arn:aws:events:us-east-1:123456789012:rule/nightly"],"detail":{}}"#,
/// )?;
/// assert_eq!(tick.schedule.as_deref(), Some("nightly"));
/// assert_eq!(tick.region.as_deref(), Some("us-east-1"));
///
/// let err = read::<ScheduleTick>(br#"{"Records":[]}"#).err().expect("no tick");
/// assert!(err.message().starts_with(&format!("expected {}; found ", ScheduleTick::AWS_PAYLOADS)));
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait FromAwsPayload: Sized {
    /// The AWS payloads this type is read from, as a phrase for a message
    /// ("an S3 notification (…) or an S3 event from EventBridge (…)"): the
    /// decoder's errors begin with "expected " and this.
    const AWS_PAYLOADS: &'static str;

    /// Reads `payload` as this type, with the [`AwsShape`] it was found in.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest) saying what
    /// was expected and what was found, as the decoder's own.
    fn from_aws_payload(payload: &[u8]) -> Result<(Self, AwsShape), Error>;
}

impl FromAwsPayload for StorageEvent {
    const AWS_PAYLOADS: &'static str = storage_event_payloads!();

    fn from_aws_payload(payload: &[u8]) -> Result<(Self, AwsShape), Error> {
        crate::decode_storage_event(payload)
    }
}

impl FromAwsPayload for QueueBatch {
    const AWS_PAYLOADS: &'static str = queue_batch_payloads!();

    fn from_aws_payload(payload: &[u8]) -> Result<(Self, AwsShape), Error> {
        crate::decode_queue_batch(payload)
    }
}

impl FromAwsPayload for ScheduleTick {
    const AWS_PAYLOADS: &'static str = schedule_tick_payloads!();

    fn from_aws_payload(payload: &[u8]) -> Result<(Self, AwsShape), Error> {
        crate::decode_schedule_tick(payload)
    }
}

impl FromAwsPayload for CloudEvent {
    const AWS_PAYLOADS: &'static str = cloud_event_payloads!();

    fn from_aws_payload(payload: &[u8]) -> Result<(Self, AwsShape), Error> {
        crate::decode_cloud_event(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every decoder's refusal begins with "expected " and the phrase the
    /// trait names its payloads with.
    #[test]
    fn each_refusal_names_the_payloads_the_trait_names() {
        fn refused<T: FromAwsPayload>() -> String {
            match T::from_aws_payload(br#"{"hello": 1}"#) {
                Ok(_) => panic!("{} took a stray object", T::AWS_PAYLOADS),
                Err(err) => err.message().to_owned(),
            }
        }
        for (message, payloads) in [
            (refused::<StorageEvent>(), StorageEvent::AWS_PAYLOADS),
            (refused::<QueueBatch>(), QueueBatch::AWS_PAYLOADS),
            (refused::<ScheduleTick>(), ScheduleTick::AWS_PAYLOADS),
            (refused::<CloudEvent>(), CloudEvent::AWS_PAYLOADS),
        ] {
            assert!(
                message.starts_with(&format!("expected {payloads}; found ")),
                "{message}"
            );
        }
    }
}

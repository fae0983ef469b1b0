//! AWS event payloads read into [`anyfn`]'s portable events, for any
//! adapter: the Lambda adapter reads its invocations' payloads with these
//! functions, and any other adapter can read an AWS event file the same way.
//!
//! # Example
//!
//! ```
//! use anyfn_formats_aws::{decode_queue_batch, encode_batch_result, AwsShape};
//! use anyfn::event::BatchResult;
//!
//! let payload = br#"{"Records":[
//!     {"eventSource":"aws:sqs","messageId":"m-1","body":"{\"order\":7}",
//!      "eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders"},
//!     {"eventSource":"aws:sqs","messageId":"m-2","body":"not json"}]}"#;
//! let (batch, shape) = decode_queue_batch(payload)?;
//! assert_eq!(shape, AwsShape::Sqs);
//!
//! // Handle each message, and name the ones that failed.
//! let mut result = BatchResult::all_succeeded();
//! for message in &batch.messages {
//!     if message.json::<serde_json::Value>().is_err() {
//!         result.fail(message.id.clone());
//!     }
//! }
//! // The answer in the batch's shape: SQS's partial batch response.
//! assert_eq!(
//!     encode_batch_result(&result, Some(shape))?,
//!     r#"{"batchItemFailures":[{"itemIdentifier":"m-2"}]}"#
//! );
//! # Ok::<(), anyfn::Error>(())
//! ```
//!
//! # What is read, and from what
//!
//! | function | portable event | AWS payloads |
//! |---|---|---|
//! | [`decode_storage_event`] | [`StorageEvent`](anyfn::event::StorageEvent) | S3 notifications; S3 events through EventBridge |
//! | [`decode_queue_batch`] | [`QueueBatch`](anyfn::event::QueueBatch) | SQS batches (and SQS's ReceiveMessage answer); SNS deliveries |
//! | [`decode_schedule_tick`] | [`ScheduleTick`](anyfn::event::ScheduleTick) | EventBridge scheduled events (the rule's name, ARN, account and region) |
//! | [`decode_cloud_event`] | [`CloudEvent`](anyfn::event::CloudEvent) | any EventBridge event; a CloudEvent as it is |
//!
//! [`FromAwsPayload`] is the same four decoders as one trait, for code
//! generic over the event type (the Lambda adapter's codec, the local
//! server's, a test harness reading an event file).
//!
//! Each returns the event with the [`AwsShape`] it was found in, which an
//! adapter keeps to answer in that source's terms: [`encode_batch_result`]
//! writes a [`BatchResult`](anyfn::event::BatchResult) as SQS's partial
//! batch response, or fails an SNS delivery that has failed messages.
//!
//! The payloads are read leniently (every field optional, what is absent left
//! out), and a payload of another shape is a
//! [`BadRequest`](anyfn::ErrorKind::BadRequest) naming the shapes expected
//! and what was found ([`read_payload`], [`unexpected_payload`],
//! [`describe_payload`]): the input is never echoed unbounded, and nothing
//! panics. No runtime and no AWS SDK: plain functions from bytes.
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod batch_result;
mod describe;
mod eventbridge;
mod from_aws;
mod queue;
mod shape;
mod storage;

pub use batch_result::encode_batch_result;
pub use describe::{describe_payload, read_payload, unexpected_payload};
pub use eventbridge::{decode_cloud_event, decode_schedule_tick};
pub use from_aws::FromAwsPayload;
pub use queue::decode_queue_batch;
pub use shape::AwsShape;
pub use storage::decode_storage_event;

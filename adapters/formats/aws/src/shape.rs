//! Which AWS shape a payload came in: [`AwsShape`].

/// The AWS shape a decoder found a payload in, so that an adapter can answer
/// in that source's terms (SNS cannot retry one message of a delivery; SQS
/// takes a partial batch response).
///
/// It names payload formats, not transports: the Lambda adapter maps it onto
/// its own `EventSource`, and any other adapter that reads AWS payloads can
/// use it as it is.
///
/// # Example
///
/// ```
/// use anyfn_formats_aws::{decode_queue_batch, AwsShape};
///
/// let (batch, shape) = decode_queue_batch(
///     br#"{"Records":[{"eventSource":"aws:sqs","messageId":"m-1","body":"hi"}]}"#,
/// )?;
/// assert_eq!(shape, AwsShape::Sqs);
/// assert_eq!(batch.messages[0].id, "m-1");
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AwsShape {
    /// An S3 event notification (`Records` with `eventSource` `aws:s3`).
    S3,
    /// An SQS batch (`Records` with `eventSource` `aws:sqs`), or SQS's
    /// ReceiveMessage answer (`Messages`).
    Sqs,
    /// An SNS delivery (`Records` with `EventSource` `aws:sns`).
    Sns,
    /// An EventBridge event: a scheduled event, an S3 event through
    /// EventBridge (`source` `aws.s3`), or any other event.
    EventBridge,
    /// A CloudEvent in the JSON event format (it has `specversion`), taken
    /// as it is.
    CloudEvent,
}

//! Events beyond HTTP on Lambda: S3 notifications, SQS and SNS batches,
//! EventBridge schedules and events, read by `anyfn_formats_aws` into
//! anyfn's portable types; this is the glue: the [`AwsShape`] each was found
//! in becomes its [`EventSource`], and back.

use anyfn::event::{BatchResult, CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::{Context, Error, ErrorKind};
use anyfn_formats_aws::{AwsShape, FromAwsPayload};

use crate::codec::{FromLambda, IntoLambda, LambdaAnswer, Serialized, SERIALIZED};
use crate::EventSource;

/// The S3, SQS/SNS, EventBridge and CloudEvent families: each read by its
/// [`FromAwsPayload`] decoder, the one the local server and the test harness
/// read an AWS event file with.
macro_rules! from_aws_payload {
    ($($event:ty),*) => {$(
        impl FromLambda for $event {
            fn from_lambda(payload: &[u8], context: &mut Context) -> Result<Self, Error> {
                <$event>::from_aws_payload(payload).map(|decoded| with_source(decoded, context))
            }
        }
    )*};
}

from_aws_payload!(StorageEvent, QueueBatch, ScheduleTick, CloudEvent);

/// SQS gets the partial batch response; SNS cannot retry single messages, so
/// any failure fails the invocation (and SNS retries the delivery).
impl IntoLambda for BatchResult {
    const SERIALIZED: Option<Serialized> = SERIALIZED;

    fn into_lambda(self, source: EventSource) -> Result<LambdaAnswer, Error> {
        anyfn_formats_aws::encode_batch_result(&self, shape_of(source)).map(LambdaAnswer::Payload)
    }
}

impl IntoLambda for CloudEvent {
    const SERIALIZED: Option<Serialized> = SERIALIZED;

    fn into_lambda(self, _source: EventSource) -> Result<LambdaAnswer, Error> {
        serde_json::to_string(&self.to_json_value())
            .map(LambdaAnswer::Payload)
            .map_err(|err| {
                Error::with_source(ErrorKind::Internal, "could not encode the CloudEvent", err)
            })
    }
}

/// A decoded event, the source its shape is on Lambda put in the context.
fn with_source<T>((event, shape): (T, AwsShape), context: &mut Context) -> T {
    context.extensions_mut().insert(source_of(shape));
    event
}

/// The source an AWS shape is: a CloudEvent (or a shape this adapter does
/// not know yet) is a raw payload.
fn source_of(shape: AwsShape) -> EventSource {
    match shape {
        AwsShape::S3 => EventSource::S3,
        AwsShape::Sqs => EventSource::Sqs,
        AwsShape::Sns => EventSource::Sns,
        AwsShape::EventBridge => EventSource::EventBridge,
        _ => EventSource::Raw,
    }
}

/// The AWS shape a source answers in; `None` for a source that is none of
/// them (a raw payload, HTTP, a source of the program's own).
fn shape_of(source: EventSource) -> Option<AwsShape> {
    match source {
        EventSource::S3 => Some(AwsShape::S3),
        EventSource::Sqs => Some(AwsShape::Sqs),
        EventSource::Sns => Some(AwsShape::Sns),
        EventSource::EventBridge => Some(AwsShape::EventBridge),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each shape maps to its source and back; a CloudEvent taken as it is
    /// stays a raw payload, as before the decoders moved out.
    #[test]
    fn every_aws_shape_maps_to_its_source_and_back() {
        for (shape, source) in [
            (AwsShape::S3, EventSource::S3),
            (AwsShape::Sqs, EventSource::Sqs),
            (AwsShape::Sns, EventSource::Sns),
            (AwsShape::EventBridge, EventSource::EventBridge),
        ] {
            assert_eq!(source_of(shape), source);
            assert_eq!(shape_of(source), Some(shape));
        }
        assert_eq!(source_of(AwsShape::CloudEvent), EventSource::Raw);
        assert_eq!(shape_of(EventSource::Raw), None);
        assert_eq!(shape_of(EventSource::FunctionUrl), None);
    }

    #[test]
    fn a_failed_sns_message_fails_the_invocation_and_sqs_names_it() {
        let result = BatchResult::failed_ids(["m-1"]);
        let err = result.clone().into_lambda(EventSource::Sns).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Handler);
        let raw = result
            .clone()
            .into_lambda(EventSource::Raw)
            .unwrap()
            .into_payload()
            .unwrap();
        assert_eq!(raw, r#"{"batchItemFailures":[{"itemIdentifier":"m-1"}]}"#);
        assert_eq!(
            result
                .into_lambda(EventSource::Sqs)
                .unwrap()
                .into_payload()
                .unwrap(),
            raw
        );
    }
}

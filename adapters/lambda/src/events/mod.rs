//! Events beyond HTTP on Lambda: S3 notifications, SQS and SNS batches,
//! EventBridge schedules and events, mapped onto anyfn's portable types.

mod eventbridge;
mod queue;
mod storage;

use anyfn::event::{BatchResult, CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::{Context, Error, ErrorKind};

use crate::codec::{FromLambda, IntoLambda};
use crate::EventSource;

impl FromLambda for StorageEvent {
    fn from_lambda(payload: &[u8], _context: &mut Context) -> Result<(Self, EventSource), Error> {
        storage::decode(payload)
    }
}

impl FromLambda for QueueBatch {
    fn from_lambda(payload: &[u8], _context: &mut Context) -> Result<(Self, EventSource), Error> {
        queue::decode(payload)
    }
}

impl FromLambda for ScheduleTick {
    fn from_lambda(payload: &[u8], _context: &mut Context) -> Result<(Self, EventSource), Error> {
        eventbridge::decode_schedule(payload)
    }
}

impl FromLambda for CloudEvent {
    fn from_lambda(payload: &[u8], _context: &mut Context) -> Result<(Self, EventSource), Error> {
        eventbridge::decode_cloud_event(payload)
    }
}

/// SQS gets the partial batch response; SNS cannot retry single messages, so
/// any failure fails the invocation (and SNS retries the delivery).
impl IntoLambda for BatchResult {
    fn into_lambda(self, source: EventSource) -> Result<String, Error> {
        if source == EventSource::Sns && !self.failed.is_empty() {
            return Err(Error::new(
                ErrorKind::Handler,
                format!(
                    "{} SNS message(s) failed ({}); SNS retries the whole delivery",
                    self.failed.len(),
                    self.failed.join(", ")
                ),
            ));
        }
        serde_json::to_string(&self).map_err(|err| {
            Error::with_source(
                ErrorKind::Internal,
                "could not encode the batch result",
                err,
            )
        })
    }
}

impl IntoLambda for CloudEvent {
    fn into_lambda(self, _source: EventSource) -> Result<String, Error> {
        serde_json::to_string(&self.to_json_value()).map_err(|err| {
            Error::with_source(ErrorKind::Internal, "could not encode the CloudEvent", err)
        })
    }
}

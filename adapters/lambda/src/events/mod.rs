//! Events beyond HTTP on Lambda: S3 notifications, SQS and SNS batches,
//! EventBridge schedules and events, mapped onto anyfn's portable types.

mod eventbridge;
mod queue;
mod storage;

use anyfn::event::{BatchResult, CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::{Context, Error, ErrorKind};

use crate::codec::{FromPayload, IntoPayload};
use crate::EventSource;

impl FromPayload for StorageEvent {
    fn from_payload(payload: &[u8], _context: &mut Context) -> Result<(Self, EventSource), Error> {
        storage::decode(payload)
    }
}

impl FromPayload for QueueBatch {
    fn from_payload(payload: &[u8], _context: &mut Context) -> Result<(Self, EventSource), Error> {
        queue::decode(payload)
    }
}

impl FromPayload for ScheduleTick {
    fn from_payload(payload: &[u8], _context: &mut Context) -> Result<(Self, EventSource), Error> {
        eventbridge::decode_schedule(payload)
    }
}

impl FromPayload for CloudEvent {
    fn from_payload(payload: &[u8], _context: &mut Context) -> Result<(Self, EventSource), Error> {
        eventbridge::decode_cloud_event(payload)
    }
}

/// SQS gets the partial batch response; SNS cannot retry single messages, so
/// any failure fails the invocation (and SNS retries the delivery).
impl IntoPayload for BatchResult {
    fn into_payload(self, source: EventSource) -> Result<String, Error> {
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

impl IntoPayload for CloudEvent {
    fn into_payload(self, _source: EventSource) -> Result<String, Error> {
        serde_json::to_string(&self.to_json_value()).map_err(|err| {
            Error::with_source(ErrorKind::Internal, "could not encode the CloudEvent", err)
        })
    }
}

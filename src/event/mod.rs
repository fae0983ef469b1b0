//! Portable event types beyond HTTP: object storage, queues and pub/sub,
//! schedules, and CloudEvents. No provider type appears here; each adapter
//! maps its provider's events onto these.

mod bounded;
mod cloud_event;
mod queue;
mod schedule;
mod storage;

pub use bounded::MAX_BATCH_LEN;
pub use cloud_event::{CloudEvent, CloudEventData};
pub use queue::{BatchResult, Message, QueueBatch};
pub use schedule::ScheduleTick;
pub use storage::{ObjectChange, ObjectEvent, StorageEvent};

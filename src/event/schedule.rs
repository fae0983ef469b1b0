//! A scheduled run: [`ScheduleTick`].

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// A schedule firing: when, which schedule, and the firing's id.
///
/// # Example
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use anyfn::event::ScheduleTick;
///
/// let tick = ScheduleTick::new("tick-1", UNIX_EPOCH + Duration::from_secs(1_700_000_000))
///     .with_schedule("nightly-report");
/// assert_eq!(
///     serde_json::to_string(&tick)?,
///     r#"{"id":"tick-1","time":"2023-11-14T22:13:20Z","schedule":"nightly-report"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScheduleTick {
    /// The firing's id, unique per firing.
    pub id: String,
    /// When the schedule fired (the scheduled time).
    #[serde(with = "crate::time::rfc3339")]
    pub time: SystemTime,
    /// The schedule's name (EventBridge rule, Cloud Scheduler job), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
}

impl ScheduleTick {
    /// A tick `id` at `time`, of an unnamed schedule.
    pub fn new(id: impl Into<String>, time: SystemTime) -> Self {
        Self {
            id: id.into(),
            time,
            schedule: None,
        }
    }

    /// Sets the schedule's name.
    #[must_use]
    pub fn with_schedule(mut self, schedule: impl Into<String>) -> Self {
        self.schedule = Some(schedule.into());
        self
    }
}

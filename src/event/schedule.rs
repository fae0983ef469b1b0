//! A scheduled run: [`ScheduleTick`].

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// A schedule firing: when, which schedule, and the firing's id; where the
/// provider says so, the schedule's full identifier and the account and
/// region it belongs to.
///
/// Provider details are plain strings, as [`Message::source`](super::Message::source)
/// is: an EventBridge scheduled event gives the rule's name as
/// [`schedule`](Self::schedule), its ARN as [`source`](Self::source), and the
/// event's `account` and `region`. What a provider does not send is `None`.
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
///
/// let tick = tick
///     .with_source("arn:aws:events:eu-west-1:123456789012:rule/nightly-report")
///     .with_account("123456789012")
///     .with_region("eu-west-1");
/// assert_eq!(tick.account.as_deref(), Some("123456789012"));
/// assert_eq!(
///     serde_json::to_value(&tick)?["source"],
///     "arn:aws:events:eu-west-1:123456789012:rule/nightly-report"
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
    /// The schedule's full identifier, when the provider sends one (an
    /// EventBridge rule's ARN, `arn:aws:events:REGION:ACCOUNT:rule/NAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The account the schedule belongs to (an AWS account id), when the
    /// provider sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The region the schedule runs in (an AWS region), when the provider
    /// sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl ScheduleTick {
    /// A tick `id` at `time`, of an unnamed schedule.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use anyfn::event::ScheduleTick;
    ///
    /// let time = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// let tick = ScheduleTick::new("tick-1", time);
    /// assert_eq!((tick.id.as_str(), tick.time), ("tick-1", time));
    /// assert_eq!(tick.schedule, None);
    /// ```
    pub fn new(id: impl Into<String>, time: SystemTime) -> Self {
        Self {
            id: id.into(),
            time,
            schedule: None,
            source: None,
            account: None,
            region: None,
        }
    }

    /// Sets the schedule's name.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// use anyfn::event::ScheduleTick;
    ///
    /// let tick = ScheduleTick::new("tick-1", UNIX_EPOCH).with_schedule("nightly-report");
    /// assert_eq!(tick.schedule.as_deref(), Some("nightly-report"));
    /// ```
    #[must_use]
    pub fn with_schedule(mut self, schedule: impl Into<String>) -> Self {
        self.schedule = Some(schedule.into());
        self
    }

    /// Sets the schedule's full identifier (an EventBridge rule's ARN).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// use anyfn::event::ScheduleTick;
    ///
    /// let arn = "arn:aws:events:eu-west-1:123456789012:rule/nightly-report";
    /// let tick = ScheduleTick::new("tick-1", UNIX_EPOCH).with_source(arn);
    /// assert_eq!(tick.source.as_deref(), Some(arn));
    /// ```
    #[must_use]
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Sets the account the schedule belongs to.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// use anyfn::event::ScheduleTick;
    ///
    /// let tick = ScheduleTick::new("tick-1", UNIX_EPOCH).with_account("123456789012");
    /// assert_eq!(tick.account.as_deref(), Some("123456789012"));
    /// ```
    #[must_use]
    pub fn with_account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// Sets the region the schedule runs in.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// use anyfn::event::ScheduleTick;
    ///
    /// let tick = ScheduleTick::new("tick-1", UNIX_EPOCH).with_region("eu-west-1");
    /// assert_eq!(tick.region.as_deref(), Some("eu-west-1"));
    /// ```
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::ScheduleTick;

    /// The JSON a tick had before it kept its source, account and region
    /// still reads, and a full tick round-trips.
    #[test]
    fn the_provider_details_are_optional_and_round_trip() {
        let tick: ScheduleTick =
            serde_json::from_str(r#"{"id":"t-1","time":"2026-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(
            tick,
            ScheduleTick::new("t-1", UNIX_EPOCH + Duration::from_secs(1_767_225_600))
        );
        let full = tick
            .with_schedule("r")
            .with_source("arn:aws:events:us-east-1:123456789012:rule/r")
            .with_account("123456789012")
            .with_region("us-east-1");
        let json = serde_json::to_string(&full).unwrap();
        assert_eq!(
            json,
            r#"{"id":"t-1","time":"2026-01-01T00:00:00Z","schedule":"r","source":"arn:aws:events:us-east-1:123456789012:rule/r","account":"123456789012","region":"us-east-1"}"#
        );
        assert_eq!(serde_json::from_str::<ScheduleTick>(&json).unwrap(), full);
    }
}

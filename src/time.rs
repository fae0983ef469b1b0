//! Time in anyfn: the clock every crate of anyfn reads ([`Instant`] and
//! [`system_now`]), [`deadline_after`] (a deadline that never overflows),
//! and RFC 3339 timestamps for [`SystemTime`], without a date-time
//! dependency: portable events carry std times and serialize them as text.
//!
//! # The clock on every target
//!
//! On `wasm32-unknown-unknown` (Cloudflare Workers, a browser), std's
//! `Instant::now()` and `SystemTime::now()` panic: there is no clock but
//! JavaScript's. So the core, the adapter kit and adapters read "now" here
//! only: [`Instant`] is std's own type on every other target (a re-export, so
//! nothing changes and nothing is added on native), and the `web-time`
//! crate's on `wasm32-unknown-unknown`, which reads `performance.now()`;
//! [`system_now`] reads `Date.now()` there. Timestamps stay std's
//! [`SystemTime`] on every target: only reading the wall clock needs
//! JavaScript. Timers are the adapter's (the future it gives
//! `anyfn_kit::invoke`, its `StreamTimers`): the core has none.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The clock's source: std's on every target but `wasm32-unknown-unknown`,
/// JavaScript's there (see the module's docs).
#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
mod clock {
    pub use std::time::Instant;
}
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod clock {
    pub use web_time::Instant;
}

/// A monotonic instant: what [`Context::deadline`](crate::Context::deadline)
/// is, and what adapters measure durations with.
///
/// On every target but `wasm32-unknown-unknown` this *is*
/// [`std::time::Instant`] (a re-export: the same type, the same code). On
/// `wasm32-unknown-unknown` it is `web_time::Instant`, which has std's API
/// and reads JavaScript's `performance.now()`, where std's would panic.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::time::Instant;
///
/// let start = Instant::now();
/// let context = anyfn::Context::builder().deadline(start + Duration::from_secs(2)).build();
/// assert!(context.remaining_time() <= Duration::from_secs(2));
/// assert!(start.elapsed() < Duration::from_secs(2));
/// ```
pub use clock::Instant;

/// The wall clock now, as std's [`SystemTime`] (the type of every timestamp
/// in anyfn): `SystemTime::now()`, except on `wasm32-unknown-unknown`,
/// where std's would panic and JavaScript's `Date.now()` is read instead
/// (to the millisecond).
///
/// # Example
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let now = anyfn::time::system_now();
/// assert!(now > UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// assert!(anyfn::time::format_rfc3339(now).ends_with('Z'));
/// ```
#[inline]
pub fn system_now() -> SystemTime {
    #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
    {
        SystemTime::now()
    }
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    {
        use web_time::web::SystemTimeExt as _;
        web_time::SystemTime::now().to_std()
    }
}

/// `start + timeout`, or a day after `start` when that is past what an
/// [`Instant`] can hold (a timeout of `Duration::MAX`, say): adding a
/// configured timeout to an instant must never panic.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::time::Instant;
///
/// let start = Instant::now();
/// assert_eq!(anyfn::time::deadline_after(start, Duration::from_secs(3)), start + Duration::from_secs(3));
/// assert_eq!(anyfn::time::deadline_after(start, Duration::MAX), start + Duration::from_secs(24 * 60 * 60));
/// ```
pub fn deadline_after(start: Instant, timeout: Duration) -> Instant {
    start
        .checked_add(timeout)
        .unwrap_or_else(|| start + Duration::from_secs(24 * 60 * 60))
}

/// Formats `time` as RFC 3339 in UTC, with milliseconds when it has any
/// (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.250Z`).
///
/// # Example
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let time = UNIX_EPOCH + Duration::from_millis(1_714_564_800_250);
/// assert_eq!(anyfn::time::format_rfc3339(time), "2024-05-01T12:00:00.250Z");
/// ```
pub fn format_rfc3339(time: SystemTime) -> String {
    let (secs, nanos) = match time.duration_since(UNIX_EPOCH) {
        Ok(since) => (since.as_secs() as i64, since.subsec_nanos()),
        Err(before) => {
            let before = before.duration();
            let secs = -(before.as_secs() as i64);
            match before.subsec_nanos() {
                0 => (secs, 0),
                n => (secs - 1, 1_000_000_000 - n),
            }
        }
    };
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    let fraction = if nanos == 0 {
        String::new()
    } else if nanos % 1_000_000 == 0 {
        format!(".{:03}", nanos / 1_000_000)
    } else {
        format!(".{nanos:09}")
    };
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}Z")
}

/// Parses an RFC 3339 timestamp (`2024-05-01T12:00:00Z`,
/// `2024-05-01T14:00:00.5+02:00`, lower-case `t`/`z` and a space separator
/// accepted).
///
/// # Errors
///
/// A message saying what was wrong, when `text` is not such a timestamp.
///
/// # Example
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let time = anyfn::time::parse_rfc3339("2024-05-01T14:00:00.5+02:00")?;
/// assert_eq!(time, UNIX_EPOCH + Duration::from_millis(1_714_564_800_500));
/// assert!(anyfn::time::parse_rfc3339("yesterday").is_err());
/// # Ok::<(), String>(())
/// ```
pub fn parse_rfc3339(text: &str) -> Result<SystemTime, String> {
    let bad = |what: &str| {
        format!(
            "{} is not an RFC 3339 timestamp: {what}",
            crate::error::quoted(text)
        )
    };
    let bytes = text.as_bytes();
    if bytes.len() < 20 {
        return Err(bad("too short"));
    }
    let number = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let digits = text.get(range).ok_or_else(|| bad("truncated"))?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("expected digits"));
        }
        digits.parse::<i64>().map_err(|_| bad("expected digits"))
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b't' | b' ') {
        return Err(bad("expected YYYY-MM-DDTHH:MM:SS"));
    }
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if bytes[13] != b':' || bytes[16] != b':' {
        return Err(bad("expected HH:MM:SS"));
    }
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(bad("a field is out of range"));
    }
    let mut rest = &text[19..];
    let mut nanos: u32 = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad("expected digits after '.'"));
        }
        for (index, digit) in fraction.bytes().take(digits.min(9)).enumerate() {
            nanos += u32::from(digit - b'0') * 10u32.pow(8 - index as u32);
        }
        rest = &fraction[digits..];
    }
    let offset_secs: i64 = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':' =>
        {
            // Two digits each, as RFC 3339's time-hour and time-minute: no
            // sign of their own, hours 00-23, minutes 00-59.
            let (hours, minutes) = (two_digits(&rest[1..3]), two_digits(&rest[4..6]));
            let (Some(hours @ 0..=23), Some(minutes @ 0..=59)) = (hours, minutes) else {
                return Err(bad(
                    "the offset must be +HH:MM or -HH:MM, hours 00-23, minutes 00-59",
                ));
            };
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return Err(bad("expected 'Z' or an offset like +02:00")),
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_secs;
    let time = if secs >= 0 {
        UNIX_EPOCH.checked_add(Duration::new(secs as u64, nanos))
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_secs(secs.unsigned_abs()))
            .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(nanos))))
    };
    time.ok_or_else(|| bad("out of range"))
}

/// The value of two ASCII digits, nothing else.
fn two_digits(text: &str) -> Option<i64> {
    match text.as_bytes() {
        [tens @ b'0'..=b'9', units @ b'0'..=b'9'] => {
            Some(i64::from(tens - b'0') * 10 + i64::from(units - b'0'))
        }
        _ => None,
    }
}

/// Serde helpers: `#[serde(with = "anyfn::time::rfc3339")]` on a `SystemTime`.
pub mod rfc3339 {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes as an RFC 3339 string.
    ///
    /// # Errors
    ///
    /// The serializer's.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::{Duration, SystemTime, UNIX_EPOCH};
    ///
    /// #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    /// struct Order {
    ///     #[serde(with = "anyfn::time::rfc3339")]
    ///     placed: SystemTime,
    /// }
    ///
    /// let order = Order { placed: UNIX_EPOCH + Duration::from_millis(1_714_564_800_250) };
    /// let json = serde_json::to_string(&order)?;
    /// assert_eq!(json, r#"{"placed":"2024-05-01T12:00:00.250Z"}"#);
    /// assert_eq!(serde_json::from_str::<Order>(&json)?, order);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn serialize<S: Serializer>(time: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_rfc3339(*time))
    }

    /// Deserializes from an RFC 3339 string.
    ///
    /// # Errors
    ///
    /// When the string is not an RFC 3339 timestamp.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::{Duration, SystemTime, UNIX_EPOCH};
    ///
    /// #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    /// struct Order {
    ///     #[serde(with = "anyfn::time::rfc3339")]
    ///     placed: SystemTime,
    /// }
    ///
    /// let order: Order = serde_json::from_str(r#"{"placed":"2024-05-01T14:00:00+02:00"}"#)?;
    /// assert_eq!(order.placed, UNIX_EPOCH + Duration::from_secs(1_714_564_800));
    /// assert_eq!(serde_json::to_string(&order)?, r#"{"placed":"2024-05-01T12:00:00Z"}"#);
    /// assert!(serde_json::from_str::<Order>(r#"{"placed":"yesterday"}"#).is_err());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SystemTime, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        super::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }

    /// The same for `Option<SystemTime>`: `#[serde(with = "anyfn::time::rfc3339::option")]`.
    /// Add `#[serde(default)]` for a missing field to read as `None`: with
    /// `with` alone serde requires the field (it may still be `null`).
    pub mod option {
        use std::time::SystemTime;

        use serde::{Deserialize, Deserializer, Serializer};

        /// Serializes `Some` as an RFC 3339 string, `None` as null.
        ///
        /// # Errors
        ///
        /// The serializer's.
        ///
        /// # Example
        ///
        /// ```
        /// use std::time::{Duration, SystemTime, UNIX_EPOCH};
        ///
        /// #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        /// struct Order {
        ///     #[serde(with = "anyfn::time::rfc3339::option")]
        ///     shipped: Option<SystemTime>,
        /// }
        ///
        /// let order = Order { shipped: Some(UNIX_EPOCH + Duration::from_secs(1_714_564_800)) };
        /// let json = serde_json::to_string(&order)?;
        /// assert_eq!(json, r#"{"shipped":"2024-05-01T12:00:00Z"}"#);
        /// assert_eq!(serde_json::from_str::<Order>(&json)?, order);
        /// assert_eq!(serde_json::to_string(&Order { shipped: None })?, r#"{"shipped":null}"#);
        /// # Ok::<(), serde_json::Error>(())
        /// ```
        pub fn serialize<S: Serializer>(
            time: &Option<SystemTime>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match time {
                Some(time) => super::serialize(time, serializer),
                None => serializer.serialize_none(),
            }
        }

        /// Deserializes an RFC 3339 string or null.
        ///
        /// # Errors
        ///
        /// When the string is not an RFC 3339 timestamp.
        ///
        /// # Example
        ///
        /// ```
        /// use std::time::{Duration, SystemTime, UNIX_EPOCH};
        ///
        /// #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        /// struct Order {
        ///     // `default`: a missing field is `None` too.
        ///     #[serde(default, with = "anyfn::time::rfc3339::option")]
        ///     shipped: Option<SystemTime>,
        /// }
        ///
        /// let order: Order = serde_json::from_str(r#"{"shipped":"2024-05-01T12:00:00Z"}"#)?;
        /// assert_eq!(order.shipped, Some(UNIX_EPOCH + Duration::from_secs(1_714_564_800)));
        /// assert_eq!(serde_json::to_string(&order)?, r#"{"shipped":"2024-05-01T12:00:00Z"}"#);
        /// assert_eq!(serde_json::from_str::<Order>(r#"{"shipped":null}"#)?.shipped, None);
        /// assert_eq!(serde_json::from_str::<Order>("{}")?.shipped, None);
        /// # Ok::<(), serde_json::Error>(())
        /// ```
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<SystemTime>, D::Error> {
            let text = Option::<std::borrow::Cow<str>>::deserialize(deserializer)?;
            text.map(|text| super::super::parse_rfc3339(&text).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_across_eras_and_leap_days() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "2024-12-31T12:34:56.789Z",
            "1969-12-31T23:59:59.500Z",
            "2262-04-11T23:47:16.123456789Z",
        ] {
            let time = parse_rfc3339(text).unwrap();
            assert_eq!(format_rfc3339(time), text);
        }
    }

    #[test]
    fn offsets_are_applied() {
        assert_eq!(
            parse_rfc3339("2024-01-01T02:00:00+02:00"),
            parse_rfc3339("2024-01-01T00:00:00Z")
        );
        assert_eq!(
            parse_rfc3339("2023-12-31T19:00:00-05:00"),
            parse_rfc3339("2024-01-01T00:00:00Z")
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+2:00",
            "२०२४-01-01T00:00:00Z",
            "2024-01-01T00:00:00+ä:00",
        ] {
            assert!(parse_rfc3339(text).is_err(), "{text}");
        }
    }

    /// The offset's hours and minutes were parsed as signed integers, so a
    /// second sign or an hour past 23 got through.
    #[test]
    fn regression_offsets_have_two_unsigned_digits_in_range() {
        for text in [
            "2024-01-01T00:00:00+-1:00",
            "2024-01-01T00:00:00++1:00",
            "2024-01-01T00:00:00+99:99",
            "2024-01-01T00:00:00+24:00",
            "2024-01-01T00:00:00-00:60",
        ] {
            assert!(parse_rfc3339(text).is_err(), "{text}");
        }
        assert!(parse_rfc3339("2024-01-01T00:00:00+23:59").is_ok());
        assert!(parse_rfc3339("2024-01-01T00:00:00-00:00").is_ok());
    }
}

//! EventBridge events: scheduled events into [`ScheduleTick`], any event into
//! a [`CloudEvent`].

use std::collections::BTreeMap;

use anyfn::event::{CloudEvent, CloudEventData, ScheduleTick};
use anyfn::Error;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{read_payload, unexpected_payload, AwsShape};

/// What [`decode_schedule_tick`] reads, as its errors and
/// [`FromAwsPayload::AWS_PAYLOADS`](crate::FromAwsPayload::AWS_PAYLOADS) name it.
macro_rules! schedule_tick_payloads {
    () => {
        "an EventBridge scheduled event (`detail-type` \"Scheduled Event\")"
    };
}
pub(crate) use schedule_tick_payloads;

/// What [`decode_cloud_event`] reads, as its errors and
/// [`FromAwsPayload::AWS_PAYLOADS`](crate::FromAwsPayload::AWS_PAYLOADS) name it.
macro_rules! cloud_event_payloads {
    () => {
        "an EventBridge event (`id`, `source`, `detail-type`, `detail`) or a CloudEvent"
    };
}
pub(crate) use cloud_event_payloads;

/// The EventBridge envelope.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawEnvelope {
    id: Option<String>,
    #[serde(rename = "detail-type")]
    detail_type: Option<String>,
    source: Option<String>,
    account: Option<String>,
    time: Option<String>,
    region: Option<String>,
    resources: Vec<String>,
    detail: Option<Value>,
    /// Present when the payload already is a CloudEvent.
    specversion: Option<Value>,
}

/// Reads an EventBridge scheduled event (`detail-type` `Scheduled Event`)
/// as a [`ScheduleTick`]: its `id`, its `time`, as the schedule the rule's
/// name (the last segment of the first of `resources`,
/// `arn:aws:events:REGION:ACCOUNT:rule/NAME`), as the source that ARN whole,
/// and the event's `account` and `region` (each left out when the event has
/// none). The shape is always [`AwsShape::EventBridge`].
///
/// # Errors
///
/// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest): a payload that
/// is not an EventBridge event (saying what was found), an EventBridge event
/// of another `detail-type` (naming it), or a `time` that is not RFC 3339
/// (a missing one included).
///
/// # Example
///
/// ```
/// use anyfn_formats_aws::{decode_schedule_tick, AwsShape};
///
/// let (tick, shape) = decode_schedule_tick(
///     br#"{"id":"53dc4d37","detail-type":"Scheduled Event","source":"aws.events",
///         "time":"2015-10-08T16:53:06Z","resources":["arn:aws:events:us-east-1:123456789012:rule/nightly"],
///         "detail":{}}"#,
/// )?;
/// assert_eq!(shape, AwsShape::EventBridge);
/// assert_eq!(tick.id, "53dc4d37");
/// assert_eq!(tick.schedule.as_deref(), Some("nightly"));
/// assert_eq!(tick.source.as_deref(), Some("arn:aws:events:us-east-1:123456789012:rule/nightly"));
/// assert_eq!((tick.account, tick.region), (None, None));
///
/// let err = decode_schedule_tick(br#"{"detail-type":"Object Created"}"#).err().expect("no tick");
/// assert!(err.message().ends_with(r#"found an EventBridge event of detail-type "Object Created""#));
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn decode_schedule_tick(payload: &[u8]) -> Result<(ScheduleTick, AwsShape), Error> {
    const EXPECTED: &str = concat!("expected ", schedule_tick_payloads!());
    let raw: RawEnvelope = read_payload(payload, EXPECTED)?;
    if raw.detail_type.as_deref() != Some("Scheduled Event") {
        return Err(match raw.detail_type {
            Some(other) => Error::bad_request(format!(
                "{EXPECTED}; found an EventBridge event of detail-type {other:?}"
            )),
            None => unexpected_payload(EXPECTED, payload),
        });
    }
    let time = raw.time.unwrap_or_default();
    let time = anyfn::time::parse_rfc3339(&time)
        .map_err(|err| Error::bad_request(format!("the scheduled event's `time`: {err}")))?;
    let mut tick = ScheduleTick::new(raw.id.unwrap_or_default(), time);
    // `arn:aws:events:REGION:ACCOUNT:rule/NAME` (or `rule/BUS/NAME`).
    let mut resources = raw.resources;
    if !resources.is_empty() {
        let arn = resources.swap_remove(0);
        tick.schedule = Some(arn.rsplit('/').next().unwrap_or(&arn).to_owned());
        tick.source = Some(arn);
    }
    tick.account = raw.account;
    tick.region = raw.region;
    Ok((tick, AwsShape::EventBridge))
}

/// Reads any EventBridge event as a [`CloudEvent`] ([`AwsShape::EventBridge`]),
/// or a payload that already is a CloudEvent in the JSON event format (it
/// has `specversion`) as it is ([`AwsShape::CloudEvent`]).
///
/// An EventBridge event maps as: `id` → id, `source` → source,
/// `detail-type` → type, the first of `resources` → subject, `time` →
/// time, `account` and `region` → extensions of those names, and `detail`
/// → JSON data (an empty object when there is none).
///
/// # Errors
///
/// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest): a payload that
/// is neither (no `id`, `source` or `detail-type`; saying what was found), a
/// `time` that is not RFC 3339, or a CloudEvent that
/// [`CloudEvent::from_json`] refuses.
///
/// # Example
///
/// ```
/// use anyfn_formats_aws::{decode_cloud_event, AwsShape};
///
/// let (event, shape) = decode_cloud_event(
///     br#"{"id":"7bf73129","detail-type":"EC2 Instance State-change Notification",
///         "source":"aws.ec2","account":"123456789012","region":"us-east-1",
///         "resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
///         "detail":{"state":"pending"}}"#,
/// )?;
/// assert_eq!(shape, AwsShape::EventBridge);
/// assert_eq!(event.event_type, "EC2 Instance State-change Notification");
/// assert_eq!(event.extensions["region"], "us-east-1");
/// assert_eq!(event.data_json().map(|detail| detail["state"].clone()), Some("pending".into()));
///
/// let (event, shape) = decode_cloud_event(
///     br#"{"specversion":"1.0","id":"1","source":"/orders","type":"order.created"}"#,
/// )?;
/// assert_eq!((shape, event.id.as_str()), (AwsShape::CloudEvent, "1"));
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn decode_cloud_event(payload: &[u8]) -> Result<(CloudEvent, AwsShape), Error> {
    const EXPECTED: &str = concat!("expected ", cloud_event_payloads!());
    let raw: RawEnvelope = read_payload(payload, EXPECTED)?;
    if raw.specversion.is_some() {
        return CloudEvent::from_json(payload).map(|event| (event, AwsShape::CloudEvent));
    }
    let (Some(id), Some(source), Some(detail_type)) = (raw.id, raw.source, raw.detail_type) else {
        return Err(unexpected_payload(EXPECTED, payload));
    };
    let mut event = CloudEvent::new(id, source, detail_type);
    event.subject = raw.resources.first().cloned();
    event.time = raw
        .time
        .as_deref()
        .map(anyfn::time::parse_rfc3339)
        .transpose()
        .map_err(|err| Error::bad_request(format!("the EventBridge event's `time`: {err}")))?;
    let mut extensions = BTreeMap::new();
    if let Some(account) = raw.account {
        extensions.insert("account".to_owned(), account);
    }
    if let Some(region) = raw.region {
        extensions.insert("region".to_owned(), region);
    }
    event.extensions = extensions;
    let detail = raw.detail.unwrap_or(Value::Object(Map::new()));
    event = event.with_data(CloudEventData::Json(detail));
    Ok((event, AwsShape::EventBridge))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    const SCHEDULE: &str =
        include_str!("../../../../tests/fixtures/aws/example-eventbridge-schedule.json");
    const EC2_EVENT: &str =
        include_str!("../../../../tests/fixtures/aws/example-eventbridge-event-obj.json");

    #[test]
    fn the_schedule_fixture_is_a_tick_of_its_rule() {
        let (tick, shape) = decode_schedule_tick(SCHEDULE.as_bytes()).unwrap();
        assert_eq!(shape, AwsShape::EventBridge);
        let expected = ScheduleTick::new(
            "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            UNIX_EPOCH + Duration::from_secs(1_444_323_186),
        )
        .with_schedule("my-scheduled-rule")
        .with_source("arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule")
        .with_account("123456789012")
        .with_region("us-east-1");
        assert_eq!(tick, expected);
    }

    #[test]
    fn an_event_of_another_detail_type_is_no_tick() {
        let err = decode_schedule_tick(EC2_EVENT.as_bytes()).unwrap_err();
        assert!(err.is_bad_request());
        assert!(
            err.message().ends_with(
                "found an EventBridge event of detail-type \"EC2 Instance State-change Notification\""
            ),
            "{err}"
        );
        let err = decode_schedule_tick(br#"{"Records":[]}"#).unwrap_err();
        assert!(
            err.message()
                .ends_with("found a JSON object with keys: Records"),
            "{err}"
        );
    }

    #[test]
    fn a_tick_without_a_time_is_refused() {
        let err =
            decode_schedule_tick(br#"{"id":"1","detail-type":"Scheduled Event"}"#).unwrap_err();
        assert!(err.is_bad_request());
        assert!(
            err.message().starts_with("the scheduled event's `time`: "),
            "{err}"
        );
    }

    #[test]
    fn both_fixtures_are_cloud_events_with_every_envelope_field() {
        let (event, shape) = decode_cloud_event(EC2_EVENT.as_bytes()).unwrap();
        assert_eq!(shape, AwsShape::EventBridge);
        let expected = CloudEvent::new(
            "7bf73129-1428-4cd3-a780-95db273d1602",
            "aws.ec2",
            "EC2 Instance State-change Notification",
        )
        .with_subject("arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111")
        .with_time(UNIX_EPOCH + Duration::from_secs(1_636_666_194))
        .with_extension("account", "123456789012")
        .with_extension("region", "us-east-1")
        .with_data(CloudEventData::Json(
            serde_json::json!({"instance-id": "i-abcd1111", "state": "pending"}),
        ));
        assert_eq!(event, expected);

        let (event, shape) = decode_cloud_event(SCHEDULE.as_bytes()).unwrap();
        assert_eq!(shape, AwsShape::EventBridge);
        assert_eq!(event.event_type, "Scheduled Event");
        assert_eq!(event.data_json(), Some(&serde_json::json!({})));
    }

    #[test]
    fn an_event_without_an_id_source_or_type_is_refused() {
        for payload in [
            &br#"{"source":"s","detail-type":"t"}"#[..],
            br#"{"id":"1","detail-type":"t"}"#,
            br#"{"id":"1","source":"s"}"#,
        ] {
            let err = decode_cloud_event(payload).unwrap_err();
            assert!(err.is_bad_request());
            assert!(
                err.message().starts_with("expected an EventBridge event (`id`, `source`, `detail-type`, `detail`) or a CloudEvent; found a JSON object with keys: "),
                "{err}"
            );
        }
    }
}

//! EventBridge events: scheduled events into [`ScheduleTick`], any event into
//! a [`CloudEvent`].

use std::collections::BTreeMap;

use anyfn::event::{CloudEvent, CloudEventData, ScheduleTick};
use anyfn::Error;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::describe::{read, unexpected};
use crate::EventSource;

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

pub(super) fn decode_schedule(payload: &[u8]) -> Result<(ScheduleTick, EventSource), Error> {
    const EXPECTED: &str =
        "expected an EventBridge scheduled event (`detail-type` \"Scheduled Event\")";
    let raw: RawEnvelope = read(payload, EXPECTED)?;
    if raw.detail_type.as_deref() != Some("Scheduled Event") {
        return Err(match raw.detail_type {
            Some(other) => Error::bad_request(format!(
                "{EXPECTED}; found an EventBridge event of detail-type {other:?}"
            )),
            None => unexpected(EXPECTED, payload),
        });
    }
    let time = raw.time.unwrap_or_default();
    let time = anyfn::time::parse_rfc3339(&time)
        .map_err(|err| Error::bad_request(format!("the scheduled event's `time`: {err}")))?;
    let mut tick = ScheduleTick::new(raw.id.unwrap_or_default(), time);
    // `arn:aws:events:REGION:ACCOUNT:rule/NAME` (or `rule/BUS/NAME`).
    tick.schedule = raw
        .resources
        .first()
        .map(|arn| arn.rsplit('/').next().unwrap_or(arn).to_owned());
    Ok((tick, EventSource::EventBridge))
}

pub(super) fn decode_cloud_event(payload: &[u8]) -> Result<(CloudEvent, EventSource), Error> {
    const EXPECTED: &str =
        "expected an EventBridge event (`id`, `source`, `detail-type`, `detail`) or a CloudEvent";
    let raw: RawEnvelope = read(payload, EXPECTED)?;
    if raw.specversion.is_some() {
        return CloudEvent::from_json(payload).map(|event| (event, EventSource::Raw));
    }
    let (Some(id), Some(source), Some(detail_type)) = (raw.id, raw.source, raw.detail_type) else {
        return Err(unexpected(EXPECTED, payload));
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
    Ok((event, EventSource::EventBridge))
}

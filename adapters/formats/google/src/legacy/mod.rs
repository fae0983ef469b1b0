//! Legacy Google Cloud Functions events (1st-gen "background functions") as
//! CloudEvents, by the rules of the Functions Framework conformance suite
//! (`docs/mapping.md` of GoogleCloudPlatform/functions-framework-conformance).
//!
//! A legacy event is a JSON object that carries its context either in a
//! `context` object (`{"data": …, "context": {"eventId", "timestamp",
//! "eventType", "resource": {"service", "name", "type"}}}`) or at the top level
//! (`{"data": …, "eventId", "timestamp", "eventType", "resource": "…", …}`).
//! It becomes a CloudEvent with `id` = `eventId`, `time` = `timestamp`, the
//! `type` the event type maps to, a `source` (and `subject`) built from the
//! resource by the product's rules ([`products`]), `datacontenttype`
//! `application/json`, and `data` (reshaped where the product says so).

mod products;
#[cfg(test)]
mod tests;
mod types;

use std::borrow::Cow;
use std::fmt;

use anyfn::event::{CloudEvent, CloudEventData};
use anyfn::Error;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The CloudEvent a legacy Cloud Functions payload stands for.
///
/// `None` when `body` is not a legacy payload: not a JSON object, a
/// CloudEvent in the JSON event format (it has `specversion`), or an object
/// with neither a `context` object holding `eventId` and `eventType` nor
/// `eventId` and `eventType` of its own. Telling that reads the object's
/// keys only, building no value, so a large body that is not legacy costs
/// one pass.
///
/// A legacy payload becomes a CloudEvent with `id` = `eventId`, `time` =
/// `timestamp`, the `type` its event type maps to (Cloud Storage, Pub/Sub,
/// Firestore, Firebase Realtime Database, Auth, Remote Config and
/// Analytics), a `source` (and `subject`) built from the resource by the
/// product's rules, `datacontenttype` `application/json`, and `data`
/// (reshaped where the product says so: a Pub/Sub message is wrapped in
/// `{"message": …}`, Firebase Auth's metadata renamed).
///
/// # Errors
///
/// A payload that is legacy but cannot be converted (an event type with no
/// CloudEvent equivalent, no resource, a resource not of its product's
/// form, no `data`, a `timestamp` that is not RFC 3339, …) is
/// `Some(Err(_))`, a [`BadRequest`](anyfn::ErrorKind::BadRequest) saying
/// what is wrong.
///
/// # Example
///
/// ```
/// use anyfn_formats_google::cloud_event_from_legacy;
///
/// let legacy = br#"{
///     "context": {
///         "eventId": "1147091835525187",
///         "timestamp": "2020-09-29T11:32:00.000Z",
///         "eventType": "google.storage.object.finalize",
///         "resource": {"service": "storage.googleapis.com",
///                      "name": "projects/_/buckets/photos/objects/cat.jpg", "type": "storage#object"}
///     },
///     "data": {"bucket": "photos", "name": "cat.jpg", "size": "1024"}
/// }"#;
/// let event = cloud_event_from_legacy(legacy).expect("a legacy event")?;
/// assert_eq!(event.event_type, "google.cloud.storage.object.v1.finalized");
/// assert_eq!(event.source, "//storage.googleapis.com/projects/_/buckets/photos");
/// assert_eq!(event.subject.as_deref(), Some("objects/cat.jpg"));
///
/// // Not legacy: left alone.
/// assert!(cloud_event_from_legacy(br#"{"messages": []}"#).is_none());
/// // Legacy, of a type with no CloudEvent equivalent: refused.
/// let unknown = br#"{"eventId": "1", "eventType": "providers/cloud.unknown/x", "data": {}}"#;
/// assert!(cloud_event_from_legacy(unknown).expect("legacy").is_err());
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn cloud_event_from_legacy(body: &[u8]) -> Option<Result<CloudEvent, Error>> {
    // Only an object can be legacy: skip the parse for anything else.
    if body.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    // Its keys first, values skipped: a body that is not legacy (a queue
    // batch of 250,000 tiny messages) is not built as a `Value`, which took
    // 30 times its size.
    if !serde_json::from_slice::<LegacyKeys>(body).is_ok_and(|keys| keys.may_be_legacy()) {
        return None;
    }
    let Ok(Value::Object(root)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    let legacy = Legacy::detect(root)?;
    Some(legacy.into_cloud_event())
}

/// The keys of a JSON object that tell a legacy payload ([`Legacy::detect`]
/// decides on the whole), read without building any value.
#[derive(Deserialize)]
struct LegacyKeys {
    #[serde(default, deserialize_with = "present")]
    specversion: bool,
    #[serde(default, rename = "eventId", deserialize_with = "present")]
    event_id: bool,
    #[serde(default, rename = "eventType", deserialize_with = "present")]
    event_type: bool,
    #[serde(default, deserialize_with = "has_ids")]
    context: bool,
}

impl LegacyKeys {
    fn may_be_legacy(&self) -> bool {
        !self.specversion && (self.context || (self.event_id && self.event_type))
    }
}

/// `true` for a key that is there, whatever its value.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// Whether a value is an object with `eventId` and `eventType` keys; any
/// other value is `false`.
fn has_ids<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    struct HasIds;

    impl<'de> Visitor<'de> for HasIds {
        type Value = bool;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let (mut id, mut kind) = (false, false);
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                match &*key {
                    "eventId" => id = true,
                    "eventType" => kind = true,
                    _ => {}
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(id && kind)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(false)
        }

        fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_str<E>(self, _: &str) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_unit<E>(self) -> Result<bool, E> {
            Ok(false)
        }
    }

    deserializer.deserialize_any(HasIds)
}

/// A payload recognised as legacy: its root object, and whether its context
/// is in a `context` object or at the top level.
struct Legacy {
    root: Map<String, Value>,
    context: Option<Map<String, Value>>,
}

impl Legacy {
    /// `root` as a legacy payload, or `None` when it is not one (see
    /// [`cloud_event_from_legacy`]).
    fn detect(mut root: Map<String, Value>) -> Option<Self> {
        if root.contains_key("specversion") {
            return None;
        }
        let has_ids =
            |map: &Map<String, Value>| map.contains_key("eventId") && map.contains_key("eventType");
        if let Some(Value::Object(context)) = root.get("context") {
            if has_ids(context) {
                let Some(Value::Object(context)) = root.remove("context") else {
                    return None;
                };
                return Some(Self {
                    root,
                    context: Some(context),
                });
            }
        }
        has_ids(&root).then_some(Self {
            root,
            context: None,
        })
    }

    /// A context field: from `context/{name}`, else from the top level
    /// (mapping.md: the first location that has it wins).
    fn field(&self, name: &str) -> Option<&Value> {
        self.context
            .as_ref()
            .and_then(|context| context.get(name))
            .or_else(|| self.root.get(name))
    }

    /// A context field that must be a non-empty string when present.
    fn text(&self, name: &str) -> Result<Option<&str>, Error> {
        match self.field(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if !text.is_empty() => Ok(Some(text)),
            Some(other) => Err(Error::bad_request(format!(
                "the legacy Cloud Functions event's `{name}` must be a non-empty string; found {}",
                describe(other)
            ))),
        }
    }

    fn required_text(&self, name: &str) -> Result<&str, Error> {
        self.text(name)?.ok_or_else(|| {
            Error::bad_request(format!(
                "the legacy Cloud Functions event has no `{name}`, which is required"
            ))
        })
    }

    /// The resource name: `context/resource/name`, or `resource` when it is
    /// a string (the top-level form).
    fn resource_name(&self) -> Result<&str, Error> {
        let name = match self.field("resource") {
            Some(Value::String(name)) => Some(name),
            Some(Value::Object(resource)) => match resource.get("name") {
                Some(Value::String(name)) => Some(name),
                _ => None,
            },
            _ => None,
        };
        name.filter(|name| !name.is_empty())
            .map(String::as_str)
            .ok_or_else(|| {
                Error::bad_request(
                    "the legacy Cloud Functions event has no resource name \
                     (`resource` as a string, or `context.resource.name`)",
                )
            })
    }

    fn into_cloud_event(mut self) -> Result<CloudEvent, Error> {
        let event_type = self.required_text("eventType")?;
        let (ce_type, product) = types::cloud_event_type(event_type).ok_or_else(|| {
            Error::bad_request(format!(
                "the legacy Cloud Functions event type {} has no CloudEvent equivalent \
                 this server knows; see anyfn_server's docs for the legacy types it converts",
                anyfn::error::quoted(event_type)
            ))
        })?;
        let id = self.required_text("eventId")?.to_owned();
        let timestamp = self.text("timestamp")?.map(str::to_owned);
        let time = timestamp
            .as_deref()
            .map(anyfn::time::parse_rfc3339)
            .transpose()
            .map_err(|err| {
                Error::bad_request(format!(
                    "the legacy Cloud Functions event's `timestamp`: {err}"
                ))
            })?;
        let resource = self.resource_name()?.to_owned();
        let domain = match self.root.get("domain") {
            Some(Value::String(domain)) => Some(domain.clone()),
            _ => None,
        };
        let data = self.root.remove("data").ok_or_else(|| {
            Error::bad_request("the legacy Cloud Functions event has no `data`, which is required")
        })?;
        let converted = products::convert(
            product,
            products::Input {
                resource: &resource,
                data,
                event_id: &id,
                timestamp: timestamp.as_deref(),
                domain: domain.as_deref(),
            },
        )?;
        let mut event = CloudEvent::new(id, converted.source, ce_type)
            .with_data_content_type("application/json")
            .with_data(CloudEventData::Json(converted.data));
        event.subject = converted.subject;
        event.time = time;
        Ok(event)
    }
}

/// What a JSON value is, for messages.
fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "an empty string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

//! CloudEvents 1.0: [`CloudEvent`] and its [`CloudEventData`].

use std::collections::BTreeMap;
use std::time::SystemTime;

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::Error;

/// The payload of a [`CloudEvent`]: the three forms the specification's
/// JSON format distinguishes.
///
/// Which form an event read from the wire has follows its `datacontenttype`:
/// absent or JSON (`application/json`, `*+json`) is [`Json`](Self::Json), so
/// an event with text data must say so. anyfn does when it writes one: text
/// data without a content type is written as `text/plain; charset=utf-8`
/// (see [`CloudEvent::encoded_data_content_type`]), so it reads back as text
/// in both modes of the HTTP binding.
///
/// # Example
///
/// ```
/// use anyfn::event::{CloudEvent, CloudEventData};
///
/// let event = CloudEvent::from_json(
///     br#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"AP8="}"#,
/// )?;
/// assert_eq!(event.data, Some(CloudEventData::Binary(vec![0x00, 0xff].into())));
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloudEventData {
    /// JSON data (`datacontenttype` absent, `application/json` or `*+json`).
    Json(Value),
    /// Text data of another content type (`text/plain; charset=utf-8` when
    /// the event declares none).
    Text(String),
    /// Bytes (`data_base64` in JSON, the raw body over HTTP;
    /// `application/octet-stream` in binary mode when the event declares no
    /// content type).
    Binary(Bytes),
}

/// The `datacontenttype` anyfn writes for [`CloudEventData::Text`] when the
/// event declares none.
const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// The content type anyfn gives [`CloudEventData::Binary`] when the event
/// declares none and the bytes travel as a raw body.
const BINARY_CONTENT_TYPE: &str = "application/octet-stream";

/// A CloudEvent (specification 1.0): the required attributes `id`, `source`,
/// `type` and `specversion`, the optional ones, extensions, and data.
///
/// Serializes in the JSON event format (structured mode): attributes as
/// top-level members, extensions beside them, `data` or `data_base64`.
///
/// # Example
///
/// ```
/// use anyfn::event::{CloudEvent, CloudEventData};
///
/// let event = CloudEvent::new("evt-1", "/orders", "com.example.order.created")
///     .with_subject("order-7")
///     .with_extension("tenant", "acme")
///     .with_data(CloudEventData::Json(serde_json::json!({"total": 42})));
/// let json = serde_json::to_value(&event)?;
/// assert_eq!(json["specversion"], "1.0");
/// assert_eq!(json["type"], "com.example.order.created");
/// assert_eq!(json["tenant"], "acme");
/// assert_eq!(json["data"]["total"], 42);
/// assert_eq!(serde_json::from_value::<CloudEvent>(json)?, event);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CloudEvent {
    /// `id`: unique within the source.
    pub id: String,
    /// `source`: a URI reference naming the producer.
    pub source: String,
    /// `specversion`: `1.0`.
    pub spec_version: String,
    /// `type`: what happened, e.g. `com.example.order.created`.
    pub event_type: String,
    /// `datacontenttype`, when given.
    pub data_content_type: Option<String>,
    /// `dataschema`, when given.
    pub data_schema: Option<String>,
    /// `subject`, when given.
    pub subject: Option<String>,
    /// `time`, when given.
    pub time: Option<SystemTime>,
    /// Extension attributes, by name, as their canonical strings.
    pub extensions: BTreeMap<String, String>,
    /// The data, when there is any.
    pub data: Option<CloudEventData>,
}

/// Attribute names the specification defines; others are extensions.
const CONTEXT_ATTRIBUTES: [&str; 10] = [
    "id",
    "source",
    "specversion",
    "type",
    "datacontenttype",
    "dataschema",
    "subject",
    "time",
    "data",
    "data_base64",
];

impl CloudEvent {
    /// An event with the required attributes, spec version 1.0, no data.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::CloudEvent;
    ///
    /// let event = CloudEvent::new("evt-1", "/orders", "com.example.order.created");
    /// assert_eq!((event.id.as_str(), event.source.as_str()), ("evt-1", "/orders"));
    /// assert_eq!(event.event_type, "com.example.order.created");
    /// assert_eq!(event.spec_version, "1.0");
    /// assert_eq!(event.data, None);
    /// ```
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        event_type: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            source: source.into(),
            spec_version: "1.0".to_owned(),
            event_type: event_type.into(),
            data_content_type: None,
            data_schema: None,
            subject: None,
            time: None,
            extensions: BTreeMap::new(),
            data: None,
        }
    }

    /// Sets the data. An event without a content type gets one that says
    /// the data's form: `application/json` for JSON, `text/plain;
    /// charset=utf-8` for text, `application/octet-stream` for bytes, so it
    /// reads back as it was built in either mode of the HTTP binding.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{CloudEvent, CloudEventData};
    ///
    /// let event = CloudEvent::new("1", "/notes", "com.example.note")
    ///     .with_data(CloudEventData::Text("hello".into()));
    /// assert_eq!(event.data_content_type.as_deref(), Some("text/plain; charset=utf-8"));
    /// assert_eq!(CloudEvent::from_json(event.to_json_value().to_string().as_bytes())?, event);
    ///
    /// let declared = CloudEvent::new("2", "/notes", "com.example.note")
    ///     .with_data_content_type("text/markdown")
    ///     .with_data(CloudEventData::Text("# hello".into()));
    /// assert_eq!(declared.data_content_type.as_deref(), Some("text/markdown"));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    #[must_use]
    pub fn with_data(mut self, data: CloudEventData) -> Self {
        if self.data_content_type.is_none() {
            let content_type = match data {
                CloudEventData::Json(_) => "application/json",
                CloudEventData::Text(_) => TEXT_CONTENT_TYPE,
                CloudEventData::Binary(_) => BINARY_CONTENT_TYPE,
            };
            self.data_content_type = Some(content_type.to_owned());
        }
        self.data = Some(data);
        self
    }

    /// The content type the data is written with in binary mode of the HTTP
    /// binding (the `Content-Type` header): the `datacontenttype` the event
    /// declares, or, when it declares none, the one that makes the data read
    /// back in its own form: `text/plain; charset=utf-8` for text,
    /// `application/octet-stream` for bytes, none for JSON data or no data
    /// (an absent content type means JSON).
    ///
    /// Structured mode ([`to_json_value`](Self::to_json_value)) writes the
    /// same for text; bytes need none there, since `data_base64` says what
    /// they are.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{CloudEvent, CloudEventData};
    ///
    /// let mut event = CloudEvent::new("1", "/notes", "com.example.note");
    /// assert_eq!(event.encoded_data_content_type(), None);
    /// event.data = Some(CloudEventData::Text("hello".into()));
    /// assert_eq!(event.encoded_data_content_type(), Some("text/plain; charset=utf-8"));
    /// event.data_content_type = Some("text/csv".into());
    /// assert_eq!(event.encoded_data_content_type(), Some("text/csv"));
    /// ```
    pub fn encoded_data_content_type(&self) -> Option<&str> {
        match (&self.data_content_type, &self.data) {
            (Some(content_type), _) => Some(content_type),
            (None, Some(CloudEventData::Text(_))) => Some(TEXT_CONTENT_TYPE),
            (None, Some(CloudEventData::Binary(_))) => Some(BINARY_CONTENT_TYPE),
            (None, Some(CloudEventData::Json(_)) | None) => None,
        }
    }

    /// Sets `datacontenttype`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::CloudEvent;
    ///
    /// let event = CloudEvent::new("1", "/s", "t").with_data_content_type("application/xml");
    /// assert_eq!(event.data_content_type.as_deref(), Some("application/xml"));
    /// assert_eq!(event.to_json_value()["datacontenttype"], "application/xml");
    /// ```
    #[must_use]
    pub fn with_data_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.data_content_type = Some(content_type.into());
        self
    }

    /// Sets `subject`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::CloudEvent;
    ///
    /// let event = CloudEvent::new("1", "/orders", "com.example.order").with_subject("order-7");
    /// assert_eq!(event.subject.as_deref(), Some("order-7"));
    /// assert_eq!(event.to_json_value()["subject"], "order-7");
    /// ```
    #[must_use]
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets `time`.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use anyfn::event::CloudEvent;
    ///
    /// let time = UNIX_EPOCH + Duration::from_secs(1_714_564_800);
    /// let event = CloudEvent::new("1", "/s", "t").with_time(time);
    /// assert_eq!(event.time, Some(time));
    /// assert_eq!(event.to_json_value()["time"], "2024-05-01T12:00:00Z");
    /// ```
    #[must_use]
    pub fn with_time(mut self, time: SystemTime) -> Self {
        self.time = Some(time);
        self
    }

    /// Sets `dataschema`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::CloudEvent;
    ///
    /// let event = CloudEvent::new("1", "/s", "t").with_data_schema("https://example.com/order.json");
    /// assert_eq!(event.data_schema.as_deref(), Some("https://example.com/order.json"));
    /// assert_eq!(event.to_json_value()["dataschema"], "https://example.com/order.json");
    /// ```
    #[must_use]
    pub fn with_data_schema(mut self, schema: impl Into<String>) -> Self {
        self.data_schema = Some(schema.into());
        self
    }

    /// Adds an extension attribute.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::CloudEvent;
    ///
    /// let event = CloudEvent::new("1", "/s", "t").with_extension("tenant", "acme");
    /// assert_eq!(event.extensions["tenant"], "acme");
    /// assert_eq!(event.to_json_value()["tenant"], "acme");
    /// ```
    #[must_use]
    pub fn with_extension(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extensions.insert(name.into(), value.into());
        self
    }

    /// The data as JSON, if it is JSON.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{CloudEvent, CloudEventData};
    ///
    /// let event = CloudEvent::new("1", "/s", "t")
    ///     .with_data(CloudEventData::Json(serde_json::json!({"total": 42})));
    /// assert_eq!(event.data_json().map(|data| &data["total"]), Some(&serde_json::json!(42)));
    /// let text = CloudEvent::new("2", "/s", "t").with_data(CloudEventData::Text("hi".into()));
    /// assert_eq!(text.data_json(), None);
    /// ```
    pub fn data_json(&self) -> Option<&Value> {
        match &self.data {
            Some(CloudEventData::Json(value)) => Some(value),
            _ => None,
        }
    }

    /// Whether `datacontenttype` (absent counts) says JSON.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::CloudEvent;
    ///
    /// assert!(CloudEvent::is_json_content(None));
    /// assert!(CloudEvent::is_json_content(Some("application/json; charset=utf-8")));
    /// assert!(CloudEvent::is_json_content(Some("application/cloudevents+json")));
    /// assert!(!CloudEvent::is_json_content(Some("text/plain")));
    /// ```
    pub fn is_json_content(content_type: Option<&str>) -> bool {
        content_type.is_none_or(|content_type| crate::MediaType::parse(content_type).is_json())
    }

    /// Reads an event in the JSON event format (structured mode).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`](crate::ErrorKind::BadRequest) naming the
    /// first required attribute that is missing, or what else is wrong.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::CloudEvent;
    ///
    /// let err = CloudEvent::from_json(br#"{"specversion":"1.0","id":"1","type":"t"}"#).unwrap_err();
    /// assert_eq!(err.to_string(), "the CloudEvent has no `source` attribute, which is required");
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Self, Error> {
        let value: Value = serde_json::from_slice(bytes).map_err(|err| {
            Error::with_source(
                crate::ErrorKind::BadRequest,
                "the CloudEvent is not valid JSON",
                err,
            )
        })?;
        match value {
            Value::Object(map) => Self::from_map(map),
            _ => Err(Error::bad_request("the CloudEvent is not a JSON object")),
        }
    }

    /// Reads an event from the members of a JSON event-format object.
    ///
    /// # Errors
    ///
    /// As [`from_json`](Self::from_json).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::CloudEvent;
    ///
    /// let serde_json::Value::Object(map) = serde_json::json!({
    ///     "specversion": "1.0", "id": "1", "source": "/s", "type": "t", "tenant": "acme",
    /// }) else { unreachable!() };
    /// let event = CloudEvent::from_map(map)?;
    /// assert_eq!(event.extensions["tenant"], "acme");
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn from_map(mut map: Map<String, Value>) -> Result<Self, Error> {
        let mut take = |name: &str| -> Result<Option<String>, Error> {
            match map.remove(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => Ok(Some(text)),
                Some(_) => Err(Error::bad_request(format!(
                    "the CloudEvent attribute `{name}` must be a string"
                ))),
            }
        };
        let spec_version = take("specversion")?;
        let id = take("id")?;
        let source = take("source")?;
        let event_type = take("type")?;
        let data_content_type = take("datacontenttype")?;
        let data_schema = take("dataschema")?;
        let subject = take("subject")?;
        let time = take("time")?;
        let data_base64 = take("data_base64")?;
        let required = |name: &str, value: Option<String>| {
            value.filter(|v| !v.is_empty()).ok_or_else(|| {
                Error::bad_request(format!(
                    "the CloudEvent has no `{name}` attribute, which is required"
                ))
            })
        };
        let spec_version = required("specversion", spec_version)?;
        if spec_version != "1.0" {
            return Err(Error::bad_request(format!(
                "the CloudEvent's specversion {spec_version:?} is not supported; expected \"1.0\""
            )));
        }
        let id = required("id", id)?;
        let source = required("source", source)?;
        let event_type = required("type", event_type)?;
        let time = time
            .map(|text| crate::time::parse_rfc3339(&text))
            .transpose()
            .map_err(|err| Error::bad_request(format!("the CloudEvent attribute `time`: {err}")))?;
        let data = match (map.remove("data"), data_base64) {
            (Some(_), Some(_)) => {
                return Err(Error::bad_request(
                    "the CloudEvent has both `data` and `data_base64`; at most one is allowed",
                ))
            }
            (None, Some(encoded)) => Some(CloudEventData::Binary(Bytes::from(
                crate::base64::decode(&encoded).map_err(|err| {
                    Error::bad_request(format!("the CloudEvent's data_base64: {err}"))
                })?,
            ))),
            (Some(Value::Null) | None, None) => None,
            (Some(Value::String(text)), None)
                if !Self::is_json_content(data_content_type.as_deref()) =>
            {
                Some(CloudEventData::Text(text))
            }
            (Some(value), None) => Some(CloudEventData::Json(value)),
        };
        let mut extensions = BTreeMap::new();
        for (name, value) in map {
            let value = match value {
                Value::String(text) => text,
                Value::Bool(flag) => flag.to_string(),
                Value::Number(number) => number.to_string(),
                Value::Null => continue,
                _ => {
                    return Err(Error::bad_request(format!(
                        "the CloudEvent extension `{name}` must be a string, number or boolean"
                    )))
                }
            };
            extensions.insert(name, value);
        }
        Ok(Self {
            id,
            source,
            spec_version,
            event_type,
            data_content_type,
            data_schema,
            subject,
            time,
            extensions,
            data,
        })
    }

    /// The event in the JSON event format.
    ///
    /// Text data without a `datacontenttype` is written with
    /// `"datacontenttype": "text/plain; charset=utf-8"`: the JSON format
    /// reads a string `data` without a content type as JSON (a JSON string),
    /// and so does [`from_json`](Self::from_json), as the specification says.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{CloudEvent, CloudEventData};
    ///
    /// let mut event = CloudEvent::new("1", "/notes", "com.example.note");
    /// event.data = Some(CloudEventData::Text("hello".into()));
    /// let json = event.to_json_value();
    /// assert_eq!(json["datacontenttype"], "text/plain; charset=utf-8");
    /// assert_eq!(json["data"], "hello");
    /// let back = CloudEvent::from_json(json.to_string().as_bytes())?;
    /// assert_eq!(back.data, Some(CloudEventData::Text("hello".into())));
    ///
    /// // Without that content type, a string is JSON data.
    /// let json_string = CloudEvent::from_json(
    ///     br#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":"hello"}"#,
    /// )?;
    /// assert_eq!(json_string.data, Some(CloudEventData::Json("hello".into())));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn to_json_value(&self) -> Value {
        let mut map = Map::new();
        map.insert(
            "specversion".into(),
            Value::String(self.spec_version.clone()),
        );
        map.insert("id".into(), Value::String(self.id.clone()));
        map.insert("source".into(), Value::String(self.source.clone()));
        map.insert("type".into(), Value::String(self.event_type.clone()));
        // Bytes need no content type here: `data_base64` says what they are.
        let data_content_type = match &self.data {
            Some(CloudEventData::Binary(_)) => self.data_content_type.as_deref(),
            _ => self.encoded_data_content_type(),
        };
        let optional = [
            ("datacontenttype", data_content_type),
            ("dataschema", self.data_schema.as_deref()),
            ("subject", self.subject.as_deref()),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                map.insert(name.into(), Value::String(value.to_owned()));
            }
        }
        if let Some(time) = self.time {
            map.insert(
                "time".into(),
                Value::String(crate::time::format_rfc3339(time)),
            );
        }
        for (name, value) in &self.extensions {
            if !CONTEXT_ATTRIBUTES.contains(&name.as_str()) {
                map.insert(name.clone(), Value::String(value.clone()));
            }
        }
        match &self.data {
            Some(CloudEventData::Json(value)) => {
                map.insert("data".into(), value.clone());
            }
            Some(CloudEventData::Text(text)) => {
                map.insert("data".into(), Value::String(text.clone()));
            }
            Some(CloudEventData::Binary(bytes)) => {
                map.insert(
                    "data_base64".into(),
                    Value::String(crate::base64::encode(bytes)),
                );
            }
            None => {}
        }
        Value::Object(map)
    }
}

impl Serialize for CloudEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CloudEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        Self::from_map(map).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_missing_required_attribute_is_named() {
        let full = serde_json::json!({"specversion":"1.0","id":"1","source":"/s","type":"t"});
        for name in ["id", "source", "type", "specversion"] {
            let mut event = full.clone();
            event.as_object_mut().unwrap().remove(name);
            let err = CloudEvent::from_json(event.to_string().as_bytes()).unwrap_err();
            assert!(err.is_bad_request());
            assert_eq!(
                err.to_string(),
                format!("the CloudEvent has no `{name}` attribute, which is required")
            );
        }
    }

    /// Regression (issue 9): text data without a content type was written
    /// as a JSON string with no `datacontenttype`, which reads back as JSON.
    #[test]
    fn text_data_without_a_content_type_round_trips_in_structured_mode() {
        let mut event = CloudEvent::new("1", "/s", "t");
        event.data = Some(CloudEventData::Text("hello".into()));
        let json = event.to_json_value();
        let back = CloudEvent::from_json(json.to_string().as_bytes()).unwrap();
        assert_eq!(back.data, Some(CloudEventData::Text("hello".into())));
        assert_eq!(json["datacontenttype"], "text/plain; charset=utf-8");
        let built = CloudEvent::new("1", "/s", "t").with_data(CloudEventData::Text("hi".into()));
        assert_eq!(
            built.data_content_type.as_deref(),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(
            CloudEvent::from_json(built.to_json_value().to_string().as_bytes()).unwrap(),
            built
        );
    }

    #[test]
    fn binary_and_text_data_round_trip() {
        let binary = CloudEvent::new("1", "/s", "t")
            .with_data(CloudEventData::Binary(Bytes::from_static(&[0, 255])));
        assert_eq!(
            serde_json::from_value::<CloudEvent>(binary.to_json_value()).unwrap(),
            binary
        );
        let text = CloudEvent::new("1", "/s", "t")
            .with_data_content_type("text/plain")
            .with_data(CloudEventData::Text("hi".into()));
        assert_eq!(
            serde_json::from_value::<CloudEvent>(text.to_json_value()).unwrap(),
            text
        );
    }
}

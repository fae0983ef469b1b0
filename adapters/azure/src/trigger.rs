//! The trigger of an envelope invocation, [`AzureTrigger`], and which of an
//! envelope's bindings it is ([`choose_trigger`]).

use std::fmt::Write as _;
use std::sync::Arc;

use anyfn::Error;
use serde_json::{Map, Value};

use crate::config::FunctionJson;
use crate::envelope::{Binding, Envelope};
use crate::lenient;
use crate::quote::binding_name;
use crate::request_parts::has_method_and_url;

/// The trigger of an envelope invocation: its binding's name and value, the
/// other input bindings, and the trigger's metadata.
///
/// The adapter keeps the host's JSON as text and parses a part of it only
/// when asked: [`raw_value`](Self::raw_value) is the trigger's value as
/// sent, [`value`](Self::value) the same parsed (once, on the first call).
///
/// # Example
///
/// ```
/// use anyfn_azure::AzureTrigger;
/// use serde_json::json;
///
/// let trigger = AzureTrigger::new("myQueueItem", json!("\"hello\""))
///     .with_metadata(json!({"Id": "\"m-1\"", "DequeueCount": "1"}).as_object().unwrap().clone());
/// assert_eq!(trigger.binding(), "myQueueItem");
/// assert_eq!(trigger.metadata_text("id").as_deref(), Some("m-1"));
/// assert_eq!(trigger.metadata_u64("dequeueCount"), Some(1));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AzureTrigger {
    envelope: Arc<Envelope>,
    index: usize,
    data_type: Option<Arc<str>>,
}

impl AzureTrigger {
    /// A trigger `binding` with `value`, no metadata.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_azure::AzureTrigger;
    /// use serde_json::json;
    ///
    /// let trigger = AzureTrigger::new("myQueueItem", json!({"id": 7}));
    /// assert_eq!(trigger.binding(), "myQueueItem");
    /// assert_eq!(trigger.value(), &json!({"id": 7}));
    /// assert!(trigger.all_metadata().is_empty());
    /// ```
    pub fn new(binding: impl Into<String>, value: Value) -> Self {
        Self {
            envelope: Arc::new(Envelope::single(binding.into(), value)),
            index: 0,
            data_type: None,
        }
    }

    /// The trigger of `envelope`: its binding at `index`.
    pub(crate) fn in_envelope(
        envelope: Arc<Envelope>,
        index: usize,
        data_type: Option<Arc<str>>,
    ) -> Self {
        Self {
            envelope,
            index,
            data_type,
        }
    }

    /// Reads the host's envelope (`{"Data": …, "Metadata": …}`) and picks
    /// its trigger as the adapter does without a `function.json`: the only
    /// value in `Data`, else the one that is an HTTP request.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest) when `body`
    /// is not an envelope, or its trigger cannot be told.
    ///
    /// # Example
    ///
    /// ```
    /// let trigger = anyfn_azure::AzureTrigger::from_envelope(
    ///     br#"{"Data": {"myQueueItem": "\"hi\""}, "Metadata": {"Id": "\"m-1\""}}"#,
    /// )?;
    /// assert_eq!(trigger.binding(), "myQueueItem");
    /// assert_eq!(trigger.raw_value(), r#""\"hi\"""#);
    /// assert_eq!(trigger.metadata_text("Id").as_deref(), Some("m-1"));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn from_envelope(body: &[u8]) -> Result<Self, Error> {
        let envelope = Envelope::parse(body).ok_or_else(|| {
            Error::bad_request("expected the host's envelope: a JSON object with Data and Metadata")
        })?;
        choose_trigger(Arc::new(envelope), &FunctionJson::default())
    }

    /// Sets the metadata.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_azure::AzureTrigger;
    /// use serde_json::json;
    ///
    /// let metadata = json!({"Id": "m-1", "DequeueCount": 2}).as_object().cloned().unwrap_or_default();
    /// let trigger = AzureTrigger::new("myQueueItem", json!("hello")).with_metadata(metadata);
    /// assert_eq!(trigger.metadata_text("Id").as_deref(), Some("m-1"));
    /// assert_eq!(trigger.metadata_u64("DequeueCount"), Some(2));
    /// ```
    #[must_use]
    pub fn with_metadata(mut self, metadata: Map<String, Value>) -> Self {
        Arc::make_mut(&mut self.envelope).set_metadata(metadata);
        self
    }

    /// Sets the binding's `dataType`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_azure::AzureTrigger;
    /// use serde_json::json;
    ///
    /// let trigger = AzureTrigger::new("blob", json!("aGVsbG8=")).with_data_type("binary");
    /// assert_eq!(trigger.data_type(), Some("binary"));
    /// assert!(trigger.is_binary());
    /// ```
    #[must_use]
    pub fn with_data_type(mut self, data_type: impl Into<String>) -> Self {
        self.data_type = Some(Arc::from(data_type.into()));
        self
    }

    fn slot(&self) -> Option<&Binding> {
        self.envelope.bindings().get(self.index)
    }

    /// The trigger's value, with where its HTTP request members are when
    /// the envelope walk noted them.
    pub(crate) fn binding_value(&self) -> Option<&Binding> {
        self.slot()
    }

    /// The body the envelope was read from, when the adapter kept it: the
    /// same bytes as the text of the binding's value's source.
    pub(crate) fn shared_body(&self) -> Option<&bytes::Bytes> {
        self.envelope.body()
    }

    /// The trigger binding's name in `function.json` (`req`,
    /// `myQueueItem`).
    ///
    /// # Example
    ///
    /// ```
    /// let trigger = anyfn_azure::AzureTrigger::from_envelope(
    ///     br#"{"Data": {"myQueueItem": "\"hi\""}, "Metadata": {"Id": "\"m-1\"", "DequeueCount": "3"}}"#,
    /// )?;
    /// assert_eq!(trigger.binding(), "myQueueItem");
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn binding(&self) -> &str {
        self.slot().map_or("", Binding::name)
    }

    /// The trigger's value, parsed from the host's JSON on the first call.
    ///
    /// # Example
    ///
    /// ```
    /// let trigger = anyfn_azure::AzureTrigger::from_envelope(
    ///     br#"{"Data": {"myQueueItem": "\"hi\""}, "Metadata": {"Id": "\"m-1\"", "DequeueCount": "3"}}"#,
    /// )?;
    /// // The host encoded the message twice: the value is the JSON string `"hi"`.
    /// assert_eq!(trigger.value(), &serde_json::json!("\"hi\""));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn value(&self) -> &Value {
        self.slot()
            .map_or(&Value::Null, |binding| binding.value.value())
    }

    /// The trigger's value as the host wrote it: its JSON text.
    ///
    /// # Example
    ///
    /// ```
    /// let trigger = anyfn_azure::AzureTrigger::from_envelope(
    ///     br#"{"Data": {"myQueueItem": "\"hi\""}, "Metadata": {"Id": "\"m-1\"", "DequeueCount": "3"}}"#,
    /// )?;
    /// assert_eq!(trigger.raw_value(), r#""\"hi\"""#);
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn raw_value(&self) -> &str {
        self.slot().map_or("null", |binding| binding.value.text())
    }

    /// Every value under `Data`: the trigger and the other input bindings.
    ///
    /// # Example
    ///
    /// ```
    /// let trigger = anyfn_azure::AzureTrigger::from_envelope(
    ///     br#"{"Data": {"req": {"Method": "GET", "Url": "http://localhost/api/orders"}, "quota": 10}, "Metadata": {}}"#,
    /// )?;
    /// assert_eq!(trigger.binding(), "req");
    /// assert_eq!(trigger.data().len(), 2);
    /// assert_eq!(trigger.data()["quota"], 10);
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn data(&self) -> &Map<String, Value> {
        self.envelope.data()
    }

    /// `Metadata`: what the trigger tells about the event (`Id`,
    /// `DequeueCount`, `BlobTrigger`, …) and `sys`.
    ///
    /// # Example
    ///
    /// ```
    /// let trigger = anyfn_azure::AzureTrigger::from_envelope(
    ///     br#"{"Data": {"myQueueItem": "\"hi\""}, "Metadata": {"Id": "\"m-1\"", "DequeueCount": "3"}}"#,
    /// )?;
    /// let metadata = trigger.all_metadata();
    /// assert_eq!(metadata.len(), 2);
    /// assert_eq!(metadata["DequeueCount"], "3");
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn all_metadata(&self) -> &Map<String, Value> {
        self.envelope.metadata()
    }

    /// The binding's `dataType` in `function.json` (`binary`, `string`,
    /// `stream`), when it says one.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_azure::AzureTrigger;
    /// use serde_json::json;
    ///
    /// assert_eq!(AzureTrigger::new("item", json!("hi")).data_type(), None);
    /// let trigger = AzureTrigger::new("item", json!("hi")).with_data_type("string");
    /// assert_eq!(trigger.data_type(), Some("string"));
    /// ```
    pub fn data_type(&self) -> Option<&str> {
        self.data_type.as_deref()
    }

    /// Whether `function.json` declares the binding's data binary (its value
    /// then arrives as base64).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_azure::AzureTrigger;
    /// use serde_json::json;
    ///
    /// assert!(AzureTrigger::new("blob", json!("aGk=")).with_data_type("Binary").is_binary());
    /// assert!(!AzureTrigger::new("blob", json!("hi")).with_data_type("string").is_binary());
    /// assert!(!AzureTrigger::new("blob", json!("hi")).is_binary());
    /// ```
    pub fn is_binary(&self) -> bool {
        self.data_type()
            .is_some_and(|data_type| data_type.eq_ignore_ascii_case("binary"))
    }

    /// Whether the value is an HTTP trigger's request (an object with
    /// `Method` and `Url`).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_azure::AzureTrigger;
    /// use serde_json::json;
    ///
    /// let request = json!({"Method": "GET", "Url": "http://localhost:7071/api/hello"});
    /// assert!(AzureTrigger::new("req", request).is_http());
    /// assert!(!AzureTrigger::new("myQueueItem", json!("hello")).is_http());
    /// ```
    pub fn is_http(&self) -> bool {
        let Some(binding) = self.slot() else {
            return false;
        };
        if let Some(parts) = &binding.request {
            return parts.is_request();
        }
        match binding.value.first_byte() {
            b'{' => has_method_and_url(binding.value.text()),
            b'"' => lenient::object(binding.value.value()).is_some_and(|request| {
                lenient::get(&request, "Method").is_some()
                    && lenient::get(&request, "Url").is_some()
            }),
            _ => false,
        }
    }

    /// A metadata value by name, in any case.
    ///
    /// # Example
    ///
    /// ```
    /// let trigger = anyfn_azure::AzureTrigger::from_envelope(
    ///     br#"{"Data": {"myQueueItem": "\"hi\""}, "Metadata": {"Id": "\"m-1\"", "DequeueCount": "3"}}"#,
    /// )?;
    /// // Any case finds it; the value is as the host sent it.
    /// assert_eq!(trigger.metadata("dequeuecount"), Some(&serde_json::json!("3")));
    /// assert_eq!(trigger.metadata("InsertionTime"), None);
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn metadata(&self, key: &str) -> Option<&Value> {
        lenient::get(self.all_metadata(), key)
    }

    /// A metadata value as text, a double-encoded string decoded.
    ///
    /// # Example
    ///
    /// ```
    /// let trigger = anyfn_azure::AzureTrigger::from_envelope(
    ///     br#"{"Data": {"myQueueItem": "\"hi\""}, "Metadata": {"Id": "\"m-1\"", "DequeueCount": "3"}}"#,
    /// )?;
    /// // `Id` came encoded twice: `"\"m-1\""`.
    /// assert_eq!(trigger.metadata_text("Id").as_deref(), Some("m-1"));
    /// assert_eq!(trigger.metadata_text("PopReceipt"), None);
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn metadata_text(&self, key: &str) -> Option<String> {
        self.metadata(key)
            .and_then(lenient::text)
            .map(std::borrow::Cow::into_owned)
    }

    /// A metadata value as a whole number, from a number or its text.
    ///
    /// # Example
    ///
    /// ```
    /// let trigger = anyfn_azure::AzureTrigger::from_envelope(
    ///     br#"{"Data": {"myQueueItem": "\"hi\""}, "Metadata": {"Id": "\"m-1\"", "DequeueCount": "3"}}"#,
    /// )?;
    /// assert_eq!(trigger.metadata_u64("DequeueCount"), Some(3));
    /// assert_eq!(trigger.metadata_u64("Id"), None);
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn metadata_u64(&self, key: &str) -> Option<u64> {
        self.metadata(key).and_then(lenient::unsigned)
    }
}

/// How many of an envelope's bindings an error lists.
const LISTED_BINDINGS: usize = 8;

/// The trigger's binding: the one `function.json` names, else the only
/// one, else the one that is an HTTP request.
pub(crate) fn choose_trigger(
    envelope: Arc<Envelope>,
    declared: &FunctionJson,
) -> Result<AzureTrigger, Error> {
    let bindings = envelope.bindings();
    let by_name = declared.trigger.as_deref().and_then(|name| {
        bindings
            .iter()
            .position(|binding| binding.name() == name)
            .or_else(|| {
                bindings
                    .iter()
                    .position(|binding| binding.name().eq_ignore_ascii_case(name))
            })
    });
    let data_type = declared.data_type.clone();
    let index = match by_name {
        Some(index) => index,
        None if bindings.len() == 1 => 0,
        None if bindings.is_empty() => {
            return Err(Error::bad_request(
                "the invocation's Data holds no trigger value",
            ))
        }
        None => {
            let http = (0..bindings.len()).find(|index| {
                AzureTrigger::in_envelope(Arc::clone(&envelope), *index, None).is_http()
            });
            http.ok_or_else(|| {
                // At most a few names, each bounded: the host's input.
                let mut names = String::new();
                for binding in bindings.iter().take(LISTED_BINDINGS) {
                    if !names.is_empty() {
                        names.push_str(", ");
                    }
                    let _ = write!(names, "{}", binding_name(binding.name()));
                }
                if bindings.len() > LISTED_BINDINGS {
                    let _ = write!(names, ", and {} more", bindings.len() - LISTED_BINDINGS);
                }
                Error::bad_request(format!(
                    "the invocation's Data holds several bindings ({names}) and no function.json names the trigger"
                ))
            })?
        }
    };
    Ok(AzureTrigger::in_envelope(envelope, index, data_type))
}

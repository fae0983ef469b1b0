//! The function app folder as the host reads it: `host.json` at the root,
//! one folder per function with its `function.json`.

use std::io;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

/// What triggers a function: the `type` of its `direction: in` trigger
/// binding.
///
/// # Example
///
/// ```
/// use anyfn_test::AzureTriggerType;
///
/// let trigger = AzureTriggerType::from_binding_type("serviceBusTrigger");
/// assert_eq!(trigger, Some(AzureTriggerType::ServiceBus));
/// let other = AzureTriggerType::from_binding_type("cosmosDBTrigger").expect("a trigger");
/// assert_eq!(other, AzureTriggerType::Other("cosmosDBTrigger".to_owned()));
/// assert_eq!(other.binding_type(), "cosmosDBTrigger");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AzureTriggerType {
    /// `httpTrigger`.
    Http,
    /// `queueTrigger` (Storage queues).
    Queue,
    /// `serviceBusTrigger`.
    ServiceBus,
    /// `blobTrigger`.
    Blob,
    /// `timerTrigger`.
    Timer,
    /// `eventGridTrigger`.
    EventGrid,
    /// Any other trigger type, as written.
    Other(String),
}

impl AzureTriggerType {
    /// The trigger for a binding `type` (case-insensitive, as the host
    /// reads it); `None` when the type is not a trigger.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::AzureTriggerType;
    ///
    /// assert_eq!(AzureTriggerType::from_binding_type("queueTrigger"), Some(AzureTriggerType::Queue));
    /// assert_eq!(AzureTriggerType::from_binding_type("http"), None);
    /// ```
    pub fn from_binding_type(binding_type: &str) -> Option<Self> {
        let lower = binding_type.to_ascii_lowercase();
        Some(match lower.as_str() {
            "httptrigger" => Self::Http,
            "queuetrigger" => Self::Queue,
            "servicebustrigger" => Self::ServiceBus,
            "blobtrigger" => Self::Blob,
            "timertrigger" => Self::Timer,
            "eventgridtrigger" => Self::EventGrid,
            other if other.ends_with("trigger") => Self::Other(binding_type.to_owned()),
            _ => return None,
        })
    }

    /// The binding `type` in `function.json` (`httpTrigger`, …).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::AzureTriggerType;
    ///
    /// assert_eq!(AzureTriggerType::Timer.binding_type(), "timerTrigger");
    /// let blob = AzureTriggerType::Blob.binding_type();
    /// assert_eq!(AzureTriggerType::from_binding_type(blob), Some(AzureTriggerType::Blob));
    /// ```
    pub fn binding_type(&self) -> &str {
        match self {
            Self::Http => "httpTrigger",
            Self::Queue => "queueTrigger",
            Self::ServiceBus => "serviceBusTrigger",
            Self::Blob => "blobTrigger",
            Self::Timer => "timerTrigger",
            Self::EventGrid => "eventGridTrigger",
            Self::Other(name) => name,
        }
    }

    /// Whether the host delivers a failed invocation again: queue, Service
    /// Bus and blob triggers retry (then poison the message), Event Grid
    /// redelivers; HTTP and timer invocations are not retried.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::AzureTriggerType;
    ///
    /// assert!(AzureTriggerType::Queue.retries());
    /// assert!(AzureTriggerType::EventGrid.retries());
    /// assert!(!AzureTriggerType::Http.retries());
    /// assert!(!AzureTriggerType::Timer.retries());
    /// ```
    pub fn retries(&self) -> bool {
        matches!(
            self,
            Self::Queue | Self::ServiceBus | Self::Blob | Self::EventGrid
        )
    }
}

/// One binding of a function, from `function.json`.
///
/// # Example
///
/// ```
/// use anyfn_test::{AzureAppFunction, AzureBinding, AzureTriggerType};
///
/// let hello = AzureAppFunction::new("hello", AzureTriggerType::Http, "req");
/// let res = AzureBinding {
///     name: "res".to_owned(),
///     binding_type: "http".to_owned(),
///     direction: "out".to_owned(),
/// };
/// assert_eq!(hello.bindings[1], res);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureBinding {
    /// `name`.
    pub name: String,
    /// `type`.
    pub binding_type: String,
    /// `direction`: `in` or `out`.
    pub direction: String,
}

/// One function of the app: its folder name, trigger and bindings.
///
/// # Example
///
/// ```
/// use anyfn_test::{AzureAppFunction, AzureTriggerType};
///
/// let mut item = AzureAppFunction::new("item", AzureTriggerType::Http, "req");
/// item.route = Some("items/{id}".to_owned());
/// item.methods = vec!["get".to_owned()];
/// assert_eq!(item.binding, "req");
/// assert_eq!(item.route_template(), "items/{id}");
/// assert!(item.is_http_in_and_out());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureAppFunction {
    /// The function's name (its folder's name): the host POSTs its
    /// invocations to `/{name}`.
    pub name: String,
    /// The trigger.
    pub trigger: AzureTriggerType,
    /// The trigger binding's name: the key of `Data` in the envelope.
    pub binding: String,
    /// Every binding, in order.
    pub bindings: Vec<AzureBinding>,
    /// An HTTP trigger's `route` (the function's name when unset).
    pub route: Option<String>,
    /// An HTTP trigger's `methods` (lower case; empty means any).
    pub methods: Vec<String>,
}

impl AzureAppFunction {
    /// A function triggered by `trigger` with trigger binding `binding`; an
    /// HTTP trigger gets the `http` output binding `res`, as
    /// `func new --template "HTTP trigger"` writes it.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureAppFunction, AzureTriggerType};
    ///
    /// let orders = AzureAppFunction::new("orders", AzureTriggerType::Http, "req");
    /// assert_eq!(orders.http_output(), Some("res"));
    /// assert_eq!(orders.route_template(), "orders");
    /// ```
    pub fn new(
        name: impl Into<String>,
        trigger: AzureTriggerType,
        binding: impl Into<String>,
    ) -> Self {
        let binding = binding.into();
        let mut bindings = vec![AzureBinding {
            name: binding.clone(),
            binding_type: trigger.binding_type().to_owned(),
            direction: "in".to_owned(),
        }];
        if trigger == AzureTriggerType::Http {
            bindings.push(AzureBinding {
                name: "res".to_owned(),
                binding_type: "http".to_owned(),
                direction: "out".to_owned(),
            });
        }
        Self {
            name: name.into(),
            trigger,
            binding,
            bindings,
            route: None,
            methods: Vec::new(),
        }
    }

    /// Reads a function from its `function.json` document; `name` is its
    /// folder's name.
    ///
    /// # Errors
    ///
    /// When the document has no `bindings` array, a binding lacks `name`,
    /// `type` or `direction`, or no `in` binding is a trigger.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureAppFunction, AzureTriggerType};
    /// use serde_json::json;
    ///
    /// let document = json!({"bindings": [
    ///     {"type": "httpTrigger", "direction": "in", "name": "req", "route": "items/{id}", "methods": ["GET"]},
    ///     {"type": "http", "direction": "out", "name": "$return"},
    /// ]});
    /// let item = AzureAppFunction::from_function_json("item", &document)?;
    /// assert_eq!(item.trigger, AzureTriggerType::Http);
    /// assert_eq!(item.methods, ["get"]);
    /// assert_eq!(item.http_output(), Some("$return"));
    /// assert!(AzureAppFunction::from_function_json("empty", &json!({"bindings": []})).is_err());
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_function_json(name: &str, document: &Value) -> Result<Self, String> {
        let list = document
            .get("bindings")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{name}/function.json: no \"bindings\" array"))?;
        let mut bindings = Vec::new();
        let mut trigger = None;
        let mut route = None;
        let mut methods = Vec::new();
        for binding in list {
            let field = |key: &str| {
                binding
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{name}/function.json: a binding has no \"{key}\""))
            };
            let parsed = AzureBinding {
                name: field("name")?,
                binding_type: field("type")?,
                direction: field("direction")?,
            };
            if parsed.direction.eq_ignore_ascii_case("in") && trigger.is_none() {
                if let Some(kind) = AzureTriggerType::from_binding_type(&parsed.binding_type) {
                    route = binding
                        .get("route")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    methods = binding
                        .get("methods")
                        .and_then(Value::as_array)
                        .map(|list| {
                            list.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_ascii_lowercase)
                                .collect()
                        })
                        .unwrap_or_default();
                    trigger = Some((kind, parsed.name.clone()));
                }
            }
            bindings.push(parsed);
        }
        let (trigger, binding) =
            trigger.ok_or_else(|| format!("{name}/function.json: no trigger binding"))?;
        Ok(Self {
            name: name.to_owned(),
            trigger,
            binding,
            bindings,
            route,
            methods,
        })
    }

    /// The name of the `http` output binding (`res`, or `$return`), if any.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureAppFunction, AzureTriggerType};
    ///
    /// let hello = AzureAppFunction::new("hello", AzureTriggerType::Http, "req");
    /// assert_eq!(hello.http_output(), Some("res"));
    /// let work = AzureAppFunction::new("work", AzureTriggerType::Queue, "message");
    /// assert_eq!(work.http_output(), None);
    /// ```
    pub fn http_output(&self) -> Option<&str> {
        self.bindings
            .iter()
            .find(|b| b.direction.eq_ignore_ascii_case("out") && b.binding_type == "http")
            .map(|b| b.name.as_str())
    }

    /// Whether the function is "HTTP in and out" (one `httpTrigger` in, one
    /// `http` out, nothing else): the only kind the host forwards as a raw
    /// request when forwarding is on.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureAppFunction, AzureBinding, AzureTriggerType};
    ///
    /// let mut hello = AzureAppFunction::new("hello", AzureTriggerType::Http, "req");
    /// assert!(hello.is_http_in_and_out());
    /// // With a queue output too, the host no longer forwards its requests:
    /// hello.bindings.push(AzureBinding {
    ///     name: "outbox".to_owned(),
    ///     binding_type: "queue".to_owned(),
    ///     direction: "out".to_owned(),
    /// });
    /// assert!(!hello.is_http_in_and_out());
    /// ```
    pub fn is_http_in_and_out(&self) -> bool {
        let ins = self
            .bindings
            .iter()
            .filter(|b| b.direction.eq_ignore_ascii_case("in"))
            .count();
        let outs = self.bindings.len() - ins;
        self.trigger == AzureTriggerType::Http
            && ins == 1
            && outs == 1
            && self.http_output().is_some()
    }

    /// The route template: `route`, or the function's name.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureAppFunction, AzureTriggerType};
    ///
    /// let mut item = AzureAppFunction::new("item", AzureTriggerType::Http, "req");
    /// assert_eq!(item.route_template(), "item");
    /// item.route = Some("items/{id?}".to_owned());
    /// assert_eq!(item.route_template(), "items/{id?}");
    /// ```
    pub fn route_template(&self) -> &str {
        self.route.as_deref().unwrap_or(&self.name)
    }
}

/// The `host.json` settings the emulator honours.
///
/// # Example
///
/// ```
/// use anyfn_test::AzureHostSettings;
/// use serde_json::json;
///
/// let settings = AzureHostSettings::from_host_json(&json!({
///     "version": "2.0",
///     "extensions": {"http": {"routePrefix": ""}, "queues": {"maxDequeueCount": 3}},
/// }))?;
/// assert_eq!(settings.route_prefix.as_deref(), Some(""));
/// assert_eq!(settings.max_dequeue_count, Some(3));
/// assert!(!settings.forwarding && !settings.proxying);
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AzureHostSettings {
    /// `customHandler.description.defaultExecutablePath`.
    pub executable: Option<String>,
    /// `customHandler.enableForwardingHttpRequest`.
    pub forwarding: bool,
    /// `customHandler.enableProxyingHttpRequest`.
    pub proxying: bool,
    /// `functionTimeout` (`hh:mm:ss`).
    pub function_timeout: Option<Duration>,
    /// `extensions.http.routePrefix`: `api` unless set.
    pub route_prefix: Option<String>,
    /// `extensions.queues.maxDequeueCount`: 5 unless set.
    pub max_dequeue_count: Option<u32>,
}

impl AzureHostSettings {
    /// Reads the settings from a `host.json` document.
    ///
    /// # Errors
    ///
    /// When `version` is not `"2.0"` or `functionTimeout` is not `hh:mm:ss`.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_test::AzureHostSettings;
    ///
    /// let host = serde_json::json!({
    ///     "version": "2.0",
    ///     "functionTimeout": "00:05:00",
    ///     "customHandler": {"description": {"defaultExecutablePath": "handler"}, "enableForwardingHttpRequest": true},
    /// });
    /// let settings = AzureHostSettings::from_host_json(&host)?;
    /// assert_eq!(settings.executable.as_deref(), Some("handler"));
    /// assert!(settings.forwarding);
    /// assert_eq!(settings.function_timeout, Some(Duration::from_secs(300)));
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_host_json(document: &Value) -> Result<Self, String> {
        if document.get("version").and_then(Value::as_str) != Some("2.0") {
            return Err("host.json: \"version\" must be \"2.0\"".to_owned());
        }
        let handler = document.get("customHandler");
        let flag = |key: &str| {
            handler
                .and_then(|h| h.get(key))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let function_timeout = match document.get("functionTimeout").and_then(Value::as_str) {
            Some(text) => Some(parse_timespan(text).ok_or_else(|| {
                format!("host.json: \"functionTimeout\" {text:?} is not hh:mm:ss")
            })?),
            None => None,
        };
        Ok(Self {
            executable: handler
                .and_then(|h| h.pointer("/description/defaultExecutablePath"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            forwarding: flag("enableForwardingHttpRequest"),
            proxying: flag("enableProxyingHttpRequest"),
            function_timeout,
            route_prefix: document
                .pointer("/extensions/http/routePrefix")
                .and_then(Value::as_str)
                .map(str::to_owned),
            max_dequeue_count: document
                .pointer("/extensions/queues/maxDequeueCount")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok()),
        })
    }
}

/// `hh:mm:ss` → a duration.
fn parse_timespan(text: &str) -> Option<Duration> {
    let mut parts = text.split(':').map(|part| part.parse::<u64>().ok());
    let (hours, minutes, seconds) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() || minutes > 59 || seconds > 59 {
        return None;
    }
    Some(Duration::from_secs(hours * 3600 + minutes * 60 + seconds))
}

/// A function app folder: `host.json` and every `*/function.json`.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_test::{AzureEmulator, AzureTriggerType};
///
/// let emulator = AzureEmulator::builder()
///     .function("work", AzureTriggerType::Queue, "message")
///     .function_timeout(Duration::from_secs(90))
///     .build()?;
/// let app = emulator.app();
/// assert_eq!(app.functions[0].name, "work");
/// assert_eq!(app.host_json["functionTimeout"], "00:01:30");
/// assert_eq!(app.settings.function_timeout, Some(Duration::from_secs(90)));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AzureFunctionApp {
    /// `host.json`, as read.
    pub host_json: Value,
    /// The settings read from it.
    pub settings: AzureHostSettings,
    /// The functions, by folder name (sorted).
    pub functions: Vec<AzureAppFunction>,
}

impl AzureFunctionApp {
    /// Reads the app folder at `dir` as the host does: `host.json`, then
    /// each sub-folder holding a `function.json` is a function of that name.
    ///
    /// # Errors
    ///
    /// When a file cannot be read or is not valid JSON, or a document is
    /// not what the host accepts ([`AzureHostSettings::from_host_json`],
    /// [`AzureAppFunction::from_function_json`]); `InvalidData` with the file
    /// named.
    ///
    /// # Example
    ///
    /// ```no_run
    /// let app = anyfn_test::AzureFunctionApp::read("examples/azure/hello")?;
    /// assert_eq!(app.functions[0].name, "hello");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read(dir: impl AsRef<Path>) -> io::Result<Self> {
        let dir = dir.as_ref();
        let host_json = read_json(&dir.join("host.json"))?;
        let settings = AzureHostSettings::from_host_json(&host_json).map_err(invalid)?;
        let mut functions = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path().join("function.json");
            if !path.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let document = read_json(&path)?;
            functions
                .push(AzureAppFunction::from_function_json(&name, &document).map_err(invalid)?);
        }
        functions.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Self {
            host_json,
            settings,
            functions,
        })
    }

    /// The function named `name`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// let app = emulator.app();
    /// assert_eq!(app.function("work").map(|f| f.binding.as_str()), Some("message"));
    /// assert!(app.function("missing").is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn function(&self, name: &str) -> Option<&AzureAppFunction> {
        self.functions.iter().find(|f| f.name == name)
    }
}

fn read_json(path: &Path) -> io::Result<Value> {
    let text = std::fs::read(path)?;
    serde_json::from_slice(&text)
        .map_err(|err| invalid(format!("{}: not JSON: {err}", path.display())))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Matches `path` (without the route prefix) against a route template
/// (`failures/{*path}`, `items/{id}`, `items/{id?}`): the route parameters,
/// or `None` when it does not match. Literal segments compare
/// case-insensitively, as ASP.NET routing does.
pub(crate) fn match_route(
    template: &str,
    path: &str,
) -> Option<std::collections::BTreeMap<String, String>> {
    let mut params = std::collections::BTreeMap::new();
    let mut segments = path.trim_matches('/').split('/').filter(|s| !s.is_empty());
    let mut parts = template
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty());
    loop {
        match (parts.next(), segments.next()) {
            (None, None) => return Some(params),
            (None, Some(_)) => return None,
            (Some(part), segment) => {
                let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else {
                    if segment.is_some_and(|s| s.eq_ignore_ascii_case(part)) {
                        continue;
                    }
                    return None;
                };
                let inner = inner.split(':').next().unwrap_or(inner);
                if let Some(name) = inner.strip_prefix('*') {
                    let rest: Vec<&str> = segment.into_iter().chain(segments).collect();
                    let value = percent_decode(&rest.join("/"));
                    params.insert(name.trim_end_matches('?').to_owned(), value);
                    return parts.next().is_none().then_some(params);
                }
                match (inner.strip_suffix('?'), segment) {
                    (_, Some(segment)) => {
                        params.insert(
                            inner.trim_end_matches('?').to_owned(),
                            percent_decode(segment),
                        );
                    }
                    (Some(_), None) => {}
                    (None, None) => return None,
                }
            }
        }
    }
}

/// `%XX` escapes decoded (a `+` stays a `+` in a path).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

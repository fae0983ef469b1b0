//! What the function app's files say: `host.json` (the mode, the function
//! timeout, the HTTP route prefix) and each `{name}/function.json` (the
//! trigger binding and the HTTP output binding), and the timeout's
//! resolution.

use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::AzureError;
use crate::lenient;

/// How the Functions host reaches the handler.
///
/// # Example
///
/// ```
/// use anyfn_azure::Mode;
///
/// assert_eq!(Mode::default(), Mode::Envelope);
/// assert!(!Mode::Envelope.forwards_http());
/// assert!(Mode::Forwarding.forwards_http() && Mode::Proxying.forwards_http());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// Every trigger arrives as the host's JSON envelope at
    /// `/{FunctionName}` and is answered with one (the default).
    #[default]
    Envelope,
    /// `customHandler.enableForwardingHttpRequest`: an HTTP-triggered
    /// function whose only output is its HTTP response gets the original
    /// request at its own path, and the handler's response is the answer.
    /// Other triggers still come as envelopes.
    Forwarding,
    /// `customHandler.enableProxyingHttpRequest` (or the
    /// `mcp-custom-handler` configuration profile): as forwarding, and
    /// responses are streamed chunk by chunk.
    Proxying,
}

impl Mode {
    /// Whether an HTTP request that is not an envelope reaches the handler
    /// as it is.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_azure::Mode;
    ///
    /// assert!(Mode::Forwarding.forwards_http());
    /// assert!(Mode::Proxying.forwards_http());
    /// assert!(!Mode::Envelope.forwards_http());
    /// ```
    pub fn forwards_http(self) -> bool {
        matches!(self, Self::Forwarding | Self::Proxying)
    }
}

/// `host.json`'s `functionTimeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FunctionTimeout {
    /// Not set: the plan's default applies.
    Absent,
    /// `-1`: no limit (Premium and Dedicated plans).
    Unbounded,
    /// A `TimeSpan`.
    Limit(Duration),
}

/// What anyfn reads from `host.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostJson {
    pub(crate) mode: Mode,
    pub(crate) function_timeout: FunctionTimeout,
    /// `extensions.http.routePrefix` (default `api`).
    pub(crate) route_prefix: String,
}

impl Default for HostJson {
    fn default() -> Self {
        Self {
            mode: Mode::Envelope,
            function_timeout: FunctionTimeout::Absent,
            route_prefix: "api".to_owned(),
        }
    }
}

impl HostJson {
    /// Reads `dir/host.json`; a missing file gives the defaults.
    pub(crate) fn read(dir: &Path) -> Result<Self, AzureError> {
        let path = dir.join("host.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(AzureError::HostJson {
                    path,
                    reason: source.to_string(),
                })
            }
        };
        Self::parse(&text).map_err(|reason| AzureError::HostJson { path, reason })
    }

    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let root: Value = serde_json::from_str(text).map_err(|err| err.to_string())?;
        let root = root.as_object().ok_or("not a JSON object")?;
        let mut host = Self::default();
        let handler = lenient::get(root, "customHandler").and_then(Value::as_object);
        let flag = |key: &str| {
            handler
                .and_then(|handler| lenient::get(handler, key))
                .and_then(lenient::boolean)
                .unwrap_or(false)
        };
        let mcp_profile = lenient::get(root, "configurationProfile")
            .and_then(lenient::text)
            .is_some_and(|profile| profile.eq_ignore_ascii_case("mcp-custom-handler"));
        host.mode = if flag("enableProxyingHttpRequest") || mcp_profile {
            Mode::Proxying
        } else if flag("enableForwardingHttpRequest") {
            Mode::Forwarding
        } else {
            Mode::Envelope
        };
        if let Some(timeout) = lenient::get(root, "functionTimeout").filter(|v| !v.is_null()) {
            let text = lenient::text(timeout).ok_or("functionTimeout is not a TimeSpan")?;
            host.function_timeout = parse_function_timeout(&text).ok_or_else(|| {
                format!("functionTimeout {text:?} is not a TimeSpan (hh:mm:ss) or -1")
            })?;
        }
        let prefix = lenient::get(root, "extensions")
            .and_then(Value::as_object)
            .and_then(|extensions| lenient::get(extensions, "http"))
            .and_then(Value::as_object)
            .and_then(|http| lenient::get(http, "routePrefix"))
            .and_then(lenient::text);
        if let Some(prefix) = prefix {
            host.route_prefix = prefix.trim_matches('/').to_owned();
        }
        Ok(host)
    }
}

/// `-1` (or any negative span), or a .NET `TimeSpan`: `[d.]hh:mm:ss[.fffffff]`.
pub(crate) fn parse_function_timeout(text: &str) -> Option<FunctionTimeout> {
    let text = text.trim();
    if text.starts_with('-') {
        return Some(FunctionTimeout::Unbounded);
    }
    parse_timespan(text).map(FunctionTimeout::Limit)
}

fn parse_timespan(text: &str) -> Option<Duration> {
    let mut parts = text.split(':');
    let (first, minutes, seconds) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (days, hours) = match first.split_once('.') {
        Some((days, hours)) => (digits(days)?, digits(hours)?),
        None => (0, digits(first)?),
    };
    let minutes = digits(minutes)?;
    let (whole, fraction) = match seconds.split_once('.') {
        Some((whole, fraction)) => (digits(whole)?, Some(fraction)),
        None => (digits(seconds)?, None),
    };
    if hours > 23 || minutes > 59 || whole > 59 {
        return None;
    }
    let nanos = match fraction {
        Some(fraction) if !fraction.is_empty() && fraction.len() <= 9 => {
            let value = digits(fraction)?;
            u32::try_from(value * 10u64.pow(9 - fraction.len() as u32)).ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    let secs = ((days * 24 + hours) * 60 + minutes) * 60 + whole;
    Some(Duration::new(secs, nanos))
}

fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The variable that set the invocation timeout in milliseconds before
/// every adapter read `ANYFN_TIMEOUT_MS`
/// ([`anyfn_kit::TIMEOUT_ENV`]): still read, as a deprecated alias of it
/// (`ANYFN_TIMEOUT_MS` wins when both are set), with a `WARN` line saying so.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Json};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # std::env::remove_var("ANYFN_TIMEOUT_MS");
/// #[allow(deprecated)]
/// let name = anyfn_azure::TIMEOUT_ENV;
/// assert_eq!(name, "ANYFN_AZURE_TIMEOUT_MS");
/// // Still read (with a `WARN` line) when `ANYFN_TIMEOUT_MS` is not set.
/// std::env::set_var(name, "1500");
/// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
/// assert_eq!(bound.timeout(), Duration::from_millis(1500));
/// # Ok(()) }
/// ```
#[deprecated(
    note = "set ANYFN_TIMEOUT_MS (anyfn_kit::TIMEOUT_ENV); ANYFN_AZURE_TIMEOUT_MS is still read, as a deprecated alias"
)]
pub const TIMEOUT_ENV: &str = LEGACY_TIMEOUT_ENV;

/// `ANYFN_AZURE_TIMEOUT_MS`, the deprecated alias of `ANYFN_TIMEOUT_MS`.
pub(crate) const LEGACY_TIMEOUT_ENV: &str = "ANYFN_AZURE_TIMEOUT_MS";

/// The Consumption plan's default `functionTimeout`: 5 minutes.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_azure::{Azure, CONSUMPTION_DEFAULT_TIMEOUT};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # for name in ["ANYFN_TIMEOUT_MS", "ANYFN_AZURE_TIMEOUT_MS", "WEBSITE_SKU"] { std::env::remove_var(name); }
/// assert_eq!(CONSUMPTION_DEFAULT_TIMEOUT, Duration::from_secs(300));
/// // No timeout set, none in host.json, no `WEBSITE_SKU` (as under Core Tools):
/// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let bound = Azure::new(handler).bind_on(listener)?;
/// assert_eq!(bound.timeout(), CONSUMPTION_DEFAULT_TIMEOUT);
/// # Ok(()) }
/// ```
pub const CONSUMPTION_DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The default `functionTimeout` of the Flex Consumption, Premium and
/// Dedicated plans: 30 minutes.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_azure::{Azure, OTHER_PLANS_DEFAULT_TIMEOUT};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # for name in ["ANYFN_TIMEOUT_MS", "ANYFN_AZURE_TIMEOUT_MS"] { std::env::remove_var(name); }
/// assert_eq!(OTHER_PLANS_DEFAULT_TIMEOUT, Duration::from_secs(30 * 60));
/// // On a Premium plan, with no timeout set and none in host.json:
/// std::env::set_var("WEBSITE_SKU", "ElasticPremium");
/// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let bound = Azure::new(handler).bind_on(listener)?;
/// assert_eq!(bound.timeout(), OTHER_PLANS_DEFAULT_TIMEOUT);
/// # Ok(()) }
/// ```
pub const OTHER_PLANS_DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The deadline anyfn gives an invocation when `functionTimeout` is `-1`
/// (no limit): every invocation has one, so this is a day.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_azure::{Azure, UNBOUNDED_TIMEOUT};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # for name in ["ANYFN_TIMEOUT_MS", "ANYFN_AZURE_TIMEOUT_MS"] { std::env::remove_var(name); }
/// assert_eq!(UNBOUNDED_TIMEOUT, Duration::from_secs(24 * 60 * 60));
/// let app = std::env::temp_dir().join(format!("anyfn-azure-doc-unbounded-{}", std::process::id()));
/// std::fs::create_dir_all(&app)?;
/// std::fs::write(app.join("host.json"), r#"{"version": "2.0", "functionTimeout": "-1"}"#)?;
/// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let bound = Azure::new(handler).app_root(&app).bind_on(listener)?;
/// assert_eq!(bound.timeout(), UNBOUNDED_TIMEOUT);
/// # std::fs::remove_dir_all(&app)?;
/// # Ok(()) }
/// ```
pub const UNBOUNDED_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The invocation timeout: `set` (the builder's, else `ANYFN_TIMEOUT_MS`),
/// else `legacy_ms` (`ANYFN_AZURE_TIMEOUT_MS`), else `host.json`, else the
/// plan's default: 5 min on the Consumption plan (`WEBSITE_SKU=Dynamic`)
/// and when no plan is known (no `WEBSITE_SKU`, as under Core Tools: the
/// strictest), 30 min on any other plan.
pub(crate) fn resolve_timeout(
    set: Option<Duration>,
    legacy_ms: Option<&str>,
    host: FunctionTimeout,
    sku: Option<&str>,
) -> Result<Duration, AzureError> {
    if let Some(timeout) = set {
        return Ok(timeout);
    }
    if let Some(ms) = legacy_ms.filter(|ms| !ms.trim().is_empty()) {
        let ms: u64 =
            ms.trim()
                .parse()
                .ok()
                .filter(|ms| *ms > 0)
                .ok_or_else(|| AzureError::InvalidEnv {
                    name: LEGACY_TIMEOUT_ENV,
                    value: ms.to_owned(),
                    expected: "a positive whole number of milliseconds, such as 10000",
                })?;
        return Ok(Duration::from_millis(ms));
    }
    Ok(match host {
        FunctionTimeout::Limit(limit) if !limit.is_zero() => limit,
        FunctionTimeout::Unbounded => UNBOUNDED_TIMEOUT,
        FunctionTimeout::Limit(_) | FunctionTimeout::Absent => match sku {
            Some(sku) if !sku.eq_ignore_ascii_case("Dynamic") => OTHER_PLANS_DEFAULT_TIMEOUT,
            _ => CONSUMPTION_DEFAULT_TIMEOUT,
        },
    })
}

/// What anyfn reads from a function's `function.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FunctionJson {
    /// The trigger binding's name.
    pub(crate) trigger: Option<String>,
    /// The trigger binding's type (`httpTrigger`, `queueTrigger`, …).
    pub(crate) trigger_type: Option<String>,
    /// The trigger binding's `dataType`.
    pub(crate) data_type: Option<std::sync::Arc<str>>,
    /// The HTTP output binding's name (`res`, or `$return`).
    pub(crate) http_output: Option<String>,
}

impl FunctionJson {
    /// What a function without a `function.json` has: nothing (its
    /// envelopes are read by their shape).
    pub(crate) const NONE: Self = Self {
        trigger: None,
        trigger_type: None,
        data_type: None,
        http_output: None,
    };

    /// Reads the `function.json` at `path`: `None` when there is none;
    /// the reason when it cannot be read or is not a JSON object.
    fn read(path: &Path) -> Option<Result<Self, String>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                return None
            }
            Err(err) => return Some(Err(err.to_string())),
        };
        Some(
            serde_json::from_str::<Value>(&text)
                .map_err(|err| err.to_string())
                .and_then(|value| {
                    value
                        .as_object()
                        .map(Self::from_map)
                        .ok_or_else(|| "not a JSON object".to_owned())
                }),
        )
    }

    fn from_map(root: &Map<String, Value>) -> Self {
        let mut function = Self::default();
        let Some(bindings) = lenient::get(root, "bindings").and_then(Value::as_array) else {
            return function;
        };
        for binding in bindings.iter().filter_map(Value::as_object) {
            let text = |key: &str| lenient::get(binding, key).and_then(Value::as_str);
            let (Some(name), Some(kind)) = (text("name"), text("type")) else {
                continue;
            };
            let direction = text("direction").unwrap_or("in");
            if kind.to_ascii_lowercase().ends_with("trigger") && function.trigger.is_none() {
                function.trigger = Some(name.to_owned());
                function.trigger_type = Some(kind.to_owned());
                function.data_type = text("dataType").map(std::sync::Arc::from);
            } else if kind.eq_ignore_ascii_case("http") && direction.eq_ignore_ascii_case("out") {
                function.http_output = Some(name.to_owned());
            }
        }
        function
    }
}

/// Every function's `function.json` in the app root (`{name}/function.json`),
/// read once when the adapter binds: the host reads them at start too, and
/// a call reads none, nor adds to them. Names are compared without ASCII
/// case, as Azure compares function names.
#[derive(Debug, Default)]
pub(crate) struct FunctionCatalog {
    /// By name, sorted without case; one per name.
    /// (Each name shared: an invocation's context takes it without a copy.)
    functions: Vec<(std::sync::Arc<str>, FunctionJson)>,
}

impl FunctionCatalog {
    /// Reads `dir/*/function.json`. A folder without one is no function
    /// (`target`, `.git`); one that cannot be read, or is not a JSON
    /// object, is logged and left out (its envelopes are then read by
    /// their shape, as before). A missing `dir` has none.
    pub(crate) fn read(dir: &Path) -> Self {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Self::default();
        };
        let mut functions = Vec::new();
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            // No function name has a dot (nor can a folder name have a
            // slash); `.git`, `.vscode` are no functions.
            if name.is_empty() || name.contains('.') {
                continue;
            }
            let path = entry.path().join("function.json");
            match FunctionJson::read(&path) {
                None => {}
                Some(Ok(function)) => functions.push((std::sync::Arc::from(name), function)),
                Some(Err(reason)) => tracing::warn!(
                    target: "anyfn::azure",
                    "{} cannot be read ({reason}): {name}'s envelopes are read by their shape",
                    path.display()
                ),
            }
        }
        functions.sort_by(|(a, _), (b, _)| caseless(a).cmp(caseless(b)).then_with(|| a.cmp(b)));
        functions.dedup_by(|(later, _), (kept, _)| {
            let same = later.eq_ignore_ascii_case(kept);
            if same {
                tracing::warn!(
                    target: "anyfn::azure",
                    "functions {kept:?} and {later:?} differ only in case, as Azure does not tell \
                     names apart: {kept:?}'s function.json is used for both"
                );
            }
            same
        });
        Self { functions }
    }

    /// The `function.json` of the function `name` (any case).
    #[cfg(test)]
    pub(crate) fn get(&self, name: &str) -> Option<&FunctionJson> {
        self.entry(name).map(|(_, function)| function)
    }

    /// The function `name` (any case): its name as its folder spells it,
    /// and its `function.json`.
    pub(crate) fn entry(&self, name: &str) -> Option<(&std::sync::Arc<str>, &FunctionJson)> {
        // The same order as `caseless`'s, the name looked for told at once
        // (spelled as its folder is, the usual case: a memory comparison).
        self.functions
            .binary_search_by(|(known, _)| {
                if **known == *name || known.eq_ignore_ascii_case(name) {
                    std::cmp::Ordering::Equal
                } else {
                    caseless(known).cmp(caseless(name))
                }
            })
            .ok()
            .and_then(|index| self.functions.get(index))
            .map(|(known, function)| (known, function))
    }

    /// Each function's name, as its folder spells it.
    pub(crate) fn names(&self) -> impl Iterator<Item = &std::sync::Arc<str>> {
        self.functions.iter().map(|(name, _)| name)
    }

    /// How many functions it has.
    pub(crate) fn len(&self) -> usize {
        self.functions.len()
    }
}

/// `name`'s bytes, ASCII letters in lower case: an order without case.
fn caseless(name: &str) -> impl Iterator<Item = u8> + '_ {
    name.bytes().map(|byte| byte.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        let limit = |secs| Some(FunctionTimeout::Limit(Duration::from_secs(secs)));
        assert_eq!(parse_function_timeout("00:05:00"), limit(300));
        assert_eq!(parse_function_timeout("1.02:00:30"), limit(93_630));
        assert_eq!(
            parse_function_timeout("00:00:01.5"),
            Some(FunctionTimeout::Limit(Duration::from_millis(1_500)))
        );
        assert_eq!(
            parse_function_timeout("-1"),
            Some(FunctionTimeout::Unbounded)
        );
        assert_eq!(parse_function_timeout("5 minutes"), None);
        assert_eq!(parse_function_timeout("00:60:00"), None);
        assert_eq!(parse_function_timeout("00:05"), None);
    }

    #[test]
    fn host_json_modes_timeout_and_prefix() {
        let host = HostJson::parse(
            r#"{"version": "2.0", "functionTimeout": "00:00:10",
                "customHandler": {"description": {"defaultExecutablePath": "app"}, "enableForwardingHttpRequest": true},
                "extensions": {"http": {"routePrefix": "/v1/"}}}"#,
        )
        .expect("valid");
        assert_eq!(
            host,
            HostJson {
                mode: Mode::Forwarding,
                function_timeout: FunctionTimeout::Limit(Duration::from_secs(10)),
                route_prefix: "v1".into(),
            }
        );
        let proxying = HostJson::parse(r#"{"customHandler": {"enableProxyingHttpRequest": "true", "enableForwardingHttpRequest": true}}"#)
            .expect("valid");
        assert_eq!(proxying.mode, Mode::Proxying);
        assert_eq!(HostJson::parse("{}").expect("valid"), HostJson::default());
        assert!(HostJson::parse(r#"{"functionTimeout": "soon"}"#).is_err());
        assert!(HostJson::parse("[").is_err());
    }

    #[test]
    fn timeout_resolution() {
        let ten = FunctionTimeout::Limit(Duration::from_secs(10));
        assert_eq!(
            resolve_timeout(None, None, ten, None).ok(),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            resolve_timeout(None, Some("250"), ten, None).ok(),
            Some(Duration::from_millis(250)),
            "the deprecated ANYFN_AZURE_TIMEOUT_MS over host.json"
        );
        assert_eq!(
            resolve_timeout(Some(Duration::from_millis(400)), Some("250"), ten, None).ok(),
            Some(Duration::from_millis(400)),
            "the builder's or ANYFN_TIMEOUT_MS over the deprecated name"
        );
        assert_eq!(
            resolve_timeout(Some(Duration::from_millis(400)), Some("soon"), ten, None).ok(),
            Some(Duration::from_millis(400)),
            "the deprecated name, unread, cannot fail"
        );
        assert_eq!(
            resolve_timeout(None, Some(" "), ten, None).ok(),
            Some(Duration::from_secs(10)),
            "empty is unset"
        );
        let err = resolve_timeout(None, Some("0"), ten, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ANYFN_AZURE_TIMEOUT_MS=\"0\" is invalid: expected a positive whole number of milliseconds, such as 10000"
        );
        assert_eq!(
            resolve_timeout(None, None, FunctionTimeout::Absent, None).ok(),
            Some(CONSUMPTION_DEFAULT_TIMEOUT)
        );
        assert_eq!(
            resolve_timeout(None, None, FunctionTimeout::Absent, Some("Dynamic")).ok(),
            Some(CONSUMPTION_DEFAULT_TIMEOUT)
        );
        assert_eq!(
            resolve_timeout(None, None, FunctionTimeout::Absent, Some("ElasticPremium")).ok(),
            Some(OTHER_PLANS_DEFAULT_TIMEOUT)
        );
        assert_eq!(
            resolve_timeout(None, None, FunctionTimeout::Unbounded, None).ok(),
            Some(UNBOUNDED_TIMEOUT)
        );
        assert_eq!(
            resolve_timeout(
                Some(Duration::from_secs(1)),
                None,
                FunctionTimeout::Unbounded,
                None
            )
            .ok(),
            Some(Duration::from_secs(1)),
            "over host.json's"
        );
    }

    #[test]
    fn the_catalog_has_each_function_json_by_name_in_any_case() {
        let dir = std::env::temp_dir().join(format!("anyfn-azure-catalog-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let write = |name: &str, text: &str| {
            std::fs::create_dir_all(dir.join(name)).expect("a folder");
            std::fs::write(dir.join(name).join("function.json"), text).expect("function.json");
        };
        let queue =
            r#"{"bindings": [{"name": "item", "type": "queueTrigger", "direction": "in"}]}"#;
        write("Orders", queue);
        write(
            "hello",
            r#"{"bindings": [{"name": "req", "type": "httpTrigger"}]}"#,
        );
        write("Broken", "{");
        // Told apart by a case-sensitive file system, not by Azure: the
        // first in byte order is kept.
        write(
            "orders",
            r#"{"bindings": [{"name": "other", "type": "queueTrigger"}]}"#,
        );
        write(".hidden", queue);
        std::fs::create_dir_all(dir.join("target")).expect("a folder without one");
        std::fs::write(dir.join("host.json"), "{}").expect("a file");

        let catalog = FunctionCatalog::read(&dir);
        assert_eq!(catalog.len(), 2, "{catalog:?}");
        for name in ["Orders", "orders", "ORDERS", "oRdErS"] {
            let found = catalog.get(name).and_then(|f| f.trigger.as_deref());
            assert_eq!(found, Some("item"), "{name}");
        }
        assert_eq!(
            catalog.get("HELLO").and_then(|f| f.trigger.as_deref()),
            Some("req")
        );
        for none in [
            "Broken",
            "target",
            ".hidden",
            "host.json",
            "",
            "Order",
            "Orders2",
        ] {
            assert!(catalog.get(none).is_none(), "{none}");
        }
        assert_eq!(FunctionCatalog::read(&dir.join("missing")).len(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn function_json_bindings() {
        let function = FunctionJson::from_map(
            serde_json::json!({"bindings": [
                {"name": "req", "type": "httpTrigger", "direction": "in", "dataType": "binary"},
                {"name": "$return", "type": "http", "direction": "out"}
            ]})
            .as_object()
            .expect("object"),
        );
        assert_eq!(
            function,
            FunctionJson {
                trigger: Some("req".into()),
                trigger_type: Some("httpTrigger".into()),
                data_type: Some("binary".into()),
                http_output: Some("$return".into()),
            }
        );
    }
}

//! What only Azure Functions knows about an invocation: [`AzureContextExt`].

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::lenient;
use crate::{AzureTrigger, Mode};

/// The host's `sys` metadata of an envelope invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SysMetadata {
    /// `MethodName`: the function's name.
    pub method_name: Option<String>,
    /// `UtcNow`: when the host made the invocation, as it wrote it.
    pub utc_now: Option<String>,
    /// `RandGuid`: a fresh GUID per invocation.
    pub rand_guid: Option<String>,
}

impl SysMetadata {
    /// Reads `sys` from an envelope's metadata (`None` when absent).
    pub(crate) fn from_metadata(metadata: &Map<String, Value>) -> Option<Self> {
        let sys = lenient::object(lenient::get(metadata, "sys")?)?;
        let field = |key: &str| {
            lenient::get(&sys, key)
                .and_then(lenient::text)
                .map(std::borrow::Cow::into_owned)
        };
        Some(Self {
            method_name: field("MethodName"),
            utc_now: field("UtcNow"),
            rand_guid: field("RandGuid"),
        })
    }
}

/// Azure's details of one invocation, in the context's extensions.
///
/// What comes from the envelope is read from the host's JSON when asked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AzureInvocation {
    // Shared with the adapter and the context: no copy per invocation.
    invocation_id: Arc<str>,
    function_name: Arc<str>,
    mode: Mode,
    trigger: Option<AzureTrigger>,
}

impl AzureInvocation {
    pub(crate) fn new(
        invocation_id: Arc<str>,
        function_name: Arc<str>,
        mode: Mode,
        trigger: Option<AzureTrigger>,
    ) -> Self {
        Self {
            invocation_id,
            function_name,
            mode,
            trigger,
        }
    }

    /// The host's invocation id (`X-Azure-Functions-InvocationId`); also
    /// the context's request id.
    pub fn invocation_id(&self) -> &str {
        &self.invocation_id
    }

    /// The function's name, as the host called it.
    pub fn function_name(&self) -> &str {
        &self.function_name
    }

    /// The function's name, shared.
    pub(crate) fn shared_function_name(&self) -> Arc<str> {
        Arc::clone(&self.function_name)
    }

    /// The function's name, as it is shared.
    pub(crate) fn function_name_shared(&self) -> &Arc<str> {
        &self.function_name
    }

    /// How the host reached the handler.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The trigger (envelope mode): its binding, value and metadata.
    pub fn trigger(&self) -> Option<&AzureTrigger> {
        self.trigger.as_ref()
    }

    /// The trigger's metadata (envelope mode), `sys` included; empty
    /// otherwise.
    pub fn metadata(&self) -> &Map<String, Value> {
        self.trigger
            .as_ref()
            .map_or_else(|| empty_map(), AzureTrigger::all_metadata)
    }

    /// `sys` (envelope mode).
    pub fn sys(&self) -> Option<SysMetadata> {
        SysMetadata::from_metadata(self.metadata())
    }

    /// Every input binding's value under `Data` (envelope mode), the
    /// trigger's included; empty otherwise.
    pub fn data(&self) -> &Map<String, Value> {
        self.trigger
            .as_ref()
            .map_or_else(|| empty_map(), AzureTrigger::data)
    }

    /// An HTTP trigger's route parameters (`Params`), by name, as the host
    /// sent them (envelope mode; empty otherwise). The request carries them
    /// as text too: [`RequestExt::path_params`](anyfn::RequestExt::path_params).
    pub fn params(&self) -> Map<String, Value> {
        self.request_field("Params")
            .and_then(|params| lenient::object(params).map(Cow::into_owned))
            .unwrap_or_default()
    }

    /// An HTTP trigger's `Identities` (the caller's claims identities, as
    /// the host serialized them), when it sent any.
    pub fn identities(&self) -> Option<Value> {
        self.request_field("Identities")
            .filter(|value| !value.is_null())
            .cloned()
    }

    fn request_field(&self, key: &str) -> Option<&Value> {
        let value = self.trigger.as_ref()?.value();
        match value {
            Value::Object(request) => lenient::get(request, key),
            _ => None,
        }
    }

    /// A timer trigger's `IsPastDue`: whether this tick runs late (the app
    /// was down when it was due). `None` when no input is a timer's.
    pub fn timer_is_past_due(&self) -> Option<bool> {
        self.data().values().find_map(|value| {
            lenient::object(value)
                .and_then(|timer| lenient::get(&timer, "IsPastDue").and_then(lenient::boolean))
        })
    }
}

fn empty_map() -> &'static Map<String, Value> {
    static EMPTY: OnceLock<Map<String, Value>> = OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

/// Reads Azure's details from a [`Context`](anyfn::Context).
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_azure::AzureContextExt;
///
/// let handler = handler_fn(|_event: Json<serde_json::Value>, context: Context| async move {
///     let dequeue_count = context
///         .azure()
///         .and_then(|azure| azure.metadata().get("DequeueCount").cloned());
///     Ok::<_, anyfn::Error>(Json(dequeue_count))
/// });
/// # let _ = handler;
/// ```
pub trait AzureContextExt {
    /// Azure's details, when running as a custom handler.
    fn azure(&self) -> Option<&AzureInvocation>;
}

impl AzureContextExt for anyfn::Context {
    fn azure(&self) -> Option<&AzureInvocation> {
        self.extensions().get::<AzureInvocation>()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn sys_from_metadata() {
        let metadata = json!({"sys": {"MethodName": "QueueTrigger", "UtcNow": "2019-10-09T17:58:32.2205399Z", "RandGuid": "24ad4c06"}});
        let sys = SysMetadata::from_metadata(metadata.as_object().expect("object"));
        assert_eq!(
            sys,
            Some(SysMetadata {
                method_name: Some("QueueTrigger".into()),
                utc_now: Some("2019-10-09T17:58:32.2205399Z".into()),
                rand_guid: Some("24ad4c06".into()),
            })
        );
        assert_eq!(SysMetadata::from_metadata(&Map::new()), None);
        let invocation = AzureInvocation::default();
        assert_eq!(invocation.timer_is_past_due(), None);
        let timer = AzureTrigger::new("timer", json!({"IsPastDue": "True"}));
        let invocation =
            AzureInvocation::new("i".into(), "tick".into(), Mode::Envelope, Some(timer));
        assert_eq!(invocation.timer_is_past_due(), Some(true));
        let request = AzureTrigger::new(
            "req",
            json!({"Params": {"id": "7"}, "Identities": [{"AuthenticationType": null}]}),
        );
        let invocation =
            AzureInvocation::new("i".into(), "get".into(), Mode::Envelope, Some(request));
        assert_eq!(invocation.params()["id"], "7");
        assert_eq!(
            invocation.identities(),
            Some(json!([{"AuthenticationType": null}]))
        );
    }
}

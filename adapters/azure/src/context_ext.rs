//! What only Azure Functions knows about an invocation: [`AzureContextExt`].

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::lenient;
use crate::Mode;

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
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct AzureInvocation {
    /// The host's invocation id (`X-Azure-Functions-InvocationId`); also
    /// the context's request id.
    pub invocation_id: String,
    /// The function's name, as the host called it.
    pub function_name: String,
    /// How the host reached the handler.
    pub mode: Mode,
    /// The trigger's metadata (envelope mode), `sys` included.
    pub metadata: Arc<Map<String, Value>>,
    /// `sys` (envelope mode).
    pub sys: Option<SysMetadata>,
    /// An HTTP trigger's route parameters (`Params`), by name.
    pub params: Map<String, Value>,
    /// An HTTP trigger's `Identities` (the caller's claims identities, as
    /// the host serialized them), when it sent any.
    pub identities: Option<Value>,
    /// Every input binding's value under `Data` (envelope mode), the
    /// trigger's included.
    pub data: Arc<Map<String, Value>>,
}

impl AzureInvocation {
    /// A timer trigger's `IsPastDue`: whether this tick runs late (the app
    /// was down when it was due). `None` when no input is a timer's.
    pub fn timer_is_past_due(&self) -> Option<bool> {
        self.data.values().find_map(|value| {
            lenient::object(value)
                .and_then(|timer| lenient::get(&timer, "IsPastDue").and_then(lenient::boolean))
        })
    }
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
///         .and_then(|azure| azure.metadata.get("DequeueCount").cloned());
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
        let mut invocation = AzureInvocation::default();
        assert_eq!(invocation.timer_is_past_due(), None);
        Arc::make_mut(&mut invocation.data).insert("timer".into(), json!({"IsPastDue": "True"}));
        assert_eq!(invocation.timer_is_past_due(), Some(true));
    }
}

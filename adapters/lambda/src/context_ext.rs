//! What only Lambda knows about an invocation: [`LambdaContextExt`].

use std::collections::HashMap;

use anyfn::Context;

use crate::EventSource;

/// The client context an AWS Mobile SDK caller sent with the invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientContext {
    /// The app installation's id.
    pub installation_id: String,
    /// The app's title.
    pub app_title: String,
    /// The app's version name.
    pub app_version_name: String,
    /// The app's version code.
    pub app_version_code: String,
    /// The app's package name.
    pub app_package_name: String,
    /// Custom values set by the app.
    pub custom: HashMap<String, String>,
    /// Environment values reported by the SDK.
    pub environment: HashMap<String, String>,
}

/// The Amazon Cognito identity of the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CognitoIdentity {
    /// The identity's id.
    pub identity_id: String,
    /// The identity pool's id.
    pub identity_pool_id: String,
}

/// Lambda's details of one invocation, stored in the context's extensions.
#[derive(Debug, Clone)]
pub(crate) struct InvocationDetails {
    pub(crate) invoked_function_arn: String,
    pub(crate) client_context: Option<ClientContext>,
    pub(crate) identity: Option<CognitoIdentity>,
}

/// Reads Lambda's details from a [`Context`].
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_lambda::LambdaContextExt;
///
/// let handler = handler_fn(|_event: Json<serde_json::Value>, context: Context| async move {
///     let arn = context.invoked_function_arn().unwrap_or("not on Lambda").to_owned();
///     Ok::<_, anyfn::Error>(Json(arn))
/// });
/// # let _ = handler;
/// ```
pub trait LambdaContextExt {
    /// The ARN the function was invoked with (it names the alias or version).
    fn invoked_function_arn(&self) -> Option<&str>;
    /// The mobile SDK's client context, when the caller sent one.
    fn client_context(&self) -> Option<&ClientContext>;
    /// The Cognito identity of the caller, when there is one.
    fn identity(&self) -> Option<&CognitoIdentity>;
    /// The shape the payload came in.
    fn event_source(&self) -> Option<EventSource>;
}

impl LambdaContextExt for Context {
    fn invoked_function_arn(&self) -> Option<&str> {
        self.extensions()
            .get::<InvocationDetails>()
            .map(|details| details.invoked_function_arn.as_str())
    }

    fn client_context(&self) -> Option<&ClientContext> {
        self.extensions()
            .get::<InvocationDetails>()?
            .client_context
            .as_ref()
    }

    fn identity(&self) -> Option<&CognitoIdentity> {
        self.extensions()
            .get::<InvocationDetails>()?
            .identity
            .as_ref()
    }

    fn event_source(&self) -> Option<EventSource> {
        self.extensions().get::<EventSource>().copied()
    }
}

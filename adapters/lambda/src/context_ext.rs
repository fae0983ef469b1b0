//! What only Lambda knows about an invocation: [`LambdaContextExt`].

use std::collections::HashMap;

use anyfn::Context;

use crate::EventSource;

/// The client context an AWS Mobile SDK caller sent with the invocation.
///
/// # Example
///
/// ```
/// use anyfn::Context;
/// use anyfn_lambda::{ClientContext, InvocationDetails, LambdaContextExt};
///
/// let mut client = ClientContext::default();
/// client.app_title = "Notes".to_owned();
/// client.custom.insert("theme".to_owned(), "dark".to_owned());
/// let details = InvocationDetails::new("arn:aws:lambda:us-east-1:123456789012:function:notes").with_client_context(client);
/// let context = Context::builder().extension(details).build();
/// let client = context.client_context().expect("sent by the SDK");
/// assert_eq!((client.app_title.as_str(), client.custom["theme"].as_str()), ("Notes", "dark"));
/// ```
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
///
/// # Example
///
/// ```
/// use anyfn::Context;
/// use anyfn_lambda::{CognitoIdentity, InvocationDetails, LambdaContextExt};
///
/// let mut identity = CognitoIdentity::default();
/// identity.identity_id = "us-east-1:1234".to_owned();
/// identity.identity_pool_id = "us-east-1:pool".to_owned();
/// let details = InvocationDetails::new("arn:aws:lambda:us-east-1:123456789012:function:notes").with_identity(identity);
/// let context = Context::builder().extension(details).build();
/// assert_eq!(context.identity().map(|id| id.identity_pool_id.as_str()), Some("us-east-1:pool"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CognitoIdentity {
    /// The identity's id.
    pub identity_id: String,
    /// The identity pool's id.
    pub identity_pool_id: String,
}

/// Lambda's details of one invocation, which [`LambdaContextExt`] reads from
/// the context's extensions: the adapter puts one there for every
/// invocation, and a unit test puts its own, so that a handler reading
/// the ARN, the client context or the identity runs under
/// `anyfn_test::Harness` as on Lambda.
///
/// # Example
///
/// ```
/// use anyfn::Context;
/// use anyfn_lambda::{CognitoIdentity, LambdaContextExt, InvocationDetails};
///
/// let mut identity = CognitoIdentity::default();
/// identity.identity_id = "us-east-1:1234".to_owned();
/// let context = Context::builder()
///     .extension(
///         InvocationDetails::new("arn:aws:lambda:us-east-1:123456789012:function:orders:live")
///             .with_identity(identity),
///     )
///     .build();
/// assert_eq!(
///     context.invoked_function_arn(),
///     Some("arn:aws:lambda:us-east-1:123456789012:function:orders:live")
/// );
/// assert_eq!(context.identity().map(|id| id.identity_id.as_str()), Some("us-east-1:1234"));
/// assert_eq!(context.client_context(), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvocationDetails {
    pub(crate) invoked_function_arn: String,
    pub(crate) client_context: Option<ClientContext>,
    pub(crate) identity: Option<CognitoIdentity>,
}

impl InvocationDetails {
    /// An invocation through `invoked_function_arn` (the ARN the caller
    /// used: it names the alias or version), with no client context and no
    /// identity.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::Context;
    /// use anyfn_lambda::{InvocationDetails, LambdaContextExt};
    ///
    /// let details = InvocationDetails::new("arn:aws:lambda:us-east-1:123456789012:function:notes:live");
    /// let context = Context::builder().extension(details).build();
    /// assert_eq!(context.invoked_function_arn(), Some("arn:aws:lambda:us-east-1:123456789012:function:notes:live"));
    /// assert_eq!((context.client_context(), context.identity()), (None, None));
    /// ```
    pub fn new(invoked_function_arn: impl Into<String>) -> Self {
        Self {
            invoked_function_arn: invoked_function_arn.into(),
            client_context: None,
            identity: None,
        }
    }

    /// With the mobile SDK's client context.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::Context;
    /// use anyfn_lambda::{ClientContext, InvocationDetails, LambdaContextExt};
    ///
    /// let mut client = ClientContext::default();
    /// client.installation_id = "install-7".to_owned();
    /// let details = InvocationDetails::new("arn:aws:lambda:us-east-1:123456789012:function:notes").with_client_context(client);
    /// let context = Context::builder().extension(details).build();
    /// assert_eq!(context.client_context().map(|c| c.installation_id.as_str()), Some("install-7"));
    /// ```
    #[must_use]
    pub fn with_client_context(mut self, client_context: ClientContext) -> Self {
        self.client_context = Some(client_context);
        self
    }

    /// With the caller's Cognito identity.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::Context;
    /// use anyfn_lambda::{CognitoIdentity, InvocationDetails, LambdaContextExt};
    ///
    /// let mut identity = CognitoIdentity::default();
    /// identity.identity_id = "us-east-1:1234".to_owned();
    /// let details = InvocationDetails::new("arn:aws:lambda:us-east-1:123456789012:function:notes").with_identity(identity);
    /// let context = Context::builder().extension(details).build();
    /// assert_eq!(context.identity().map(|id| id.identity_id.as_str()), Some("us-east-1:1234"));
    /// ```
    #[must_use]
    pub fn with_identity(mut self, identity: CognitoIdentity) -> Self {
        self.identity = Some(identity);
        self
    }
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

//! What API Gateway and Function URLs say about a request beyond HTTP:
//! [`ApiGatewayRequestContext`] and [`ApiGatewayContextExt`].

use std::sync::OnceLock;

use anyfn::Context;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// The `requestContext` of an API Gateway (REST or HTTP API) or Function URL
/// event: the stage, the route, the caller's address, the authorizer's claims.
///
/// Read it from a handler's context with [`ApiGatewayContextExt`].
///
/// A unit test gives a handler one as the adapter does, as an extension of
/// its context (`harness.next_context().extension(request_context)` with
/// `anyfn_test::Harness`); the fields are public, so
/// `ApiGatewayRequestContext::default()` and assignments make one.
///
/// # Example
///
/// ```
/// use anyfn::Context;
/// use anyfn_lambda::{ApiGatewayContextExt, ApiGatewayRequestContext};
///
/// let mut request_context = ApiGatewayRequestContext::default();
/// request_context.stage = Some("prod".to_owned());
/// request_context.route_key = Some("GET /orders/{id}".to_owned());
/// let context = Context::builder().extension(request_context).build();
/// let api = context.api_gateway().expect("from API Gateway");
/// assert_eq!(api.route_key.as_deref(), Some("GET /orders/{id}"));
/// assert_eq!(api.authorizer(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct ApiGatewayRequestContext {
    /// The stage (`prod`, `$default`, …). The path the handler sees never
    /// starts with it.
    pub stage: Option<String>,
    /// The route key of an HTTP API (`GET /orders/{id}`, `$default`), or the
    /// resource path of a REST API (`/orders/{id}`).
    pub route_key: Option<String>,
    /// API Gateway's own id for the request (not the Lambda request id).
    pub request_id: Option<String>,
    /// The caller's IP address.
    pub source_ip: Option<String>,
    /// The caller's `User-Agent`, as API Gateway saw it.
    pub user_agent: Option<String>,
    /// The domain the request was sent to.
    pub domain_name: Option<String>,
    /// The API's id.
    pub api_id: Option<String>,
    /// The AWS account that owns the API.
    pub account_id: Option<String>,
    /// The authorizer's output, kept as JSON text until asked for.
    authorizer: Option<Authorizer>,
}

/// The `authorizer` object, parsed on first use: most handlers never read it,
/// and an IAM or JWT authorizer's output is dozens of values.
#[derive(Debug, Clone, Default)]
struct Authorizer {
    text: Box<str>,
    parsed: OnceLock<Value>,
}

impl PartialEq for Authorizer {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl ApiGatewayRequestContext {
    /// What the authorizer passed on, as sent: JWT claims under
    /// `jwt.claims`, a Lambda authorizer's context under `lambda`, Cognito
    /// claims under `claims`, IAM details under `iam`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_lambda::ApiGatewayRequestContext;
    /// use serde_json::json;
    ///
    /// assert_eq!(ApiGatewayRequestContext::default().authorizer(), None);
    /// let context = ApiGatewayRequestContext::default()
    ///     .with_authorizer(json!({"lambda": {"tenant": "acme"}}));
    /// assert_eq!(context.authorizer(), Some(&json!({"lambda": {"tenant": "acme"}})));
    /// ```
    pub fn authorizer(&self) -> Option<&Value> {
        let authorizer = self.authorizer.as_ref()?;
        Some(
            authorizer
                .parsed
                .get_or_init(|| serde_json::from_str(&authorizer.text).unwrap_or(Value::Null)),
        )
        .filter(|value| !value.is_null())
    }

    /// Sets the authorizer's output (for tests and custom adapters).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_lambda::ApiGatewayRequestContext;
    /// use serde_json::json;
    ///
    /// let context = ApiGatewayRequestContext::default()
    ///     .with_authorizer(json!({"jwt": {"claims": {"sub": "user-7"}, "scopes": ["read"]}}));
    /// assert_eq!(context.authorizer().map(|a| &a["jwt"]["scopes"][0]), Some(&json!("read")));
    /// assert_eq!(context.claim("sub"), Some(&json!("user-7")));
    /// ```
    #[must_use]
    pub fn with_authorizer(mut self, authorizer: Value) -> Self {
        self.authorizer = Some(Authorizer {
            text: authorizer.to_string().into_boxed_str(),
            parsed: OnceLock::from(authorizer),
        });
        self
    }

    /// The authorizer claim `name`, looked up where each authorizer puts its
    /// claims: `jwt.claims` (HTTP API JWT), `claims` (REST Cognito), `lambda`
    /// (HTTP API Lambda authorizer), or the authorizer object itself (REST
    /// Lambda authorizer).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_lambda::ApiGatewayRequestContext;
    ///
    /// let context = ApiGatewayRequestContext::default()
    ///     .with_authorizer(serde_json::json!({"jwt": {"claims": {"sub": "user-7"}}}));
    /// assert_eq!(context.claim("sub").and_then(|v| v.as_str()), Some("user-7"));
    /// ```
    pub fn claim(&self, name: &str) -> Option<&Value> {
        let authorizer = self.authorizer()?;
        authorizer
            .pointer("/jwt/claims")
            .and_then(|claims| claims.get(name))
            .or_else(|| authorizer.get("claims").and_then(|claims| claims.get(name)))
            .or_else(|| authorizer.get("lambda").and_then(|claims| claims.get(name)))
            .or_else(|| authorizer.get(name))
    }
}

/// Reads the API Gateway request context from a [`Context`].
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Request, Response};
/// use anyfn_lambda::ApiGatewayContextExt;
///
/// let handler = handler_fn(|_request: Request, context: Context| async move {
///     let stage = context
///         .api_gateway()
///         .and_then(|api| api.stage.clone())
///         .unwrap_or_default();
///     Ok::<_, anyfn::Error>(anyfn::response::text(stage))
/// });
/// # let _ = handler;
/// ```
pub trait ApiGatewayContextExt {
    /// The request context, when the invocation came from API Gateway or a
    /// Function URL.
    fn api_gateway(&self) -> Option<&ApiGatewayRequestContext>;
}

impl ApiGatewayContextExt for Context {
    fn api_gateway(&self) -> Option<&ApiGatewayRequestContext> {
        self.extensions().get::<ApiGatewayRequestContext>()
    }
}

/// `requestContext` as sent, in every shape: the markers that tell the shapes
/// apart and the details handlers may ask for.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawRequestContext {
    /// Present only in ALB events.
    pub(super) elb: Option<IgnoredAny>,
    /// Present in HTTP API (v2) and Function URL events.
    pub(super) http: Option<RawHttpDetails>,
    pub(super) identity: Option<RawIdentity>,
    pub(super) stage: Option<String>,
    pub(super) route_key: Option<String>,
    pub(super) resource_path: Option<String>,
    pub(super) request_id: Option<String>,
    pub(super) domain_name: Option<String>,
    pub(super) api_id: Option<String>,
    pub(super) account_id: Option<String>,
    pub(super) authorizer: Option<Box<RawValue>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawHttpDetails {
    pub(super) method: Option<String>,
    pub(super) source_ip: Option<String>,
    pub(super) user_agent: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawIdentity {
    pub(super) source_ip: Option<String>,
    pub(super) user_agent: Option<String>,
}

impl RawRequestContext {
    pub(super) fn into_public(self) -> ApiGatewayRequestContext {
        let (http_ip, http_agent) = self
            .http
            .map(|http| (http.source_ip, http.user_agent))
            .unwrap_or_default();
        let (identity_ip, identity_agent) = self
            .identity
            .map(|identity| (identity.source_ip, identity.user_agent))
            .unwrap_or_default();
        ApiGatewayRequestContext {
            stage: self.stage,
            route_key: self.route_key.or(self.resource_path),
            request_id: self.request_id,
            source_ip: http_ip.or(identity_ip),
            user_agent: http_agent.or(identity_agent),
            domain_name: self.domain_name,
            api_id: self.api_id,
            account_id: self.account_id,
            authorizer: self
                .authorizer
                .filter(|raw| raw.get() != "null")
                .map(|raw| Authorizer {
                    text: raw.get().into(),
                    parsed: OnceLock::new(),
                }),
        }
    }
}

//! [`CloudflareContextExt`]: what a handler can read of the Worker that
//! runs it (the `cf` object, colo, country, the `Env` of bindings).

use std::sync::OnceLock;

use anyfn::Context;
use js_sys::Reflect;
use wasm_bindgen::{JsCast as _, JsValue};
use worker::send::SendWrapper;
use worker::worker_sys::ext::RequestExt;
use worker::{Cf, Env};

/// What started an invocation.
///
/// # Example
///
/// ```ignore
/// use anyfn_cloudflare::{CloudflareContextExt, Trigger};
///
/// # fn f(context: &anyfn::Context) {
/// if let Some(worker) = context.cloudflare() {
///     assert_eq!(worker.trigger(), Trigger::Fetch);
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trigger {
    /// An HTTP request (`fetch`).
    Fetch,
    /// A cron trigger (`scheduled`).
    Scheduled,
    /// A batch from a Cloudflare Queue (`queue`).
    Queue,
}

/// The Worker's side of one invocation, in the context's extensions.
///
/// The `Env` (bindings: KV, R2, D1, queues, secrets, vars) is behind
/// workers-rs's [`SendWrapper`]: handler futures must be `Send`, and a
/// Worker has one thread, so the wrapper's promise holds. A binding's own
/// futures are not `Send` either: wrap each in
/// [`worker::send::SendFuture`] before awaiting it in a handler.
///
/// # Example
///
/// ```ignore
/// use anyfn_cloudflare::CloudflareContextExt;
/// use worker::send::SendFuture;
///
/// async fn handler(request: anyfn::Request, context: anyfn::Context) -> Result<anyfn::Response, anyfn::Error> {
///     let worker = context.cloudflare().ok_or_else(|| anyfn::Error::bad_request("not on Workers"))?;
///     let kv = worker.env().kv("LINKS").map_err(|e| anyfn::Error::unavailable(e.to_string()))?;
///     let target = SendFuture::new(kv.get("home").text()).await.ok().flatten();
///     Ok(anyfn::response::text(target.unwrap_or_default()))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct CloudflareInvocation {
    trigger: Trigger,
    env: SendWrapper<Env>,
    /// The request's `cf` object as workers-rs reads it, read when a
    /// handler first asks for it (a call into JavaScript).
    cf: OnceLock<Option<Cf>>,
    /// The request, for its `cf` object, read property by property when a
    /// handler asks (the workers-rs accessors unwrap, and local workerd's
    /// `cf` lacks most): looking it up for every request, asked for or
    /// not, was two calls into JavaScript and a string made there.
    request: SendWrapper<Option<JsValue>>,
}

impl CloudflareInvocation {
    pub(crate) fn new(
        trigger: Trigger,
        env: Env,
        request: Option<worker::web_sys::Request>,
    ) -> Self {
        Self {
            trigger,
            env: SendWrapper::new(env),
            cf: OnceLock::new(),
            // The same JavaScript object, taken over (not `Request.clone()`,
            // which tees the body, nor another reference to it).
            request: SendWrapper::new(request.map(JsValue::from)),
        }
    }

    /// The request's `cf` object, if it has one.
    fn cf_object(&self) -> Option<JsValue> {
        let request = self.request.as_ref()?;
        Reflect::get(request, &JsValue::from_str("cf"))
            .ok()
            .filter(JsValue::is_object)
    }

    /// A string property of the `cf` object.
    fn cf_string(&self, name: &str) -> Option<String> {
        let cf = self.cf_object()?;
        Reflect::get(&cf, &JsValue::from_str(name))
            .ok()?
            .as_string()
    }

    /// What started the invocation.
    ///
    /// # Example
    ///
    /// ```ignore
    /// # fn f(worker: &anyfn_cloudflare::CloudflareInvocation) {
    /// let _trigger = worker.trigger();
    /// # }
    /// ```
    pub fn trigger(&self) -> Trigger {
        self.trigger
    }

    /// The Worker's bindings.
    ///
    /// # Example
    ///
    /// ```ignore
    /// # fn f(worker: &anyfn_cloudflare::CloudflareInvocation) {
    /// let greeting = worker.env().var("GREETING").map(|v| v.to_string());
    /// # }
    /// ```
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The request's `cf` object as workers-rs reads it (a `fetch`; none for
    /// cron triggers and queue batches). Some of workers-rs's accessors
    /// panic when their property is missing, as most are under local
    /// workerd: [`colo`](Self::colo), [`country`](Self::country) and
    /// [`cf_json`](Self::cf_json) do not.
    ///
    /// # Example
    ///
    /// ```ignore
    /// # fn f(worker: &anyfn_cloudflare::CloudflareInvocation) {
    /// let asn = worker.cf().and_then(|cf| cf.asn());
    /// # }
    /// ```
    pub fn cf(&self) -> Option<&Cf> {
        self.cf
            .get_or_init(|| {
                let request = self.request.as_ref()?;
                RequestExt::cf(request.unchecked_ref::<worker::web_sys::Request>()).map(Cf::from)
            })
            .as_ref()
    }

    /// The data center that took the request (`cf.colo`, e.g. `"LHR"`).
    ///
    /// # Example
    ///
    /// ```ignore
    /// # fn f(worker: &anyfn_cloudflare::CloudflareInvocation) {
    /// let colo = worker.colo();
    /// # }
    /// ```
    pub fn colo(&self) -> Option<String> {
        self.cf_string("colo")
    }

    /// The client's country (`cf.country`, ISO 3166-1 alpha-2).
    ///
    /// # Example
    ///
    /// ```ignore
    /// # fn f(worker: &anyfn_cloudflare::CloudflareInvocation) {
    /// let country = worker.country();
    /// # }
    /// ```
    pub fn country(&self) -> Option<String> {
        self.cf_string("country")
    }

    /// The whole `cf` object as JSON (`None` without one).
    ///
    /// # Example
    ///
    /// ```ignore
    /// # fn f(worker: &anyfn_cloudflare::CloudflareInvocation) {
    /// let tls = worker.cf_json().and_then(|cf| cf.get("tlsVersion").cloned());
    /// # }
    /// ```
    pub fn cf_json(&self) -> Option<serde_json::Value> {
        let cf = self.cf_object()?;
        let text = js_sys::JSON::stringify(&cf).ok()?.as_string()?;
        serde_json::from_str(&text).ok()
    }
}

/// Reads the Worker's side of an invocation from its [`Context`].
///
/// # Example
///
/// ```ignore
/// use anyfn_cloudflare::CloudflareContextExt;
///
/// # fn f(context: &anyfn::Context) {
/// let colo = context.cloudflare().and_then(|worker| worker.colo());
/// # }
/// ```
pub trait CloudflareContextExt {
    /// The Worker's side of the invocation; `None` on another platform.
    fn cloudflare(&self) -> Option<&CloudflareInvocation>;
}

impl CloudflareContextExt for Context {
    fn cloudflare(&self) -> Option<&CloudflareInvocation> {
        self.extensions().get::<CloudflareInvocation>()
    }
}

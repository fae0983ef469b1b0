//! The entry points with the settings of the Worker's variables:
//! [`fetch`], [`scheduled`], [`queue`] (each [`Workers::new`]'s).

use anyfn::Handler;
use wasm_bindgen::JsValue;
use worker::{web_sys, Env, MessageBatch, ScheduleContext, ScheduledEvent};

use crate::codec::{FromCloudflare, IntoCloudflare};
use crate::workers::Workers;

/// Answers a `fetch` with `handler`; see [`Workers::fetch`].
///
/// # Errors
///
/// None in practice: every failure is answered as an HTTP response.
///
/// # Example
///
/// ```ignore
/// #[worker::event(fetch)]
/// async fn fetch(request: worker::Request, env: worker::Env, ctx: worker::Context) -> worker::Result<worker::Response> {
///     anyfn_cloudflare::fetch(&anyfn::handler_fn(hello), request, env, ctx).await
/// }
/// ```
pub async fn fetch<H>(
    handler: &H,
    request: worker::Request,
    env: Env,
    ctx: worker::Context,
) -> worker::Result<worker::Response>
where
    H: Handler + ?Sized,
    H::Event: FromCloudflare,
    H::Output: IntoCloudflare,
{
    Workers::new().fetch(handler, request, env, ctx).await
}

/// The `fetch` export of [`entry_points!`]: [`Workers::fetch`] on the
/// runtime's own request and response (the request's head read, and a whole
/// response made, with one call into JavaScript each, where workers-rs's
/// `Request` and `Response`, which `#[event(fetch)]` converts to and from,
/// take a dozen); a failure to answer (none in practice) as
/// `#[event(fetch)]` answers one.
///
/// The answer's future is boxed, once, when this one is first polled: the
/// futures around this one (the export's, wasm-bindgen's `catch_unwind`
/// and `future_to_promise`, its task) are moved five times on their way to
/// the event loop, and with the answer's state inside them each move copied
/// it whole (1.3k instructions a request, the box 0.4k).
#[doc(hidden)]
pub async fn __fetch_entry<H>(handler: &H, request: web_sys::Request, env: Env) -> JsValue
where
    H: Handler + ?Sized,
    H::Event: FromCloudflare,
    H::Output: IntoCloudflare,
{
    match Box::pin(Workers::new().fetch_raw(handler, request, env)).await {
        Ok(response) => response.into(),
        Err(error) => {
            worker::console_error!("{}", &error);
            worker::Response::error("INTERNAL SERVER ERROR", 500)
                .map_or(JsValue::UNDEFINED, |response| {
                    web_sys::Response::from(response).into()
                })
        }
    }
}

/// Runs a cron trigger's firing with `handler`; see [`Workers::scheduled`].
///
/// # Example
///
/// ```ignore
/// #[worker::event(scheduled)]
/// async fn scheduled(event: worker::ScheduledEvent, env: worker::Env, ctx: worker::ScheduleContext) {
///     anyfn_cloudflare::scheduled(&anyfn::handler_fn(nightly), event, env, ctx).await
/// }
/// ```
pub async fn scheduled<H>(handler: &H, event: ScheduledEvent, env: Env, ctx: ScheduleContext)
where
    H: Handler + ?Sized,
    H::Event: FromCloudflare,
    H::Output: IntoCloudflare,
{
    Workers::new().scheduled(handler, event, env, ctx).await;
}

/// Runs a queue's batch with `handler`; see [`Workers::queue`].
///
/// # Errors
///
/// None in practice: a failure retries the batch.
///
/// # Example
///
/// ```ignore
/// #[worker::event(queue)]
/// async fn queue(batch: worker::MessageBatch<serde_json::Value>, env: worker::Env, ctx: worker::Context) -> worker::Result<()> {
///     anyfn_cloudflare::queue(&anyfn::handler_fn(work), batch, env, ctx).await
/// }
/// ```
pub async fn queue<H, T>(
    handler: &H,
    batch: MessageBatch<T>,
    env: Env,
    ctx: worker::Context,
) -> worker::Result<()>
where
    H: Handler + ?Sized,
    H::Event: FromCloudflare,
    H::Output: IntoCloudflare,
{
    Workers::new().queue(handler, batch, env, ctx).await
}

/// Writes a Worker's entry points, each calling one handler: `fetch`,
/// `scheduled` and `queue`, those named. `scheduled` and `queue` are
/// workers-rs's `#[event(…)]` functions calling [`scheduled`] or
/// [`queue`]; `fetch` is the export `#[event(fetch)]` would write, which
/// answers as [`fetch`] does on the runtime's own `Request` and
/// `Response` (its head read, and a whole response made, with one call
/// into JavaScript each, where workers-rs's types take a dozen). Each
/// takes the settings of the Worker's variables. A queue's message bodies are
/// taken as any JavaScript value (`MessageBatch<JsValue>`). The crate that
/// calls it depends on `worker` itself, whose `#[event]` macro names it.
///
/// Write the functions by hand instead for a [`Workers`] with settings in
/// code, or for work of your own around the call.
///
/// # Example
///
/// ```ignore
/// // examples/workers/queue-worker/src/lib.rs: the handler is the native
/// // example's, unchanged; this is the whole Worker.
/// #[path = "../../../queue-worker.rs"]
/// mod queue_worker;
///
/// anyfn_cloudflare::entry_points! {
///     queue => anyfn::handler_fn(queue_worker::work),
///     fetch => anyfn::handler_fn(queue_worker::work),
/// }
/// ```
#[macro_export]
macro_rules! entry_points {
    ($($event:ident => $handler:expr),+ $(,)?) => {
        $( $crate::__entry_point!($event => $handler); )+
    };
}

/// One entry point of [`entry_points!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __entry_point {
    (fetch => $handler:expr) => {
        /// Every HTTP request, to the handler.
        async fn __anyfn_fetch(
            request: ::worker::worker_sys::web_sys::Request,
            env: ::worker::Env,
        ) -> ::worker::wasm_bindgen::JsValue {
            $crate::__fetch_entry(&$handler, request, env).await
        }

        // The export workers-rs's `#[event(fetch)]` writes, on the
        // runtime's own request and response (see `__fetch_entry`).
        mod _anyfn_fetch {
            use super::__anyfn_fetch;
            use ::worker::wasm_bindgen::prelude::wasm_bindgen;
            use ::worker::{js_sys as js, wasm_bindgen as wb, wasm_bindgen_futures as wbf};

            #[wasm_bindgen(wasm_bindgen = wb, wasm_bindgen_futures = wbf, js_sys = js)]
            pub async fn fetch(
                request: ::worker::worker_sys::web_sys::Request,
                env: ::worker::Env,
                _ctx: ::worker::worker_sys::Context,
            ) -> ::std::result::Result<
                ::worker::wasm_bindgen::JsValue,
                ::worker::wasm_bindgen::JsValue,
            > {
                ::std::panic::AssertUnwindSafe(async move { Ok(__anyfn_fetch(request, env).await) })
                    .await
            }
        }
    };
    (scheduled => $handler:expr) => {
        /// Every firing of the Worker's cron triggers, to the handler.
        #[::worker::event(scheduled)]
        async fn scheduled(
            event: ::worker::ScheduledEvent,
            env: ::worker::Env,
            ctx: ::worker::ScheduleContext,
        ) {
            $crate::scheduled(&$handler, event, env, ctx).await;
        }
    };
    (queue => $handler:expr) => {
        /// Every batch of the queues the Worker consumes, to the handler.
        #[::worker::event(queue)]
        async fn queue(
            batch: ::worker::MessageBatch<::worker::wasm_bindgen::JsValue>,
            env: ::worker::Env,
            ctx: ::worker::Context,
        ) -> ::worker::Result<()> {
            $crate::queue(&$handler, batch, env, ctx).await
        }
    };
    ($other:ident => $handler:expr) => {
        ::core::compile_error!(concat!(
            "anyfn_cloudflare::entry_points!: no entry point `",
            stringify!($other),
            "` (fetch, scheduled, queue)"
        ));
    };
}

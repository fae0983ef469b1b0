//! The entry points with the settings of the Worker's variables:
//! [`fetch`], [`scheduled`], [`queue`] (each [`Workers::new`]'s).

use anyfn::Handler;
use worker::{Env, MessageBatch, ScheduleContext, ScheduledEvent};

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

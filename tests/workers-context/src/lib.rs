//! A Worker whose handler reads the Worker's side of its invocation through
//! `CloudflareContextExt`: the trigger, the `GREETING` variable of its
//! `Env`, and the answer of the `HELLO` service binding, a future that is
//! not `Send`, awaited through workers-rs's `SendFuture` inside a handler
//! whose future must be `Send`. `GET /` answers them as JSON. Its `queue`
//! entry point fails the way the body of a message asks (`error`: the
//! handler's error, `panic`: a panic), to check that either retries the
//! whole batch.
// The Worker exists on wasm32 only; on any other target the crate is empty.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use anyfn::event::{BatchResult, QueueBatch};
use anyfn::{handler_fn, Context, Error, Request, Response};
use anyfn_cloudflare::{CloudflareContextExt, Trigger};
use serde_json::json;
use worker::send::SendFuture;
use worker::wasm_bindgen::JsValue;
use worker::{event, Env, MessageBatch};

/// Describes the Worker's side of the invocation; with the request's
/// `x-name` header (read as text, and sent back as it came), which may be
/// above ASCII.
async fn worker_side(request: Request, context: Context) -> Result<Response, Error> {
    let worker = context
        .cloudflare()
        .ok_or_else(|| Error::bad_request("not on Cloudflare Workers"))?;
    let greeting = worker
        .env()
        .var("GREETING")
        .map(|value| value.to_string())
        .map_err(|error| Error::unavailable(format!("no GREETING: {error}")))?;
    let hello = worker
        .env()
        .service("HELLO")
        .map_err(|error| Error::unavailable(format!("no HELLO binding: {error}")))?;
    let answer = SendFuture::new(async move {
        let mut response = hello.fetch("http://hello/?name=Binding", None).await?;
        response.text().await
    })
    .await
    .map_err(|error| Error::unavailable(format!("HELLO failed: {error}")))?;
    let name = request.headers().get("x-name").cloned();
    let mut response = anyfn::response::json(&json!({
        "name": name.as_ref().map(|name| String::from_utf8_lossy(name.as_bytes())),
        "trigger": format!("{:?}", worker.trigger()),
        "isFetch": worker.trigger() == Trigger::Fetch,
        "greeting": greeting,
        "hello": answer,
        "colo": worker.colo(),
        "cf": worker.cf_json(),
        "platform": context.platform().as_str(),
    }))?;
    if let Some(name) = name {
        response.headers_mut().insert("x-name", name);
    }
    Ok(response)
}

/// Every HTTP request, to the handler.
#[event(fetch)]
async fn fetch(
    request: worker::Request,
    env: Env,
    ctx: worker::Context,
) -> worker::Result<worker::Response> {
    anyfn_cloudflare::fetch(&handler_fn(worker_side), request, env, ctx).await
}

/// Fails as a message's body asks: `error` with the handler's error,
/// `panic` with a panic; otherwise every message succeeds.
async fn failing_batch(batch: QueueBatch, _context: Context) -> Result<BatchResult, Error> {
    for message in &batch.messages {
        match message.body.as_ref() {
            b"error" => return Err(Error::unavailable("the queue's store is down")),
            b"panic" => panic!("the queue handler blew up"),
            _ => {}
        }
    }
    Ok(BatchResult::all_succeeded())
}

/// Every batch, to the failing handler.
#[event(queue)]
async fn queue(batch: MessageBatch<JsValue>, env: Env, ctx: worker::Context) -> worker::Result<()> {
    anyfn_cloudflare::queue(&handler_fn(failing_batch), batch, env, ctx).await
}

//! `GET /?name=Ada` answers `Hello, Ada!` (`Hello, world!` without a
//! name), written against workers-rs alone: the peer the anyfn `hello`
//! Worker (`examples/workers/hello`) is measured against.
// The Worker exists on wasm32 only; on any other target the crate is empty.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use worker::{event, Context, Env, Request, Response, Result};

/// Greets the `name` query parameter, or the world.
#[event(fetch)]
async fn fetch(request: Request, _env: Env, _ctx: Context) -> Result<Response> {
    let url = request.url()?;
    let name = url
        .query_pairs()
        .find(|(key, _)| key == "name")
        .map_or_else(|| "world".to_owned(), |(_, value)| value.into_owned());
    Response::ok(format!("Hello, {name}!"))
}

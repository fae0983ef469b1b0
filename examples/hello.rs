//! `GET /?name=Ada` answers `Hello, Ada!` (`Hello, world!` without a name).
//!
//! ```text
//! cargo run --example hello
//! curl 'http://127.0.0.1:3000/?name=Ada'
//! ```

use anyfn::{handler_fn, Context, Request, RequestExt, Response};

/// Greets the `name` query parameter, or the world.
pub async fn hello(request: Request, _context: Context) -> Result<Response, anyfn::Error> {
    let name = request.query().get("name").unwrap_or("world").to_owned();
    Ok(anyfn::response::text(format!("Hello, {name}!")))
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/hello` calls the handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(hello)).await
}

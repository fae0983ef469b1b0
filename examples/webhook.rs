//! A webhook receiver: `POST /` with a JSON body naming an `event` is
//! acknowledged with `204 No Content` (the handler's output is `()`); a body
//! that is not JSON, or names no event, is refused with `400`.
//!
//! ```text
//! cargo run --example webhook
//! curl -i -X POST http://127.0.0.1:3000/ -d '{"event":"push"}'
//! ```

use anyfn::{handler_fn, Context, Error, Request, RequestExt};
use serde::Deserialize;

/// What a webhook delivery must carry.
#[derive(Debug, Deserialize)]
pub struct Delivery {
    /// What happened, e.g. `push`.
    pub event: String,
}

/// Acknowledges a delivery; its output is `()`, answered `204` everywhere.
pub async fn webhook(request: Request, _context: Context) -> Result<(), Error> {
    let delivery: Delivery = request.json()?;
    tracing::info!(event = %delivery.event, "delivery accepted");
    Ok(())
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/webhook` calls the handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(webhook)).await
}

//! Answers with the CloudEvent it received (in structured mode).
//!
//! On Lambda: EventBridge events, as CloudEvents. Locally: the CloudEvents
//! HTTP binding, binary mode (`ce-*` headers) or structured mode:
//!
//! ```text
//! cargo run --example ce-echo
//! curl -s http://127.0.0.1:3000/ -H 'ce-specversion: 1.0' -H 'ce-id: 1' \
//!   -H 'ce-source: /demo' -H 'ce-type: com.example.ping' \
//!   -H 'content-type: application/json' -d '{"n":1}'
//! ```

use anyfn::event::CloudEvent;
use anyfn::{handler_fn, Context};

/// Echoes the event.
pub async fn ce_echo(event: CloudEvent, _context: Context) -> Result<CloudEvent, anyfn::Error> {
    Ok(event)
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/ce-echo` calls the handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(ce_echo)).await
}

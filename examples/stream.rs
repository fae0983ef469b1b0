//! Server-sent events: `GET /` answers `text/event-stream` with one `tick`
//! event every 100 ms for 2 s (20 events, ids 1 to 20), each sent as it is
//! made. `GET /?fail=N` cuts the stream short with an error after N events:
//! the client gets an `error` event, then the connection ends without the
//! stream's proper end. `?every_ms=` and `?count=` change the pace and the
//! length.
//!
//! ```text
//! cargo run --example stream
//! curl -N http://127.0.0.1:3000/
//! ```
//!
//! On Lambda it streams through a Function URL with `InvokeMode:
//! RESPONSE_STREAM` (or an API Gateway REST API set to stream) when
//! `ANYFN_RESPONSE_STREAMING=on`; see the README.

use std::time::Duration;

use anyfn::stream::sse::{self, SseEvent};
use anyfn::stream::{self, StreamResponse};
use anyfn::{handler_fn, Context, Error, Request, RequestExt};

/// Streams `count` tick events, `every_ms` apart, failing after `fail` of
/// them if asked to.
pub async fn ticks(request: Request, _context: Context) -> Result<StreamResponse, Error> {
    let query = request.query();
    let number = |name: &str, default: u64| -> Result<u64, Error> {
        query.get(name).map_or(Ok(default), |value| {
            value
                .parse()
                .map_err(|_| Error::bad_request(format!("`{name}` must be a whole number")))
        })
    };
    let count = number("count", 20)?;
    let every = Duration::from_millis(number("every_ms", 100)?);
    let fail_after = query.get("fail").map(|_| number("fail", 0)).transpose()?;

    let (mut sender, body) = stream::channel(4);
    runtime::spawn(async move {
        for n in 1..=count {
            if fail_after == Some(n - 1) {
                sender.fail(Error::unavailable(format!(
                    "the ticker failed after {} events",
                    n - 1
                )));
                return;
            }
            let event = SseEvent::new(format!("tick {n}"))
                .with_id(n.to_string())
                .with_event("tick");
            // The client went away (or the deadline passed): stop.
            if sender.send(event.to_bytes()).await.is_err() {
                tracing::info!(sent = n - 1, "the client is gone; the ticker stops");
                return;
            }
            if n < count {
                runtime::sleep(every).await;
            }
        }
    });
    Ok(sse::from_body(body))
}

/// The producer's task and timer: tokio's natively, the isolate's event
/// loop and JavaScript's timers on a Worker (no tokio, no threads there).
#[cfg(not(target_family = "wasm"))]
mod runtime {
    pub use tokio::time::sleep;

    /// Runs the producer on a task of its own.
    pub fn spawn(producer: impl std::future::Future<Output = ()> + Send + 'static) {
        tokio::spawn(producer);
    }
}

#[cfg(target_family = "wasm")]
mod runtime {
    pub use anyfn_cloudflare::{sleep, spawn};
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/stream` calls the handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(ticks)).await
}

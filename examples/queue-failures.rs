//! How a queue consumer's failures look, the same on every runtime (the
//! failure table in the README says what each platform does with them): the
//! first message whose body names a failure fails the whole batch, so the
//! platform delivers the batch again; a batch of other messages succeeds.
//!
//! - a body `bad` fails with a 4xx kind (`BadRequest`), naming the message;
//! - `io` fails with `?` on an I/O error (`HandlerError`);
//! - `store` fails with `?` on the function's own error, which has a cause
//!   (`HandlerError`: the order store is down, because the connection was
//!   refused);
//! - `panic` panics (`Panic`), and the next batch is served;
//! - `sleep` outlives the deadline awaiting (`Timeout`);
//! - anything else is consumed.
//!
//! On Lambda: SQS batches and SNS deliveries. Locally: a Pub/Sub CloudEvent
//! or push, an SQS or SNS event file POSTed as it is, or a JSON POST of a
//! `QueueBatch` (a failure answers the error, so the sender retries):
//!
//! ```text
//! cargo run --example queue-failures
//! curl -s http://127.0.0.1:3000/ --json '{"messages":[{"id":"1","body":"ok"},{"id":"2","body":"bad"}]}'
//! ```

use std::time::Duration;

use anyfn::event::QueueBatch;
use anyfn::{handler_fn, Context};

/// The order store could not be reached: an error with a cause, as a
/// function's own error type (here with `thiserror`) often has.
#[derive(Debug, thiserror::Error)]
#[error("the order store is down")]
pub struct StoreDown(#[source] pub std::io::Error);

/// Consumes the batch, or fails it whole as its first failing message says.
///
/// # Errors
///
/// `BadRequest` for a message `bad`, `HandlerError` for `io` and for
/// `store` ([`StoreDown`], with its cause), `Timeout` (the adapter's) for
/// `sleep`.
///
/// # Panics
///
/// For a message `panic`, on purpose: the adapter answers it as `Panic`.
pub async fn consume(batch: QueueBatch, context: Context) -> Result<(), anyfn::Error> {
    for message in &batch.messages {
        match &message.body[..] {
            b"bad" => {
                return Err(anyfn::Error::bad_request(format!(
                    "message {} is not an order",
                    message.id
                )))
            }
            b"io" => Err::<(), _>(std::io::Error::other("the order store is down"))?,
            b"store" => Err::<(), _>(StoreDown(std::io::Error::other("connection refused")))?,
            b"panic" => panic!("the consumer blew up on message {}", message.id),
            b"sleep" => runtime::sleep(context.remaining_time() + Duration::from_secs(5)).await,
            _ => {}
        }
    }
    Ok(())
}

/// The timer the handler awaits: tokio's, or the Worker's.
#[cfg(not(target_family = "wasm"))]
mod runtime {
    pub use tokio::time::sleep;
}

#[cfg(target_family = "wasm")]
mod runtime {
    pub use anyfn_cloudflare::sleep;
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/queue-failures` calls the handler
/// above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(consume)).await
}

//! A queue worker with partial batch failures: a message whose body contains
//! `fail` is reported failed (and will be delivered again); the others succeed.
//!
//! On Lambda: SQS batches (the answer is `batchItemFailures`) and SNS
//! deliveries. Locally: a Pub/Sub CloudEvent or push, an SQS or SNS event
//! file POSTed as it is (read as on Lambda), or a JSON POST of a `QueueBatch`:
//!
//! ```text
//! cargo run --example queue-worker
//! curl -s http://127.0.0.1:3000/ --json @tests/fixtures/aws/example-sqs-event.json
//! curl -s http://127.0.0.1:3000/ --json '{"messages":[{"id":"1","body":"ok"},{"id":"2","body":"please fail"}]}'
//! ```

use anyfn::event::{BatchResult, QueueBatch};
use anyfn::{handler_fn, Context};

/// Fails the messages whose body contains `fail`.
pub async fn work(batch: QueueBatch, _context: Context) -> Result<BatchResult, anyfn::Error> {
    Ok(batch
        .messages
        .iter()
        .filter(|message| message.body.windows(4).any(|w| w == b"fail"))
        .map(|message| message.id.clone())
        .collect())
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/queue-worker` calls the handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(work)).await
}

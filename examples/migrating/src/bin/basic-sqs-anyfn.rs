//! lambda_runtime's `basic-sqs` example, ported to anyfn: the portable
//! `QueueBatch` in place of `SqsEventObj<Data>`, each message's body read
//! as JSON with `Message::json`. It runs unchanged on Pub/Sub, Azure queues
//! or a local POST.

use anyfn::{event::QueueBatch, handler_fn, Context};
use serde::Deserialize;

/// Object that you send to SQS and plan to process on the function.
#[derive(Deserialize)]
struct Data {
    id: String,
    text: String,
}

async fn function_handler(batch: QueueBatch, _context: Context) -> Result<(), anyfn::Error> {
    let data: Data = batch.messages[0].json()?;
    tracing::info!(id = ?data.id, text = ?data.text, "data received from SQS");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(function_handler)).await
}

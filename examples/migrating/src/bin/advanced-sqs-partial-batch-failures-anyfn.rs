//! lambda_runtime's `advanced-sqs-partial-batch-failures` example, ported to
//! anyfn: `QueueBatch` in, `BatchResult` out (Lambda's
//! `batchItemFailures`), each message handled concurrently. No helper to
//! write: the portable types are the partial batch response.

use anyfn::event::{BatchResult, QueueBatch};
use anyfn::{handler_fn, Context};
use serde::Deserialize;

#[derive(Deserialize)]
struct Data {
    text: String,
}

async fn data_handler(data: Data) -> Result<(), anyfn::Error> {
    tracing::info!(text = ?data.text, "processing data");
    if data.text == "bad request" {
        Err(anyfn::Error::unprocessable("Processing error"))
    } else {
        Ok(())
    }
}

async fn batch_handler(batch: QueueBatch, _context: Context) -> Result<BatchResult, anyfn::Error> {
    let tasks = batch.messages.into_iter().map(|message| async move {
        let result = match message.json::<Data>() {
            Ok(data) => data_handler(data).await,
            Err(err) => Err(err),
        };
        result.err().map(|err| {
            tracing::error!("Failed to process msg {}, {err}", message.id);
            message.id
        })
    });
    Ok(futures::future::join_all(tasks)
        .await
        .into_iter()
        .flatten()
        .collect())
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(batch_handler)).await
}

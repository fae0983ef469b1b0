//! lambda_runtime's `basic-streaming-response` example, ported to anyfn: a
//! `StreamResponse` fed through `anyfn::stream::channel`. A raw invocation
//! (`InvokeWithResponseStream`) always streams; a Function URL needs
//! `ANYFN_RESPONSE_STREAMING=on`.

use std::time::Duration;

use anyfn::stream::{self, StreamResponse};
use anyfn::{handler_fn, Context, Json};
use serde_json::Value;

async fn func(_event: Json<Value>, _context: Context) -> Result<StreamResponse, anyfn::Error> {
    let (mut sender, body) = stream::channel(1);
    tokio::spawn(async move {
        for message in ["Hello", "world", "from", "Lambda!"] {
            if sender.send(format!("{message}\n")).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    Ok(stream::response(body))
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(func)).await
}

//! The lambda_runtime side of `benches/lambda_concurrency.sh`: the handler
//! of `lambda-concurrent-anyfn` (awaits 20 ms, answers `{"ok":true}`) as a
//! lambda_runtime user writes a Lambda Managed Instances function:
//! `lambda_runtime::run_concurrent(service_fn(handler))` awaited in
//! `#[tokio::main]` (feature `concurrency-tokio`), which serves
//! `AWS_LAMBDA_MAX_CONCURRENCY` invocations at once.

use std::time::Duration;

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

/// How long each invocation awaits, as on the anyfn side.
const AWAIT: Duration = Duration::from_millis(20);

/// Awaits [`AWAIT`], then answers `{"ok":true}`.
async fn wait_then_answer(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let _payload = event.payload;
    tokio::time::sleep(AWAIT).await;
    Ok(json!({ "ok": true }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run_concurrent(service_fn(wait_then_answer)).await
}

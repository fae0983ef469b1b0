//! The raw lambda_runtime peer: the least a `lambda_runtime` function can do
//! with a trivial JSON handler, measured against `anyfn-lambda-trivial` by
//! `benches/lambda_runtime_vs_anyfn.sh`.
//!
//! Every invocation's payload is read as a `serde_json::Value` and answered
//! with `{"ok":true}`, exactly what `anyfn-lambda-trivial` answers, so the
//! difference between the two is what anyfn-lambda adds or saves per
//! invocation.
//!
//! By default `main` is what lambda_runtime's documentation shows:
//! `lambda_runtime::run(service_fn(handler)).await` straight in
//! `#[tokio::main]`, i.e. the runtime loop is polled by `block_on` on the
//! main thread. With `RAW_LAMBDA_RUNTIME_SPAWN=1` in the environment the loop
//! runs in a `tokio::spawn`ed task on a worker thread instead, as
//! anyfn-lambda runs it; the script measures both, so that the threading
//! difference and anyfn's own per-invocation work can be told apart.
//!
//! ```text
//! cargo build --release -p anyfn-bench-peers --bin raw-lambda-runtime
//! cargo run --release -p anyfn-bench-peers --bin lambda-driver -- \
//!     throughput target/release/raw-lambda-runtime 1000 '{"n":1}'
//! ```

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

/// The trivial handler: ignores the payload, answers `{"ok":true}`.
async fn trivial(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let _payload = event.payload;
    Ok(json!({ "ok": true }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    if std::env::var_os("RAW_LAMBDA_RUNTIME_SPAWN").is_some_and(|value| value == "1") {
        tokio::spawn(lambda_runtime::run(service_fn(trivial))).await?
    } else {
        lambda_runtime::run(service_fn(trivial)).await
    }
}

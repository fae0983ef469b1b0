//! `greet-json` as lambda_runtime's README writes a function: a
//! `service_fn` over `serde_json::Value`, run by `lambda_runtime::run` in
//! `#[tokio::main]`. It answers `{"name": "Ada"}` with
//! `{"greeting": "Hello, Ada!"}`, as the example does, so that
//! `benches/lambda_json_vs_lambda_runtime.sh` compares the same work.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

async fn func(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let (event, _context) = event.into_parts();
    let name = event["name"].as_str().unwrap_or("world");
    Ok(json!({ "greeting": format!("Hello, {name}!") }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let func = service_fn(func);
    lambda_runtime::run(func).await?;
    Ok(())
}

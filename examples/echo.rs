//! Answers JSON describing the request it saw: method, path, query (every
//! value of every key), headers (every value), cookies, body (UTF-8 text, or
//! base64 when not UTF-8), the path parameters and stage variables the
//! platform's routing gave it (`{}` on the local server), and from the
//! context the request id, function name,
//! remaining time in ms, platform (`local-server`, `cloud-run`, `aws-lambda`,
//! `azure-functions`, `cloudflare-workers`, `test`) and trace id (or `null`).
//!
//! ```text
//! cargo run --example echo
//! curl -s 'http://127.0.0.1:3000/a/b?x=1&x=2' -H 'cookie: a=1; b=2' -d 'hi'
//! ```

use std::collections::BTreeMap;

use anyfn::{handler_fn, Context, Request, RequestExt, Response};
use base64::Engine as _;
use serde_json::json;

/// Describes the request and context it was invoked with, as JSON.
pub async fn echo(request: Request, context: Context) -> Result<Response, anyfn::Error> {
    let mut headers: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, value) in request.headers() {
        headers
            .entry(name.as_str())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    let cookies: Vec<String> = request
        .cookies()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let (body, is_base64_encoded) = match request.text() {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (
            base64::engine::general_purpose::STANDARD.encode(request.body()),
            true,
        ),
    };
    anyfn::response::json(&json!({
        "method": request.method().as_str(),
        "path": request.uri().path(),
        "query": request.query(),
        "headers": headers,
        "cookies": cookies,
        "body": body,
        "isBase64Encoded": is_base64_encoded,
        "pathParameters": request.path_params(),
        "stageVariables": request.stage_variables(),
        "requestId": context.request_id(),
        "functionName": context.function_name(),
        "remainingTimeMs": context.remaining_time().as_millis() as u64,
        "platform": context.platform().as_str(),
        "traceId": context.trace_id(),
    }))
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/echo` calls the handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(echo)).await
}

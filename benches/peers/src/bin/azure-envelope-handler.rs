//! The azure-envelope-handler peer: the Azure Functions custom handler a Rust
//! user would write without anyfn for the `hello` example's HTTP trigger in
//! envelope mode (`customHandler.enableForwardingHttpRequest` off): a hyper
//! server on `FUNCTIONS_CUSTOMHANDLER_PORT`, serde-derived structs for the
//! host's invocation request (`Data.req`, the HTTP request's fields) and for
//! the answer (`Outputs.res` with `statusCode`, `body` and `headers`, `Logs`,
//! `ReturnValue`), as Azure's custom handler documentation describes them,
//! and serde_json.
//!
//! `POST /hello` (the function's name) answers what `hello` answers: the
//! greeting of the `name` query parameter (`Hello, world!` without one),
//! `text/plain; charset=utf-8`. Any other request gets `404`.
//!
//! `benches/azure_vs_server.sh` counts the instructions it spends on an
//! invocation next to anyfn-azure's envelope mode.
//!
//! ```text
//! FUNCTIONS_CUSTOMHANDLER_PORT=3004 cargo run --release -p anyfn-bench-peers --bin azure-envelope-handler
//! curl -si -X POST 'http://127.0.0.1:3004/hello' -H 'content-type: application/json' \
//!     -d '{"Data":{"req":{"Url":"http://localhost/?name=Ada","Method":"GET","Query":{"name":"Ada"},"Headers":{},"Params":{},"Body":""}},"Metadata":{}}'
//! ```

use std::collections::HashMap;
use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use serde::{Deserialize, Serialize};

/// The port used when `FUNCTIONS_CUSTOMHANDLER_PORT` is not set.
const DEFAULT_PORT: u16 = 3004;

/// The host's invocation request: `{"Data": {...}, "Metadata": {...}}`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InvokeRequest {
    data: InvokeData,
}

/// The input bindings: the HTTP trigger's is named `req` (function.json).
#[derive(Deserialize)]
struct InvokeData {
    req: HttpTriggerRequest,
}

/// The HTTP trigger's request, as the host sends it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)] // Read as a handler would have them; `hello` needs the query.
struct HttpTriggerRequest {
    url: String,
    method: String,
    #[serde(default)]
    query: HashMap<String, String>,
    #[serde(default)]
    headers: HashMap<String, Vec<String>>,
    #[serde(default)]
    params: HashMap<String, String>,
    /// Text, or JSON the host parsed from a JSON body.
    #[serde(default)]
    body: Option<serde_json::Value>,
}

/// The answer: `{"Outputs": {"res": {...}}, "Logs": [...], "ReturnValue": ...}`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InvokeResponse {
    outputs: Outputs,
    logs: Vec<String>,
    return_value: Option<serde_json::Value>,
}

/// The output bindings: the HTTP output's is named `res` (function.json).
#[derive(Serialize)]
struct Outputs {
    res: HttpOutput,
}

/// The HTTP response the host sends back to the caller.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HttpOutput {
    status_code: u16,
    body: String,
    headers: HashMap<&'static str, &'static str>,
}

/// `hello`: the greeting of the `name` query parameter.
fn hello(request: &HttpTriggerRequest) -> HttpOutput {
    let name = request.query.get("name").map_or("world", String::as_str);
    HttpOutput {
        status_code: 200,
        body: format!("Hello, {name}!"),
        headers: HashMap::from([("Content-Type", "text/plain; charset=utf-8")]),
    }
}

/// Answers the host's invocations of `hello`.
async fn invoke(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.method() != Method::POST || request.uri().path() != "/hello" {
        return Ok(status(StatusCode::NOT_FOUND));
    }
    let Ok(body) = request.into_body().collect().await else {
        return Ok(status(StatusCode::BAD_REQUEST));
    };
    let Ok(invocation) = serde_json::from_slice::<InvokeRequest>(&body.to_bytes()) else {
        return Ok(status(StatusCode::BAD_REQUEST));
    };
    let answer = InvokeResponse {
        outputs: Outputs {
            res: hello(&invocation.data.req),
        },
        logs: Vec::new(),
        return_value: None,
    };
    let Ok(json) = serde_json::to_vec(&answer) else {
        return Ok(status(StatusCode::INTERNAL_SERVER_ERROR));
    };
    let mut response = Response::new(Full::new(Bytes::from(json)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}

/// An empty answer with `code`.
fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = code;
    response
}

/// `FUNCTIONS_CUSTOMHANDLER_PORT`, else [`DEFAULT_PORT`].
fn port() -> Result<u16, String> {
    match std::env::var("FUNCTIONS_CUSTOMHANDLER_PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("FUNCTIONS_CUSTOMHANDLER_PORT is not a port: {port}")),
        Err(_) => Ok(DEFAULT_PORT),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    anyfn_bench_peers::serve_http1("azure-envelope-handler", port()?, invoke).await
}

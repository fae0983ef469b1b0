//! The bare-hyper peer: the least a hyper 1.x HTTP/1.1 server can do to give
//! the same answer as the `hello` example to `GET /?name=Ada`.
//!
//! Every request, whatever its method, path or body, is answered with the
//! bytes `hello` sends for `GET /?name=Ada`: status 200, body `Hello, Ada!`,
//! `content-type: text/plain; charset=utf-8`, `content-length: 11`, and an
//! `x-request-id` of 36 characters (a fixed UUID-shaped value, so that the
//! responses of both servers have the same size); hyper adds `date`.
//!
//! It is what `benches/http_vs_hyper.sh` measures anyfn's local server
//! against, so it is set up the way that server is: a multi-threaded tokio
//! runtime, one task per connection, `TCP_NODELAY` on every accepted socket.
//! It has none of the server's per-request work (request ids, deadlines,
//! panic catching, body limits, `REPORT` lines), which is what the
//! comparison shows the price of.
//!
//! ```text
//! PORT=3001 cargo run --release -p anyfn-bench-peers --bin bare-hyper
//! curl -si 'http://127.0.0.1:3001/?name=Ada'
//! ```

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Request, Response};

/// The port used when `PORT` is not set.
const DEFAULT_PORT: u16 = 3001;

/// The body `hello` answers to `GET /?name=Ada`.
const BODY: &[u8] = b"Hello, Ada!";

/// A fixed request id, as long as the UUID-shaped ids anyfn's server sends.
const REQUEST_ID: &str = "00000000-0000-4000-8000-000000000000";

/// Answers any request with the fixed response.
async fn hello(_request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = Response::new(Full::new(Bytes::from_static(BODY)));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from(BODY.len()));
    headers.insert("x-request-id", HeaderValue::from_static(REQUEST_ID));
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = anyfn_bench_peers::port_from_env(DEFAULT_PORT)?;
    anyfn_bench_peers::serve_http1("bare-hyper", port, hello).await
}

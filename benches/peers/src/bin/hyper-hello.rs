//! The hyper-hello peer: the `hello` example written on hyper 1.x alone, as
//! a hyper user writes it: the same greeting, read from the same query.
//!
//! `bare-hyper` answers every request with fixed bytes, so what
//! `benches/instructions_vs_hyper.sh` counts as anyfn's work beyond it
//! includes `hello`'s own: reading `name` from the query, and formatting
//! the greeting. This peer does that work too, the way a hyper user does:
//! the query read with `form_urlencoded` (the `url` crate's parser, the
//! one most hyper code uses), the greeting made with `format!`, and the
//! body's length left to hyper. It answers `GET /?name=Ada` with the same
//! status, body and headers as `hello` (a fixed `x-request-id` of the same
//! length, as `bare-hyper` does), and is set up as `bare-hyper` is: a
//! multi-threaded tokio runtime, one task per connection, `TCP_NODELAY`.
//! It has none of the server's per-request guarantees (request ids,
//! deadlines, panic catching, body limits, header-read timeout, `REPORT`
//! lines): the difference between it and `hello` is their price.
//!
//! ```text
//! PORT=3001 cargo run --release -p anyfn-bench-peers --bin hyper-hello
//! curl -si 'http://127.0.0.1:3001/?name=Ada'
//! ```

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response};

const DEFAULT_PORT: u16 = 3001;

const REQUEST_ID: &str = "00000000-0000-4000-8000-000000000000";

async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let name = request
        .uri()
        .query()
        .and_then(|query| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == "name")
                .map(|(_, value)| value.into_owned())
        })
        .unwrap_or_else(|| "world".to_owned());
    let mut response = Response::new(Full::new(Bytes::from(format!("Hello, {name}!"))));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert("x-request-id", HeaderValue::from_static(REQUEST_ID));
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = anyfn_bench_peers::port_from_env(DEFAULT_PORT)?;
    anyfn_bench_peers::serve_http1("hyper-hello", port, hello).await
}

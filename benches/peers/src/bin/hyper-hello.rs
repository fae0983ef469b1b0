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
use std::net::{Ipv4Addr, SocketAddr};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

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
    let addr = SocketAddr::from((
        Ipv4Addr::LOCALHOST,
        anyfn_bench_peers::port_from_env(DEFAULT_PORT)?,
    ));
    let listener = TcpListener::bind(addr).await?;
    eprintln!("hyper-hello listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _client) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors and the like: back off, keep serving.
                eprintln!("accept failed: {err}");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            // Clients closing mid-request are not worth a line here.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(hello))
                .await;
        });
    }
}

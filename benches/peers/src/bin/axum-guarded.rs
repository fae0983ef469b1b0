//! The axum-guarded peer: the rest-api example's router ([`rest_api::router`],
//! the same axum `Router` the `rest-api` binary runs through anyfn-tower)
//! given, the axum way, what anyfn's local server gives every request:
//!
//! | anyfn-server | here |
//! |---|---|
//! | a UUID-shaped request id, answered as `x-request-id` | tower-http's `SetRequestId` and `PropagateRequestId` (`x-request-id`), the ids made as anyfn-server makes them ([`anyfn_kit::host::RequestIds`]: a counter mixed with a seed, written as a UUID) |
//! | the deadline, 3 s by default, answered `504` | tower-http's `Timeout::with_status_code(…, 504, 3 s)` (`TimeoutLayer`'s service) |
//! | a panicking handler answered `500` | tower-http's `CatchPanic` |
//! | its `tracing` span and events per request | tower-http's `Trace::new_for_http` (`TraceLayer`'s) |
//! | a 30 s header-read timeout, 64 KiB request heads | hyper's HTTP/1 builder with hyper-util's `TokioTimer`, `header_read_timeout(30 s)`, `max_header_size(64 KiB)` |
//! | `TCP_NODELAY` on every connection | the same |
//! | on SIGTERM, in-flight requests drained | hyper-util's `GracefulShutdown` |
//! | a stderr `tracing` subscriber filtered by `RUST_LOG` (`Targets`) | the same: a `tracing_subscriber` fmt layer to stderr, filtered by `RUST_LOG` parsed as `Targets` |
//!
//! A handler that blocks its thread is beyond it (anyfn's watchdog thread
//! answers those): it gives what anyfn gives to handlers that await.
//!
//! The layers wrap the whole `Router`, so that every request gets them
//! before routing, unmatched ones too, as every request gets anyfn's. Added
//! with `Router::layer` instead (axum's docs' way for route middleware),
//! they wrap each route, whose layered service is cloned for every request:
//! 43,457 instructions per `GET /links` instead of 32,414 (at 53f5263), so
//! the peer measured is the cheaper of the two.
//!
//! `benches/axum_vs_anyfn_server.sh` counts the instructions it spends on
//! `GET /links` next to `axum::serve` and anyfn's local server.
//!
//! ```text
//! PORT=3003 cargo run --release -p anyfn-bench-peers --bin axum-guarded
//! curl -si 'http://127.0.0.1:3003/links'
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyfn_kit::host::RequestIds;
use axum::http::{HeaderValue, Request, StatusCode};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanic;
use tower_http::request_id::{MakeRequestId, PropagateRequestId, RequestId, SetRequestId};
use tower_http::timeout::Timeout;
use tower_http::trace::Trace;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The port used when `PORT` is not set.
const DEFAULT_PORT: u16 = 3003;

/// anyfn's default deadline (`anyfn::DEFAULT_TIMEOUT`).
const TIMEOUT: Duration = Duration::from_secs(3);

/// anyfn-server's default header-read timeout.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// anyfn-server's default limit on a request's head.
const MAX_HEADER_BYTES: usize = 64 * 1024;

/// How long SIGTERM waits for requests in flight (anyfn-server's default).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// UUID-shaped request ids, made as anyfn-server makes its own.
#[derive(Clone)]
struct UuidShapedIds(Arc<RequestIds>);

impl MakeRequestId for UuidShapedIds {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let (_, id) = self.0.next_id();
        HeaderValue::from_str(id.as_str()).ok().map(RequestId::new)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // As anyfn-server's default subscriber: stderr, `RUST_LOG` read as
    // `Targets`, `info` without it.
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();

    // Around the whole router, outermost first: the id is set, answered
    // on every response (those of the timeout and of the panic catcher
    // too), the request traced, its deadline kept and its panics caught.
    let app = SetRequestId::x_request_id(
        PropagateRequestId::x_request_id(Trace::new_for_http(Timeout::with_status_code(
            CatchPanic::new(rest_api::router()),
            StatusCode::GATEWAY_TIMEOUT,
            TIMEOUT,
        ))),
        UuidShapedIds(Arc::new(RequestIds::new())),
    );

    let addr = SocketAddr::from((
        Ipv4Addr::LOCALHOST,
        anyfn_bench_peers::port_from_env(DEFAULT_PORT)?,
    ));
    let listener = TcpListener::bind(addr).await?;
    eprintln!("axum-guarded listening on http://{addr}");
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_header_size(MAX_HEADER_BYTES);
    let graceful = GracefulShutdown::new();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _client) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: back off.
                        tracing::warn!("accept failed: {err}");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let service = TowerToHyperService::new(app.clone());
                let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    if let Err(err) = connection.await {
                        tracing::debug!("connection ended: {err}");
                    }
                });
            }
            _ = terminate.recv() => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
    Ok(())
}

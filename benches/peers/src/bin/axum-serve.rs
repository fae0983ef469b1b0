//! The axum-serve peer: the rest-api example's router ([`rest_api::router`],
//! the same axum `Router` the `rest-api` binary runs through anyfn-tower)
//! served by `axum::serve` alone, with no anyfn in the way.
//!
//! `benches/axum_vs_anyfn_server.sh` counts the instructions each spends on
//! `GET /links`, so it is set up the way anyfn's local server is: a
//! multi-threaded tokio runtime, one `TcpListener` on `127.0.0.1:$PORT`, and
//! `TCP_NODELAY` on every accepted socket (anyfn-server sets it too).
//!
//! ```text
//! PORT=3002 cargo run --release -p anyfn-bench-peers --bin axum-serve
//! curl -si 'http://127.0.0.1:3002/links'
//! ```

use std::net::{Ipv4Addr, SocketAddr};

use axum::serve::ListenerExt as _;
use tokio::net::TcpListener;

/// The port used when `PORT` is not set.
const DEFAULT_PORT: u16 = 3002;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = SocketAddr::from((
        Ipv4Addr::LOCALHOST,
        anyfn_bench_peers::port_from_env(DEFAULT_PORT)?,
    ));
    let listener = TcpListener::bind(addr).await?.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    eprintln!("axum-serve listening on http://{addr}");
    axum::serve(listener, rest_api::router()).await?;
    Ok(())
}

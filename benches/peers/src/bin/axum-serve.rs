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

/// The port from `PORT`, else [`DEFAULT_PORT`].
fn port() -> Result<u16, String> {
    match std::env::var("PORT") {
        Ok(value) if !value.is_empty() => value
            .parse()
            .map_err(|_| format!("PORT must be a port number from 0 to 65535, not {value:?}")),
        _ => Ok(DEFAULT_PORT),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port()?));
    let listener = TcpListener::bind(addr).await?.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    eprintln!("axum-serve listening on http://{addr}");
    axum::serve(listener, rest_api::router()).await?;
    Ok(())
}

//! lambda_http's `http-tower-trace` example, ported to anyfn: the plain
//! handler in tower-http's trace layer, by `anyfn_tower::with_layer`.

use anyfn::{handler_fn, Context, Request, Response};
use tower_http::trace::{DefaultOnRequest, DefaultOnResponse, TraceLayer};
use tracing::Level;

async fn handler(_request: Request, _context: Context) -> Result<Response, anyfn::Error> {
    Ok(Response::new("Success".into()))
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    let layer = TraceLayer::new_for_http()
        .on_request(DefaultOnRequest::new().level(Level::INFO))
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    anyfn_auto::run(anyfn_tower::with_layer(handler_fn(handler), layer)).await
}

//! lambda_http's `http-cors` example, ported to anyfn: the plain handler in
//! tower-http's CORS layer, by `anyfn_tower::with_layer`.

use anyfn::http::Method;
use anyfn::{handler_fn, Context, Request, RequestExt, Response};
use tower_http::cors::{Any, CorsLayer};

async fn func(request: Request, _context: Context) -> Result<Response, anyfn::Error> {
    match request.query().get("first_name") {
        Some(first_name) => Ok(anyfn::response::text(format!("Hello, {first_name}!"))),
        None => Err(anyfn::Error::bad_request("Empty first name")),
    }
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    let cors_layer = CorsLayer::new()
        .allow_methods(vec![Method::GET, Method::POST])
        .allow_origin(Any);
    anyfn_auto::run(anyfn_tower::with_layer(handler_fn(func), cors_layer)).await
}

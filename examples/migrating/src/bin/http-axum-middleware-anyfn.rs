//! lambda_http's `http-axum-middleware` example, ported to anyfn: the same
//! axum router and middleware, run by `anyfn_tower::service`. The route has
//! no stage prefix (lambda_http's REST API paths start with the stage,
//! anyfn's never do), and the middleware reads API Gateway's request id from
//! anyfn's `Context`, which is in every request's extensions.

use anyfn_lambda::ApiGatewayContextExt as _;
use axum::{response::Json, routing::post, Router};
use serde_json::{json, Value};

// Sample middleware that logs the request id
async fn mw_sample(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> impl axum::response::IntoResponse {
    let api = req
        .extensions()
        .get::<anyfn::Context>()
        .and_then(|context| context.api_gateway());
    if let Some(api) = api {
        tracing::info!("RequestId = {:?}", api.request_id);
    }
    next.run(req).await
}

async fn handler_sample(body: Json<Value>) -> Json<Value> {
    Json(json!({ "echo":  *body }))
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    let app = Router::new()
        .route("/hello/world", post(handler_sample))
        .route_layer(axum::middleware::from_fn(mw_sample));
    anyfn_auto::run(anyfn_tower::service(app)).await
}

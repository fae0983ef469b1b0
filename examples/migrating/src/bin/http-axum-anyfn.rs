//! lambda_http's `http-axum` example, ported to anyfn: the same axum
//! router, run by `anyfn_tower::service`. No `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH`:
//! anyfn's paths never carry API Gateway's stage.

use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::Json,
    routing::{get, post},
    Router,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Deserialize, Serialize)]
struct Params {
    first: Option<String>,
    second: Option<String>,
}

async fn root() -> Json<Value> {
    Json(json!({ "msg": "I am GET /" }))
}

async fn get_foo() -> Json<Value> {
    Json(json!({ "msg": "I am GET /foo" }))
}

async fn post_foo() -> Json<Value> {
    Json(json!({ "msg": "I am POST /foo" }))
}

async fn post_foo_name(Path(name): Path<String>) -> Json<Value> {
    Json(json!({ "msg": format!("I am POST /foo/:name, name={name}") }))
}

async fn get_parameters(Query(params): Query<Params>) -> Json<Value> {
    Json(json!({ "request parameters": params }))
}

async fn health_check() -> (StatusCode, String) {
    (StatusCode::OK, "Healthy!".to_string())
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    let app = Router::new()
        .route("/", get(root))
        .route("/foo", get(get_foo).post(post_foo))
        .route("/foo/{name}", post(post_foo_name))
        .route("/parameters", get(get_parameters))
        .route("/health/", get(health_check));
    anyfn_auto::run(anyfn_tower::service(app)).await
}

//! Three named functions in one binary, each with an event type of its own:
//! `orders` (HTTP), `resize` (object storage) and `nightly` (schedule).
//! Each answers JSON naming itself, so you can see which one ran.
//!
//! Which one runs is the platform's setting (see `anyfn_auto::run_functions`):
//! on Lambda the function's handler setting (`_HANDLER`, e.g. `Handler:
//! resize` in a SAM template); on Cloud Run `FUNCTION_TARGET=resize`; with
//! neither, locally or in a container, all three, each at its own path:
//!
//! ```text
//! cargo run --example functions
//! curl -s http://127.0.0.1:3000/orders/42
//! curl -s http://127.0.0.1:3000/resize --json '{"objects":[{"change":"created","bucket":"photos","key":"cat.jpg"}]}'
//! curl -s http://127.0.0.1:3000/nightly --json '{"id":"t-1","time":"2024-05-01T02:00:00Z","schedule":"nightly"}'
//!
//! FUNCTION_TARGET=resize cargo run --example functions   # resize alone, at every path
//! ```

use anyfn::event::{ObjectChange, ScheduleTick, StorageEvent};
use anyfn::{handler_fn, Context, Json, Request, Response};
use anyfn_functions::Functions;
use serde_json::{json, Value};

/// `orders`: says which function answered, and the method and path it saw.
pub async fn orders(request: Request, context: Context) -> Result<Response, anyfn::Error> {
    anyfn::response::json(&json!({
        "function": context.function_name(),
        "method": request.method().as_str(),
        "path": request.uri().path(),
    }))
}

/// `resize`: the thumbnail each created object needs.
pub async fn resize(event: StorageEvent, context: Context) -> Result<Json<Value>, anyfn::Error> {
    let thumbnails: Vec<String> = event
        .objects
        .iter()
        .filter(|object| object.change == ObjectChange::Created)
        .map(|object| format!("{}/thumbnails/{}", object.bucket, object.key))
        .collect();
    Ok(Json(json!({
        "function": context.function_name(),
        "thumbnails": thumbnails,
    })))
}

/// `nightly`: which schedule fired, and when.
pub async fn nightly(tick: ScheduleTick, context: Context) -> Result<Json<Value>, anyfn::Error> {
    Ok(Json(json!({
        "function": context.function_name(),
        "schedule": tick.schedule,
        "firedAt": anyfn::time::format_rfc3339(tick.time),
    })))
}

/// The three functions, by name.
pub fn functions() -> Functions {
    Functions::new()
        .add("orders", handler_fn(orders))
        .add("resize", handler_fn(resize))
        .add("nightly", handler_fn(nightly))
}

/// On Lambda the one `_HANDLER` names; elsewhere the one `FUNCTION_TARGET`
/// names, or all three, each at `/{name}`.
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run_functions(functions()).await
}

//! A greeting on AWS Lambda, with a span of its own, and each invocation
//! exported as an OpenTelemetry span (the caller's X-Ray trace its
//! parent), flushed after the answer is posted and before the next
//! invocation is asked for. The OTLP endpoint is the standard variables'
//! (`OTEL_EXPORTER_OTLP_ENDPOINT`: a collector, or the ADOT Lambda
//! extension on `http://localhost:4318`). The tests run it under the
//! Lambda Runtime API emulator (`tests/emulators.rs`).

use anyfn::{handler_fn, Context, Json};

/// Greets the event's `name`, or the world, in a span of its own.
async fn greet(
    Json(event): Json<serde_json::Value>,
    _context: Context,
) -> Result<Json<String>, anyfn::Error> {
    let name = event
        .get("name")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("world")
        .to_owned();
    let greeting = tracing::info_span!("greet").in_scope(|| format!("Hello, {name}!"));
    Ok(Json(greeting))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Before the adapter: its default subscriber takes the layer.
    let telemetry = anyfn_otel::install()?;
    anyfn_lambda::Lambda::new(handler_fn(greet))
        .default_subscriber(true)
        .lifecycle(telemetry.lifecycle())
        .run()
        .await?;
    Ok(())
}

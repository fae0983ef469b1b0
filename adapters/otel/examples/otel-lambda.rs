//! A greeting on AWS Lambda, with a span of its own and a metric, and each
//! invocation exported as an OpenTelemetry span (the caller's X-Ray trace
//! its parent) and metrics (the handler's and anyfn's `faas.*`), flushed
//! after the answer is posted and before the next invocation is asked
//! for. The OTLP endpoint is the standard variables'
//! (`OTEL_EXPORTER_OTLP_ENDPOINT`: a collector, or the ADOT Lambda
//! extension on `http://localhost:4318`); with `ANYFN_METRICS_NAMESPACE`
//! set too, the metrics are written as CloudWatch EMF as well. The tests
//! run it under the Lambda Runtime API emulator (`tests/emulators.rs`).

use anyfn::{handler_fn, Context, Json};

/// Greets the event's `name`, or the world, in a span of its own.
async fn greet(
    Json(event): Json<serde_json::Value>,
    context: Context,
) -> Result<Json<String>, anyfn::Error> {
    let name = event
        .get("name")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("world")
        .to_owned();
    context.metrics().dimension("Greeting", "hello");
    context.metrics().count("Greetings", 1);
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

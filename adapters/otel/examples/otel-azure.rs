//! A greeting as an Azure Functions custom handler, with a span of its
//! own, and each invocation exported as an OpenTelemetry span (the
//! caller's `traceparent` its parent, when the host forwards the request);
//! the batch processor sends them every 5 s (`OTEL_BSP_SCHEDULE_DELAY`),
//! and the adapter sends what is left when it shuts down. The tests run it under the Azure
//! Functions host emulator (`tests/emulators.rs`).

use anyfn::{handler_fn, Context, Request, RequestExt, Response};

/// Greets the `name` query parameter, or the world, in a span of its own.
async fn hello(request: Request, _context: Context) -> Result<Response, anyfn::Error> {
    let name = request.query().get("name").unwrap_or("world").to_owned();
    let greeting = tracing::info_span!("greet").in_scope(|| format!("Hello, {name}!"));
    Ok(anyfn::response::text(greeting))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _telemetry = anyfn_otel::install()?;
    anyfn_azure::Azure::new(handler_fn(hello))
        .default_subscriber(true)
        .bind()
        .await?
        .run()
        .await?;
    Ok(())
}

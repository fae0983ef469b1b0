//! The greeting of the repository's `hello` example on the local server,
//! with a span of its own, and the invocation spans exported over OTLP
//! HTTP/protobuf:
//!
//! ```text
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 OTEL_SERVICE_NAME=hello \
//!   cargo run -p anyfn-otel --example hello-otel
//! curl -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' \
//!   'http://127.0.0.1:3000/?name=Ada'
//! ```

use anyfn::{handler_fn, Context, Request, RequestExt, Response};

/// Greets the `name` query parameter, or the world, in a span of its own.
async fn hello(request: Request, _context: Context) -> Result<Response, anyfn::Error> {
    let name = request.query().get("name").unwrap_or("world").to_owned();
    let greeting = tracing::info_span!("greet").in_scope(|| format!("Hello, {name}!"));
    Ok(anyfn::response::text(greeting))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Before serving: the server's default subscriber takes its layer, and
    // the server flushes the spans when it stops.
    let _telemetry = anyfn_otel::install()?;
    anyfn_server::serve(handler_fn(hello)).await?;
    Ok(())
}

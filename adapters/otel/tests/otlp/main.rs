//! The OTLP export end to end: a handler run by the local server
//! (`anyfn_test::TestServer`), its spans and metrics received by a test
//! OTLP receiver on 127.0.0.1 (`receiver`), gzipped
//! (`OTEL_EXPORTER_OTLP_COMPRESSION=gzip`).
//!
//! One test per binary: telemetry is installed once per process, and the
//! first invocation is the cold start.

mod receiver;

use std::time::Duration;

use anyfn::metrics::Unit;
use anyfn::{handler_fn, Body, Context, Request, Response};
use anyfn_test::{TestRequest, TestServer};
use tracing_subscriber::layer::SubscriberExt as _;

use receiver::{last_point, Receiver};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The FaaS resource a Lambda environment gives, and gzip for both
/// signals (`OtelConfig::from_vars`, so that no test touches the
/// process's environment).
fn lambda_vars(name: &str) -> Option<String> {
    let value = match name {
        "AWS_LAMBDA_FUNCTION_NAME" => "hello",
        "AWS_LAMBDA_FUNCTION_VERSION" => "7",
        "AWS_LAMBDA_LOG_STREAM_NAME" => "2026/12/06/[7]abcdef",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE" => "256",
        "AWS_REGION" => "eu-west-3",
        "OTEL_EXPORTER_OTLP_COMPRESSION" => "gzip",
        _ => return None,
    };
    Some(value.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_invocation_span_is_the_callers_child_with_the_handlers_span_and_the_faas_resource()
{
    let receiver = Receiver::start().await;
    let config = anyfn_otel::OtelConfig::from_vars(lambda_vars)
        .expect("http/protobuf")
        .endpoint(receiver.url())
        .metrics_endpoint(receiver.metrics_url());
    let telemetry = anyfn_otel::install_with(config).expect("installed once");
    let subscriber = tracing_subscriber::registry().with(telemetry.layer());
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let handler = handler_fn(|request: Request, context: Context| async move {
        if request.uri().path() == "/slow" {
            // Past the server's deadline: the server answers 504 and drops
            // the invocation.
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        let metrics = context.metrics();
        metrics.dimension("Path", request.uri().path());
        metrics.count("Greetings", 1);
        metrics.record("GreetingBytes", 5.0, Unit::Bytes);
        let greeting = tracing::info_span!("greet").in_scope(|| "hello".to_owned());
        Ok::<_, anyfn::Error>(Response::new(Body::from(greeting)))
    });
    let server = TestServer::start_with(
        anyfn_server::Server::new(handler).timeout(Duration::from_millis(500)),
    )
    .await
    .expect("server");
    let response = server
        .client()
        .send(
            TestRequest::get("/").header("traceparent", &format!("00-{TRACE_ID}-{CALLER_SPAN}-01")),
        )
        .await
        .expect("answer");
    response.assert_status(200);
    let request_id = response
        .header("x-request-id")
        .expect("request id")
        .to_owned();
    // Cloud Run's front end: X-Cloud-Trace-Context, its span id decimal.
    let cloud_run = server
        .client()
        .send(TestRequest::get("/run").header(
            "x-cloud-trace-context",
            "105445aa7843bc8bf206b12000100000/255;o=1",
        ))
        .await
        .expect("answer");
    cloud_run.assert_status(200);
    let cloud_run_id = cloud_run
        .header("x-request-id")
        .expect("request id")
        .to_owned();

    let slow = server
        .client()
        .send(TestRequest::get("/slow"))
        .await
        .expect("answer");
    slow.assert_status(504);

    // What Lambda's adapter or the server's shutdown calls.
    tokio::task::spawn_blocking(anyfn_kit::flush_telemetry)
        .await
        .expect("flushed");
    let mut spans = receiver.spans();
    for _ in 0..50 {
        if spans.len() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        spans = receiver.spans();
    }

    let invocation = spans
        .iter()
        .find(|received| {
            received.span.name == "invocation"
                && received.attribute("faas.invocation_id").as_deref() == Some(request_id.as_str())
        })
        .unwrap_or_else(|| panic!("no invocation span in {spans:#?}"));
    assert_eq!(
        hex(&invocation.span.trace_id),
        TRACE_ID,
        "the caller's trace"
    );
    assert_eq!(
        hex(&invocation.span.parent_span_id),
        CALLER_SPAN,
        "the caller's span as parent"
    );
    assert_eq!(
        invocation.attribute("faas.invocation_id").as_deref(),
        Some(request_id.as_str())
    );
    assert_eq!(
        invocation.attribute("faas.trigger").as_deref(),
        Some("http")
    );
    assert_eq!(
        invocation.attribute("faas.coldstart").as_deref(),
        Some("true")
    );
    for (key, value) in [
        ("http.request.method", "GET"),
        ("url.path", "/"),
        ("http.response.status_code", "200"),
    ] {
        assert_eq!(invocation.attribute(key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(
        invocation.span.kind,
        opentelemetry_proto::tonic::trace::v1::span::SpanKind::Server as i32
    );

    let from_cloud_run = spans
        .iter()
        .find(|received| {
            received.attribute("faas.invocation_id").as_deref() == Some(cloud_run_id.as_str())
        })
        .unwrap_or_else(|| panic!("no invocation {cloud_run_id} in {spans:#?}"));
    assert_eq!(
        hex(&from_cloud_run.span.trace_id),
        "105445aa7843bc8bf206b12000100000"
    );
    assert_eq!(hex(&from_cloud_run.span.parent_span_id), "00000000000000ff");
    assert_eq!(
        from_cloud_run.attribute("url.path").as_deref(),
        Some("/run")
    );

    let greet = spans
        .iter()
        .find(|received| {
            received.span.name == "greet" && received.span.trace_id == invocation.span.trace_id
        })
        .unwrap_or_else(|| panic!("no handler span in {spans:#?}"));
    assert_eq!(hex(&greet.span.trace_id), TRACE_ID);
    assert_eq!(
        greet.span.parent_span_id, invocation.span.span_id,
        "the handler's span is the invocation's child"
    );

    let resource = &invocation.resource;
    for (key, value) in [
        ("service.name", "hello"),
        ("faas.name", "hello"),
        ("faas.version", "7"),
        ("faas.instance", "2026/12/06/[7]abcdef"),
        ("faas.max_memory", "268435456"),
        ("cloud.provider", "aws"),
        ("cloud.platform", "aws_lambda"),
        ("cloud.region", "eu-west-3"),
    ] {
        assert_eq!(
            resource.get(key).map(String::as_str),
            Some(value),
            "resource {key} in {resource:?}"
        );
    }

    // Each export gzipped, as OTEL_EXPORTER_OTLP_COMPRESSION says.
    let encodings = receiver.encodings();
    for signal in ["/v1/traces", "/v1/metrics"] {
        assert!(
            encodings.iter().any(|(path, _)| path == signal),
            "{signal} in {encodings:?}"
        );
    }
    assert!(
        encodings
            .iter()
            .all(|(_, encoding)| encoding.as_deref() == Some("gzip")),
        "{encodings:?}"
    );

    // The metrics left at the same flush.
    let points = receiver.points();
    let point = |name: &str, attributes: &[(&str, &str)]| {
        last_point(&points, name, attributes)
            .unwrap_or_else(|| panic!("no {name} {attributes:?} in {points:#?}"))
    };
    for path in ["/", "/run"] {
        let greetings = point("Greetings", &[("Path", path)]);
        assert_eq!((greetings.sum, greetings.unit.as_str()), (1.0, "1"));
        let bytes = point("GreetingBytes", &[("Path", path)]);
        assert_eq!(
            (bytes.count, bytes.sum, bytes.unit.as_str()),
            (Some(1), 5.0, "By")
        );
    }
    let http = [("faas.trigger", "http")];
    assert_eq!(point("faas.coldstarts", &http).sum, 1.0);
    assert_eq!(point("faas.invocations", &http).sum, 2.0);
    // The slow one, its invocation dropped at the deadline, is measured
    // too: a timeout and an error.
    let duration = point("faas.invoke_duration", &http);
    assert_eq!((duration.count, duration.unit.as_str()), (Some(3), "s"));
    assert!(
        duration.sum >= 0.5,
        "the slow one ran to its deadline: {}",
        duration.sum
    );
    assert_eq!(point("faas.timeouts", &http).sum, 1.0);
    assert_eq!(point("faas.errors", &http).sum, 1.0);
    for (key, value) in [
        ("service.name", "hello"),
        ("faas.name", "hello"),
        ("faas.version", "7"),
        ("faas.max_memory", "268435456"),
        ("cloud.platform", "aws_lambda"),
    ] {
        assert_eq!(
            duration.resource.get(key).map(String::as_str),
            Some(value),
            "resource {key}"
        );
    }
    server.shutdown().await;
}

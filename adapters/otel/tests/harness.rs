//! The OTLP export from the test harness (`anyfn_test::Harness`), its
//! lines captured as by default: an HTTP invocation whose caller sent
//! `X-Cloud-Trace-Context`, and a queue batch whose messages carry their
//! senders' `traceparent`; the handler's metrics and anyfn's own. One
//! test: telemetry is installed once per process.

#[path = "otlp/receiver.rs"]
mod receiver;

use std::time::Duration;

use anyfn::event::{Message, QueueBatch};
use anyfn::metrics::Unit;
use anyfn::{handler_fn, Body, Context, Json, Request, Response};
use anyfn_kit::CallerTrace;
use anyfn_test::Harness;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;

use receiver::{hex, last_point, Point, Received, Receiver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_invocations_are_exported_as_server_and_consumer_spans() {
    let receiver = Receiver::start().await;
    let config = anyfn_otel::OtelConfig::from_vars(|name| {
        (name == "K_SERVICE").then(|| "greeter".to_owned())
    })
    .expect("http/protobuf")
    .endpoint(receiver.url())
    .metrics_endpoint(receiver.metrics_url());
    let _telemetry = anyfn_otel::install_with(config).expect("installed once");

    let http = Harness::new(handler_fn(
        |request: Request, context: Context| async move {
            if request.uri().path() == "/fail" {
                return Err(anyfn::Error::unavailable("the store is down"));
            }
            let metrics = context.metrics();
            metrics.count("Orders", 1);
            metrics.dimension("Shop", "eu");
            metrics.count("Orders", 2);
            metrics.record("Latency", 12.5, Unit::Milliseconds);
            metrics.record("Latency", 7.5, Unit::Milliseconds);
            let greeting = tracing::info_span!("greet").in_scope(|| "hello".to_owned());
            Ok::<_, anyfn::Error>(Response::new(Body::from(greeting)))
        },
    ));
    let context = http
        .next_context()
        .extension(CallerTrace::cloud_trace(
            "105445aa7843bc8bf206b12000100000/255;o=1",
        ))
        .build();
    let request = anyfn::http::Request::builder()
        .uri("/greet")
        .body(Body::empty())
        .expect("request");
    let invocation = http.invoke_with_context(request, context).await;
    let request_id = invocation.request_id().to_owned();
    invocation.expect_output();
    let failing = anyfn::http::Request::builder()
        .method("POST")
        .uri("/fail")
        .body(Body::empty())
        .expect("request");
    let failed = http.invoke(failing).await;
    let failed_id = failed.request_id().to_owned();
    failed.expect_error();

    let batch = Harness::new(handler_fn(
        |batch: QueueBatch, _context: Context| async move {
            tracing::info_span!("consume").in_scope(|| ());
            Ok::<_, anyfn::Error>(Json(batch.messages.len()))
        },
    ));
    let mut traced = Message::new("m-1", "one");
    traced.attributes.insert(
        "traceparent".to_owned(),
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned(),
    );
    let mut xray = Message::new("m-2", "two");
    xray.attributes.insert(
        "AWSTraceHeader".to_owned(),
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".to_owned(),
    );
    let mut malformed = Message::new("m-3", "three");
    malformed
        .attributes
        .insert("traceparent".to_owned(), "00-nonsense".to_owned());
    let messages = vec![traced, xray, malformed, Message::new("m-4", "four")];
    // Each harness numbers its invocations from 1: this one's id of its own.
    let context = batch.next_context().request_id("batch-1").build();
    let consumed = batch
        .invoke_with_context(QueueBatch::new(messages), context)
        .await;
    let batch_id = consumed.request_id().to_owned();
    let Json(count) = consumed.expect_output();
    assert_eq!(count, 4);

    // Every adapter flushes at shutdown; the harness's `shut_down` too, and
    // waits for the export to be answered: the spans are there when it
    // returns (the batch processor alone would send them 5 s later).
    assert_eq!(http.shut_down(Duration::from_secs(1)).await, 0);
    let spans = receiver.spans();
    let by_id = |id: &str| {
        spans
            .iter()
            .find(|received| {
                received.span.name == "invocation"
                    && received.attribute("faas.invocation_id").as_deref() == Some(id)
            })
            .unwrap_or_else(|| panic!("no invocation {id} in {spans:#?}"))
    };

    let invocation = by_id(&request_id);
    assert_eq!(invocation.trace_id(), "105445aa7843bc8bf206b12000100000");
    assert_eq!(
        invocation.parent_span_id(),
        "00000000000000ff",
        "the decimal span id 255"
    );
    assert_eq!(invocation.span.kind, SpanKind::Server as i32);
    assert_eq!(
        invocation.attribute("faas.trigger").as_deref(),
        Some("http")
    );
    for (key, value) in [
        ("http.request.method", "GET"),
        ("url.path", "/greet"),
        ("http.response.status_code", "200"),
    ] {
        assert_eq!(invocation.attribute(key).as_deref(), Some(value), "{key}");
    }
    let unset = opentelemetry_proto::tonic::trace::v1::status::StatusCode::Unset as i32;
    assert_eq!(
        invocation.span.status.as_ref().map_or(unset, |s| s.code),
        unset
    );

    let failure = by_id(&failed_id);
    for (key, value) in [
        ("http.request.method", "POST"),
        ("url.path", "/fail"),
        ("http.response.status_code", "503"),
        ("error.type", "Unavailable"),
    ] {
        assert_eq!(failure.attribute(key).as_deref(), Some(value), "{key}");
    }
    let status = failure.span.status.as_ref().expect("a status");
    assert_eq!(
        status.code,
        opentelemetry_proto::tonic::trace::v1::status::StatusCode::Error as i32
    );
    assert!(
        !status.message.contains("store"),
        "no error message: {status:?}"
    );

    assert_child_span(&spans, "greet", &invocation.span.span_id);
    assert_cloud_run_resource(&invocation.resource);

    let consumer = by_id(&batch_id);
    assert_eq!(
        consumer.span.kind,
        SpanKind::Consumer as i32,
        "a batch is a CONSUMER span"
    );
    assert_eq!(
        consumer.attribute("faas.trigger").as_deref(),
        Some("pubsub")
    );
    assert!(consumer.span.parent_span_id.is_empty(), "no caller: a root");
    let links: Vec<(String, String)> = consumer
        .span
        .links
        .iter()
        .map(|link| (hex(&link.trace_id), hex(&link.span_id)))
        .collect();
    assert_eq!(
        links,
        [
            (
                "0af7651916cd43dd8448eb211c80319c".to_owned(),
                "b7ad6b7169203331".to_owned()
            ),
            (
                "5759e988bd862e3fe1be46a994272793".to_owned(),
                "53995c3f42cd8ad8".to_owned()
            ),
        ],
        "one link per message that carries a well-formed trace context"
    );
    assert_child_span(&spans, "consume", &consumer.span.span_id);

    // The metrics left with the spans, at the harness's shut_down.
    let points = receiver.points();
    assert_handler_and_faas_metrics(&points);
}

/// The handler's counter and histogram with their dimensions, anyfn's FaaS
/// metrics per trigger, and the resource.
fn assert_handler_and_faas_metrics(points: &[Point]) {
    let point = |name: &str, attributes: &[(&str, &str)]| {
        last_point(points, name, attributes)
            .unwrap_or_else(|| panic!("no {name} {attributes:?} in {points:#?}"))
    };
    // Counted before and after the dimension was set: two series.
    let orders = point("Orders", &[]);
    assert_eq!(
        (orders.sum, orders.count, orders.unit.as_str()),
        (1.0, None, "1")
    );
    assert_eq!(point("Orders", &[("Shop", "eu")]).sum, 2.0);
    let latency = point("Latency", &[("Shop", "eu")]);
    assert_eq!(
        (latency.count, latency.sum, latency.unit.as_str()),
        (Some(2), 20.0, "ms")
    );

    let http = [("faas.trigger", "http")];
    let pubsub = [("faas.trigger", "pubsub")];
    assert_eq!(point("faas.coldstarts", &http).sum, 1.0, "one cold start");
    assert!(
        last_point(points, "faas.coldstarts", &pubsub).is_none(),
        "the batch was no cold start"
    );
    let duration = point("faas.invoke_duration", &http);
    assert_eq!(duration.unit, "s");
    assert_eq!(duration.count, Some(2), "both HTTP invocations");
    assert!(
        duration.sum > 0.0 && duration.sum < 10.0,
        "seconds: {}",
        duration.sum
    );
    assert_eq!(point("faas.invoke_duration", &pubsub).count, Some(1));
    assert_eq!(point("faas.invocations", &http).sum, 1.0);
    assert_eq!(point("faas.invocations", &pubsub).sum, 1.0);
    assert_eq!(point("faas.errors", &http).sum, 1.0, "the failed one");
    assert!(last_point(points, "faas.errors", &pubsub).is_none());

    assert_cloud_run_resource(&orders.resource);
}

/// The FaaS resource the harness's Cloud Run settings give: the service,
/// the function's name, the provider and the platform.
fn assert_cloud_run_resource(resource: &std::collections::HashMap<String, String>) {
    for (key, value) in [
        ("service.name", "greeter"),
        ("faas.name", "greeter"),
        ("cloud.provider", "gcp"),
        ("cloud.platform", "gcp_cloud_run"),
    ] {
        assert_eq!(
            resource.get(key).map(String::as_str),
            Some(value),
            "resource {key}"
        );
    }
}

/// The handler's span `name` was received, a child of the span `parent`.
fn assert_child_span(spans: &[Received], name: &str, parent: &[u8]) {
    let child = spans
        .iter()
        .find(|received| received.span.name == name)
        .unwrap_or_else(|| panic!("the handler's span {name}"));
    assert_eq!(child.span.parent_span_id, parent, "{name}'s parent");
}

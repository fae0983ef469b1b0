//! `OTEL_EXPORTER_OTLP_COMPRESSION` and `OTEL_EXPORTER_OTLP_TIMEOUT`, and
//! each signal's own, from the process's environment as a deployment sets
//! them: spans gzipped (`…_TRACES_COMPRESSION=gzip`) arrive with
//! `Content-Encoding: gzip`; metrics under the general `none` arrive as
//! they are, at a receiver that never answers, and the flush gives up
//! after the metrics' own short timeout (`…_METRICS_TIMEOUT`), not the
//! general one. One test: telemetry is installed once per process.

#[path = "otlp/receiver.rs"]
mod receiver;

use std::time::{Duration, Instant};

use anyfn::{handler_fn, Context, Json};
use anyfn_test::Harness;

use receiver::Receiver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_and_none_and_each_signals_timeout_from_the_environment() {
    let receiver = Receiver::start().await;
    let silent = Receiver::start_silent().await;
    // The exporter reads the compression variables from the process's
    // environment itself; this binary's one test sets them before install.
    for (name, value) in [
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "none"),
        ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "20000"),
        ("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "300"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &receiver.url()),
        ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", &silent.metrics_url()),
        ("OTEL_SERVICE_NAME", "compressed-greeter"),
    ] {
        std::env::set_var(name, value);
    }
    let config = anyfn_otel::OtelConfig::from_env().expect("gzip and none are read");
    assert!(config.traces_gzip());
    assert!(!config.metrics_gzip());
    assert_eq!(config.metrics_timeout(), Duration::from_millis(300));
    let telemetry = anyfn_otel::install_with(config).expect("installed, `none` included");

    let harness = Harness::new(handler_fn(
        |Json(name): Json<String>, context: Context| async move {
            context.metrics().count("Greetings", 1);
            Ok::<_, anyfn::Error>(Json(format!("Hello, {name}!")))
        },
    ));
    let invocation = harness.invoke(Json("Ada".to_owned())).await;
    let request_id = invocation.request_id().to_owned();
    let Json(greeting) = invocation.expect_output();
    assert_eq!(greeting, "Hello, Ada!");

    let started = Instant::now();
    let flushed = tokio::task::spawn_blocking(move || telemetry.flush())
        .await
        .expect("flushed");
    let waited = started.elapsed();
    assert!(
        flushed.is_err(),
        "the metrics were never answered: the flush fails"
    );
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(5),
        "the flush gave up after {waited:?}, not the metrics' 300 ms"
    );

    let spans = receiver.spans();
    assert!(
        spans.iter().any(|received| {
            received.span.name == "invocation"
                && received.attribute("faas.invocation_id").as_deref() == Some(request_id.as_str())
        }),
        "no invocation span in {spans:#?}"
    );
    let traces = receiver.encodings();
    assert!(!traces.is_empty());
    for (path, encoding) in &traces {
        assert_eq!(
            (path.as_str(), encoding.as_deref()),
            ("/v1/traces", Some("gzip")),
            "{traces:?}"
        );
    }

    let metrics = silent.encodings();
    assert!(!metrics.is_empty());
    for (path, encoding) in &metrics {
        assert_eq!(
            (path.as_str(), encoding.as_deref()),
            ("/v1/metrics", None),
            "{metrics:?}"
        );
    }
    let points = silent.points();
    assert!(
        points.iter().any(|point| point.name == "Greetings"),
        "the metrics, as they are, in {points:#?}"
    );
}

//! The OTLP export over HTTPS: a TLS receiver on 127.0.0.1 presenting a
//! self-signed certificate made by the test, trusted through
//! `OTEL_EXPORTER_OTLP_CERTIFICATE`; the harness's spans and metrics
//! arrive over it, with `OTEL_EXPORTER_OTLP_HEADERS`' headers. One test:
//! telemetry is installed once per process.

#[path = "otlp/receiver.rs"]
mod receiver;

use std::time::Duration;

use anyfn::{handler_fn, Context, Json};
use anyfn_test::Harness;

use receiver::{last_point, Receiver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_and_metrics_arrive_over_https_trusting_the_certificate_file() {
    let (tls, pem) = receiver::self_signed();
    let receiver = Receiver::start_tls(tls).await;
    assert!(receiver.url().starts_with("https://127.0.0.1:"));
    let dir = std::env::temp_dir().join(format!("anyfn-otel-https-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca = dir.join("collector-ca.pem");
    std::fs::write(&ca, pem).expect("written");

    // The exporter reads OTEL_EXPORTER_OTLP_HEADERS from the process's
    // environment itself; this binary's one test sets it before install.
    std::env::set_var(
        "OTEL_EXPORTER_OTLP_HEADERS",
        "x-api-key=s3cret,x-tenant=acme%20corp",
    );
    let vars = [
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.url()),
        (
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            receiver.metrics_url(),
        ),
        ("OTEL_EXPORTER_OTLP_CERTIFICATE", ca.display().to_string()),
        ("OTEL_SERVICE_NAME", "secure-greeter".to_owned()),
    ];
    let config = anyfn_otel::OtelConfig::from_vars(|name| {
        vars.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.clone())
    })
    .expect("http/protobuf");
    assert_eq!(config.traces_certificate(), Some(ca.as_path()));
    let telemetry = anyfn_otel::install_with(config).expect("installed once");

    let harness = Harness::new(handler_fn(
        |Json(name): Json<String>, context: Context| async move {
            context.metrics().count("Greetings", 1);
            let greeting = tracing::info_span!("greet").in_scope(|| format!("Hello, {name}!"));
            Ok::<_, anyfn::Error>(Json(greeting))
        },
    ));
    let invocation = harness.invoke(Json("Ada".to_owned())).await;
    let request_id = invocation.request_id().to_owned();
    let Json(greeting) = invocation.expect_output();
    assert_eq!(greeting, "Hello, Ada!");

    tokio::task::spawn_blocking(move || telemetry.flush())
        .await
        .expect("flushed")
        .expect("exported over https");

    let spans = receiver.spans();
    let invocation = spans
        .iter()
        .find(|received| {
            received.span.name == "invocation"
                && received.attribute("faas.invocation_id").as_deref() == Some(request_id.as_str())
        })
        .unwrap_or_else(|| panic!("no invocation span over https in {spans:#?}"));
    assert_eq!(
        invocation.resource.get("service.name").map(String::as_str),
        Some("secure-greeter")
    );
    assert!(spans.iter().any(|received| received.span.name == "greet"));
    let points = receiver.points();
    let greetings = last_point(&points, "Greetings", &[])
        .unwrap_or_else(|| panic!("no Greetings over https in {points:#?}"));
    assert_eq!(greetings.sum, 1.0);

    let headers = receiver.headers();
    for (name, value) in [("x-api-key", "s3cret"), ("x-tenant", "acme corp")] {
        assert!(
            headers.iter().any(|(key, got)| key == name && got == value),
            "{name}: {value} in {headers:?}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
    // Bounded: the receiver task ends with the runtime.
    let _ = Duration::ZERO;
}

//! An HTTPS collector whose certificate is not trusted: the invocation is
//! answered as ever, and the export's failure is logged, clearly and once
//! (`WARN anyfn::otel`), never a panic. One test: telemetry is installed
//! once per process.

#[path = "otlp/receiver.rs"]
mod receiver;

use std::io::Write;
use std::sync::{Arc, Mutex};

use anyfn::{handler_fn, Body, Context, Request, Response};
use anyfn_test::{TestRequest, TestServer};
use tracing_subscriber::layer::SubscriberExt as _;

use receiver::Receiver;

/// The log lines, as the fmt layer writes them.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Lines {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_collector_certificate_is_logged_and_the_request_still_answered() {
    // The receiver presents one self-signed certificate; the client trusts
    // another.
    let (tls, _its_pem) = receiver::self_signed();
    let (_other, other_pem) = receiver::self_signed();
    let receiver = Receiver::start_tls(tls).await;
    let dir = std::env::temp_dir().join(format!("anyfn-otel-untrusted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca = dir.join("other-ca.pem");
    std::fs::write(&ca, other_pem).expect("written");

    let config = anyfn_otel::OtelConfig::from_vars(|_| None)
        .expect("http/protobuf")
        .endpoint(receiver.url())
        .metrics_endpoint(receiver.metrics_url())
        .certificate(&ca);
    let telemetry = anyfn_otel::install_with(config).expect("installed once");
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::registry().with(telemetry.layer()).with(
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || writer.clone()),
    );
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let handler = handler_fn(|_request: Request, context: Context| async move {
        context.metrics().count("Greetings", 1);
        Ok::<_, anyfn::Error>(Response::new(Body::from("hello")))
    });
    let server = TestServer::start(handler).await.expect("server");
    for _ in 0..2 {
        let response = server
            .client()
            .send(TestRequest::get("/"))
            .await
            .expect("answered despite the collector");
        response.assert_status(200);
        assert_eq!(response.text(), "hello");
    }

    // Two flushes, each export failing: logged once per exporter.
    for _ in 0..2 {
        let telemetry = telemetry.clone();
        let flushed = tokio::task::spawn_blocking(move || telemetry.flush())
            .await
            .expect("no panic on the export threads");
        assert!(
            matches!(flushed, Err(anyfn_otel::OtelError::Export(_))),
            "the failed export is the flush's error: {flushed:?}"
        );
        server
            .client()
            .send(TestRequest::get("/again"))
            .await
            .expect("answered")
            .assert_status(200);
    }
    assert!(receiver.spans().is_empty() && receiver.points().is_empty());

    let logged = lines.text();
    let failures: Vec<&str> = logged
        .lines()
        .filter(|line| line.contains("OTLP export to"))
        .collect();
    let traces = format!("OTLP export to {} failed", receiver.url());
    let metrics = format!("OTLP export to {} failed", receiver.metrics_url());
    for expected in [&traces, &metrics] {
        let line = failures
            .iter()
            .find(|line| line.contains(expected.as_str()))
            .unwrap_or_else(|| panic!("no {expected:?} in the log:\n{logged}"));
        assert!(line.contains("WARN"), "{line}");
        assert!(line.contains("anyfn::otel"), "{line}");
        assert!(
            line.contains("invalid peer certificate")
                && line.contains("OTEL_EXPORTER_OTLP_CERTIFICATE"),
            "says why, and what to do: {line}"
        );
    }
    assert_eq!(
        failures.len(),
        2,
        "once per exporter, not per export: {failures:#?}"
    );
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

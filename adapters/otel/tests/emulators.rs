//! The OTLP export from functions run as they are deployed, each a child
//! process under its control plane's emulator: the Lambda adapter under the
//! Runtime API emulator (spans and metrics out after the answer, before the
//! next `/next`; EMF written as well), and the Azure adapter under the Functions host emulator
//! (spans out at shutdown). A test OTLP receiver on 127.0.0.1 gets them.

#[path = "otlp/receiver.rs"]
mod receiver;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyfn_test::{AzureAppFunction, AzureEmulator, AzureTriggerType, LambdaEmulator, TestRequest};

use receiver::{Point, Received, Receiver};

/// The example `name` of this package, built by `cargo test`.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    let path = profile.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test`, which builds the examples",
        path.display()
    );
    path
}

/// The invocation span of the invocation `request_id`, and its handler's
/// `greet` span, once both are in `spans`.
fn invocation_and_greet<'a>(
    spans: &'a [Received],
    request_id: &str,
) -> Option<(&'a Received, &'a Received)> {
    let invocation = spans.iter().find(|received| {
        received.span.name == "invocation"
            && received.attribute("faas.invocation_id").as_deref() == Some(request_id)
    })?;
    let greet = spans.iter().find(|received| {
        received.span.name == "greet" && received.span.parent_span_id == invocation.span.span_id
    })?;
    Some((invocation, greet))
}

/// How long the function may take to ask for its next invocation, and the
/// receiver to get spans: bounds for a loaded machine, never waited out
/// when things work.
const BOUND: Duration = Duration::from_secs(10);

/// Lambda's X-Ray header: trace `5759e988bd862e3fe1be46a994272793`, the
/// caller's span `53995c3f42cd8ad8`, sampled.
const XRAY: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_spans_arrive_before_the_function_asks_for_its_next_invocation() {
    let receiver = Receiver::start().await;
    let emulator = LambdaEmulator::builder()
        .function_name("greeter")
        .function_version("7")
        .memory_mb(256)
        .trace_header(XRAY)
        .env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.url())
        .env(
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            receiver.metrics_url(),
        )
        // EMF as well: both sinks get the handler's metrics.
        .env("ANYFN_METRICS_NAMESPACE", "greeter")
        .env("AWS_ACCOUNT_ID", "123456789012")
        .start()
        .await
        .expect("emulator");
    let _function = emulator
        .spawn(example("otel-lambda"))
        .expect("function starts");

    for (n, name) in ["Ada", "Grace"].into_iter().enumerate() {
        let outcome = emulator.invoke(format!(r#"{{"name":"{name}"}}"#)).await;
        let request_id = outcome.request_id().to_owned();
        assert_eq!(outcome.expect_json(), format!("Hello, {name}!"));

        // The function's next `/next` (its (n + 2)-th) comes after it
        // flushed this invocation's spans.
        let started = Instant::now();
        let asked_next = loop {
            if let Some(at) = emulator.next_calls().get(n + 1) {
                break *at;
            }
            assert!(
                started.elapsed() < BOUND,
                "the function never asked for its next invocation"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let spans = receiver
            .spans_until(BOUND, |spans| {
                invocation_and_greet(spans, &request_id).is_some()
            })
            .await;
        let (invocation, greet) = invocation_and_greet(&spans, &request_id).unwrap_or_else(|| {
            panic!("no invocation {request_id} with its greet span in {spans:#?}")
        });
        assert!(
            invocation.arrived < asked_next && greet.arrived < asked_next,
            "invocation {request_id}'s spans arrived {:?} after the function asked for the next one",
            invocation.arrived.saturating_duration_since(asked_next)
        );

        // Cumulative sums: the (n + 1)-th invocation's export counts n + 1.
        let invoked = n + 1;
        let points = receiver
            .points_until(BOUND, |points| metrics_of(points, invoked).is_some())
            .await;
        let (greetings, duration) = metrics_of(&points, invoked).unwrap_or_else(|| {
            panic!("no Greetings and faas.invoke_duration of invocation {invoked} in {points:#?}")
        });
        assert!(
            greetings.arrived < asked_next && duration.arrived < asked_next,
            "invocation {request_id}'s metrics arrived after the function asked for the next one"
        );
        assert_eq!(duration.unit, "s");
        assert_eq!(
            duration.resource.get("faas.name").map(String::as_str),
            Some("greeter")
        );
        let coldstarts = points
            .iter()
            .rfind(|point| point.name == "faas.coldstarts")
            .unwrap_or_else(|| panic!("no faas.coldstarts in {points:#?}"));
        assert_eq!(
            coldstarts.sum, 1.0,
            "one cold start, however many invocations"
        );
        assert!(coldstarts.has_attributes(&[("faas.trigger", "other")]));

        assert_eq!(
            invocation.trace_id(),
            "5759e988bd862e3fe1be46a994272793",
            "X-Ray's Root"
        );
        assert_eq!(
            invocation.parent_span_id(),
            "53995c3f42cd8ad8",
            "X-Ray's Parent"
        );
        assert_eq!(greet.trace_id(), invocation.trace_id());
        assert_eq!(
            invocation.attribute("faas.trigger").as_deref(),
            Some("other")
        );
        assert_eq!(
            invocation.attribute("faas.coldstart").as_deref(),
            Some(if n == 0 { "true" } else { "false" })
        );
        assert_eq!(
            invocation.span.kind,
            opentelemetry_proto::tonic::trace::v1::span::SpanKind::Server as i32,
            "a direct invocation is a SERVER span"
        );
        for (key, value) in [
            ("service.name", "greeter"),
            ("faas.name", "greeter"),
            ("faas.version", "7"),
            ("faas.instance", "anyfn-test"),
            ("faas.max_memory", "268435456"),
            ("cloud.provider", "aws"),
            ("cloud.platform", "aws_lambda"),
            ("cloud.region", "us-east-1"),
            ("cloud.account.id", "123456789012"),
            (
                "cloud.resource_id",
                "arn:aws:lambda:us-east-1:123456789012:function:greeter",
            ),
        ] {
            assert_eq!(
                invocation.resource.get(key).map(String::as_str),
                Some(value),
                "resource {key} in {:?}",
                invocation.resource
            );
        }
    }
    assert!(
        !spans_named(&receiver.spans(), "Lambda runtime invoke"),
        "lambda_runtime's own spans are not exported"
    );
    // The same metric as EMF, a document alone on its line of stdout.
    let emf = emulator
        .output_line_containing("\"Greetings\"", BOUND)
        .await
        .expect("an EMF line with the handler's metric");
    let document: serde_json::Value = serde_json::from_str(&emf).expect("a bare JSON object");
    assert_eq!(document["Greetings"], 1.0);
    assert_eq!(document["Greeting"], "hello");
    assert_eq!(
        document["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "greeter"
    );
}

/// The handler's `Greetings` and anyfn's `faas.invoke_duration` as
/// exported after `invoked` invocations (cumulative: the count is theirs).
fn metrics_of(points: &[Point], invoked: usize) -> Option<(&Point, &Point)> {
    #[allow(clippy::cast_precision_loss)]
    let greetings = points.iter().find(|point| {
        point.name == "Greetings"
            && point.has_attributes(&[("Greeting", "hello")])
            && point.sum == invoked as f64
    })?;
    let duration = points.iter().find(|point| {
        point.name == "faas.invoke_duration"
            && point.has_attributes(&[("faas.trigger", "other")])
            && point.count == u64::try_from(invoked).ok()
    })?;
    Some((greetings, duration))
}

fn spans_named(spans: &[Received], name: &str) -> bool {
    spans.iter().any(|received| received.span.name == name)
}

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_spans_arrive_at_shutdown_with_the_callers_parent_forwarded() {
    azure_spans_arrive_at_shutdown_with_the_callers_parent(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_spans_arrive_at_shutdown_with_the_callers_parent_in_an_envelope() {
    azure_spans_arrive_at_shutdown_with_the_callers_parent(false).await;
}

async fn azure_spans_arrive_at_shutdown_with_the_callers_parent(forwarding: bool) {
    let receiver = Receiver::start().await;
    let azure = AzureEmulator::builder()
        .with_function(AzureAppFunction::new(
            "hello",
            AzureTriggerType::Http,
            "req",
        ))
        .forwarding_http_request(forwarding)
        .site_name("greeter-app")
        .env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.url())
        .env(
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            receiver.metrics_url(),
        )
        .env("REGION_NAME", "West Europe")
        .build()
        .expect("emulator");
    let mut function = azure
        .spawn(example("otel-azure"))
        .await
        .expect("function starts");
    let outcome = azure
        .http(
            "hello",
            TestRequest::get("/api/hello?name=Ada")
                .header("traceparent", &format!("00-{TRACE_ID}-{CALLER_SPAN}-01")),
        )
        .await;
    assert!(outcome.succeeded(), "{:?}", outcome.answer());
    let response = outcome.http_response();
    response.assert_status(200);
    assert_eq!(response.text(), "Hello, Ada!");

    // The batch processor holds the spans (5 s by default): what sends
    // them now is the adapter's flush at shutdown, on SIGTERM.
    let pid = function.id().expect("running");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = function
        .exit_status_within(BOUND)
        .await
        .expect("exit status");
    assert!(status.is_some(), "the function stopped on SIGTERM");

    let spans = receiver.spans();
    let invocation = spans
        .iter()
        .find(|received| received.span.name == "invocation")
        .unwrap_or_else(|| panic!("no invocation span in {spans:#?}"));
    assert_eq!(invocation.trace_id(), TRACE_ID, "the caller's trace");
    assert_eq!(
        invocation.parent_span_id(),
        CALLER_SPAN,
        "the caller's span as parent"
    );
    assert_eq!(
        invocation.attribute("faas.trigger").as_deref(),
        Some("http")
    );
    for (key, value) in [
        ("http.request.method", "GET"),
        ("url.path", "/api/hello"),
        ("http.response.status_code", "200"),
    ] {
        assert_eq!(
            invocation.attribute(key).as_deref(),
            Some(value),
            "{key} (forwarding: {forwarding})"
        );
    }
    assert_eq!(
        invocation.span.kind,
        opentelemetry_proto::tonic::trace::v1::span::SpanKind::Server as i32
    );
    let greet = spans
        .iter()
        .find(|received| received.span.name == "greet")
        .unwrap_or_else(|| panic!("no handler span in {spans:#?}"));
    assert_eq!(
        greet.span.parent_span_id, invocation.span.span_id,
        "the handler's span is the child"
    );
    for (key, value) in [
        ("service.name", "greeter-app"),
        ("faas.name", "greeter-app"),
        (
            "faas.instance",
            "0000000000000000000000000000000000000000000000000000000000000001",
        ),
        ("cloud.provider", "azure"),
        ("cloud.platform", "azure_functions"),
        ("cloud.region", "West Europe"),
    ] {
        assert_eq!(
            invocation.resource.get(key).map(String::as_str),
            Some(value),
            "resource {key} in {:?}",
            invocation.resource
        );
    }

    // anyfn's metrics, sent by the same flush at shutdown (the periodic
    // reader alone would wait 60 s).
    let points = receiver.points();
    let duration = points
        .iter()
        .rfind(|point| {
            point.name == "faas.invoke_duration"
                && point.has_attributes(&[("faas.trigger", "http")])
        })
        .unwrap_or_else(|| panic!("no faas.invoke_duration at shutdown in {points:#?}"));
    assert_eq!(duration.count, Some(1));
    assert_eq!(
        duration.resource.get("cloud.platform").map(String::as_str),
        Some("azure_functions")
    );
    assert!(
        points
            .iter()
            .any(|point| point.name == "faas.coldstarts" && point.sum == 1.0),
        "the cold start in {points:#?}"
    );
}

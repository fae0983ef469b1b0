//! Every invocation has a deadline: past it the server answers 504 and the
//! harness reports a timeout error, and both go on.

use std::time::Duration;

use anyfn::{handler_fn, Context, ErrorKind, Request, RequestExt};
use anyfn_server::Server;
use anyfn_test::{Harness, TestRequest, TestServer};
use serde_json::Value;

/// Sleeps for the `ms` query parameter, then answers with the time it had left.
fn sleeper() -> impl anyfn::Handler<Event = Request, Output = anyfn::Response, Error = anyfn::Error>
{
    handler_fn(|request: Request, context: Context| async move {
        let ms: u64 = request.query().get("ms").unwrap_or("0").parse()?;
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(anyfn::response::text(
            context.remaining_time().as_millis().to_string(),
        ))
    })
}

#[tokio::test]
async fn server_answers_504_past_the_deadline_and_goes_on() {
    let server = TestServer::start_with(Server::new(sleeper()).timeout(Duration::from_millis(200)))
        .await
        .expect("server starts");
    let client = server.client();

    let late = client.get("/?ms=60000").await.expect("response");
    late.assert_status(504);
    let error: Value = late.json();
    assert_eq!(error["errorType"], "Timeout");
    assert_eq!(error["errorMessage"], "Gateway Timeout");

    let on_time = client.get("/?ms=0").await.expect("response");
    on_time.assert_status(200);
    let remaining: u64 = on_time.text().parse().expect("a number");
    assert!(
        remaining <= 200,
        "the handler sees the server's deadline: {remaining}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn harness_reports_a_timeout_error_past_the_deadline() {
    let harness = Harness::new(sleeper()).timeout(Duration::from_millis(100));
    let late = harness.invoke(TestRequest::get("/?ms=60000").build()).await;
    assert_eq!(late.request_id(), "test-request-1");
    let err = late.expect_error();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.status(), 504);
    assert_eq!(err.error_type(), "Timeout");

    let next = harness.invoke(TestRequest::get("/?ms=1").build()).await;
    assert_eq!(next.request_id(), "test-request-2");
    assert!(next.output().is_some_and(|r| r.status() == 200));
}

#[tokio::test]
async fn harness_reports_duration_and_cost() {
    let harness = Harness::new(sleeper()).memory_mb(1024);
    let invocation = harness.invoke(TestRequest::get("/?ms=20").build()).await;
    let report = invocation.report();
    assert!(invocation.duration() >= Duration::from_millis(20));
    assert!(report.billed_duration() >= Duration::from_millis(20));
    assert_eq!(report.billed_duration().subsec_nanos() % 1_000_000, 0);
    assert_eq!(report.memory_mb(), 1024);
    let expected = report.billed_duration().as_secs_f64() * 0.000_016_666_7 + 0.000_000_2;
    assert!((report.estimated_cost_usd() - expected).abs() < 1e-15);
}

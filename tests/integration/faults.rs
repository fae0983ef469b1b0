//! A failing or panicking handler fails its own invocation only, and a
//! server error's details stay in the log unless they are asked for.

use anyfn::{handler_fn, Context, Error, ErrorDetails, Request, RequestExt};
use anyfn_server::Server;
use anyfn_test::{Harness, TestRequest, TestServer};
use serde_json::Value;

/// Panics on `/panic`, fails on `/fail`, answers `ok` otherwise.
fn moody() -> impl anyfn::Handler<Event = Request, Output = anyfn::Response, Error = Error> {
    handler_fn(|request: Request, _context: Context| async move {
        match request.uri().path() {
            "/panic" => panic!(
                "the handler blew up on {}",
                request.query().get("n").unwrap_or("?")
            ),
            "/fail" => {
                Err(Error::bad_request("order 17 does not exist").with_error_type("OrderNotFound"))
            }
            "/io" => Err(std::io::Error::other("disk on fire").into()),
            _ => Ok(anyfn::response::text("ok")),
        }
    })
}

#[tokio::test]
async fn panic_answers_500_and_the_next_request_succeeds() {
    let server = TestServer::start(moody()).await.expect("server starts");
    let client = server.client();

    let panicked = client
        .get("/panic?n=1")
        .await
        .expect("a response, not a reset");
    panicked.assert_status(500);
    let error: Value = panicked.json();
    assert_eq!(error["errorType"], "Panic");
    assert_eq!(error["errorMessage"], "Internal Server Error");
    assert_eq!(
        error["requestId"].as_str(),
        panicked.header("x-request-id"),
        "the body names the request id the log has"
    );
    assert!(!panicked.text().contains("blew up"), "{}", panicked.text());

    let next = client.get("/").await.expect("response");
    next.assert_status(200);
    assert_eq!(next.text(), "ok");
    server.shutdown().await;
}

#[tokio::test]
async fn handler_errors_keep_their_status_type_and_message() {
    let server = TestServer::start(moody()).await.expect("server starts");
    let client = server.client();

    let missing = client.get("/fail").await.expect("response");
    missing.assert_status(400);
    let error: Value = missing.json();
    assert_eq!(error["errorType"], "OrderNotFound");
    assert_eq!(error["errorMessage"], "order 17 does not exist");

    let io = client.get("/io").await.expect("response");
    io.assert_status(500);
    let error: Value = io.json();
    assert_eq!(error["errorType"], "HandlerError");
    assert_eq!(error["errorMessage"], "Internal Server Error");
    server.shutdown().await;
}

#[tokio::test]
async fn server_error_details_are_shown_only_when_asked_for() {
    let server = TestServer::start_with(Server::new(moody()).error_details(ErrorDetails::Shown))
        .await
        .expect("server starts");
    let client = server.client();
    let panicked: Value = client.get("/panic?n=3").await.expect("response").json();
    assert_eq!(
        panicked["errorMessage"],
        "handler panicked: the handler blew up on 3"
    );
    let io: Value = client.get("/io").await.expect("response").json();
    assert_eq!(io["errorMessage"], "disk on fire");
    server.shutdown().await;
}

#[tokio::test]
async fn harness_turns_a_panic_into_an_error_and_goes_on() {
    let harness = Harness::new(moody());
    let err = harness
        .invoke(TestRequest::get("/panic?n=2").build())
        .await
        .expect_error();
    assert!(err.is_panic());
    assert_eq!(
        err.to_string(),
        "handler panicked: the handler blew up on 2"
    );

    let next = harness
        .invoke(TestRequest::get("/").build())
        .await
        .expect_output();
    assert_eq!(next.body().as_bytes(), b"ok");
}

#[tokio::test]
async fn user_error_source_survives_the_harness() {
    let harness = Harness::new(moody());
    let err = harness
        .invoke(TestRequest::get("/io").build())
        .await
        .expect_error();
    assert!(err.is_handler());
    assert!(err.downcast_ref::<std::io::Error>().is_some());
}

//! anyfn-tower's conventions, each checked: a service cloned per
//! invocation and called when ready, readiness within the deadline, a
//! `poll_ready` error as `503`, service errors and panics per the failure
//! contract, the context in the request, whole and streamed answers, and
//! tower-http layers around a plain handler on the local server.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyfn::{handler_fn, Context, Error, ErrorKind, Request, Response};
use anyfn_test::{Harness, TestRequest, TestServer};
use axum::response::sse::{Event, Sse};
use axum::routing::get;
use tower_service::Service;

/// A service whose readiness, clones and answers the test sets.
#[derive(Clone)]
struct Probe {
    clones: Arc<AtomicUsize>,
    ready: fn() -> Poll<Result<(), std::io::Error>>,
    answer: fn() -> Result<http::Response<anyfn::Body>, std::io::Error>,
}

impl Probe {
    fn new(
        ready: fn() -> Poll<Result<(), std::io::Error>>,
        answer: fn() -> Result<http::Response<anyfn::Body>, std::io::Error>,
    ) -> Self {
        Self {
            clones: Arc::default(),
            ready,
            answer,
        }
    }
}

/// A clone counts itself: the bridge clones the service per invocation.
struct Counted(Probe);

impl Clone for Counted {
    fn clone(&self) -> Self {
        self.0.clones.fetch_add(1, Ordering::SeqCst);
        Self(self.0.clone())
    }
}

impl Service<Request> for Counted {
    type Response = http::Response<anyfn::Body>;
    type Error = std::io::Error;
    type Future = Ready<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        (self.0.ready)()
    }

    fn call(&mut self, _request: Request) -> Self::Future {
        ready((self.0.answer)())
    }
}

fn ok_answer() -> Result<http::Response<anyfn::Body>, std::io::Error> {
    Ok(anyfn::response::text("ready"))
}

#[tokio::test]
async fn the_service_is_cloned_for_each_invocation_and_called_when_ready() {
    let probe = Probe::new(|| Poll::Ready(Ok(())), ok_answer);
    let clones = Arc::clone(&probe.clones);
    let harness = Harness::new(anyfn_tower::service(Counted(probe)));
    for _ in 0..3 {
        let response = harness
            .invoke(TestRequest::get("/").build())
            .await
            .into_http_response()
            .await;
        assert_eq!(response.body().as_bytes(), b"ready");
    }
    assert_eq!(clones.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_poll_ready_error_answers_503() {
    let probe = Probe::new(
        || Poll::Ready(Err(std::io::Error::other("the pool is exhausted"))),
        ok_answer,
    );
    let harness = Harness::new(anyfn_tower::service(Counted(probe)));
    let error = harness
        .invoke(TestRequest::get("/").build())
        .await
        .expect_error();
    assert_eq!(error.kind(), ErrorKind::Unavailable);
    assert_eq!(error.status(), 503);
    assert_eq!(
        error.message(),
        "the service is not ready: the pool is exhausted"
    );
}

#[tokio::test]
async fn a_service_never_ready_times_out_at_the_deadline() {
    let probe = Probe::new(|| Poll::Pending, ok_answer);
    let harness =
        Harness::new(anyfn_tower::service(Counted(probe))).timeout(Duration::from_millis(50));
    let error = harness
        .invoke(TestRequest::get("/").build())
        .await
        .expect_error();
    assert!(error.is_timeout(), "{error}");
    assert_eq!(error.status(), 504);
}

#[tokio::test]
async fn a_service_error_is_a_handler_failure() {
    let probe = Probe::new(
        || Poll::Ready(Ok(())),
        || Err(std::io::Error::other("the database went away")),
    );
    let harness = Harness::new(anyfn_tower::service(Counted(probe)));
    let error = harness
        .invoke(TestRequest::get("/").build())
        .await
        .expect_error();
    assert_eq!(error.kind(), ErrorKind::Handler);
    assert_eq!(error.status(), 500);
    assert_eq!(error.message(), "the database went away");
}

#[tokio::test]
async fn a_handler_error_keeps_its_kind_through_a_layer() {
    let missing = handler_fn(|_request: Request, _context: Context| async {
        Err::<Response, _>(Error::not_found("no order 17"))
    });
    let handler = anyfn_tower::with_layer(missing, tower_http::cors::CorsLayer::permissive());
    let invocation = Harness::new(handler)
        .invoke(TestRequest::get("/orders/17").build())
        .await;
    let request_id = invocation.request_id().to_owned();
    let response = invocation.into_http_response().await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.body().text().expect("text"),
        format!(
            r#"{{"errorType":"NotFound","errorMessage":"no order 17","requestId":"{request_id}"}}"#
        )
    );
}

#[tokio::test]
async fn a_panic_in_a_route_is_a_panic_failure() {
    let router = axum::Router::new().route(
        "/boom",
        get(|| async {
            let items: Vec<u8> = Vec::new();
            items[3].to_string()
        }),
    );
    let error = Harness::new(anyfn_tower::service(router))
        .invoke(TestRequest::get("/boom").build())
        .await
        .expect_error();
    assert!(error.is_panic(), "{error}");
    assert_eq!(error.status(), 500);
}

#[tokio::test]
async fn the_context_is_in_the_request() {
    let router = axum::Router::new().route(
        "/",
        get(
            |axum::Extension(context): axum::Extension<Context>| async move {
                format!("{} {}", context.request_id(), context.function_name())
            },
        ),
    );
    let harness = Harness::new(anyfn_tower::service(router));
    let invocation = harness.invoke(TestRequest::get("/").build()).await;
    let expected = format!("{} {}", invocation.request_id(), "test-function");
    let response = invocation.into_http_response().await;
    assert_eq!(response.body().text().expect("text"), expected);
}

#[tokio::test]
async fn known_lengths_are_sent_whole_and_event_streams_streamed() {
    let router = axum::Router::new()
        .route("/whole", get(|| async { "all at once" }))
        .route(
            "/events",
            get(|| async {
                let events =
                    ["one", "two"].map(|data| Ok::<_, Infallible>(Event::default().data(data)));
                Sse::new(tokio_stream_iter(events))
            }),
        );
    let server = TestServer::start(anyfn_tower::service(router))
        .await
        .expect("the server starts");
    let whole = server
        .client()
        .send(TestRequest::get("/whole"))
        .await
        .expect("an answer");
    assert_eq!(whole.header("content-length"), Some("11"));
    assert_eq!(whole.header("transfer-encoding"), None);
    let events = server
        .client()
        .send(TestRequest::get("/events"))
        .await
        .expect("an answer");
    assert_eq!(events.header("content-type"), Some("text/event-stream"));
    assert_eq!(events.header("transfer-encoding"), Some("chunked"));
    assert_eq!(events.header("content-length"), None);
    assert_eq!(events.text(), "data: one\n\ndata: two\n\n");
    server.shutdown().await;
}

/// A body of known length that arrives in several frames, with an empty one
/// and trailers among them.
struct Frames(std::collections::VecDeque<http_body::Frame<bytes::Bytes>>);

impl http_body::Body for Frames {
    type Data = bytes::Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<http_body::Frame<bytes::Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(Ok))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let len = self
            .0
            .iter()
            .filter_map(http_body::Frame::data_ref)
            .map(|data| data.len() as u64)
            .sum();
        http_body::SizeHint::with_exact(len)
    }
}

#[tokio::test]
async fn a_known_length_in_several_frames_is_sent_whole_and_in_order() {
    let service = tower::service_fn(|_request: Request| async {
        let frames = [
            http_body::Frame::data(bytes::Bytes::from_static(b"all ")),
            http_body::Frame::data(bytes::Bytes::new()),
            http_body::Frame::data(bytes::Bytes::from_static(b"at ")),
            http_body::Frame::trailers(http::HeaderMap::new()),
            http_body::Frame::data(bytes::Bytes::from_static(b"once")),
        ];
        Ok::<_, Infallible>(http::Response::new(Frames(frames.into())))
    });
    let server = TestServer::start(anyfn_tower::service(service))
        .await
        .expect("the server starts");
    let answer = server
        .client()
        .send(TestRequest::get("/"))
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.header("content-length"), Some("11"));
    assert_eq!(answer.header("transfer-encoding"), None);
    assert_eq!(answer.text(), "all at once");
    server.shutdown().await;
}

/// A stream of `items` (what `tokio_stream::iter` does), without the crate.
fn tokio_stream_iter<T: Unpin>(
    items: impl IntoIterator<Item = T, IntoIter: Unpin>,
) -> impl futures_core::Stream<Item = T> {
    struct Iter<I>(I);
    impl<I: Iterator + Unpin> futures_core::Stream for Iter<I> {
        type Item = I::Item;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut TaskContext<'_>,
        ) -> Poll<Option<I::Item>> {
            Poll::Ready(self.0.next())
        }
    }
    Iter(items.into_iter())
}

#[tokio::test]
async fn tower_http_layers_wrap_a_plain_handler_on_the_server() {
    let hello = handler_fn(|_request: Request, _context: Context| async {
        Ok::<_, Error>(anyfn::response::text("Hello, Ada! ".repeat(100)))
    });
    let stack = tower::ServiceBuilder::new()
        .layer(tower_http::cors::CorsLayer::permissive())
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        ));
    let server = TestServer::start(anyfn_tower::with_layer(hello, stack))
        .await
        .expect("the server starts");
    let plain = server
        .client()
        .send(TestRequest::get("/").header("origin", "https://app.example.com"))
        .await
        .expect("an answer");
    assert_eq!(plain.header("access-control-allow-origin"), Some("*"));
    assert_eq!(plain.header("cache-control"), Some("no-store"));
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.text(), "Hello, Ada! ".repeat(100));
    let compressed = server
        .client()
        .send(TestRequest::get("/").header("accept-encoding", "gzip"))
        .await
        .expect("an answer");
    assert_eq!(compressed.header("content-encoding"), Some("gzip"));
    assert_eq!(compressed.header("cache-control"), Some("no-store"));
    assert!(
        compressed.body().len() < 200,
        "{} bytes",
        compressed.body().len()
    );
    assert_eq!(
        &compressed.body().as_bytes()[..2],
        [0x1f, 0x8b],
        "gzip magic"
    );
    server.shutdown().await;
}

/// Middleware sees a handler's error answer as any other: tower-http's CORS
/// layer adds its headers to the `400` (a browser then reports the `400`,
/// not a CORS failure), over a real socket; the error is still the
/// handler's, logged with its type; and a
/// compression layer cannot garble the error's body, which the adapter
/// writes itself. Before, the layers never saw the error.
#[tokio::test]
async fn regression_layers_see_the_handlers_error_answers() {
    let picky = handler_fn(|request: Request, _context: Context| async move {
        if request.uri().query().is_none() {
            return Err(Error::bad_request("a name is needed"));
        }
        Ok(anyfn::response::text("Hello!"))
    });
    let stack = tower::ServiceBuilder::new()
        .layer(tower_http::cors::CorsLayer::permissive())
        .layer(tower_http::compression::CompressionLayer::new());
    let handler = anyfn_tower::with_layer(picky, stack);

    let invocation = Harness::new(handler.clone())
        .invoke(
            TestRequest::get("/")
                .header("origin", "https://app.example.com")
                .header("accept-encoding", "gzip")
                .build(),
        )
        .await;
    let error = invocation.error().expect("the handler's error");
    assert_eq!(
        (error.kind(), error.message()),
        (ErrorKind::BadRequest, "a name is needed")
    );
    assert!(
        invocation
            .logs()
            .iter()
            .any(|record| record.field("error_type") == Some("BadRequest")),
        "the failure is logged with its type: {:?}",
        invocation.logs()
    );

    let server = TestServer::start(handler).await.expect("the server starts");
    let answer = server
        .client()
        .send(
            TestRequest::get("/")
                .header("origin", "https://app.example.com")
                .header("accept-encoding", "gzip"),
        )
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 400);
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("content-encoding"), None);
    let document: serde_json::Value =
        serde_json::from_slice(answer.body().as_bytes()).expect("JSON");
    assert_eq!(document["errorType"], "BadRequest");
    assert_eq!(document["errorMessage"], "a name is needed");
}

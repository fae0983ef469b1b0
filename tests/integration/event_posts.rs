//! Event and `Json<T>` functions over HTTP take a `POST` that says what it
//! carries: a CloudEvent (`ce-*` headers, or structured mode's content
//! type) or a body declared as JSON. Anything else is refused before the
//! handler runs: `415` for another body (a web page's cross-site `POST` of
//! `text/plain` or a form, which a browser sends without a CORS preflight),
//! `405` with `Allow: POST` for another method (`HEAD` ran the handler too).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyfn::event::{CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::http::Method;
use anyfn::{handler_fn, Context, Handler, Json};
use anyfn_server::{FromHttp, IntoHttp};
use anyfn_test::{TestRequest, TestServer};
use serde_json::{json, Value};

/// A handler of `E` that counts its calls and answers `()`.
fn counting<E>(
    calls: &Arc<AtomicUsize>,
) -> impl Handler<Event = E, Output = (), Error = anyfn::Error>
where
    E: Send + 'static,
{
    let calls = Arc::clone(calls);
    handler_fn(move |_event: E, _context: Context| {
        calls.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, anyfn::Error>(()) }
    })
}

/// A queue batch, a storage event, a tick, a CloudEvent in the JSON event
/// format and a plain JSON value: each a valid JSON body for its function.
fn valid_bodies() -> [(&'static str, Value); 5] {
    [
        (
            "queue batch",
            json!({"messages": [{"id": "m-1", "body": "hi"}]}),
        ),
        (
            "storage event",
            json!({"objects": [{"change": "created", "bucket": "b", "key": "k"}]}),
        ),
        (
            "schedule tick",
            json!({"id": "t-1", "time": "2026-01-01T00:00:00Z"}),
        ),
        (
            "CloudEvent",
            json!({"specversion": "1.0", "id": "1", "source": "/s", "type": "t"}),
        ),
        ("Json<Value>", json!({"anything": 1})),
    ]
}

/// Runs `check` against a server of a counting handler of each event type,
/// with that type's valid JSON body.
async fn for_each_event_function<F, Fut>(check: F)
where
    F: Fn(TestServer, Arc<AtomicUsize>, &'static str, Value) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    async fn start<E>(calls: &Arc<AtomicUsize>) -> TestServer
    where
        E: FromHttp + Send + 'static,
        (): IntoHttp,
    {
        TestServer::start(counting::<E>(calls))
            .await
            .expect("server starts")
    }
    for (what, body) in valid_bodies() {
        let calls = Arc::new(AtomicUsize::new(0));
        let server = match what {
            "queue batch" => start::<QueueBatch>(&calls).await,
            "storage event" => start::<StorageEvent>(&calls).await,
            "schedule tick" => start::<ScheduleTick>(&calls).await,
            "CloudEvent" => start::<CloudEvent>(&calls).await,
            _ => start::<Json<Value>>(&calls).await,
        };
        check(server, calls, what, body).await;
    }
}

#[tokio::test]
async fn a_json_post_reaches_every_event_function() {
    for_each_event_function(|server, calls, what, body| async move {
        let answer = server
            .client()
            .send(TestRequest::post("/").json(&body))
            .await
            .expect("an answer");
        answer.assert_status(204);
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{what}");
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn regression_a_cross_site_post_not_declared_as_json_gets_415_and_runs_nothing() {
    for_each_event_function(|server, calls, what, body| async move {
        for content_type in [
            Some("text/plain"),
            Some("text/plain;charset=UTF-8"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            None,
        ] {
            let mut request = TestRequest::post("/").body(body.to_string());
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            let answer = server.client().send(request).await.expect("an answer");
            answer.assert_status(415);
            let error: Value = answer.json();
            assert_eq!(error["errorType"], "UnsupportedMediaType", "{what}");
            let message = error["errorMessage"].as_str().unwrap_or_default();
            assert!(
                message.contains("Content-Type: application/json"),
                "{what}: says what is expected: {message}"
            );
            let found = content_type.map_or("no Content-Type".to_owned(), |content_type| {
                format!("Content-Type: {content_type:?}")
            });
            assert!(
                message.ends_with(&found),
                "{what}: says what came: {message}"
            );
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "{what}: the handler never ran"
        );
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn regression_other_methods_get_405_allowing_post_and_run_nothing() {
    for_each_event_function(|server, calls, what, body| async move {
        for method in [Method::GET, Method::HEAD, Method::PUT, Method::DELETE] {
            let answer = server
                .client()
                .send(TestRequest::new(method.clone(), "/").json(&body))
                .await
                .expect("an answer");
            answer.assert_status(405);
            assert_eq!(answer.header("allow"), Some("POST"), "{what} {method}");
            if method == Method::HEAD {
                assert!(answer.body().is_empty(), "{what}: HEAD has no body");
            } else {
                let error: Value = answer.json();
                assert_eq!(error["errorType"], "MethodNotAllowed", "{what} {method}");
            }
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "{what}: the handler never ran"
        );
        server.shutdown().await;
    })
    .await;
}

/// A binary-mode CloudEvent's content type is its data's: `text/plain` data
/// is still an event (its `ce-*` headers cannot be sent cross-site without
/// a preflight).
#[tokio::test]
async fn a_binary_mode_cloud_event_with_text_data_is_taken() {
    let calls = Arc::new(AtomicUsize::new(0));
    let server = TestServer::start(counting::<CloudEvent>(&calls))
        .await
        .expect("server starts");
    let answer = server
        .client()
        .send(
            TestRequest::post("/")
                .header("ce-specversion", "1.0")
                .header("ce-id", "1")
                .header("ce-source", "/s")
                .header("ce-type", "t")
                .header("content-type", "text/plain")
                .body("hello"),
        )
        .await
        .expect("an answer");
    answer.assert_status(204);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    server.shutdown().await;
}

//! The `tower-failures` binary's service: every way a tower service can
//! fail, answered as anyfn's failure contract says, the same on every
//! adapter.
//!
//! | Route | What happens | Answer |
//! |---|---|---|
//! | `GET /` | the router answers | `200`, `fine` |
//! | `GET /panic` | an axum route panics | `500`, `errorType` `Panic` |
//! | `GET /sleep?ms=N` | a route awaits `N` ms | past the deadline: `504`, `Timeout` |
//! | `GET /block?ms=N` | a route blocks its thread `N` ms | past the deadline: `504`, `Timeout` |
//! | `GET /service-error` | the service fails with an I/O error | `500`, `HandlerError` |
//! | `GET /not-found` | the service fails with an [`anyfn::Error`] | its kind: `404`, `NotFound` |
//! | any other path | axum's own `404` | `404`, empty body |
//!
//! Failures pass through the [`cors`](crate::cors) layer as errors, not
//! answers, so the layer adds no headers to them (see anyfn-tower's docs).

use std::convert::Infallible;
use std::future::{ready, Future};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyfn::Request;
use anyfn_tower::BoxError;
use axum::extract::Query;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tower_service::Service;

/// The `tower-failures` service: [`Failing`] around a router of routes that
/// panic, sleep and block.
pub fn service() -> Failing<Router> {
    let router = Router::new()
        .route("/", get(|| async { "fine" }))
        .route("/panic", get(panics))
        .route("/sleep", get(sleeps))
        .route("/block", get(blocks))
        .layer(crate::cors());
    Failing { inner: router }
}

async fn panics() -> &'static str {
    panic!("the route panicked")
}

/// `?ms=`: how long to take.
#[derive(Debug, Deserialize)]
struct Wait {
    ms: u64,
}

async fn sleeps(Query(wait): Query<Wait>) -> &'static str {
    tokio::time::sleep(Duration::from_millis(wait.ms)).await;
    "slept"
}

async fn blocks(Query(wait): Query<Wait>) -> &'static str {
    std::thread::sleep(Duration::from_millis(wait.ms));
    "blocked"
}

/// A service that fails itself on `/service-error` and `/not-found`, and
/// hands every other request to `S`.
#[derive(Debug, Clone)]
pub struct Failing<S> {
    inner: S,
}

impl<S> Service<Request> for Failing<S>
where
    S: Service<Request, Response = axum::response::Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = axum::response::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(|never| match never {})
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match request.uri().path() {
            "/service-error" => Box::pin(ready(Err(
                std::io::Error::other("the database is down").into()
            ))),
            "/not-found" => Box::pin(ready(Err(anyfn::Error::not_found("no order 7").into()))),
            _ => {
                let answer = self.inner.call(request);
                Box::pin(async move { answer.await.map_err(|never| match never {}) })
            }
        }
    }
}

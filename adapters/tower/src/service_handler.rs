//! A tower [`Service`] as a [`Handler`]: [`ServiceHandler`], made by
//! [`service`].

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use anyfn::stream::{BodyStream, StreamResponse};
use anyfn::{Context, Error, Handler, Request};
use anyfn_kit::Gathered;

use crate::handler_failure::HandlerFailure;
use bytes::{Buf, Bytes};
use futures_core::Stream;
use http_body::Body as HttpBody;
use http_body_util::BodyExt as _;
use tower_service::Service;

/// The error type tower services and bodies agree on.
///
/// # Example
///
/// ```
/// use anyfn_tower::BoxError;
///
/// let err: BoxError = "the upstream timed out".into();
/// assert_eq!(err.to_string(), "the upstream timed out");
/// let io: BoxError = std::io::Error::other("reset").into();
/// assert!(io.downcast_ref::<std::io::Error>().is_some());
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A tower [`Service`] run as an anyfn [`Handler`]: [`Request`] in, a
/// [`StreamResponse`] out, on every adapter. Make one with [`service`].
///
/// Each invocation:
///
/// 1. puts the invocation's [`Context`] in the request's extensions (with
///    axum, take it with `Extension<anyfn::Context>`);
/// 2. clones the service and waits until it is ready (`poll_ready`), within
///    the invocation's deadline, which the adapter keeps; a service that
///    fails to become ready answers `503 Service Unavailable`;
/// 3. calls it; an error from the service (or from its response body) is
///    the invocation's error, as the failure contract says: an
///    [`anyfn::Error`] the service passed on keeps its kind (a handler
///    wrapped with [`with_layer`](crate::with_layer) fails as it would
///    alone), any other error is a handler failure (`500`);
/// 4. answers the response: whole when its body's length is known (a JSON
///    or text answer, sent with `Content-Length`), streamed chunk by chunk
///    otherwise (server-sent events, compressed bodies), where the adapter
///    streams.
///
/// # Example
///
/// ```
/// use anyfn_test::{Harness, TestRequest};
/// use axum::routing::get;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let router = axum::Router::new().route("/hello/{name}", get(|axum::extract::Path(name): axum::extract::Path<String>| async move {
///     format!("Hello, {name}!")
/// }));
/// let harness = Harness::new(anyfn_tower::service(router));
/// let response = harness.invoke(TestRequest::get("/hello/Ada").build()).await.into_http_response().await;
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.body().as_bytes(), b"Hello, Ada!");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ServiceHandler<S> {
    service: S,
}

impl<S> ServiceHandler<S> {
    /// The service.
    ///
    /// # Example
    ///
    /// ```
    /// use axum::routing::get;
    /// use tower::ServiceExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = anyfn_tower::service(axum::Router::new().route("/", get(|| async { "Hello!" })));
    /// let router: &axum::Router = handler.get_ref();
    /// let response = router.clone().oneshot(http::Request::new(anyfn::Body::empty())).await.unwrap();
    /// assert_eq!(response.status(), 200);
    /// # }
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.service
    }

    /// The service back.
    ///
    /// # Example
    ///
    /// ```
    /// use axum::routing::get;
    /// use tower::ServiceExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = anyfn_tower::service(axum::Router::new().route("/", get(|| async { "Hello!" })));
    /// let router: axum::Router = handler.into_inner();
    /// let response = router.oneshot(http::Request::get("/missing").body(anyfn::Body::empty()).unwrap()).await.unwrap();
    /// assert_eq!(response.status(), 404);
    /// # }
    /// ```
    pub fn into_inner(self) -> S {
        self.service
    }
}

/// Runs `service` as a [`Handler`]: an `axum::Router`, a
/// `tower::ServiceBuilder` stack, any `Service<http::Request<anyfn::Body>>`
/// answering an `http::Response` whose body is an [`http_body::Body`].
///
/// # Example
///
/// ```no_run
/// use axum::routing::get;
///
/// #[tokio::main]
/// async fn main() -> Result<(), anyfn_auto::RunError> {
///     let router = axum::Router::new().route("/", get(|| async { "Hello!" }));
///     anyfn_auto::run(anyfn_tower::service(router)).await
/// }
/// ```
pub fn service<S>(service: S) -> ServiceHandler<S> {
    ServiceHandler { service }
}

impl<S, B> Handler for ServiceHandler<S>
where
    S: Service<Request, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: HttpBody + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Event = Request;
    type Output = StreamResponse;
    type Error = Error;

    // What `#[async_trait]` makes of `async fn call`, with the context put
    // in the request before the future is made: the future then holds the
    // context nowhere, and the request once (each was moved through it
    // once more per invocation before).
    fn call<'life0, 'async_trait>(
        &'life0 self,
        mut request: Request,
        context: Context,
    ) -> Pin<Box<dyn Future<Output = Result<StreamResponse, Error>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        request.extensions_mut().insert(context);
        Box::pin(async move {
            // Cloned when polled, as before: a panicking `clone` is the
            // invocation's panic, caught where its polls are.
            let mut service = self.service.clone();
            poll_fn(|cx| service.poll_ready(cx))
                .await
                .map_err(|err| not_ready(err.into()))?;
            let mut response = service
                .call(request)
                .await
                .map_err(|err| Error::from_boxed(err.into()))?;
            if let Some(err) = HandlerFailure::take(&mut response) {
                return Err(err);
            }
            // Here, not in an `async fn` of its own: that held the response
            // in a future of its own, moved into it whole on every call.
            let (parts, body) = response.into_parts();
            let body = if body.is_end_stream() || body.size_hint().exact().is_some() {
                BodyStream::from(gather(body).await?)
            } else {
                BodyStream::new(DataFrames {
                    body: Box::pin(body),
                })
            };
            Ok(StreamResponse::from_parts(parts, body))
        })
    }
}

/// `503`: the service could not take the request.
fn not_ready(err: BoxError) -> Error {
    let err = Error::from_boxed(err);
    if err.is_handler() {
        Error::unavailable(format!("the service is not ready: {}", err.message()))
    } else {
        err
    }
}

/// All of `body`'s data, for a body whose length is known (a body of
/// unknown length is streamed as it comes). A body of one chunk (as axum's text and JSON
/// answers are) is kept as it came, without a copy.
async fn gather<B>(body: B) -> Result<Bytes, Error>
where
    B: HttpBody,
    B::Error: Into<BoxError>,
{
    let mut body = std::pin::pin!(body);
    let mut gathered = Gathered::default();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|err| Error::from_boxed(err.into()))?;
        if let Ok(mut data) = frame.into_data() {
            gathered.push(data.copy_to_bytes(data.remaining()));
        }
    }
    Ok(gathered.into_bytes())
}

/// A body's data frames as a stream of chunks (trailers are dropped: no
/// adapter sends them).
struct DataFrames<B> {
    body: Pin<Box<B>>,
}

impl<B> Stream for DataFrames<B>
where
    B: HttpBody,
    B::Error: Into<BoxError>,
{
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        loop {
            return match self.body.as_mut().poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(mut data) => {
                        let chunk = data.copy_to_bytes(data.remaining());
                        if chunk.is_empty() {
                            continue;
                        }
                        Poll::Ready(Some(Ok(chunk)))
                    }
                    Err(_trailers) => continue,
                },
                Poll::Ready(Some(Err(err))) => {
                    Poll::Ready(Some(Err(Error::from_boxed(err.into()))))
                }
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            };
        }
    }
}

//! A [`Handler`] as a tower [`Service`]: [`HandlerService`], and tower
//! layers around a handler: [`with_layer`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use anyfn::stream::{BodyStream, StreamResponse};
use anyfn::{Body, Context, Error, Handler, IntoError, Json, Request, Response};
use http::StatusCode;
use http_body::Body as HttpBody;
use http_body_util::BodyExt as _;
use serde::Serialize;
use tower_layer::Layer;
use tower_service::Service;

use crate::handler_failure::HandlerFailure;
use crate::service_handler::{service, BoxError, ServiceHandler};

/// An HTTP handler's output as the response a tower service answers.
///
/// Implemented for [`Response`], [`StreamResponse`], [`Json<T>`] (a `200`
/// JSON response) and `()` (`204 No Content`), as every adapter answers
/// them.
///
/// # Example
///
/// ```
/// use anyfn::Json;
/// use anyfn_tower::IntoServiceResponse;
///
/// # fn main() -> Result<(), anyfn::Error> {
/// assert_eq!(().into_service_response()?.status(), 204);
/// let json = Json(serde_json::json!({"id": 7})).into_service_response()?;
/// assert_eq!(json.status(), 200);
/// assert_eq!(json.headers()["content-type"], "application/json");
/// # Ok(())
/// # }
/// ```
pub trait IntoServiceResponse {
    /// Makes the response.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](anyfn::ErrorKind::Internal) when the output
    /// cannot be encoded.
    fn into_service_response(self) -> Result<StreamResponse, Error>;
}

impl IntoServiceResponse for Response {
    fn into_service_response(self) -> Result<StreamResponse, Error> {
        // Mapped: the head moved once, not taken apart and put together.
        Ok(self.map(BodyStream::from))
    }
}

impl IntoServiceResponse for StreamResponse {
    fn into_service_response(self) -> Result<StreamResponse, Error> {
        Ok(self)
    }
}

impl IntoServiceResponse for () {
    fn into_service_response(self) -> Result<StreamResponse, Error> {
        anyfn::response::status(StatusCode::NO_CONTENT).into_service_response()
    }
}

impl<T: Serialize> IntoServiceResponse for Json<T> {
    fn into_service_response(self) -> Result<StreamResponse, Error> {
        anyfn::response::json(&self.0)?.into_service_response()
    }
}

/// A [`Handler`] taking a [`Request`] as a tower [`Service`], so that tower
/// middleware can wrap it ([`with_layer`]), or a tower server can run it.
///
/// It reads the request's whole body first (a body that fails to arrive is
/// a `400`), and takes the invocation's [`Context`] from the request's
/// extensions ([`ServiceHandler`] puts it there); a request without one (a
/// service run by a plain tower server) gets a fresh context. The
/// handler's error is answered as the adapters answer it (its status, its
/// headers, the JSON error document), so that the layers around the
/// service see it as any other answer; the error itself rides in the
/// answer's extensions, so that [`ServiceHandler`] hands it back to the
/// adapter, which logs it and reports its type as for the handler alone.
/// The service's own error is a body that failed to arrive (`400`).
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Request};
/// use anyfn_tower::HandlerService;
/// use tower::ServiceExt as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let hello = handler_fn(|_request: Request, _context: Context| async {
///     Ok::<_, anyfn::Error>(anyfn::response::text("hi"))
/// });
/// let response = HandlerService::new(hello)
///     .oneshot(http::Request::new(anyfn::Body::empty()))
///     .await?;
/// assert_eq!(response.into_body().collect().await?, "hi");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct HandlerService<H> {
    handler: Arc<H>,
}

impl<H> Clone for HandlerService<H> {
    fn clone(&self) -> Self {
        Self {
            handler: Arc::clone(&self.handler),
        }
    }
}

impl<H> HandlerService<H> {
    /// A service calling `handler`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_tower::HandlerService;
    /// use tower::ServiceExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn::Error> {
    /// let accept = handler_fn(|_request: Request, _context: Context| async { Ok::<_, anyfn::Error>(()) });
    /// let service = HandlerService::new(accept);
    /// let response = service.oneshot(http::Request::new(anyfn::Body::empty())).await?;
    /// assert_eq!(response.status(), 204);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(handler: H) -> Self {
        Self {
            handler: Arc::new(handler),
        }
    }
}

impl<H, B> Service<http::Request<B>> for HandlerService<H>
where
    H: Handler<Event = Request>,
    H::Output: IntoServiceResponse,
    B: HttpBody + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = StreamResponse;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<StreamResponse, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let handler = Arc::clone(&self.handler);
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let context = parts
                .extensions
                .remove::<Context>()
                .unwrap_or_else(|| Context::builder().build());
            let body = body.collect().await.map_err(|err| {
                let err: BoxError = err.into();
                Error::bad_request(format!("the request body could not be read: {err}"))
            })?;
            let request = Request::from_parts(parts, Body::from(body.to_bytes()));
            let request_id = context.request_id().to_owned();
            match handler.call(request, context).await {
                Ok(output) => output.into_service_response(),
                Err(err) => Ok(HandlerFailure::answer(err.into_error(), &request_id)),
            }
        })
    }
}

/// Wraps `handler` in a tower `layer` (tower-http's CORS, compression,
/// request ids, … or your own), as a [`Handler`] that runs on every
/// adapter.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Request};
/// use anyfn_test::{Harness, TestRequest};
/// use tower_http::cors::CorsLayer;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let hello = handler_fn(|_request: Request, _context: Context| async {
///     Ok::<_, anyfn::Error>(anyfn::response::text("hi"))
/// });
/// let handler = anyfn_tower::with_layer(hello, CorsLayer::permissive());
/// let request = TestRequest::get("/").header("origin", "https://example.com").build();
/// let response = Harness::new(handler).invoke(request).await.into_http_response().await;
/// assert_eq!(response.headers()["access-control-allow-origin"], "*");
/// # }
/// ```
pub fn with_layer<H, L>(handler: H, layer: L) -> ServiceHandler<L::Service>
where
    L: Layer<HandlerService<H>>,
{
    service(layer.layer(HandlerService::new(handler)))
}

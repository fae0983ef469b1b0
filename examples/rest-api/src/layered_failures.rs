//! The `layered-failures` binary's handler: a plain anyfn handler failing
//! each way the failure contract covers, wrapped by
//! [`anyfn_tower::with_layer`] in a layer that adds `x-layer: seen` to
//! every answer it sees.
//!
//! | Route | Answer | `x-layer` |
//! |---|---|---|
//! | `GET /` | `200`, `fine` | yes |
//! | `GET /bad` | `400`, `BadRequest` | yes: the layer sees the handler's error |
//! | `GET /not-found` | `404`, `NotFound` | yes |
//! | `GET /io` | `500`, `HandlerError` | yes |
//! | `GET /method` | `405`, `MethodNotAllowed`, `Allow: GET` | yes |
//! | `GET /panic` | `500`, `Panic` | no: a panic unwinds through the layer |
//! | `GET /sleep?ms=N` | past the deadline: `504`, `Timeout` | no: the adapter answers at the deadline, the layer never returns |
//!
//! The handler's own answers, errors included, pass through the layer; a
//! panic and a timeout are answered by the adapter outside it (the failure
//! table says so).

use std::time::Duration;

use anyfn::http::{HeaderName, HeaderValue, Method};
use anyfn::{handler_fn, Context, Error, Handler, Request, RequestExt as _, Response};
use tower_http::set_header::SetResponseHeaderLayer;

/// The header the layer adds.
pub const LAYER_HEADER: &str = "x-layer";

/// The handler, in its layer.
pub fn handler() -> impl Handler<Event = Request, Output = anyfn::stream::StreamResponse> {
    let layer = SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(LAYER_HEADER),
        HeaderValue::from_static("seen"),
    );
    anyfn_tower::with_layer(handler_fn(fail), layer)
}

async fn fail(request: Request, _context: Context) -> Result<Response, Error> {
    match request.uri().path() {
        "/" => Ok(anyfn::response::text("fine")),
        "/bad" => Err(Error::bad_request("a bad request")),
        "/not-found" => Err(Error::not_found("nothing here")),
        "/io" => Err(std::io::Error::other("the disk is on fire").into()),
        "/method" => Err(Error::method_not_allowed([Method::GET])),
        "/panic" => panic!("the handler panicked"),
        "/sleep" => {
            let ms: u64 = request.query().get("ms").unwrap_or("0").parse()?;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(anyfn::response::text("slept"))
        }
        _ => Err(Error::not_found("no such route")),
    }
}

//! A handler's error as an answer middleware sees: [`HandlerFailure`].
//!
//! Tower layers see only a service's `Ok` responses: an error passes them
//! by, so tower-http's CORS layer, for one, never adds its headers to it,
//! and a browser reports a CORS failure instead of the `400`. So
//! [`HandlerService`](crate::HandlerService) answers a handler's error as
//! the adapters would (its status, headers and JSON error document) and
//! keeps the error in that answer's extensions; [`ServiceHandler`](crate::ServiceHandler)
//! takes it back out on the way to the adapter, with what the layers did to
//! the answer's status and headers, and returns it as the error it is, so
//! the adapter logs it and reports its type as for the handler alone.

use std::sync::{Arc, Mutex, PoisonError};

use anyfn::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use anyfn::stream::{BodyStream, StreamResponse};
use anyfn::{Error, ErrorDetails};

/// The handler's error, in the extensions of the answer made from it.
/// Extensions must be `Clone`; the error is taken out once.
#[derive(Clone)]
pub(crate) struct HandlerFailure(Arc<Mutex<Option<Error>>>);

impl HandlerFailure {
    /// `err` answered as the adapters answer it (the message of a server
    /// error hidden: the adapter renders the answer again with its own
    /// setting), with the error in its extensions.
    pub(crate) fn answer(err: Error, request_id: &str) -> StreamResponse {
        let (parts, body) = err
            .to_response(request_id, ErrorDetails::Hidden)
            .into_parts();
        let mut response = StreamResponse::from_parts(parts, BodyStream::from(body));
        response
            .extensions_mut()
            .insert(Self(Arc::new(Mutex::new(Some(err)))));
        response
    }

    /// The handler's error, if `response` was made from one, with the
    /// status and headers the layers left on the answer (less those that
    /// describe its body: the adapter writes the error's body itself).
    pub(crate) fn take<B>(response: &mut http::Response<B>) -> Option<Error> {
        let failure = response.extensions_mut().remove::<Self>()?;
        let mut err = failure
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()?;
        if response.status() != err.status() {
            err = err.with_status(response.status());
        }
        let mut headers = std::mem::take(response.headers_mut());
        for name in [
            CONTENT_TYPE,
            CONTENT_LENGTH,
            CONTENT_ENCODING,
            TRANSFER_ENCODING,
        ] {
            headers.remove(name);
        }
        *err.headers_mut() = headers;
        Some(err)
    }
}

#[cfg(test)]
mod tests {
    use anyfn::http::header::{HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, ALLOW, VARY};
    use anyfn::http::{Method, StatusCode};

    use anyfn::http::HeaderMap;

    use super::*;

    /// The headers of `err`'s answer.
    fn answered_headers(err: &Error) -> HeaderMap {
        err.to_response("r", ErrorDetails::Hidden).headers().clone()
    }

    #[test]
    fn the_error_comes_back_with_what_the_layers_added() {
        let mut response = HandlerFailure::answer(Error::method_not_allowed([Method::GET]), "r-1");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        // What a CORS layer does.
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        headers.append(VARY, HeaderValue::from_static("origin"));
        headers.append(
            VARY,
            HeaderValue::from_static("access-control-request-method"),
        );
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));

        let err = HandlerFailure::take(&mut response).expect("the handler's error");
        assert_eq!(
            (err.status(), err.error_type()),
            (StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed")
        );
        let headers = answered_headers(&err);
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert_eq!(headers.get_all(VARY).iter().count(), 2);
        assert_eq!(headers[ALLOW], "GET", "the error's own header kept");
        assert_eq!(headers[CONTENT_TYPE], "application/json");
        assert!(
            headers.get(CONTENT_ENCODING).is_none(),
            "the body is the adapter's"
        );
        assert!(HandlerFailure::take(&mut response).is_none(), "taken once");
    }

    #[test]
    fn a_layer_changing_the_status_changes_the_errors() {
        let mut response = HandlerFailure::answer(Error::not_found("no order 7"), "r-2");
        *response.status_mut() = StatusCode::GONE;
        let err = HandlerFailure::take(&mut response).expect("the handler's error");
        assert_eq!(
            (err.status(), err.error_type()),
            (StatusCode::GONE, "NotFound")
        );
    }

    #[test]
    fn an_answer_not_made_from_an_error_has_none() {
        let mut response = http::Response::new(());
        assert!(HandlerFailure::take(&mut response).is_none());
    }
}

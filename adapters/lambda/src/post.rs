//! Posting an invocation's outcome to the Runtime API: `…/response` with a
//! JSON payload or a stream, `…/error` with a diagnostic.
//!
//! anyfn-lambda posts its answers itself, on connections of its own
//! ([`crate::answers`]), because lambda_runtime 1.5 reports a stream cut mid-way as one
//! more body chunk holding the trailers' text, which Lambda passes on to the
//! client as body bytes. The Runtime API asks for HTTP trailers
//! (`Lambda-Runtime-Function-Error-Type`, `Lambda-Runtime-Function-Error-Body`),
//! and that is what is sent here.

use anyfn::stream::BodyStream;
use anyfn::Error;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, TRAILER, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use lambda_runtime::streaming::Body;
use lambda_runtime::{Diagnostic, MetadataPrelude};
use lambda_runtime_api_client::BoxError;

use crate::answers::AnswerClient;

/// The header the Runtime API sends with an invocation (and expects back
/// with its answer) so that a late answer cannot answer a newer invocation.
pub(crate) const INVOCATION_ID: HeaderName =
    HeaderName::from_static("lambda-runtime-invocation-id");

/// The header of a streamed answer's post.
const RESPONSE_MODE: HeaderName = HeaderName::from_static("lambda-runtime-function-response-mode");

/// The trailer that says a stream was cut, with the error's type.
const ERROR_TYPE_TRAILER: HeaderName =
    HeaderName::from_static("lambda-runtime-function-error-type");

/// The trailer with the error's diagnostic (`errorType`, `errorMessage`), as
/// base64 JSON.
const ERROR_BODY_TRAILER: HeaderName =
    HeaderName::from_static("lambda-runtime-function-error-body");

/// What a settled invocation posts to `…/response`.
pub(crate) enum Posted {
    /// A whole JSON payload, already known to be JSON: serialized by
    /// anyfn-lambda, or checked by the runtime loop before it is posted.
    Payload(String),
    /// An HTTP response streamed: the prelude, then the body as it comes.
    Stream {
        prelude: MetadataPrelude,
        body: BodyStream,
    },
}

/// Posts `outcome` for the invocation `request_id`.
///
/// A Runtime API that answers with an error status (a late answer to an
/// invocation Lambda already ended, say) is logged with the request id and
/// the invocation id, and the function goes on, as with lambda_runtime.
///
/// # Errors
///
/// The request could not be built or sent: the Runtime API is gone, and the
/// runtime stops.
pub(crate) async fn post(
    client: &AnswerClient,
    request_id: &str,
    invocation_id: Option<HeaderValue>,
    outcome: Result<Posted, Diagnostic>,
) -> Result<(), BoxError> {
    let path = if outcome.is_ok() { "response" } else { "error" };
    let mut uri = String::with_capacity(INVOCATION_PATH.len() + request_id.len() + 1 + path.len());
    uri.push_str(INVOCATION_PATH);
    uri.push_str(request_id);
    uri.push('/');
    uri.push_str(path);
    let uri = client.uri(&uri)?;
    let logged_invocation_id = invocation_id.clone();
    let (body, streamed) = match outcome {
        Ok(Posted::Payload(json)) => (Body::from(json), false),
        Ok(Posted::Stream { prelude, body }) => (stream_body(prelude, body)?, true),
        Err(diagnostic) => (Body::from(serde_json::to_vec(&diagnostic)?), false),
    };
    // Made in place rather than through a request builder, which moves
    // the whole request head at every step; the headers in the order the
    // builder added them.
    let mut request = crate::answers::runtime_request(body)?;
    *request.method_mut() = Method::POST;
    *request.uri_mut() = uri;
    let headers = request.headers_mut();
    if path == "error" {
        // The name the stream's trailer has too.
        headers.append(ERROR_TYPE_TRAILER, HeaderValue::from_static("unhandled"));
    }
    if let Some(id) = invocation_id {
        headers.append(INVOCATION_ID, id);
    }
    if streamed {
        headers.append(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        headers.append(RESPONSE_MODE, HeaderValue::from_static("streaming"));
        headers.append(
            TRAILER,
            HeaderValue::from_static("lambda-runtime-function-error-type"),
        );
        headers.append(
            TRAILER,
            HeaderValue::from_static("lambda-runtime-function-error-body"),
        );
        headers.append(
            CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.awslambda.http-integration-response"),
        );
    }
    let status = client.send(request).await?;
    if status != StatusCode::ACCEPTED && !status.is_success() {
        let invocation_id = logged_invocation_id
            .as_ref()
            .map(|id| String::from_utf8_lossy(id.as_bytes()));
        tracing::error!(
            target: "anyfn::lambda",
            request_id,
            invocation_id = invocation_id.as_deref().unwrap_or("none"),
            %status,
            "the Runtime API refused the invocation's {path}"
        );
    }
    Ok(())
}

/// Where an invocation's answer goes, before its request id.
const INVOCATION_PATH: &str = "/2018-06-01/runtime/invocation/";

/// The body of a streamed response: the prelude's JSON, eight NUL bytes,
/// then `body`'s chunks as they come, and the error trailers if it is cut.
/// A task of its own feeds it; when the Runtime API stops reading, the task
/// ends and drops `body`, so its producer's `send` fails.
fn stream_body(mut prelude: MetadataPrelude, mut body: BodyStream) -> Result<Body, BoxError> {
    prelude
        .headers
        .entry(CONTENT_TYPE)
        .or_insert(HeaderValue::from_static("application/octet-stream"));
    let prelude = serde_json::to_vec(&prelude)?;
    let (mut sender, channel) = Body::channel();
    tokio::spawn(async move {
        if sender.send_data(Bytes::from(prelude)).await.is_err()
            || sender.send_data(Bytes::from_static(&[0; 8])).await.is_err()
        {
            return;
        }
        while let Some(chunk) = body.next_chunk().await {
            match chunk {
                Ok(chunk) => {
                    if sender.send_data(chunk).await.is_err() {
                        return;
                    }
                }
                Err(error) => {
                    let _ = sender.send_trailers(error_trailers(&error)).await;
                    return;
                }
            }
        }
    });
    Ok(channel)
}

/// What Lambda is told of a failed invocation (`errorType`,
/// `errorMessage`): it reaches Lambda, not a client, so the message is
/// whole, causes included ([`Error::answer_message`] with details shown),
/// as Azure's failed trigger tells it.
pub(crate) fn diagnostic(error: &Error) -> Diagnostic {
    Diagnostic {
        error_type: error.error_type().to_owned(),
        error_message: error
            .answer_message(anyfn::ErrorDetails::Shown)
            .into_owned(),
    }
}

/// The Runtime API's trailers for a stream cut by `error`: its
/// [`diagnostic`].
fn error_trailers(error: &Error) -> HeaderMap {
    let json = serde_json::to_vec(&diagnostic(error)).unwrap_or_default();
    let mut trailers = HeaderMap::with_capacity(2);
    trailers.insert(
        ERROR_TYPE_TRAILER,
        HeaderValue::from_bytes(error.error_type().as_bytes())
            .unwrap_or(HeaderValue::from_static("Runtime.StreamError")),
    );
    if let Ok(body) = HeaderValue::from_str(&anyfn::Body::from(json).to_base64()) {
        trailers.insert(ERROR_BODY_TRAILER, body);
    }
    trailers
}

//! Streamed answers on Lambda: through response streaming where the source
//! can stream and it is turned on, else gathered within the buffered limit.

use anyfn::http::header::SET_COOKIE;
use anyfn::stream::StreamResponse;
use anyfn::{Body, Error, ErrorKind, Response};
use bytes::BytesMut;
use lambda_runtime::MetadataPrelude;

use crate::post::Posted;
use crate::EventSource;

/// The largest body a buffered response may carry: Lambda's limit for a
/// synchronous response payload is 6 MB, and the JSON around the body and
/// base64 take their share of it.
pub(crate) const BUFFERED_LIMIT: usize = 6 * 1024 * 1024;

/// The environment variable that turns response streaming on:
/// `ANYFN_RESPONSE_STREAMING=on`.
///
/// # Example
///
/// ```
/// use anyfn::stream;
/// use anyfn::{handler_fn, Context, Request};
/// use anyfn_lambda::RESPONSE_STREAMING_ENV;
///
/// assert_eq!(RESPONSE_STREAMING_ENV, "ANYFN_RESPONSE_STREAMING");
/// // As the function's configuration would set it; `Lambda::new` reads it.
/// std::env::set_var(RESPONSE_STREAMING_ENV, "on");
/// let handler = handler_fn(|_: Request, _: Context| async {
///     Ok::<_, anyfn::Error>(stream::response(stream::BodyStream::from("streamed")))
/// });
/// let lambda = anyfn_lambda::Lambda::new(handler); // as with `.response_streaming(true)`
/// # drop(lambda);
/// ```
pub const RESPONSE_STREAMING_ENV: &str = "ANYFN_RESPONSE_STREAMING";

/// Whether the environment turns response streaming on.
pub(crate) fn streaming_from_env() -> bool {
    std::env::var(RESPONSE_STREAMING_ENV).is_ok_and(|value| {
        ["on", "1", "true", "yes"]
            .iter()
            .any(|yes| value.trim().eq_ignore_ascii_case(yes))
    })
}

/// What to post for a streamed `response` from `source`.
///
/// - A raw invocation (a JSON payload that is not an HTTP event, as
///   `InvokeWithResponseStream` sends): always Lambda's response streaming,
///   as lambda_runtime streams a `StreamResponse`: the metadata prelude
///   (the response's status, headers and cookies;
///   `content-type: application/octet-stream` when it has none) first,
///   then each chunk as it comes.
/// - Streaming on and an HTTP source that streams (a Function URL, an API
///   Gateway REST API): the same, the prelude being the HTTP answer's head.
/// - Otherwise, for an HTTP source: the stream gathered and answered whole,
///   in the request's shape, if it fits in [`BUFFERED_LIMIT`].
///
/// # Errors
///
/// A stream cut short while being gathered; one larger than
/// [`BUFFERED_LIMIT`].
pub(crate) async fn post(
    response: StreamResponse,
    source: EventSource,
    streaming: bool,
) -> Result<Posted, Error> {
    if !source.is_http() || (streaming && source.can_stream()) {
        let (mut parts, body) = response.into_parts();
        let cookies = parts
            .headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect();
        parts.headers.remove(SET_COOKIE);
        let prelude = MetadataPrelude {
            status_code: parts.status,
            headers: parts.headers,
            cookies,
        };
        return Ok(Posted::Stream { prelude, body });
    }
    let (parts, mut body) = response.into_parts();
    let mut whole = BytesMut::new();
    while let Some(chunk) = body.next_chunk().await {
        let chunk = chunk?;
        if whole.len() + chunk.len() > BUFFERED_LIMIT {
            return Err(Error::new(
                ErrorKind::Internal,
                format!(
                    "the streamed response is larger than Lambda's buffered limit ({BUFFERED_LIMIT} bytes) and a {source} cannot stream it{}",
                    if source.can_stream() {
                        "; set ANYFN_RESPONSE_STREAMING=on (with the Function URL's InvokeMode RESPONSE_STREAM, or the REST API's responseTransferMode STREAM)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        whole.extend_from_slice(&chunk);
    }
    let response = Response::from_parts(parts, Body::from(whole.freeze()));
    // JSON the HTTP encoder wrote: posted without parsing it again.
    crate::http::encode(response, source).map(Posted::Payload)
}

/// Says, once at start-up, what becomes of a streamed HTTP answer while
/// response streaming is off: gathered, up to Lambda's buffered limit, and
/// a binary body base64-encoded in the JSON answer; and how to stream.
pub(crate) fn log_streaming_off() {
    tracing::info!(
        target: "anyfn::lambda",
        "this function's answers may stream, and response streaming is off: \
         a Function URL or an API Gateway REST API gets each one gathered \
         (up to {BUFFERED_LIMIT} bytes; a binary body base64-encoded in the \
         JSON answer). To stream them, set {RESPONSE_STREAMING_ENV}=on and \
         the Function URL's InvokeMode to RESPONSE_STREAM (or the REST API \
         integration's responseTransferMode to STREAM). A raw invocation \
         (InvokeWithResponseStream) streams either way"
    );
}

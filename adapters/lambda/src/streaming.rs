//! Streamed answers on Lambda: through response streaming where the source
//! can stream and it is turned on, else gathered within the buffered limit.

use anyfn::http::header::SET_COOKIE;
use anyfn::stream::StreamResponse;
use anyfn::{Body, Error, ErrorKind, Response};
use bytes::BytesMut;
use lambda_runtime::MetadataPrelude;
use serde_json::value::RawValue;

use crate::post::Posted;
use crate::EventSource;

/// The largest body a buffered response may carry: Lambda's limit for a
/// synchronous response payload is 6 MB, and the JSON around the body and
/// base64 take their share of it.
pub(crate) const BUFFERED_LIMIT: usize = 6 * 1024 * 1024;

/// The environment variable that turns response streaming on:
/// `ANYFN_RESPONSE_STREAMING=on`.
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
/// - Streaming on and a source that streams (a Function URL, an API Gateway
///   REST API): Lambda's response streaming, the HTTP prelude (status,
///   headers, cookies) first, then each chunk as it comes.
/// - Otherwise, for an HTTP source: the stream gathered and answered whole,
///   in the request's shape, if it fits in [`BUFFERED_LIMIT`].
///
/// # Errors
///
/// A stream cut short while being gathered; one larger than
/// [`BUFFERED_LIMIT`]; a stream answering an event that is not HTTP.
pub(crate) async fn post(
    response: StreamResponse,
    source: EventSource,
    streaming: bool,
) -> Result<Posted, Error> {
    if streaming && source.can_stream() {
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
    if !source.is_http() {
        return Err(Error::new(
            ErrorKind::Internal,
            format!("a streamed response cannot answer a {source}: it is not an HTTP event"),
        ));
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
    let json = crate::http::encode(response, source)?;
    RawValue::from_string(json)
        .map(Posted::Payload)
        .map_err(|err| {
            Error::with_source(ErrorKind::Internal, "the encoded output is not JSON", err)
        })
}

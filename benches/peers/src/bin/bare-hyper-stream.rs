//! The bare-hyper streaming peer: the least a hyper 1.x HTTP/1.1 server can
//! do to stream what the `stream-anyfn` bin streams, for
//! `benches/stream_vs_hyper.sh`.
//!
//! Any request is answered with `?mib=N` MiB (default 1) of zero bytes in
//! `?chunk_kib=K` KiB chunks (default 64), after a first chunk of `?first=B`
//! bytes if asked: the same chunks as `stream-anyfn`, each a slice of one
//! buffer made per request. The body is an `http_body_util::StreamBody` of
//! data frames over an iterator (`tokio_stream::iter`; `?via=iter`, the
//! default), or over a tokio `mpsc` channel fed by a task of its own
//! (`?via=channel`, `?capacity=C` chunks, default 8), the raw counterparts
//! of anyfn's `BodyStream::new` and `anyfn::stream::channel`.
//!
//! The headers are those `stream-anyfn` sends on the local server:
//! `content-type: application/octet-stream` and an `x-request-id` of 36
//! characters (a fixed UUID-shaped value); hyper adds `transfer-encoding:
//! chunked` and `date`. Set up as anyfn's server is: a multi-threaded tokio
//! runtime, one task per connection, `TCP_NODELAY`. It has none of the
//! server's per-request work (request ids, deadlines, the stream's guard,
//! `REPORT` lines).
//!
//! ```text
//! PORT=3003 cargo run --release -p anyfn-bench-peers --bin bare-hyper-stream
//! curl -s 'http://127.0.0.1:3003/?mib=64' -o /dev/null -w '%{speed_download}\n'
//! ```

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt as _;

/// The port used when `PORT` is not set.
const DEFAULT_PORT: u16 = 3003;

/// Bytes in a KiB and a MiB.
const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// Chunks that may wait in the channel, unless `?capacity=`.
const DEFAULT_CAPACITY: usize = 8;

/// A fixed request id, as long as the UUID-shaped ids anyfn's server sends.
const REQUEST_ID: &str = "00000000-0000-4000-8000-000000000000";

type Body = BoxBody<Bytes, Infallible>;

/// The chunks of one answer, as `stream-anyfn` makes them: a first chunk of
/// `first` bytes if any, then `total` bytes in chunks of `size`, slices of
/// one buffer.
fn pieces(first: usize, total: usize, size: usize) -> impl Iterator<Item = Bytes> + Send {
    let shared = if total > 0 {
        Bytes::from(vec![0; size])
    } else {
        Bytes::new()
    };
    let first = (first > 0).then(|| Bytes::from(vec![0; first]));
    first.into_iter().chain(
        (0..total)
            .step_by(size)
            .map(move |at| shared.slice(..size.min(total - at))),
    )
}

/// The query's value for `name`, if any.
fn param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// `400` with `message`.
fn bad_request(message: &'static str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from_static(message.as_bytes())).boxed());
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response
}

/// Streams the zero bytes the query asks for.
async fn zeros(request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let query = request.uri().query().unwrap_or("");
    let number = |name: &str, default: usize| {
        param(query, name).map_or(Some(default), |value| value.parse().ok())
    };
    let (Some(mib), Some(chunk_kib), Some(first), Some(capacity)) = (
        number("mib", 1),
        number("chunk_kib", 64),
        number("first", 0),
        number("capacity", DEFAULT_CAPACITY),
    ) else {
        return Ok(bad_request("the parameters must be whole numbers"));
    };
    let Some(total) = mib.checked_mul(MIB) else {
        return Ok(bad_request("`mib` is too large"));
    };
    if chunk_kib == 0 || chunk_kib > 64 * KIB {
        return Ok(bad_request("`chunk_kib` must be from 1 to 65536"));
    }
    let pieces = pieces(first, total, chunk_kib * KIB);
    let body = match param(query, "via").unwrap_or("iter") {
        "iter" => StreamBody::new(tokio_stream::iter(
            pieces.map(|piece| Ok(Frame::data(piece))),
        ))
        .boxed(),
        "channel" => {
            let (sender, receiver) = tokio::sync::mpsc::channel(capacity.max(1));
            tokio::spawn(async move {
                for piece in pieces {
                    if sender.send(piece).await.is_err() {
                        return;
                    }
                }
            });
            StreamBody::new(ReceiverStream::new(receiver).map(|piece| Ok(Frame::data(piece))))
                .boxed()
        }
        _ => return Ok(bad_request("`via` must be `iter` or `channel`")),
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert("x-request-id", HeaderValue::from_static(REQUEST_ID));
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = anyfn_bench_peers::port_from_env(DEFAULT_PORT)?;
    anyfn_bench_peers::serve_http1("bare-hyper-stream", port, zeros).await
}

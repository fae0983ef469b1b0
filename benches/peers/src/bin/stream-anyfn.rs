//! A streaming anyfn function, written as a user would write it, for
//! `benches/stream_vs_hyper.sh` and `benches/stream_memory.sh`: it answers
//! any `GET` with `?mib=N` MiB (default 1) of zero bytes in `?chunk_kib=K`
//! KiB chunks (default 64), sent as they are produced.
//!
//! - `?first=B`: a first chunk of `B` bytes before the MiB; `?mib=0&first=1`
//!   is a one-byte stream, for time to first byte.
//! - `?via=channel` (default): a task produces the chunks into
//!   [`anyfn::stream::channel`] (`?capacity=C` chunks may wait, default 8),
//!   as the README shows for a producer; `?via=iter`: [`BodyStream::new`]
//!   over an iterator made into a stream (`tokio_stream::iter`), no task.
//!
//! Every chunk is a slice of one buffer made per request (`Bytes::slice`:
//! no copy, no allocation per chunk), so what is measured is anyfn carrying
//! the chunks, not the producer making them. With `?fresh=1` every chunk is
//! a buffer of its own, written when it is made (as a producer reading a
//! file makes them), so that chunks held anywhere between the producer and
//! the socket would show in the process's memory: the memory bench uses it.
//! The answer is `application/octet-stream`, chunked on the local server.
//!
//! It runs with `anyfn_auto::run`: as a local server (`HOST`, `PORT`), or on
//! Lambda (and under anyfn-test's emulator) where a Function URL event
//! streams with `ANYFN_RESPONSE_STREAMING=on`. The deadline covers the whole
//! stream (3 s on the local server, the function's timeout on Lambda), so a
//! stream must fit in it.
//!
//! ```text
//! PORT=3002 cargo run --release -p anyfn-bench-peers --bin stream-anyfn
//! curl -s 'http://127.0.0.1:3002/?mib=64&chunk_kib=64' -o /dev/null -w '%{speed_download}\n'
//! ```

use anyfn::stream::{self, BodyStream, StreamResponse};
use anyfn::{handler_fn, Context, Error, Request, RequestExt};
use bytes::Bytes;

/// Bytes in a KiB and a MiB.
const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// Chunks that may wait in the channel for the client, unless `?capacity=`.
const DEFAULT_CAPACITY: usize = 8;

/// A new buffer of `len` zero bytes, written (not `calloc`ed: its pages are
/// in memory, as a chunk read from a file would be).
fn fresh_zeros(len: usize) -> Bytes {
    let mut buffer = Vec::with_capacity(len);
    // Opaque, so that the compiler cannot make this an allocation of zeroed
    // memory (`calloc`), whose pages the kernel maps only when touched.
    buffer.resize(len, std::hint::black_box(0));
    Bytes::from(buffer)
}

/// The chunks of one answer: a first chunk of `first` bytes if any, then
/// `total` bytes in chunks of `size` (the last one shorter), each a slice of
/// one buffer, or a new buffer when `fresh`.
fn pieces(
    first: usize,
    total: usize,
    size: usize,
    fresh: bool,
) -> impl Iterator<Item = Bytes> + Send {
    // Made only when there is something to cut from it.
    let shared = if total > 0 && !fresh {
        Bytes::from(vec![0; size])
    } else {
        Bytes::new()
    };
    let first = (first > 0).then(|| Bytes::from(vec![0; first]));
    first
        .into_iter()
        .chain((0..total).step_by(size).map(move |at| {
            let len = size.min(total - at);
            if fresh {
                fresh_zeros(len)
            } else {
                shared.slice(..len)
            }
        }))
}

/// Streams the zero bytes the query asks for.
async fn zeros(request: Request, _context: Context) -> Result<StreamResponse, Error> {
    let query = request.query();
    let number = |name: &str, default: usize| -> Result<usize, Error> {
        query.get(name).map_or(Ok(default), |value| {
            value
                .parse()
                .map_err(|_| Error::bad_request(format!("`{name}` must be a whole number")))
        })
    };
    let total = number("mib", 1)?
        .checked_mul(MIB)
        .ok_or_else(|| Error::bad_request("`mib` is too large"))?;
    let chunk_kib = number("chunk_kib", 64)?;
    if chunk_kib == 0 || chunk_kib > 64 * KIB {
        return Err(Error::bad_request("`chunk_kib` must be from 1 to 65536"));
    }
    let first = number("first", 0)?;
    let capacity = number("capacity", DEFAULT_CAPACITY)?;
    let fresh = number("fresh", 0)? != 0;
    let pieces = pieces(first, total, chunk_kib * KIB, fresh);

    let body = match query.get("via").unwrap_or("channel") {
        "channel" => {
            let (mut sender, body) = stream::channel(capacity);
            tokio::spawn(async move {
                for piece in pieces {
                    // The client went away, or the deadline passed: stop.
                    if sender.send(piece).await.is_err() {
                        return;
                    }
                }
            });
            body
        }
        "iter" => BodyStream::new(tokio_stream::iter(pieces.map(Ok::<_, Error>))),
        _ => return Err(Error::bad_request("`via` must be `channel` or `iter`")),
    };
    Ok(stream::response(body))
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server.
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(zeros)).await
}

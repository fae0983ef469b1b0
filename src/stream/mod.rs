//! Responses sent chunk by chunk: [`BodyStream`], [`StreamResponse`], a
//! [`channel`] to produce one, and server-sent events ([`sse`]).
//!
//! A handler answers [`Response`](crate::Response) (a [`Body`](crate::Body)
//! sent whole) or, to send its first bytes before its last, a
//! [`StreamResponse`]: the status and headers first, then each chunk as it
//! is produced. Requests stay whole.
//!
//! Every adapter sends the chunks as they come: the local server with
//! chunked encoding and the client's backpressure, Lambda through response
//! streaming where the source can stream (a Function URL or an API Gateway
//! REST API set to stream), and the test harness chunk by chunk. The
//! invocation's deadline covers the whole stream. A stream cut short (its
//! producer failed, or the deadline passed) ends so that the client can tell
//! it from a complete one: the connection closes without the final chunk,
//! Lambda's error trailers are set, and a server-sent-events stream first
//! sends an `error` event.
//!
//! # Example
//!
//! ```
//! use anyfn::stream::{self, StreamResponse};
//! use anyfn::{Context, Request};
//!
//! async fn count(_request: Request, _context: Context) -> Result<StreamResponse, anyfn::Error> {
//!     let (mut sender, body) = stream::channel(8);
//!     tokio::spawn(async move {
//!         for n in 1..=3 {
//!             // A client that went away stops the producer: `send` fails.
//!             if sender.send(format!("{n}\n")).await.is_err() {
//!                 return;
//!             }
//!         }
//!     });
//!     Ok(stream::response(body))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), anyfn::Error> {
//! let response = count(anyfn::Request::new(anyfn::Body::empty()), Context::builder().build()).await?;
//! assert_eq!(response.into_body().collect().await?, "1\n2\n3\n");
//! # Ok(())
//! # }
//! ```

mod body;
mod channel;
pub mod sse;

pub use body::BodyStream;
pub use channel::{channel, ChunkSender, Closed};

/// An HTTP response whose body is sent chunk by chunk.
///
/// # Example
///
/// ```
/// use anyfn::http::StatusCode;
/// use anyfn::stream::{BodyStream, StreamResponse};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let mut response = StreamResponse::new(BodyStream::from("event 1\n"));
/// *response.status_mut() = StatusCode::ACCEPTED;
/// assert_eq!(response.status(), 202);
/// assert_eq!(response.into_body().collect().await?, "event 1\n");
/// # Ok(())
/// # }
/// ```
pub type StreamResponse = http::Response<BodyStream>;

/// A response whose body was known at once ([`BodyStream::into_whole`]) as
/// a whole [`Response`](crate::Response); the stream back otherwise. What
/// an adapter does before it chooses how to send a streamed response.
///
/// # Errors
///
/// The response itself, when its body is a stream.
///
/// # Example
///
/// ```
/// let response = anyfn::stream::response(anyfn::stream::BodyStream::from("hi"));
/// let whole = anyfn::stream::into_whole(response).expect("known at once");
/// assert_eq!(whole.body().as_bytes(), b"hi");
/// assert_eq!(whole.headers()["content-type"], "application/octet-stream");
/// ```
#[allow(clippy::result_large_err)]
pub fn into_whole(response: StreamResponse) -> Result<crate::Response, StreamResponse> {
    let (parts, body) = response.into_parts();
    match body.into_whole() {
        Ok(bytes) => Ok(crate::Response::from_parts(parts, crate::Body::from(bytes))),
        Err(body) => Err(StreamResponse::from_parts(parts, body)),
    }
}

/// A `200 OK` streamed response with `body`, as
/// `application/octet-stream` unless a content type is set afterwards.
///
/// # Example
///
/// ```
/// let response = anyfn::stream::response(anyfn::stream::BodyStream::from("all at once"));
/// assert_eq!(response.status(), 200);
/// ```
pub fn response(body: BodyStream) -> StreamResponse {
    let mut response = StreamResponse::new(body);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/octet-stream"),
    );
    response
}

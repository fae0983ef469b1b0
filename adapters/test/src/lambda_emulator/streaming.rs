//! Streamed responses as the Runtime API takes them: `POST …/response` with
//! `Lambda-Runtime-Function-Response-Mode: streaming`, chunked, the HTTP
//! prelude and eight NUL bytes first, errors in trailers.

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use tokio::sync::mpsc;

use super::LambdaErrorReport;

/// The eight NUL bytes between the HTTP prelude and the body.
const DELIMITER: &[u8] = &[0; 8];

/// What the function streamed, piece by piece, as it arrived.
#[derive(Debug)]
pub(crate) enum Piece {
    /// The HTTP prelude (status, headers, cookies), as JSON.
    Prelude(Bytes),
    /// A body chunk.
    Chunk(Bytes),
    /// The stream ended with an error: in trailers as the Runtime API asks,
    /// or, as lambda_runtime 1.5 sends it, as a last body chunk in the
    /// trailers' text.
    Error(LambdaErrorReport),
    /// The stream ended; `complete` when its body ended properly.
    End { complete: bool },
}

/// Reads a streamed response's body as it arrives, sending its pieces.
pub(crate) async fn read(body: Incoming, pieces: mpsc::UnboundedSender<Piece>) {
    let mut body = body;
    let mut prelude = Some(BytesMut::new());
    loop {
        let Some(frame) = body.frame().await else {
            let _ = pieces.send(Piece::End { complete: true });
            return;
        };
        let Ok(frame) = frame else {
            let _ = pieces.send(Piece::End { complete: false });
            return;
        };
        let frame = match frame.into_data() {
            Ok(mut data) => {
                if let Some(head) = prelude.as_mut() {
                    head.extend_from_slice(&data);
                    let Some(at) = head.windows(DELIMITER.len()).position(|w| w == DELIMITER)
                    else {
                        continue;
                    };
                    let mut head = prelude.take().unwrap_or_default();
                    let rest = head.split_off(at + DELIMITER.len());
                    head.truncate(at);
                    let _ = pieces.send(Piece::Prelude(head.freeze()));
                    data = rest.freeze();
                    if data.is_empty() {
                        continue;
                    }
                }
                if let Some(error) = in_body_error(&data) {
                    let _ = pieces.send(Piece::Error(error));
                } else {
                    let _ = pieces.send(Piece::Chunk(data));
                }
                continue;
            }
            Err(frame) => frame,
        };
        if let Ok(trailers) = frame.into_trailers() {
            let header = |name: &str| {
                trailers
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned)
            };
            if let Some(error_type) = header("lambda-runtime-function-error-type") {
                let body = header("lambda-runtime-function-error-body").unwrap_or_default();
                let _ = pieces.send(Piece::Error(report(error_type, &body, true)));
            }
        }
    }
}

/// lambda_runtime 1.5 reports a mid-stream error as a body chunk holding
/// the trailers' text: `Lambda-Runtime-Function-Error-Type: …\r\n
/// Lambda-Runtime-Function-Error-Body: <base64>\r\n`.
fn in_body_error(data: &[u8]) -> Option<LambdaErrorReport> {
    let text = std::str::from_utf8(data).ok()?;
    let rest = text.strip_prefix("Lambda-Runtime-Function-Error-Type: ")?;
    let (error_type, rest) = rest.split_once("\r\n")?;
    let body = rest
        .strip_prefix("Lambda-Runtime-Function-Error-Body: ")?
        .trim_end();
    Some(report(error_type.to_owned(), body, false))
}

/// The report of a cut stream: its error type, and its base64 body, a
/// diagnostic's JSON (`errorType`, `errorMessage`) or, as lambda_runtime
/// 1.5 sends it, the message's text. `trailer` when it came in trailers
/// (then `header_error_type` is the trailer's), not in the body.
fn report(error_type: String, base64_body: &str, trailer: bool) -> LambdaErrorReport {
    let body = anyfn::Body::from_base64(base64_body)
        .map(anyfn::Body::into_bytes)
        .unwrap_or_else(|_| Bytes::copy_from_slice(base64_body.as_bytes()));
    let diagnostic = serde_json::from_slice::<serde_json::Value>(&body).ok();
    let field = |name: &str| {
        diagnostic
            .as_ref()
            .and_then(|diagnostic| diagnostic[name].as_str().map(str::to_owned))
    };
    LambdaErrorReport {
        error_message: field("errorMessage")
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned()),
        header_error_type: trailer.then(|| error_type.clone()),
        error_type: field("errorType").unwrap_or(error_type),
        body,
    }
}

/// A streamed answer, read piece by piece: made by
/// [`LambdaEmulator::invoke_streaming`](super::LambdaEmulator::invoke_streaming).
///
/// # Example
///
/// ```
/// use anyfn_test::LambdaEmulator;
/// # use anyfn_test::{TestClient, TestRequest};
/// # async fn function(api: TestClient) -> Result<(), anyfn_test::ClientError> {
/// #     let next = api.get("/2018-06-01/runtime/invocation/next").await?;
/// #     let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
/// #     let stream = TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"))
/// #         .header("lambda-runtime-function-response-mode", "streaming")
/// #         .body("{\"statusCode\":200}\0\0\0\0\0\0\0\0hello, world");
/// #     api.send(stream).await.map(drop)
/// # }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = LambdaEmulator::start().await?;
/// // A function streaming `hello, world` (hidden here) answers the invocation:
/// # tokio::spawn(function(TestClient::new(emulator.runtime_api().parse()?)));
/// let mut answer = emulator.invoke_streaming("{}").await.expect("a stream");
/// assert_eq!(answer.request_id(), "00000000-0000-4000-8000-000000000001");
/// assert_eq!(answer.prelude().await.expect("a prelude")["statusCode"], 200);
/// assert_eq!(answer.rest().await, "hello, world");
/// assert_eq!(answer.complete(), Some(true));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct StreamedAnswer {
    pub(crate) request_id: String,
    pub(crate) pieces: mpsc::UnboundedReceiver<Piece>,
    pub(crate) deadline: Instant,
    pub(crate) prelude: Option<serde_json::Value>,
    pub(crate) error: Option<LambdaErrorReport>,
    pub(crate) ended: Option<bool>,
}

impl StreamedAnswer {
    /// The invocation's request id.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    /// # use anyfn_test::{TestClient, TestRequest};
    /// # async fn function(api: TestClient) -> Result<(), anyfn_test::ClientError> {
    /// #     let next = api.get("/2018-06-01/runtime/invocation/next").await?;
    /// #     let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
    /// #     let stream = TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"))
    /// #         .header("lambda-runtime-function-response-mode", "streaming")
    /// #         .body("{\"statusCode\":200}\0\0\0\0\0\0\0\0hello, world");
    /// #     api.send(stream).await.map(drop)
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::start().await?;
    /// // A function streaming `hello, world` (hidden here) answers the invocation:
    /// # tokio::spawn(function(TestClient::new(emulator.runtime_api().parse()?)));
    /// let mut answer = emulator.invoke_streaming("{}").await.expect("a stream");
    /// assert_eq!(answer.request_id(), "00000000-0000-4000-8000-000000000001");
    /// # Ok(())
    /// # }
    /// ```
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The HTTP prelude (`statusCode`, `headers`, `cookies`), once it came.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    /// # use anyfn_test::{TestClient, TestRequest};
    /// # async fn function(api: TestClient) -> Result<(), anyfn_test::ClientError> {
    /// #     let next = api.get("/2018-06-01/runtime/invocation/next").await?;
    /// #     let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
    /// #     let stream = TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"))
    /// #         .header("lambda-runtime-function-response-mode", "streaming")
    /// #         .body("{\"statusCode\":200}\0\0\0\0\0\0\0\0hello, world");
    /// #     api.send(stream).await.map(drop)
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::start().await?;
    /// // A function streaming `hello, world` (hidden here) answers the invocation:
    /// # tokio::spawn(function(TestClient::new(emulator.runtime_api().parse()?)));
    /// let mut answer = emulator.invoke_streaming("{}").await.expect("a stream");
    /// let prelude = answer.prelude().await.expect("a prelude");
    /// assert_eq!(prelude["statusCode"], 200);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn prelude(&mut self) -> Option<&serde_json::Value> {
        while self.prelude.is_none() && self.ended.is_none() {
            self.step().await;
        }
        self.prelude.as_ref()
    }

    /// The next body chunk as it arrives; `None` once the stream ended (see
    /// [`error`](Self::error) and [`complete`](Self::complete)) or its
    /// deadline passed.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    /// # use anyfn_test::{TestClient, TestRequest};
    /// # async fn function(api: TestClient) -> Result<(), anyfn_test::ClientError> {
    /// #     let next = api.get("/2018-06-01/runtime/invocation/next").await?;
    /// #     let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
    /// #     let stream = TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"))
    /// #         .header("lambda-runtime-function-response-mode", "streaming")
    /// #         .body("{\"statusCode\":200}\0\0\0\0\0\0\0\0hello, world");
    /// #     api.send(stream).await.map(drop)
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::start().await?;
    /// // A function streaming `hello, world` (hidden here) answers the invocation:
    /// # tokio::spawn(function(TestClient::new(emulator.runtime_api().parse()?)));
    /// let mut answer = emulator.invoke_streaming("{}").await.expect("a stream");
    /// let mut body = Vec::new();
    /// while let Some(chunk) = answer.next_chunk().await {
    ///     body.extend_from_slice(&chunk);
    /// }
    /// assert_eq!(body, b"hello, world");
    /// assert_eq!(answer.complete(), Some(true));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn next_chunk(&mut self) -> Option<Bytes> {
        while self.ended.is_none() {
            if let Some(chunk) = self.step().await {
                return Some(chunk);
            }
        }
        None
    }

    /// Every chunk still to come, joined.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    /// # use anyfn_test::{TestClient, TestRequest};
    /// # async fn function(api: TestClient) -> Result<(), anyfn_test::ClientError> {
    /// #     let next = api.get("/2018-06-01/runtime/invocation/next").await?;
    /// #     let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
    /// #     let stream = TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"))
    /// #         .header("lambda-runtime-function-response-mode", "streaming")
    /// #         .body("{\"statusCode\":200}\0\0\0\0\0\0\0\0hello, world");
    /// #     api.send(stream).await.map(drop)
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::start().await?;
    /// // A function streaming `hello, world` (hidden here) answers the invocation:
    /// # tokio::spawn(function(TestClient::new(emulator.runtime_api().parse()?)));
    /// let mut answer = emulator.invoke_streaming("{}").await.expect("a stream");
    /// assert_eq!(answer.rest().await, "hello, world");
    /// assert_eq!(answer.next_chunk().await, None, "nothing more");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn rest(&mut self) -> Bytes {
        let mut whole = BytesMut::new();
        while let Some(chunk) = self.next_chunk().await {
            whole.extend_from_slice(&chunk);
        }
        whole.freeze()
    }

    /// The error the stream ended with, if any.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    /// # use anyfn_test::{TestClient, TestRequest};
    /// # async fn function(api: TestClient) -> Result<(), anyfn_test::ClientError> {
    /// #     let next = api.get("/2018-06-01/runtime/invocation/next").await?;
    /// #     let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
    /// #     let stream = TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"))
    /// #         .header("lambda-runtime-function-response-mode", "streaming")
    /// #         .body("{\"statusCode\":200}\0\0\0\0\0\0\0\0Lambda-Runtime-Function-Error-Type: Boom\r\nLambda-Runtime-Function-Error-Body: Y3V0IHNob3J0\r\n");
    /// #     api.send(stream).await.map(drop)
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::start().await?;
    /// // A function (hidden here) cuts its stream short with an error, as lambda_runtime 1.5 does:
    /// # tokio::spawn(function(TestClient::new(emulator.runtime_api().parse()?)));
    /// let mut answer = emulator.invoke_streaming("{}").await.expect("a stream");
    /// assert_eq!(answer.rest().await, "");
    /// let error = answer.error().expect("the stream was cut");
    /// assert_eq!(error.error_type, "Boom");
    /// assert_eq!(error.error_message, "cut short");
    /// assert_eq!(answer.complete(), Some(false));
    /// # Ok(())
    /// # }
    /// ```
    pub fn error(&self) -> Option<&LambdaErrorReport> {
        self.error.as_ref()
    }

    /// Whether the stream ended properly: `Some(true)` when its body ended
    /// with no error, `Some(false)` when it was cut (an error, a broken
    /// connection, the deadline), `None` while it goes on.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    /// # use anyfn_test::{TestClient, TestRequest};
    /// # async fn function(api: TestClient) -> Result<(), anyfn_test::ClientError> {
    /// #     let next = api.get("/2018-06-01/runtime/invocation/next").await?;
    /// #     let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
    /// #     let stream = TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"))
    /// #         .header("lambda-runtime-function-response-mode", "streaming")
    /// #         .body("{\"statusCode\":200}\0\0\0\0\0\0\0\0hello, world");
    /// #     api.send(stream).await.map(drop)
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::start().await?;
    /// // A function streaming `hello, world` (hidden here) answers the invocation:
    /// # tokio::spawn(function(TestClient::new(emulator.runtime_api().parse()?)));
    /// let mut answer = emulator.invoke_streaming("{}").await.expect("a stream");
    /// assert_eq!(answer.complete(), None, "not read to its end yet");
    /// answer.rest().await;
    /// assert_eq!(answer.complete(), Some(true));
    /// # Ok(())
    /// # }
    /// ```
    pub fn complete(&self) -> Option<bool> {
        self.ended.map(|ended| ended && self.error.is_none())
    }

    /// One piece; a body chunk if that is what came.
    async fn step(&mut self) -> Option<Bytes> {
        match tokio::time::timeout_at(self.deadline.into(), self.pieces.recv()).await {
            Ok(Some(Piece::Prelude(prelude))) => {
                self.prelude = Some(serde_json::from_slice(&prelude).unwrap_or_else(|_| {
                    serde_json::Value::String(String::from_utf8_lossy(&prelude).into_owned())
                }));
                None
            }
            Ok(Some(Piece::Chunk(chunk))) => Some(chunk),
            Ok(Some(Piece::Error(error))) => {
                self.error = Some(error);
                None
            }
            Ok(Some(Piece::End { complete })) => {
                self.ended = Some(complete);
                None
            }
            Ok(None) => {
                self.ended = Some(false);
                None
            }
            Err(_) => {
                self.ended = Some(false);
                self.error = Some(LambdaErrorReport {
                    error_type: "Sandbox.Timedout".to_owned(),
                    error_message: "the stream outlived the function's timeout".to_owned(),
                    header_error_type: None,
                    body: Bytes::new(),
                });
                None
            }
        }
    }
}

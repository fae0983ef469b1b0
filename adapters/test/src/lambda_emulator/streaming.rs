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
    let mut splitter = Splitter::default();
    let mut send = |piece| {
        let _ = pieces.send(piece);
    };
    loop {
        let Some(frame) = body.frame().await else {
            splitter.end(&mut send);
            send(Piece::End { complete: true });
            return;
        };
        let Ok(frame) = frame else {
            splitter.end(&mut send);
            send(Piece::End { complete: false });
            return;
        };
        let frame = match frame.into_data() {
            Ok(data) => {
                splitter.data(data, &mut send);
                continue;
            }
            Err(frame) => frame,
        };
        splitter.end(&mut send);
        if let Ok(trailers) = frame.into_trailers() {
            let header = |name: &str| {
                trailers
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned)
            };
            if let Some(error_type) = header("lambda-runtime-function-error-type") {
                let body = header("lambda-runtime-function-error-body").unwrap_or_default();
                send(Piece::Error(report(error_type, &body, true)));
            }
        }
    }
}

/// Splits a streamed body's data, read by read, into its pieces: the
/// prelude, body chunks, and lambda_runtime's in-body error.
///
/// A read is not a chunk as the function wrote it: the transport may cut
/// one anywhere. So the prelude is gathered until its delimiter, and data
/// that starts as an in-body error does is held until the error is whole
/// (then it is the error) or is seen to be body data after all (then it is
/// a chunk, as is anything held when the body ends).
#[derive(Debug)]
struct Splitter {
    /// The prelude gathered so far; `None` once its delimiter has come.
    prelude: Option<BytesMut>,
    /// Body data that may be the start of an in-body error.
    held: BytesMut,
}

impl Default for Splitter {
    fn default() -> Self {
        Self {
            prelude: Some(BytesMut::new()),
            held: BytesMut::new(),
        }
    }
}

impl Splitter {
    /// Takes one read of body data.
    fn data(&mut self, data: Bytes, send: &mut impl FnMut(Piece)) {
        let data = match self.prelude.as_mut() {
            Some(head) => {
                head.extend_from_slice(&data);
                let Some(at) = head.windows(DELIMITER.len()).position(|w| w == DELIMITER) else {
                    return;
                };
                let mut head = self.prelude.take().unwrap_or_default();
                let rest = head.split_off(at + DELIMITER.len());
                head.truncate(at);
                send(Piece::Prelude(head.freeze()));
                rest.freeze()
            }
            None => data,
        };
        if data.is_empty() {
            return;
        }
        if !self.held.is_empty() {
            let held_len = self.held.len();
            let mut joined = std::mem::take(&mut self.held);
            joined.extend_from_slice(&data);
            match InBodyError::of(&joined) {
                InBodyError::Whole(error) => return send(Piece::Error(error)),
                InBodyError::Partial => {
                    self.held = joined;
                    return;
                }
                InBodyError::Not => send(Piece::Chunk(joined.split_to(held_len).freeze())),
            }
        }
        match InBodyError::of(&data) {
            InBodyError::Whole(error) => send(Piece::Error(error)),
            InBodyError::Partial => self.held.extend_from_slice(&data),
            InBodyError::Not => send(Piece::Chunk(data)),
        }
    }

    /// The body ended (or its trailers came). What was held is an error
    /// whose last line end never came, or else body data.
    fn end(&mut self, send: &mut impl FnMut(Piece)) {
        if self.held.is_empty() {
            return;
        }
        let held = std::mem::take(&mut self.held);
        let mut ended = held.clone();
        ended.extend_from_slice(b"\r\n");
        match InBodyError::of(&ended) {
            InBodyError::Whole(error) => send(Piece::Error(error)),
            _ => send(Piece::Chunk(held.freeze())),
        }
    }
}

/// lambda_runtime 1.5 reports a mid-stream error as a body chunk holding
/// the trailers' text: `Lambda-Runtime-Function-Error-Type: …\r\n
/// Lambda-Runtime-Function-Error-Body: <base64>\r\n`.
#[derive(Debug)]
enum InBodyError {
    /// The whole error.
    Whole(LambdaErrorReport),
    /// The start of one, or of its type line: more must come to tell.
    Partial,
    /// Body data.
    Not,
}

impl InBodyError {
    const TYPE: &'static [u8] = b"Lambda-Runtime-Function-Error-Type: ";
    const BODY: &'static str = "Lambda-Runtime-Function-Error-Body: ";

    fn of(data: &[u8]) -> Self {
        if data.len() < Self::TYPE.len() {
            return if Self::TYPE.starts_with(data) {
                Self::Partial
            } else {
                Self::Not
            };
        }
        if !data.starts_with(Self::TYPE) {
            return Self::Not;
        }
        let text = match std::str::from_utf8(&data[Self::TYPE.len()..]) {
            Ok(text) => text,
            // A character cut at the end of the read: more must come.
            Err(error) if error.error_len().is_none() => return Self::Partial,
            Err(_) => return Self::Not,
        };
        let Some((error_type, rest)) = text.split_once("\r\n") else {
            return Self::Partial;
        };
        if rest.len() < Self::BODY.len() {
            return if Self::BODY.starts_with(rest) {
                Self::Partial
            } else {
                Self::Not
            };
        }
        let Some(body) = rest.strip_prefix(Self::BODY) else {
            return Self::Not;
        };
        match body.strip_suffix("\r\n") {
            Some(body) if !body.contains(['\r', '\n']) => {
                Self::Whole(report(error_type.to_owned(), body, false))
            }
            Some(_) => Self::Not,
            // Its last line end may be cut in two.
            None if body
                .strip_suffix('\r')
                .unwrap_or(body)
                .contains(['\r', '\n']) =>
            {
                Self::Not
            }
            None => Self::Partial,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What lambda_runtime 1.5 writes when a stream fails mid-way.
    const ERROR_TEXT: &str = "Lambda-Runtime-Function-Error-Type: Runtime.StreamError\r\nLambda-Runtime-Function-Error-Body: Y3V0IHNob3J0\r\n";

    /// The pieces of a body read as `reads`.
    fn split(reads: &[&[u8]]) -> Vec<Piece> {
        let mut splitter = Splitter::default();
        let mut pieces = Vec::new();
        let mut send = |piece| pieces.push(piece);
        for read in reads {
            splitter.data(Bytes::copy_from_slice(read), &mut send);
        }
        splitter.end(&mut send);
        pieces
    }

    /// The pieces, as text: `prelude:…`, `chunk:…`, `error:TYPE:MESSAGE`.
    fn described(pieces: &[Piece]) -> Vec<String> {
        pieces
            .iter()
            .map(|piece| match piece {
                Piece::Prelude(head) => format!("prelude:{}", String::from_utf8_lossy(head)),
                Piece::Chunk(data) => format!("chunk:{}", String::from_utf8_lossy(data)),
                Piece::Error(error) => {
                    format!("error:{}:{}", error.error_type, error.error_message)
                }
                Piece::End { complete } => format!("end:{complete}"),
            })
            .collect()
    }

    #[test]
    fn in_body_error_cut_across_reads_is_still_the_error() {
        let expected = [
            "prelude:{}",
            "chunk:hello",
            "error:Runtime.StreamError:cut short",
        ];
        for at in 0..=ERROR_TEXT.len() {
            let (first, second) = ERROR_TEXT.as_bytes().split_at(at);
            let pieces = split(&[b"{}\0\0\0\0\0\0\0\0", b"hello", first, second]);
            assert_eq!(described(&pieces), expected, "cut at byte {at}");
        }
        let every_byte: Vec<&[u8]> = ERROR_TEXT.as_bytes().chunks(1).collect();
        let mut reads: Vec<&[u8]> = vec![b"{}\0\0\0\0\0\0\0\0hello"];
        reads.extend(every_byte);
        assert_eq!(described(&split(&reads)), expected);
    }

    #[test]
    fn in_body_error_in_the_prelude_read_is_the_error() {
        let first = format!("{{}}\0\0\0\0\0\0\0\0{ERROR_TEXT}");
        assert_eq!(
            described(&split(&[first.as_bytes()])),
            ["prelude:{}", "error:Runtime.StreamError:cut short"]
        );
    }

    #[test]
    fn body_data_that_starts_like_an_error_stays_body_data() {
        let pieces = split(&[b"{}\0\0\0\0\0\0\0\0", b"Lambda", b", a sheep"]);
        assert_eq!(
            described(&pieces),
            ["prelude:{}", "chunk:Lambda", "chunk:, a sheep"]
        );
        let pieces = split(&[
            b"{}\0\0\0\0\0\0\0\0",
            b"Lambda-Runtime-Function-Error-Type: x\r\nnot a body line",
        ]);
        assert_eq!(
            described(&pieces),
            [
                "prelude:{}",
                "chunk:Lambda-Runtime-Function-Error-Type: x\r\nnot a body line"
            ]
        );
        let pieces = split(&[b"{}\0\0\0\0\0\0\0\0", b"Lambda-Runtime"]);
        assert_eq!(described(&pieces), ["prelude:{}", "chunk:Lambda-Runtime"]);
    }

    #[test]
    fn in_body_error_without_its_last_line_end_is_the_error_at_the_end() {
        let text = ERROR_TEXT.trim_end();
        let pieces = split(&[b"{}\0\0\0\0\0\0\0\0", text.as_bytes()]);
        assert_eq!(
            described(&pieces),
            ["prelude:{}", "error:Runtime.StreamError:cut short"]
        );
    }
}

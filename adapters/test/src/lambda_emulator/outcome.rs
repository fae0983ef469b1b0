//! What the emulator records for an invocation, and the faults it injects:
//! [`LambdaOutcome`], [`LambdaErrorReport`], [`RuntimeApiFault`].

use std::time::Duration;

use bytes::Bytes;

/// What Lambda would record for one invocation.
///
/// # Example
///
/// ```
/// use anyfn_test::LambdaOutcome;
///
/// let outcome = LambdaOutcome::Response {
///     request_id: "00000000-0000-4000-8000-000000000001".to_owned(),
///     payload: r#"{"greeting":"Hello, Ada!"}"#.into(),
/// };
/// match &outcome {
///     LambdaOutcome::Response { payload, .. } => assert!(payload.starts_with(b"{")),
///     other => panic!("expected a response, got {other:?}"),
/// }
/// assert_eq!(outcome.expect_json()["greeting"], "Hello, Ada!");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LambdaOutcome {
    /// The function posted a response.
    Response {
        /// The invocation's request id.
        request_id: String,
        /// The response payload, as posted.
        payload: Bytes,
    },
    /// The function posted an error.
    Error {
        /// The invocation's request id.
        request_id: String,
        /// The error, as posted.
        error: LambdaErrorReport,
    },
    /// The function streamed its response (`Lambda-Runtime-Function-Response-Mode:
    /// streaming`), read to its end or to the deadline.
    Streamed {
        /// The invocation's request id.
        request_id: String,
        /// The HTTP prelude: `statusCode`, `headers`, `cookies`.
        prelude: serde_json::Value,
        /// The body, every chunk joined.
        body: Bytes,
        /// The error the stream ended with: from the trailers, or from the
        /// body chunk in the trailers' text that lambda_runtime 1.5 sends.
        error: Option<LambdaErrorReport>,
        /// Whether the stream ended properly, with no error.
        complete: bool,
    },
    /// The function took the invocation but posted nothing before its
    /// deadline. Lambda ends such an invocation ("Task timed out") and starts
    /// a new execution environment; the emulator restarts the function it
    /// [spawned](super::LambdaEmulator::spawn).
    TimedOut {
        /// The invocation's request id.
        request_id: String,
        /// The function's timeout.
        timeout: Duration,
    },
    /// No function took the invocation within the init grace period (10 s),
    /// or the emulator [shut the function down](super::LambdaEmulator::shut_down)
    /// (then at once).
    NoAnswer {
        /// The invocation's request id.
        request_id: String,
    },
}

impl LambdaOutcome {
    /// The invocation's request id.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_test::LambdaOutcome;
    ///
    /// let outcome = LambdaOutcome::TimedOut {
    ///     request_id: "00000000-0000-4000-8000-000000000002".to_owned(),
    ///     timeout: Duration::from_secs(3),
    /// };
    /// assert_eq!(outcome.request_id(), "00000000-0000-4000-8000-000000000002");
    /// ```
    pub fn request_id(&self) -> &str {
        match self {
            Self::Response { request_id, .. }
            | Self::Error { request_id, .. }
            | Self::Streamed { request_id, .. }
            | Self::TimedOut { request_id, .. }
            | Self::NoAnswer { request_id } => request_id,
        }
    }

    /// The response payload.
    ///
    /// # Panics
    ///
    /// When the invocation did not succeed; the message says what happened.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaOutcome;
    ///
    /// let outcome = LambdaOutcome::Response {
    ///     request_id: "00000000-0000-4000-8000-000000000001".to_owned(),
    ///     payload: "pong".into(),
    /// };
    /// assert_eq!(outcome.expect_response(), "pong");
    /// ```
    #[track_caller]
    pub fn expect_response(self) -> Bytes {
        match self {
            Self::Response { payload, .. } => payload,
            other => panic!("expected a response, got {other:?}"),
        }
    }

    /// The response payload parsed as JSON.
    ///
    /// # Panics
    ///
    /// When the invocation did not succeed or the payload is not JSON.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaOutcome;
    ///
    /// let outcome = LambdaOutcome::Response {
    ///     request_id: "00000000-0000-4000-8000-000000000001".to_owned(),
    ///     payload: r#"{"statusCode":200,"body":"ok"}"#.into(),
    /// };
    /// assert_eq!(outcome.expect_json()["statusCode"], 200);
    /// ```
    #[track_caller]
    pub fn expect_json(self) -> serde_json::Value {
        let payload = self.expect_response();
        match serde_json::from_slice(&payload) {
            Ok(value) => value,
            Err(err) => panic!("response payload is not JSON ({err}): {payload:?}"),
        }
    }

    /// The error report.
    ///
    /// # Panics
    ///
    /// When the invocation did not post an error.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{LambdaErrorReport, LambdaOutcome};
    ///
    /// let outcome = LambdaOutcome::Error {
    ///     request_id: "00000000-0000-4000-8000-000000000001".to_owned(),
    ///     error: LambdaErrorReport {
    ///         error_type: "OrderNotFound".to_owned(),
    ///         error_message: "no order 7".to_owned(),
    ///         header_error_type: None,
    ///         body: r#"{"errorType":"OrderNotFound","errorMessage":"no order 7"}"#.into(),
    ///     },
    /// };
    /// assert_eq!(outcome.expect_error().error_type, "OrderNotFound");
    /// ```
    #[track_caller]
    pub fn expect_error(self) -> LambdaErrorReport {
        match self {
            Self::Error { error, .. } => error,
            other => panic!("expected an error, got {other:?}"),
        }
    }
}

/// A fault the emulator injects into the Runtime API, once, to test how a
/// function copes with a misbehaving Lambda service.
///
/// # Example
///
/// ```
/// use anyfn_test::{LambdaEmulator, RuntimeApiFault, TestClient};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = LambdaEmulator::start().await?;
/// emulator.inject(RuntimeApiFault::NextClosesConnection);
/// let api = TestClient::new(emulator.runtime_api().parse()?);
/// let next = api.get("/2018-06-01/runtime/invocation/next").await;
/// assert!(next.is_err(), "closed without an answer");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeApiFault {
    /// The next `next` call is answered `500 Internal Server Error`.
    NextAnswers500,
    /// The next `next` call's connection is closed without an answer.
    NextClosesConnection,
    /// The next `next` call is answered only after this delay.
    NextAnswersAfter(Duration),
    /// The next `response` post is answered `500` (the response is recorded).
    ResponseAnswers500,
    /// The next `response` post's connection is closed without an answer
    /// (the response is recorded).
    ResponseClosesConnection,
}

/// An error as posted to the Runtime API.
///
/// # Example
///
/// ```
/// use anyfn_test::{LambdaEmulator, TestClient, TestRequest};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = LambdaEmulator::start().await?;
/// let api = TestClient::new(emulator.runtime_api().parse()?);
/// let document = r#"{"errorType":"ConfigError","errorMessage":"no DATABASE_URL"}"#;
/// let report = TestRequest::post("/2018-06-01/runtime/init/error")
///     .header("lambda-runtime-function-error-type", "Runtime.Unhandled");
/// api.send(report.body(document)).await?;
/// let error = &emulator.init_errors()[0];
/// assert_eq!(error.error_type, "ConfigError");
/// assert_eq!(error.error_message, "no DATABASE_URL");
/// assert_eq!(error.header_error_type.as_deref(), Some("Runtime.Unhandled"));
/// assert_eq!(error.body, document);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaErrorReport {
    /// `errorType` from the posted document.
    pub error_type: String,
    /// `errorMessage` from the posted document.
    pub error_message: String,
    /// The `Lambda-Runtime-Function-Error-Type` header (for a cut stream,
    /// the trailer), if sent.
    pub header_error_type: Option<String>,
    /// The whole document, as posted.
    pub body: Bytes,
}

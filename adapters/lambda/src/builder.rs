//! Configuring the adapter before it runs: [`Lambda`].

use std::time::Duration;

use anyfn::{ErrorDetails, Handler};

use crate::codec::{FromLambda, IntoLambda};
use crate::LambdaError;

/// How long before Lambda's own deadline anyfn stops a handler, by default:
/// enough for the timeout to be reported before Lambda ends the invocation.
pub const DEFAULT_DEADLINE_MARGIN: Duration = Duration::from_millis(100);

/// The environment variable that sets the deadline margin, in milliseconds:
/// `ANYFN_DEADLINE_MARGIN_MS=250`.
pub const DEADLINE_MARGIN_ENV: &str = "ANYFN_DEADLINE_MARGIN_MS";

/// Runs a [`Handler`] on AWS Lambda, configured; [`run`](crate::run) is this
/// with the defaults.
///
/// - **Deadline margin** (default [`DEFAULT_DEADLINE_MARGIN`], or
///   `ANYFN_DEADLINE_MARGIN_MS`): the handler's
///   [`Context::deadline`](anyfn::Context::deadline) is Lambda's deadline
///   minus this margin, and the handler is stopped there, so that anyfn's
///   `Timeout` answer (a `504` for HTTP events) reaches Lambda before Lambda
///   kills the invocation.
/// - **Error details** (default hidden, or `ANYFN_ERROR_DETAILS=show`): what
///   HTTP clients see of a server error; see [`ErrorDetails`].
/// - **Default subscriber** (off for the builder, on for [`run`](crate::run);
///   `ANYFN_DEFAULT_SUBSCRIBER=off` turns it off): a `tracing` subscriber
///   writing to stdout in the format `AWS_LAMBDA_LOG_FORMAT` selects, at
///   `AWS_LAMBDA_LOG_LEVEL`, installed when the program has none.
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Json};
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), anyfn_lambda::LambdaError> {
/// let handler = handler_fn(|Json(n): Json<u64>, _context: Context| async move {
///     Ok::<_, anyfn::Error>(Json(n + 1))
/// });
/// anyfn_lambda::Lambda::new(handler)
///     .deadline_margin(Duration::from_millis(250))
///     .default_subscriber(true)
///     .run()
///     .await
/// # }
/// ```
#[must_use = "the adapter does nothing until run"]
pub struct Lambda<H> {
    handler: H,
    settings: Settings,
}

/// What the runtime needs of the configuration.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) deadline_margin: Duration,
    pub(crate) error_details: ErrorDetails,
    pub(crate) default_subscriber: bool,
    pub(crate) response_streaming: bool,
}

impl<H> std::fmt::Debug for Lambda<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lambda")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<H> Lambda<H>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    /// The adapter for `handler`, with the margin and error details from the
    /// environment (or their defaults) and no default subscriber.
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            settings: Settings {
                deadline_margin: margin_from(std::env::var(DEADLINE_MARGIN_ENV).ok().as_deref()),
                error_details: ErrorDetails::from_env(),
                default_subscriber: false,
                response_streaming: crate::streaming::streaming_from_env(),
            },
        }
    }

    /// Stops the handler this long before Lambda's deadline.
    pub fn deadline_margin(mut self, margin: Duration) -> Self {
        self.settings.deadline_margin = margin;
        self
    }

    /// How much of a server error (5xx) HTTP clients see.
    pub fn error_details(mut self, details: ErrorDetails) -> Self {
        self.settings.error_details = details;
        self
    }

    /// Whether a streamed response ([`StreamResponse`](anyfn::stream::StreamResponse))
    /// goes out through Lambda's response streaming, for the sources that can
    /// stream ([`EventSource::can_stream`](crate::EventSource::can_stream)).
    /// Off by default, or as `ANYFN_RESPONSE_STREAMING` says: turn it on
    /// where the function is invoked with streaming (a Function URL with
    /// `InvokeMode: RESPONSE_STREAM`, a REST API integration with
    /// `responseTransferMode: STREAM`), which the function cannot see from
    /// its events. Off, a streamed response is gathered and sent whole, up
    /// to Lambda's 6 MB limit.
    pub fn response_streaming(mut self, on: bool) -> Self {
        self.settings.response_streaming = on;
        self
    }

    /// Whether [`run`](Self::run) installs the default subscriber when the
    /// program has none.
    pub fn default_subscriber(mut self, install: bool) -> Self {
        self.settings.default_subscriber = install;
        self
    }

    /// Serves invocations from the Lambda Runtime API until the runtime stops.
    ///
    /// # Errors
    ///
    /// [`LambdaError::MissingEnv`] or [`LambdaError::InvalidEnv`] when the
    /// process is not on Lambda (the variables Lambda sets are checked
    /// first); [`LambdaError::Runtime`] when the Runtime API fails. Failed
    /// invocations are reported to Lambda, not returned.
    pub async fn run(self) -> Result<(), LambdaError> {
        if self.settings.default_subscriber {
            crate::logging::install_default_subscriber();
        }
        crate::runtime::run(self.handler, self.settings).await
    }
}

/// The margin `ANYFN_DEADLINE_MARGIN_MS` gives: whole milliseconds, else
/// the default.
fn margin_from(value: Option<&str>) -> Duration {
    value
        .and_then(|ms| ms.trim().parse::<u64>().ok())
        .map_or(DEFAULT_DEADLINE_MARGIN, Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_read_in_milliseconds_with_a_default() {
        assert_eq!(margin_from(Some("250")), Duration::from_millis(250));
        assert_eq!(margin_from(Some(" 0 ")), Duration::ZERO);
        assert_eq!(margin_from(Some("soon")), DEFAULT_DEADLINE_MARGIN);
        assert_eq!(margin_from(None), DEFAULT_DEADLINE_MARGIN);
    }
}

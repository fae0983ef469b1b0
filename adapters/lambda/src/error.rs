//! Why the Lambda adapter could not start or stopped: [`LambdaError`].

/// Why the Lambda adapter could not start, or stopped serving.
///
/// Failures of single invocations never end up here: they are reported to
/// Lambda with their `errorType` and the runtime goes on.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_lambda::LambdaError;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # std::env::remove_var("AWS_LAMBDA_RUNTIME_API");
/// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
/// // Not on Lambda: the Runtime API's address is not set.
/// let err = anyfn_lambda::Lambda::new(handler).run().await.unwrap_err();
/// assert!(matches!(err, LambdaError::MissingEnv { name: "AWS_LAMBDA_RUNTIME_API" }));
/// assert!(err.to_string().contains("is this running on AWS Lambda?"));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LambdaError {
    /// A variable that Lambda sets for every function is missing: the process
    /// is not running on Lambda (or under an emulator that sets it).
    #[error(
        "environment variable {name} is not set: is this running on AWS Lambda? \
         (Lambda sets AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_NAME, \
         AWS_LAMBDA_FUNCTION_VERSION and AWS_LAMBDA_FUNCTION_MEMORY_SIZE)"
    )]
    MissingEnv {
        /// The variable's name.
        name: &'static str,
    },
    /// A variable that Lambda sets, or one of anyfn's settings
    /// (`ANYFN_TIMEOUT_MS`, `ANYFN_MEMORY_MB`, `ANYFN_DEFAULT_SUBSCRIBER`,
    /// `ANYFN_ERROR_DETAILS`), holds a value the adapter cannot use.
    #[error("environment variable {name}={value:?} is invalid: expected {reason}")]
    InvalidEnv {
        /// The variable's name.
        name: &'static str,
        /// The value found.
        value: String,
        /// What was expected, such as `a positive whole number of
        /// milliseconds, such as 10000`.
        reason: &'static str,
    },
    /// The runtime stopped: the Runtime API could not be reached or answered
    /// in a way the runtime could not handle.
    #[error("the Lambda runtime stopped: {message}")]
    Runtime {
        /// What the runtime said.
        message: String,
    },
}

/// A bad `ANYFN_*` setting (see [`anyfn_kit::Settings::from_env`]) is
/// [`LambdaError::InvalidEnv`], naming the variable, its value and what it
/// must hold.
impl From<anyfn_kit::SettingsError> for LambdaError {
    fn from(err: anyfn_kit::SettingsError) -> Self {
        Self::InvalidEnv {
            name: err.name(),
            value: err.value().to_owned(),
            reason: err.expected(),
        }
    }
}

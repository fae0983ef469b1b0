//! Why the Lambda adapter could not start or stopped: [`LambdaError`].

/// Why the Lambda adapter could not start, or stopped serving.
///
/// Failures of single invocations never end up here: they are reported to
/// Lambda with their `errorType` and the runtime goes on.
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
    /// A variable that Lambda sets holds a value the adapter cannot use.
    #[error("environment variable {name}={value:?} is invalid: {reason}")]
    InvalidEnv {
        /// The variable's name.
        name: &'static str,
        /// The value found.
        value: String,
        /// What was expected.
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

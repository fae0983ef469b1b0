//! lambda_runtime's `basic-error-thiserror` example, ported to anyfn: the
//! error type implements `anyfn::IntoError` (not `From<_> for Diagnostic`),
//! naming its `errorType` with `with_error_type`.

use anyfn::{handler_fn, Context, Error, ErrorKind, IntoError, Json};
use serde::Deserialize;

#[derive(Deserialize)]
struct Request {}

/// How the function fails.
#[derive(Debug, thiserror::Error)]
pub enum ExecutionError {
    /// Worth retrying.
    #[error("transient database error: {0}")]
    DatabaseError(String),
    /// Not worth retrying.
    #[error("unexpected error: {0}")]
    Unexpected(String),
}

impl IntoError for ExecutionError {
    fn into_error(self) -> Error {
        let (error_type, message) = match self {
            ExecutionError::DatabaseError(err) => ("Retryable", err),
            ExecutionError::Unexpected(err) => ("NonRetryable", err),
        };
        Error::new(ErrorKind::Handler, message).with_error_type(error_type)
    }
}

async fn function_handler(_event: Json<Request>, _context: Context) -> Result<(), ExecutionError> {
    Err(ExecutionError::Unexpected("ooops".to_string()))
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(function_handler)).await
}

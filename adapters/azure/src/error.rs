//! [`AzureError`]: what stops the adapter from starting.

use std::path::PathBuf;

/// Why the adapter could not start or serve. Failed invocations are
/// answered to the host, never returned.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_azure::{Azure, AzureError, PORT_ENV};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # std::env::remove_var(PORT_ENV);
/// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
/// // Not started by the Functions host: no port to listen on.
/// let err = Azure::new(handler).bind().await.unwrap_err();
/// assert!(matches!(err, AzureError::NotOnAzure));
/// assert!(err.to_string().starts_with("FUNCTIONS_CUSTOMHANDLER_PORT is not set"));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AzureError {
    /// `FUNCTIONS_CUSTOMHANDLER_PORT` is not set: not started by the
    /// Functions host.
    #[error("FUNCTIONS_CUSTOMHANDLER_PORT is not set: this program is meant to be started by the Azure Functions host as a custom handler")]
    NotOnAzure,
    /// An environment variable has a value anyfn cannot use.
    #[error("{name}={value:?} is invalid: expected {expected}")]
    InvalidEnv {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// `host.json` cannot be read.
    #[error("cannot read {}: {reason}", path.display())]
    HostJson {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// The port cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The signal handlers cannot be installed.
    #[error("cannot install the SIGINT/SIGTERM handlers: {0}")]
    Signal(std::io::Error),
    /// The thread that keeps the invocations' deadlines cannot be started.
    #[error("could not start the deadline watchdog thread: {0}")]
    Watchdog(#[source] std::io::Error),
}

/// A bad `ANYFN_*` setting (see [`anyfn_kit::Settings::from_env`]) is
/// [`AzureError::InvalidEnv`], naming the variable, its value and what it
/// must hold.
impl From<anyfn_kit::SettingsError> for AzureError {
    fn from(err: anyfn_kit::SettingsError) -> Self {
        Self::InvalidEnv {
            name: err.name(),
            value: err.value().to_owned(),
            expected: err.expected(),
        }
    }
}

//! Why the server could not start: [`ServeError`].

use std::io;
use std::net::SocketAddr;

/// Why the server could not start or keep listening.
///
/// Errors of single requests never end up here: they are answered with their
/// status and the server goes on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// An environment variable that configures the server holds a bad value.
    #[error("environment variable {name}={value:?} is invalid: {reason}")]
    InvalidEnv {
        /// The variable's name, e.g. `PORT`.
        name: &'static str,
        /// The value found.
        value: String,
        /// What was expected.
        reason: String,
    },
    /// The listening socket could not be bound.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        source: io::Error,
    },
    /// The thread that keeps request deadlines could not be started.
    #[error("could not start the deadline watchdog thread: {0}")]
    Watchdog(#[source] io::Error),
    /// The shutdown signal handler could not be installed.
    #[error("could not install the shutdown signal handler: {0}")]
    Signal(#[source] io::Error),
}

/// A bad `ANYFN_*` setting (see [`anyfn_kit::Settings::from_env`]) is
/// [`ServeError::InvalidEnv`], naming the variable, its value and what it
/// must hold.
impl From<anyfn_kit::SettingsError> for ServeError {
    fn from(err: anyfn_kit::SettingsError) -> Self {
        Self::InvalidEnv {
            name: err.name(),
            value: err.value().to_owned(),
            reason: format!("expected {}", err.expected()),
        }
    }
}

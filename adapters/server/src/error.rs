//! Why the server could not start: [`ServeError`].

use std::io;
use std::net::SocketAddr;

/// Why the server could not start or keep listening.
///
/// Errors of single requests never end up here: they are answered with their
/// status and the server goes on.
///
/// # Example
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
/// use anyfn::{handler_fn, Context, Request, Response};
/// use anyfn_server::{ServeError, Server};
///
/// async fn hello(_request: Request, _context: Context) -> Result<Response, anyfn::Error> {
///     Ok(anyfn::response::text("Hello!"))
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), ServeError> {
/// let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
/// let first = Server::new(handler_fn(hello)).addr(loopback).bind().await?;
/// // A second server cannot listen on the port the first one holds.
/// let taken = first.local_addr();
/// let err = Server::new(handler_fn(hello)).addr(taken).bind().await.unwrap_err();
/// assert!(matches!(err, ServeError::Bind { addr, .. } if addr == taken));
/// # Ok(())
/// # }
/// ```
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

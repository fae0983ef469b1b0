//! The process signals that stop the server: SIGINT and SIGTERM.

use std::future::Future;

use crate::ServeError;

/// A future that completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM (what
/// container platforms send before stopping an instance).
///
/// # Errors
///
/// [`ServeError::Signal`] when the handlers cannot be installed.
pub fn signal() -> Result<impl Future<Output = ()>, ServeError> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(ServeError::Signal)?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = terminate.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    })
}

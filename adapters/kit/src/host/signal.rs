//! The process signals that stop a host: SIGINT and SIGTERM.

use std::future::Future;
use std::io;

/// A future that completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM (what
/// container platforms, and the Azure Functions host, send before stopping
/// an instance).
///
/// # Errors
///
/// The I/O error when the SIGTERM handler cannot be installed.
///
/// # Example
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let stop = anyfn_kit::host::shutdown_signal()?;
/// stop.await;
/// println!("stopping");
/// # Ok(())
/// # }
/// ```
pub fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
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

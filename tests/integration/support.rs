//! Helpers shared by the integration tests.

use std::future::Future;
use std::time::Duration;

/// Polls `probe` until it returns `Some`, every millisecond, for at most
/// `bound`; panics with `what` when the bound passes. Readiness is polled,
/// never slept for.
pub async fn poll_until<T, F, Fut>(what: &str, bound: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + bound;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up after {bound:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Fails the test if `future` takes longer than `bound`: no test can hang.
pub async fn within<T>(bound: Duration, what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(bound, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what} did not finish within {bound:?}"),
    }
}

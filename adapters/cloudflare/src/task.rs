//! What a handler on a Worker uses where a native one uses tokio: a
//! [`sleep`] on JavaScript's timers, and [`spawn`] on the isolate's event
//! loop (Workers have no threads and no tokio runtime: `tokio::spawn` and
//! `tokio::time::sleep` panic there).

use std::future::Future;
use std::time::Duration;

use anyfn::time::Instant;

use crate::timer::JsTimers;

/// Waits `duration` on JavaScript's timers (`setTimeout`).
///
/// # Example
///
/// ```ignore
/// anyfn_cloudflare::sleep(std::time::Duration::from_millis(100)).await;
/// ```
pub async fn sleep(duration: Duration) {
    JsTimers
        .sleep_until(anyfn::time::deadline_after(Instant::now(), duration))
        .await;
}

/// Runs `future` on the isolate's event loop, beside the invocation (as
/// `tokio::spawn` natively): a stream's producer, for instance. It runs
/// while the invocation's response is being sent; work meant to outlive
/// the response goes to the `Context`'s `wait_until` instead.
///
/// # Example
///
/// ```ignore
/// let (mut sender, body) = anyfn::stream::channel(4);
/// anyfn_cloudflare::spawn(async move {
///     let _ = sender.send(bytes::Bytes::from_static(b"tick\n")).await;
/// });
/// ```
pub fn spawn<F>(future: F)
where
    F: Future<Output = ()> + 'static,
{
    wasm_bindgen_futures::spawn_local(future);
}

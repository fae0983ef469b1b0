//! [`JsTimers`]: the runtime's timers, JavaScript's `setTimeout`, on
//! anyfn's clock (`performance.now()` on this target).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use anyfn::time::Instant;
use anyfn_kit::StreamTimers;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use worker::send::SendFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, millis: f64) -> JsValue;
}

/// How many times a sleep re-arms `setTimeout` when it fires before the
/// deadline on anyfn's clock (deployed Workers' clocks advance only across
/// I/O); past that the sleep ends, so a clock that never moves cannot hang it.
const MAX_REARMS: u32 = 20;

/// The timers a Worker lends anyfn: a sleep is JavaScript's `setTimeout`,
/// done when anyfn's clock has reached the deadline.
///
/// A handler that blocks the isolate (a CPU-bound loop) keeps every timer
/// from firing; its late result is still a timeout, as
/// [`anyfn_kit::invoke`] checks the clock when it ends.
///
/// # Example
///
/// ```ignore
/// use std::time::Duration;
/// use anyfn::time::Instant;
///
/// // In a Worker: wait 50 ms.
/// anyfn_cloudflare::JsTimers.sleep_until(Instant::now() + Duration::from_millis(50)).await;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct JsTimers;

impl JsTimers {
    /// A sleep that completes at `deadline`, on anyfn's clock.
    ///
    /// # Example
    ///
    /// ```ignore
    /// anyfn_cloudflare::JsTimers.sleep_until(anyfn::time::Instant::now()).await;
    /// ```
    pub fn sleep_until(self, deadline: Instant) -> Sleep {
        // The future holds JavaScript promises, which are not Send; a Worker
        // has one thread, so SendFuture's promise holds.
        Sleep(Box::pin(SendFuture::new(sleep_until(deadline))))
    }
}

/// A sleep of [`JsTimers`].
///
/// # Example
///
/// ```ignore
/// let sleep: anyfn_cloudflare::Sleep = anyfn_cloudflare::JsTimers.sleep_until(anyfn::time::Instant::now());
/// sleep.await;
/// ```
pub struct Sleep(Pin<Box<SendFuture<SleepUntil>>>);

type SleepUntil = Pin<Box<dyn Future<Output = ()>>>;

impl std::fmt::Debug for Sleep {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Sleep")
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

fn sleep_until(deadline: Instant) -> SleepUntil {
    Box::pin(async move {
        for _ in 0..MAX_REARMS {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            let millis = (left.as_secs_f64() * 1000.0).ceil();
            let promise = Promise::new(&mut |resolve, _reject| {
                set_timeout(&resolve, millis);
            });
            // A setTimeout's promise is only ever resolved.
            let _ = JsFuture::from(promise).await;
        }
    })
}

impl StreamTimers for JsTimers {
    type Sleep = Sleep;

    fn sleep_until(&self, deadline: Instant) -> Sleep {
        JsTimers::sleep_until(*self, deadline)
    }
}

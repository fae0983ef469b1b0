//! [`JsTimers`]: the runtime's timers, JavaScript's `setTimeout`, on
//! anyfn's clock (`performance.now()` on this target).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use anyfn::time::Instant;
use anyfn_kit::StreamTimers;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use worker::send::SendWrapper;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, millis: f64) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
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
        Sleep {
            deadline,
            armed: 0,
            timeout: SendWrapper::new(None),
        }
    }
}

/// A sleep of [`JsTimers`]: its `setTimeout` is armed when first polled,
/// and cleared when the sleep is dropped before it fires (an invocation
/// done before its deadline leaves no timer behind).
///
/// # Example
///
/// ```ignore
/// let sleep: anyfn_cloudflare::Sleep = anyfn_cloudflare::JsTimers.sleep_until(anyfn::time::Instant::now());
/// sleep.await;
/// ```
#[derive(Debug)]
pub struct Sleep {
    deadline: Instant,
    armed: u32,
    // JavaScript values are not Send; a Worker has one thread, so
    // SendWrapper's promise holds.
    timeout: SendWrapper<Option<Timeout>>,
}

/// One armed `setTimeout`: its promise, and its id to clear it.
#[derive(Debug)]
struct Timeout {
    fired: JsFuture,
    id: JsValue,
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        loop {
            if let Some(timeout) = self.timeout.as_mut() {
                if Pin::new(&mut timeout.fired).poll(cx).is_pending() {
                    return Poll::Pending;
                }
                *self.timeout = None;
            }
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || self.armed >= MAX_REARMS {
                return Poll::Ready(());
            }
            self.armed += 1;
            let millis = (left.as_secs_f64() * 1000.0).ceil();
            let mut id = JsValue::UNDEFINED;
            // The executor runs at once, inside `Promise::new`; under
            // panic=unwind what it captures must be unwind safe, and
            // setTimeout does not panic.
            let mut id_slot = AssertUnwindSafe(&mut id);
            let promise = Promise::new(&mut move |resolve, _reject| {
                **id_slot = set_timeout(&resolve, millis);
            });
            *self.timeout = Some(Timeout {
                fired: JsFuture::from(promise),
                id,
            });
        }
    }
}

impl StreamTimers for JsTimers {
    type Sleep = Sleep;

    fn sleep_until(&self, deadline: Instant) -> Sleep {
        JsTimers::sleep_until(*self, deadline)
    }
}

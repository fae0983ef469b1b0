//! The checks, and the timer a wasm32 adapter would lend.

use std::future::poll_fn;
use std::task::Poll;
use std::time::Duration;

use anyfn::time::Instant;
use anyfn::{handler_fn, Context, Error};
use anyfn_kit::{InvocationReport, Pricing};
use js_sys::{Date, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, millis: f64) -> JsValue;

    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(text: &str);
}

/// Runs every check. Resolves to the report (one line per check, then
/// `N passed, 0 failed`); rejects with the same lines when a check fails.
///
/// # Errors
///
/// The report, when any check failed.
#[wasm_bindgen]
pub async fn run() -> Result<String, JsValue> {
    // With panic=abort a panic traps as "unreachable": say what it was first.
    std::panic::set_hook(Box::new(|info| console_error(&format!("panic: {info}"))));

    let mut lines = Vec::new();
    let mut failed = 0;
    let mut record = |name: &str, outcome: Result<String, String>| {
        let line = match outcome {
            Ok(what) => format!("ok    {name}: {what}"),
            Err(why) => {
                failed += 1;
                format!("FAIL  {name}: {why}")
            }
        };
        lines.push(line);
    };
    record("context", context_counts_down().await);
    record("huge timeout", huge_timeout_does_not_overflow());
    record("wall clock", wall_clock_is_javascripts());
    let (in_time, report) = in_time_is_ok().await;
    record("invoke in time", in_time);
    record("REPORT line", report);
    record("invoke late", late_result_is_a_timeout().await);
    record("invoke never", the_timer_ends_a_pending_handler().await);

    let total = lines.len();
    lines.push(format!("{} passed, {failed} failed", total - failed));
    let report = lines.join("\n");
    if failed == 0 {
        Ok(report)
    } else {
        Err(JsValue::from_str(&report))
    }
}

/// A timer as a wasm32 adapter makes one: JavaScript's `setTimeout`, done
/// at `deadline` on anyfn's clock (re-armed if JavaScript's timers fire
/// early on it; at most 20 times, so that a broken clock ends the wait).
async fn sleep_until(deadline: Instant) {
    for _ in 0..20 {
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
}

/// Blocks the (only) thread for `millis`, on `Date.now()`: a clock apart
/// from the one under test, so that a broken clock cannot make it spin
/// forever.
fn block_for(millis: f64) {
    let until = Date::now() + millis;
    while Date::now() < until {}
}

/// Gives way once, as a handler awaiting something does.
async fn yield_now() {
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A context built with a timeout counts down on JavaScript's clock, at
/// the pace of `Date.now()`; past its deadline it has no time left.
async fn context_counts_down() -> Result<String, String> {
    let timeout = Duration::from_millis(500);
    let context = Context::builder()
        .request_id("wasm-context")
        .timeout(timeout)
        .build();
    let first = context.remaining_time();
    if first.is_zero() || first > timeout {
        return Err(format!(
            "remaining_time() right after build() is {first:?}, not in (0, {timeout:?}]"
        ));
    }
    let wall_before = Date::now();
    sleep_until(Instant::now() + Duration::from_millis(60)).await;
    let wall = Date::now() - wall_before;
    let second = context.remaining_time();
    let moved = millis(first.saturating_sub(second));
    if moved < 60.0 || (moved - wall).abs() > 25.0 {
        return Err(format!(
            "remaining_time() went {first:?} -> {second:?} ({moved:.1} ms) while Date.now() moved {wall} ms, over a 60 ms setTimeout"
        ));
    }
    let past = Context::builder().deadline(Instant::now()).build();
    if !past.remaining_time().is_zero() {
        return Err(format!(
            "a context whose deadline is now has {:?} left",
            past.remaining_time()
        ));
    }
    Ok(format!(
        "remaining_time() {:.1} ms -> {:.1} ms over a 60 ms setTimeout (Date.now(): {wall} ms); zero at the deadline",
        millis(first),
        millis(second)
    ))
}

/// `Duration::MAX` as a timeout does not overflow JavaScript's instant.
fn huge_timeout_does_not_overflow() -> Result<String, String> {
    let left = Context::builder()
        .timeout(Duration::MAX)
        .build()
        .remaining_time();
    if left < Duration::from_secs(60 * 60) {
        return Err(format!("a Duration::MAX timeout leaves {left:?}"));
    }
    Ok(format!("Duration::MAX leaves {} s", left.as_secs()))
}

/// `anyfn::time::system_now()` is `Date.now()`, as std's `SystemTime`.
fn wall_clock_is_javascripts() -> Result<String, String> {
    let javascript = Date::now();
    let now = anyfn::time::system_now();
    let since_epoch = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| "system_now() is before 1970".to_owned())?;
    let apart = (millis(since_epoch) - javascript).abs();
    let text = anyfn::time::format_rfc3339(now);
    if apart > 1000.0 || !text.starts_with("20") {
        return Err(format!(
            "system_now() is {text} ({} ms), Date.now() {javascript} ms",
            since_epoch.as_millis()
        ));
    }
    Ok(format!(
        "system_now() is {text}, {apart} ms from Date.now()"
    ))
}

/// A handler that answers before its deadline is answered: its output,
/// which read the context's time left. Returns the REPORT line's check too,
/// made as an adapter makes it, from the invocation's duration.
async fn in_time_is_ok() -> (Result<String, String>, Result<String, String>) {
    let answer = handler_fn(|(): (), context: Context| async move {
        yield_now().await;
        block_for(30.0);
        Ok::<_, Error>(context.remaining_time())
    });
    let timeout = Duration::from_secs(1);
    let context = Context::builder()
        .request_id("wasm-in-time")
        .timeout(timeout)
        .build();
    let timer = sleep_until(context.deadline());
    let started = Instant::now();
    let outcome = anyfn_kit::invoke(&answer, (), context, timer).await;
    let elapsed = started.elapsed();
    let in_time = match outcome {
        // It blocked 30 ms on Date.now(), whole milliseconds: 29 and some
        // on the clock under test.
        Ok(left) if !left.is_zero() && left + Duration::from_millis(28) <= timeout => Ok(format!(
            "Ok after {:.1} ms, the handler saw {:.1} ms left",
            millis(elapsed),
            millis(left)
        )),
        Ok(left) => Err(format!(
            "Ok, but the handler saw {left:?} left of {timeout:?} after blocking 30 ms"
        )),
        Err(error) => Err(format!("{:?}: {}", error.kind(), error.message())),
    };
    let report = InvocationReport::new("wasm-in-time", elapsed, 128, Pricing::default());
    (in_time, check_report(&report.to_string(), elapsed))
}

/// The REPORT line of an invocation that took `elapsed` (more than 29 ms:
/// its handler blocked 30 ms on `Date.now()`'s whole milliseconds, so 29
/// and some on the clock under test): the request id, its duration to the
/// hundredth of a millisecond as the clock measured it, billed up to the
/// millisecond.
fn check_report(line: &str, elapsed: Duration) -> Result<String, String> {
    let wrong = |why: &str| Err(format!("{why}: {line:?}"));
    let Some(rest) = line.strip_prefix("REPORT RequestId: wasm-in-time\tDuration: ") else {
        return wrong("not a REPORT line of wasm-in-time");
    };
    let Some((duration, rest)) = rest.split_once(" ms\tBilled Duration: ") else {
        return wrong("no Duration and Billed Duration");
    };
    let Some((billed, rest)) = rest.split_once(" ms\tMemory Size: 128 MB\tEstimated Cost: $")
    else {
        return wrong("no Billed Duration, Memory Size and Estimated Cost");
    };
    let (Ok(duration), Ok(billed)) = (duration.parse::<f64>(), billed.parse::<u64>()) else {
        return wrong("a duration is not a number");
    };
    let billed_ms = elapsed.as_nanos().div_ceil(1_000_000);
    if duration < 29.0
        || (duration - millis(elapsed)).abs() > 0.006
        || u128::from(billed) != billed_ms
        || !rest.ends_with(" USD")
    {
        return wrong(&format!(
            "expected Duration {:.3} ms (more than 29) and its billed milliseconds",
            millis(elapsed)
        ));
    }
    Ok(line.replace('\t', "  "))
}

/// A handler that blocks its thread past its deadline, so that no timer
/// can fire, answers Ok too late: invoke's late-result check, on
/// JavaScript's clock, makes that a timeout.
async fn late_result_is_a_timeout() -> Result<String, String> {
    let late = handler_fn(|(): (), _context: Context| async move {
        block_for(150.0);
        Ok::<_, Error>("too late")
    });
    let context = Context::builder()
        .request_id("wasm-late")
        .timeout(Duration::from_millis(50))
        .build();
    let timer = sleep_until(context.deadline());
    let outcome = anyfn_kit::invoke(&late, (), context, timer).await;
    match outcome {
        Err(error) if error.is_timeout() && timed_out_after(&error) >= 0.14 => Ok(format!(
            "the handler answered Ok 100 ms past its 50 ms deadline: {:?}, {:?}",
            error.kind(),
            error.message()
        )),
        Err(error) => Err(format!(
            "expected a timeout after about 0.15 s, got {:?}: {}",
            error.kind(),
            error.message()
        )),
        Ok(output) => Err(format!("a late result was a success: {output:?}")),
    }
}

/// A handler that never answers is ended by the adapter's timer (a
/// `setTimeout`) at its deadline: a timeout, neither early nor late.
async fn the_timer_ends_a_pending_handler() -> Result<String, String> {
    let never = handler_fn(|(): (), _context: Context| async move {
        std::future::pending::<()>().await;
        Ok::<_, Error>(())
    });
    let timeout = Duration::from_millis(80);
    let context = Context::builder()
        .request_id("wasm-never")
        .timeout(timeout)
        .build();
    let timer = sleep_until(context.deadline());
    let wall_before = Date::now();
    let outcome = anyfn_kit::invoke(&never, (), context, timer).await;
    let wall = Date::now() - wall_before;
    match outcome {
        Err(error) if error.is_timeout() && (75.0..1000.0).contains(&wall) => Ok(format!(
            "cut by the setTimeout after {wall} ms (Date.now()): {:?}",
            error.message()
        )),
        Err(error) => Err(format!(
            "expected a timeout after about 80 ms, got {:?} after {wall} ms: {}",
            error.kind(),
            error.message()
        )),
        Ok(()) => Err("a handler that never answers succeeded".to_owned()),
    }
}

/// The seconds in "invocation timed out after 0.15 seconds".
fn timed_out_after(error: &Error) -> f64 {
    error
        .message()
        .strip_prefix("invocation timed out after ")
        .and_then(|rest| rest.strip_suffix(" seconds"))
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or(f64::NAN)
}

//! The [`Context`] of one invocation: its request id (`cf-ray`, else one
//! made here), deadline, platform and memory.

use std::time::Duration;

use anyfn::{Context, Platform};
use anyfn_kit::Settings;

/// The header Cloudflare's edge puts on every request a Worker receives: the
/// Ray ID, which the Workers logs and the dashboard show. It is the
/// request id of a `fetch`.
///
/// # Example
///
/// ```ignore
/// assert_eq!(anyfn_cloudflare::RAY_HEADER, "cf-ray");
/// ```
pub const RAY_HEADER: &str = "cf-ray";

/// The deadline of an invocation when neither [`Workers`](crate::Workers)
/// nor `ANYFN_TIMEOUT_MS` (a `[vars]` entry of `wrangler.toml`) sets one:
/// 30 s, the CPU time a paid Worker has by default. Workers themselves
/// have no wall-clock limit on `fetch` while the client is connected; the
/// deadline is anyfn's, enforced on JavaScript's timers.
///
/// # Example
///
/// ```ignore
/// assert_eq!(anyfn_cloudflare::DEFAULT_TIMEOUT, std::time::Duration::from_secs(30));
/// ```
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The memory of a Worker's isolate, in MB.
const WORKERS_MEMORY_MB: u32 = 128;

/// The context of one invocation whose request id is `request_id` (the Ray
/// ID, or one made by [`generated_request_id`]).
pub(crate) fn invocation_context(request_id: &str, settings: &Settings) -> Context {
    Context::builder()
        .request_id(request_id)
        .timeout(settings.timeout().unwrap_or(DEFAULT_TIMEOUT))
        .memory_limit_mb(settings.memory_mb().unwrap_or(WORKERS_MEMORY_MB))
        .platform(Platform::CloudflareWorkers)
        .build()
}

/// A request id where the platform gives none (a `fetch` without
/// `cf-ray`, as under local workerd, a cron trigger, a queue batch):
/// UUID-shaped, from `Math.random()` (an id, not a secret).
pub(crate) fn generated_request_id() -> String {
    let mut hex = String::with_capacity(36);
    for (index, group) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if index > 0 {
            hex.push('-');
        }
        for _ in 0..group {
            // Math.random() is in [0, 1): the digit is in 0..16.
            let digit = (js_sys::Math::random() * 16.0) as u32;
            hex.push(char::from_digit(digit.min(15), 16).unwrap_or('0'));
        }
    }
    hex
}

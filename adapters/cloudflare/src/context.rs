//! The [`Context`] of one invocation: its request id (`cf-ray`, else one
//! made here), deadline, platform and memory.

use std::cell::Cell;
use std::time::Duration;

use anyfn::time::Instant;
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
/// ID, or one made by [`generated_request_id`]), which arrived at
/// `started`: its deadline is the timeout after that (the clock is a call
/// into JavaScript, read once).
pub(crate) fn invocation_context(
    request_id: &str,
    settings: &Settings,
    started: Instant,
) -> Context {
    Context::builder()
        .request_id(request_id)
        .deadline(anyfn::time::deadline_after(
            started,
            settings.timeout().unwrap_or(DEFAULT_TIMEOUT),
        ))
        .memory_limit_mb(settings.memory_mb().unwrap_or(WORKERS_MEMORY_MB))
        .platform(Platform::CloudflareWorkers)
        .build()
}

/// A request id where the platform gives none (a `fetch` without
/// `cf-ray`, as under local workerd, a cron trigger, a queue batch):
/// UUID-shaped, an isolate's random prefix (`Math.random()`, read once)
/// and a count of its invocations. An id, not a secret.
pub(crate) fn generated_request_id() -> String {
    thread_local! {
        static ISOLATE: (u64, Cell<u64>) = (random_bits(), Cell::new(0));
    }
    ISOLATE.with(|(prefix, count)| {
        let n = count.get().wrapping_add(1);
        count.set(n);
        uuid_shaped((u128::from(*prefix) << 64) | u128::from(n))
    })
}

/// `bits` as 32 lower-case hex digits in UUID groups (8-4-4-4-12), written
/// digit by digit: `format!`'s padded hex was the largest share of
/// the id's cost on a request without `cf-ray`.
fn uuid_shaped(bits: u128) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Made in place, then handed over whole: pushed char by char, each
    // push checked the room and the char's width.
    let mut text = [b'-'; 36];
    let mut at = 0;
    // Each half on its own: a shift of a `u128` is a call on wasm32.
    for (half, first) in [((bits >> 64) as u64, 0), (bits as u64, 16)] {
        for digit in 0..16 {
            if matches!(first + digit, 8 | 12 | 16 | 20) {
                at += 1;
            }
            text[at] = HEX[(half >> (60 - 4 * digit)) as usize & 0xf];
            at += 1;
        }
    }
    // Hex digits and dashes: ASCII, so UTF-8.
    String::from_utf8(text.to_vec()).unwrap_or_default()
}

/// 64 random bits from `Math.random()` (two draws of 32 bits).
fn random_bits() -> u64 {
    let draw = || (js_sys::Math::random() * 4_294_967_296.0) as u64 & 0xffff_ffff;
    (draw() << 32) | draw()
}

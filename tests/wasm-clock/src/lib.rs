//! anyfn's clock on `wasm32-unknown-unknown`, checked under Node.
//!
//! std's `Instant::now()` and `SystemTime::now()` panic on that target, so
//! the core and the adapter kit read `anyfn::time` (JavaScript's
//! `performance.now()` and `Date.now()` there) and take their timers from the
//! adapter. This crate is that adapter's part, reduced to checks: it builds
//! a `Context`, runs `anyfn_kit::invoke` with a `setTimeout` timer on a
//! handler in time, one that blocks past its deadline and one that never
//! answers, and renders an `InvocationReport`. It needs nothing of the
//! core that a Workers adapter would not have.
//!
//! `.ci/wasm.sh` builds it for `wasm32-unknown-unknown`, binds it with
//! `wasm-bindgen --target nodejs` and runs `run.js`, which calls `run`,
//! prints each check and exits non-zero when one fails or the module traps
//! (std's clock would: "unreachable"). On every other target the crate is
//! empty and depends on nothing.

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod checks;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub use checks::run;

//! A subscriber set for a scope (a test's log capture) that sees every event
//! of its scope, whatever other threads log first.
//!
//! `tracing` caches, once per log statement (callsite), whether any
//! subscriber of the process wants it. While the process holds one
//! dispatcher, tracing-core 0.1 asks the subscriber of whichever thread
//! reaches the statement first, not that dispatcher
//! ([tokio-rs/tracing#3611]). So when a thread without a subscriber (a test
//! running in parallel, a `spawn_blocking` thread) reaches a statement
//! first, the statement is cached as wanted by no one, and a capture set on
//! another thread misses it. With a second dispatcher alive, tracing-core
//! asks every dispatcher instead.
//!
//! [tokio-rs/tracing#3611]: https://github.com/tokio-rs/tracing/issues/3611

use std::sync::OnceLock;

use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Dispatch, Event, Metadata, Subscriber};

/// The second dispatcher, alive for the rest of the process once a scoped
/// one is made.
static BYSTANDER: OnceLock<Dispatch> = OnceLock::new();

/// `subscriber` as a [`Dispatch`] to set for a scope
/// ([`tracing::dispatcher::with_default`], or a future's
/// `with_subscriber`), made so that it sees every event of its scope even
/// when a thread without a subscriber reaches a log statement first.
///
/// The first call also keeps a second dispatcher, which wants nothing, for
/// the rest of the process, so that tracing-core asks every dispatcher
/// whether it wants a statement, not the subscriber of the thread that
/// reached it first. The cost is one more check of the current subscriber
/// per event on statements its dispatchers disagree on; a program that
/// sets a scoped subscriber is a test or a tool, not a serving adapter.
///
/// # Example
///
/// ```
/// let dispatch = anyfn_kit::logging::scoped_dispatch(tracing_subscriber::fmt().finish());
/// tracing::dispatcher::with_default(&dispatch, || tracing::info!("seen by the scope"));
/// ```
pub fn scoped_dispatch<S>(subscriber: S) -> Dispatch
where
    S: Subscriber + Send + Sync + 'static,
{
    // Made before `subscriber`'s dispatcher, so that with it there are two.
    BYSTANDER.get_or_init(|| Dispatch::new(Bystander));
    Dispatch::new(subscriber)
}

/// A subscriber that wants nothing and says so, raising no level: not
/// tracing's `NoSubscriber`, which gives no max level hint, so that
/// tracing-core would take it as wanting every level and raise the
/// process's (`LevelFilter::current`) to `TRACE`.
struct Bystander;

impl Subscriber for Bystander {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::never()
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::OFF)
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        // Never called: it enables nothing. Any id will do.
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statement both threads reach.
    fn log_step(step: &str) {
        tracing::info!("step {step}");
    }

    /// The race of tokio-rs/tracing#3611, made to happen. Run alone
    /// (`cargo test -p anyfn-kit --lib scoped`) it fails without the second
    /// dispatcher; in the whole suite other tests' dispatchers may hide the
    /// race, so anyfn-test's `capture_races_other_threads` also runs it
    /// through the harness, alone in its process.
    #[test]
    fn a_statement_first_reached_without_a_subscriber_is_seen_by_the_scope() {
        let captured = crate::logging::captured::Captured::default();
        let dispatch = scoped_dispatch(
            tracing_subscriber::fmt()
                .with_ansi(false)
                .with_writer(captured.clone())
                .finish(),
        );
        tracing::dispatcher::with_default(&dispatch, || {
            std::thread::spawn(|| log_step("elsewhere"))
                .join()
                .expect("the thread logs");
            log_step("in scope");
        });
        let text = captured.text();
        assert!(text.contains("step in scope"), "{text}");
        assert!(!text.contains("elsewhere"), "{text}");
    }
}

//! The harness's log capture while other threads log without a subscriber.
//!
//! `tracing` caches, once per log statement (callsite), whether any
//! subscriber wants it. While only one dispatcher exists in the process,
//! tracing-core asks the *registering thread's* subscriber
//! (tokio-rs/tracing#3611): a thread with none reaching a statement first
//! caches "never", and the harness's capture on another thread then misses
//! that statement. A test suite running in parallel is exactly that, so this
//! test is alone in its file: its process holds no other dispatcher.

use anyfn::{handler_fn, Context, Error, Json};
use anyfn_test::Harness;

/// One log statement, reached from two threads.
fn log_step(step: &str) {
    tracing::info!("step {step}");
}

#[tokio::test]
async fn a_statement_first_reached_on_a_thread_without_a_subscriber_is_still_captured() {
    let harness = Harness::new(handler_fn(|Json(()): Json<()>, _: Context| async move {
        // A thread of the handler's own (`std::thread`, as `spawn_blocking`
        // uses) has no subscriber: it reaches the statement first.
        std::thread::spawn(|| log_step("on a thread of its own"))
            .join()
            .expect("the thread logs");
        log_step("in the handler");
        Ok::<_, Error>(Json(()))
    }));
    let invocation = harness.invoke(Json(())).await;
    assert!(invocation.output().is_some(), "{:?}", invocation.error());
    let messages: Vec<&str> = invocation
        .logs()
        .iter()
        .map(|record| record.message())
        .collect();
    assert_eq!(messages, ["step in the handler"]);
}

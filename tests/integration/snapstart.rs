//! Lambda SnapStart under the emulator: the before-snapshot hooks run in
//! reverse order of registration before `restore/next`, the after-restore
//! hooks in order after the restore, then invocations go over connections
//! opened after it; a failing hook is reported as lambda_runtime reports it
//! (`/runtime/init/error` before the snapshot, `/runtime/restore/error`
//! after the restore) and the function exits.

use crate::support::child_test;
use std::time::Duration;

use anyfn::{handler_fn, Context, Json};
use anyfn_auto::Runner;
use anyfn_test::{LambdaEmulator, LifecycleCall};
use serde_json::Value;

/// Set in the child's environment: run [`snapstart_child`]; its value says
/// which hook fails (`none`, `snapshot`, `restore`).
const CHILD: &str = "ANYFN_SNAPSTART_TEST_CHILD";

/// Not a test: the function of the tests below (this binary with [`CHILD`]
/// set), through `anyfn_auto::Runner`: an echo handler with the hooks
/// `pool` and `cache` registered in that order for both phases, each
/// printing `SNAP <phase> <name>`; `cache`'s hook fails in the phase
/// [`CHILD`] names. Without [`CHILD`] it returns at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of the SnapStart tests, started by them"]
async fn snapstart_child() {
    let Ok(failing) = std::env::var(CHILD) else {
        return;
    };
    let echo = handler_fn(|Json(value): Json<Value>, _: Context| async move {
        Ok::<_, anyfn::Error>(Json(value))
    });
    let hook = |phase: &'static str, name: &'static str, fails: bool| {
        move || async move {
            eprintln!("SNAP {phase} {name}");
            if fails {
                Err(anyfn::Error::unavailable(format!("{name} unreachable")))
            } else {
                Ok(())
            }
        }
    };
    let (snapshot_fails, restore_fails) = (failing == "snapshot", failing == "restore");
    let ran = Runner::new(echo)
        .before_snapshot(hook("before", "pool", false))
        .before_snapshot(hook("before", "cache", snapshot_fails))
        .after_restore(hook("after", "pool", false))
        .after_restore(hook("after", "cache", restore_fails))
        .run()
        .await;
    if let Err(err) = ran {
        eprintln!("RUN ended: {err}");
        std::process::exit(3);
    }
}

/// Starts [`snapstart_child`] with `failing` under a SnapStart emulator.
async fn start(failing: &str) -> (LambdaEmulator, anyfn_test::FunctionProcess) {
    let emulator = LambdaEmulator::builder()
        .snap_start()
        .start()
        .await
        .expect("emulator");
    let mut command = child_test("snapstart::snapstart_child");
    command.env(CHILD, failing);
    let child = emulator.spawn_captured(command).expect("the child starts");
    (emulator, child)
}

/// Where the first line containing `needle` is in `output`.
fn position(output: &[String], needle: &str) -> usize {
    output
        .iter()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} in {output:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapstart_runs_the_hooks_around_the_restore_then_serves_on_fresh_connections() {
    let (emulator, _child) = start("none").await;
    assert!(
        emulator
            .snapshot_requested_within(Duration::from_secs(20))
            .await,
        "restore/next: {:#?}",
        emulator.output()
    );
    // Written before restore/next was called; the after-restore hooks
    // cannot have run, restore/next being unanswered.
    let before = emulator
        .output_line_containing("SNAP before pool", Duration::from_secs(10))
        .await;
    assert!(before.is_some(), "{:#?}", emulator.output());
    let output = emulator.output();
    assert!(
        position(&output, "SNAP before cache") < position(&output, "SNAP before pool"),
        "the last registered first: {output:#?}"
    );
    assert!(
        !output.iter().any(|line| line.contains("SNAP after")),
        "nothing after the restore yet: {output:#?}"
    );

    emulator.restore();
    let answer = emulator.invoke(r#"{"n":1}"#).await.expect_json();
    assert_eq!(answer, serde_json::json!({"n": 1}));
    let answer = emulator.invoke(r#"{"n":2}"#).await.expect_json();
    assert_eq!(answer, serde_json::json!({"n": 2}));

    emulator
        .output_line_containing("SNAP after cache", Duration::from_secs(10))
        .await;
    let output = emulator.output();
    assert!(
        position(&output, "SNAP after pool") < position(&output, "SNAP after cache"),
        "in order of registration: {output:#?}"
    );
    assert_eq!(
        emulator.requests_on_connections_from_before_restore(),
        0,
        "every request after the restore on a connection opened after it"
    );
    let calls = emulator.lifecycle();
    let at = |wanted: &LifecycleCall| {
        calls
            .iter()
            .position(|call| call == wanted)
            .unwrap_or_else(|| panic!("{wanted:?} in {calls:?}"))
    };
    assert!(
        at(&LifecycleCall::RestoreNext) < at(&LifecycleCall::Restored),
        "{calls:?}"
    );
    assert!(
        at(&LifecycleCall::Restored) < at(&LifecycleCall::FirstInvocationNext),
        "{calls:?}"
    );
    assert!(emulator.restore_errors().is_empty());
    assert!(emulator.init_errors().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_after_restore_hook_is_reported_to_restore_error_and_the_function_exits() {
    let (emulator, mut child) = start("restore").await;
    assert!(
        emulator
            .snapshot_requested_within(Duration::from_secs(20))
            .await
    );
    emulator.restore();
    let status = child
        .exit_status_within(Duration::from_secs(10))
        .await
        .expect("status")
        .unwrap_or_else(|| panic!("the function exits: {:#?}", emulator.output()));
    assert_eq!(status.code(), Some(3), "{:#?}", emulator.output());
    let errors = emulator.restore_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = &errors[0];
    assert_eq!(
        error.header_error_type.as_deref(),
        Some("Runtime.AfterRestoreError"),
        "{error:?}"
    );
    assert_eq!(
        error.error_message, "after-restore hook 1 failed: cache unreachable",
        "{error:?}"
    );
    assert!(emulator
        .output_line_containing("SNAP after pool", Duration::from_secs(10))
        .await
        .is_some());
    assert!(emulator.init_errors().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_before_snapshot_hook_is_an_init_error_and_no_snapshot_is_asked_for() {
    let (emulator, mut child) = start("snapshot").await;
    let status = child
        .exit_status_within(Duration::from_secs(20))
        .await
        .expect("status")
        .unwrap_or_else(|| panic!("the function exits: {:#?}", emulator.output()));
    assert_eq!(status.code(), Some(3), "{:#?}", emulator.output());
    let errors = emulator.init_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].header_error_type.as_deref(),
        Some("Runtime.InitError")
    );
    assert_eq!(
        errors[0].error_message,
        "before-snapshot hook 1 failed: cache unreachable"
    );
    // The child's last line: every line before it has been captured then.
    assert!(emulator
        .output_line_containing("RUN ended", Duration::from_secs(10))
        .await
        .is_some());
    let output = emulator.output();
    assert!(output.iter().any(|line| line.contains("SNAP before cache")));
    assert!(
        !output.iter().any(|line| line.contains("SNAP before pool")),
        "the hooks after the failing one are not run: {output:#?}"
    );
    assert!(!emulator.lifecycle().contains(&LifecycleCall::RestoreNext));
}

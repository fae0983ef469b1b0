//! SnapStart: the function's before-snapshot and after-restore hooks, run
//! by lambda_runtime's restore flow.
//!
//! With `AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`, lambda_runtime runs
//! the registered resources' before-snapshot hooks, calls
//! `/runtime/restore/next` (answered once the environment is restored from
//! the snapshot), resets its own connection pool and runs the after-restore
//! hooks; it reports a failing hook to `/runtime/init/error` or
//! `/runtime/restore/error`. anyfn registers one resource that runs the
//! function's hooks and, first thing after the restore, resets the pool of
//! the client that posts anyfn's answers (its connections did not survive
//! the snapshot either).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyfn_kit::SnapStartHooks;
use lambda_runtime::{BoxFuture, SnapStartResource};

use crate::answers::AnswerClient;

/// Lambda's limit for the restore phase, which the after-restore hooks
/// run in: hooks still running then are cut, and the restore reported as
/// failed, rather than left for Lambda to time out.
pub(crate) const AFTER_RESTORE_LIMIT: Duration = Duration::from_secs(10);

/// The function's SnapStart hooks, and the answer client to reset.
pub(crate) struct SnapStartLifecycle {
    hooks: Mutex<SnapStartHooks>,
    answers: Arc<AnswerClient>,
}

impl SnapStartLifecycle {
    pub(crate) fn new(hooks: SnapStartHooks, answers: Arc<AnswerClient>) -> Self {
        Self {
            hooks: Mutex::new(hooks),
            answers,
        }
    }

    /// The hooks not run yet, taken out of the lock for the time they run.
    fn take(&self) -> SnapStartHooks {
        std::mem::take(&mut *self.hooks.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn put_back(&self, hooks: SnapStartHooks) {
        *self.hooks.lock().unwrap_or_else(PoisonError::into_inner) = hooks;
    }
}

impl SnapStartResource for SnapStartLifecycle {
    fn before_snapshot(&self) -> BoxFuture<'_, Result<(), lambda_runtime::Error>> {
        Box::pin(async move {
            let mut hooks = self.take();
            tracing::info!(
                target: "anyfn::lambda",
                hooks = hooks.before_snapshot_len(),
                "SnapStart: running the before-snapshot hooks"
            );
            let ran = hooks.run_before_snapshot().await;
            self.put_back(hooks);
            ran.map_err(lambda_runtime::Error::from)
        })
    }

    fn after_restore(&self) -> BoxFuture<'_, Result<(), lambda_runtime::Error>> {
        Box::pin(async move {
            // Before any hook: a hook's failure is posted through
            // lambda_runtime's own (already reset) client, and the answers
            // after it through this one.
            self.answers.reset();
            let mut hooks = self.take();
            tracing::info!(
                target: "anyfn::lambda",
                hooks = hooks.after_restore_len(),
                "SnapStart: restored; running the after-restore hooks"
            );
            match tokio::time::timeout(AFTER_RESTORE_LIMIT, hooks.run_after_restore()).await {
                Ok(ran) => ran.map_err(lambda_runtime::Error::from),
                Err(_) => Err(anyfn::Error::new(
                    anyfn::ErrorKind::Timeout,
                    format!(
                        "the after-restore hooks did not finish within {} s, Lambda's limit for the restore phase",
                        AFTER_RESTORE_LIMIT.as_secs()
                    ),
                )
                .into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifecycle(hooks: SnapStartHooks) -> SnapStartLifecycle {
        let answers = AnswerClient::new(&"http://127.0.0.1:9".parse().expect("an address"))
            .expect("a client");
        SnapStartLifecycle::new(hooks, Arc::new(answers))
    }

    #[tokio::test(start_paused = true)]
    async fn after_restore_hooks_overrunning_the_restore_phase_are_cut_and_fail_the_restore() {
        let hooks = SnapStartHooks::new().with_after_restore(|| async {
            tokio::time::sleep(AFTER_RESTORE_LIMIT * 6).await;
            Ok(())
        });
        let started = tokio::time::Instant::now();
        let err = lifecycle(hooks)
            .after_restore()
            .await
            .expect_err("cut at the limit");
        assert_eq!(started.elapsed(), AFTER_RESTORE_LIMIT);
        assert!(
            err.to_string().contains("did not finish within 10 s"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn the_before_snapshot_hooks_leave_the_after_restore_ones_in_place() {
        let hooks = SnapStartHooks::new()
            .with_before_snapshot(|| async { Ok(()) })
            .with_after_restore(|| async { Err(anyfn::Error::unavailable("no database")) });
        let lifecycle = lifecycle(hooks);
        lifecycle.before_snapshot().await.expect("ran");
        let err = lifecycle
            .after_restore()
            .await
            .expect_err("the hook failed");
        assert_eq!(err.to_string(), "after-restore hook 0 failed: no database");
    }
}

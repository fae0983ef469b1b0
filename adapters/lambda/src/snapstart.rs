//! SnapStart: the function's before-snapshot and after-restore hooks,
//! around `/runtime/restore/next`, as lambda_runtime's restore flow runs
//! them.
//!
//! With `AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`, before the first
//! `next`: the before-snapshot hooks run, then `/runtime/restore/next` is
//! called (answered once the environment is restored from the snapshot),
//! the Runtime API connections are dropped (they did not survive the
//! snapshot) and the after-restore hooks run, cut after Lambda's limit for
//! the restore phase. A failure before the snapshot (a hook, or
//! `restore/next` itself) is reported to `/runtime/init/error`
//! (`Runtime.InitError`), an after-restore hook's to
//! `/runtime/restore/error` (`Runtime.AfterRestoreError`), with the
//! diagnostic lambda_runtime posts, and the runtime stops with the error.

use std::time::Duration;

use anyfn_kit::SnapStartHooks;
use http::{HeaderValue, Method};
use lambda_runtime::Diagnostic;
use lambda_runtime_api_client::body::Body;
use lambda_runtime_api_client::BoxError;

use crate::answers::AnswerClient;

/// Lambda's limit for the restore phase, which the after-restore hooks
/// run in: hooks still running then are cut, and the restore reported as
/// failed, rather than left for Lambda to time out.
pub(crate) const AFTER_RESTORE_LIMIT: Duration = Duration::from_secs(10);

/// The variable that says how the environment was initialized.
const INITIALIZATION_TYPE: &str = "AWS_LAMBDA_INITIALIZATION_TYPE";

/// Whether SnapStart is on (`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`).
fn is_snapstart() -> bool {
    std::env::var(INITIALIZATION_TYPE).as_deref() == Ok("snap-start")
}

/// Runs the restore flow when SnapStart is on; nothing otherwise.
///
/// # Errors
///
/// A hook failed, or `/runtime/restore/next` could not be called or
/// answered with an error status: the error, once reported to Lambda.
pub(crate) async fn restore_flow(
    client: &AnswerClient,
    hooks: SnapStartHooks,
) -> Result<(), BoxError> {
    if !is_snapstart() {
        return Ok(());
    }
    restore(client, hooks).await
}

/// The restore flow, whatever the environment says.
async fn restore(client: &AnswerClient, mut hooks: SnapStartHooks) -> Result<(), BoxError> {
    if let Err(err) = before_snapshot(&mut hooks).await {
        return Err(report(client, err, Phase::Init).await);
    }
    // Init is complete: answered once the environment is restored.
    let restored = async {
        let mut request = crate::answers::runtime_request(Body::empty())?;
        *request.method_mut() = Method::GET;
        *request.uri_mut() = client.uri("/2018-06-01/runtime/restore/next")?;
        client.send(request).await
    };
    let status = match restored.await {
        Ok(status) => status,
        Err(err) => return Err(report(client, err, Phase::Init).await),
    };
    if !status.is_success() {
        let err = format!("/restore/next returned a non-success status: {status}").into();
        return Err(report(client, err, Phase::Init).await);
    }
    // The connections opened before the snapshot did not survive it.
    client.reset();
    if let Err(err) = after_restore(&mut hooks).await {
        return Err(report(client, err, Phase::Restore).await);
    }
    Ok(())
}

/// Runs the before-snapshot hooks (the last added first).
async fn before_snapshot(hooks: &mut SnapStartHooks) -> Result<(), BoxError> {
    tracing::info!(
        target: "anyfn::lambda",
        hooks = hooks.before_snapshot_len(),
        "SnapStart: running the before-snapshot hooks"
    );
    hooks.run_before_snapshot().await.map_err(BoxError::from)
}

/// Runs the after-restore hooks in order, within [`AFTER_RESTORE_LIMIT`].
async fn after_restore(hooks: &mut SnapStartHooks) -> Result<(), BoxError> {
    tracing::info!(
        target: "anyfn::lambda",
        hooks = hooks.after_restore_len(),
        "SnapStart: restored; running the after-restore hooks"
    );
    match tokio::time::timeout(AFTER_RESTORE_LIMIT, hooks.run_after_restore()).await {
        Ok(ran) => ran.map_err(BoxError::from),
        Err(_) => Err(anyfn::Error::new(
            anyfn::ErrorKind::Timeout,
            format!(
                "the after-restore hooks did not finish within {} s, Lambda's limit for the restore phase",
                AFTER_RESTORE_LIMIT.as_secs()
            ),
        )
        .into()),
    }
}

/// Where a failure of the restore flow is reported.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Before the snapshot: `/runtime/init/error`.
    Init,
    /// After the restore: `/runtime/restore/error`.
    Restore,
}

impl Phase {
    fn path(self) -> &'static str {
        match self {
            Self::Init => "/2018-06-01/runtime/init/error",
            Self::Restore => "/2018-06-01/runtime/restore/error",
        }
    }

    fn error_type(self) -> &'static str {
        match self {
            Self::Init => "Runtime.InitError",
            Self::Restore => "Runtime.AfterRestoreError",
        }
    }
}

/// Posts `err` to `phase`'s error endpoint as lambda_runtime posts it (the
/// diagnostic's `errorType` is the type name lambda_runtime gives it, the
/// header says the phase's), and returns it. A report that cannot be sent
/// is logged.
async fn report(client: &AnswerClient, err: BoxError, phase: Phase) -> BoxError {
    let reported = async {
        let diagnostic = Diagnostic {
            error_type: std::any::type_name::<&BoxError>().to_owned(),
            error_message: err.to_string(),
        };
        let mut request =
            crate::answers::runtime_request(Body::from(serde_json::to_vec(&diagnostic)?))?;
        *request.method_mut() = Method::POST;
        *request.uri_mut() = client.uri(phase.path())?;
        request.headers_mut().append(
            "lambda-runtime-function-error-type",
            HeaderValue::from_static(phase.error_type()),
        );
        client.send(request).await
    };
    if let Err(failed) = reported.await {
        tracing::error!(
            target: "lambda_runtime::runtime",
            error = ?failed,
            "failed to report SnapStart error to {}",
            phase.path().trim_start_matches("/2018-06-01/runtime")
        );
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn after_restore_hooks_overrunning_the_restore_phase_are_cut_and_fail_the_restore() {
        let hooks = SnapStartHooks::new().with_after_restore(|| async {
            tokio::time::sleep(AFTER_RESTORE_LIMIT * 6).await;
            Ok(())
        });
        let mut hooks = hooks;
        let started = tokio::time::Instant::now();
        let err = after_restore(&mut hooks)
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
        let mut hooks = hooks;
        before_snapshot(&mut hooks).await.expect("ran");
        let err = after_restore(&mut hooks)
            .await
            .expect_err("the hook failed");
        assert_eq!(err.to_string(), "after-restore hook 0 failed: no database");
    }
}

#[cfg(test)]
mod restore_flow_tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::fake_api::FakeApi;

    /// What lambda_runtime 1.5 posts as the `errorType` of a restore flow's
    /// failure: the type name of the error's reference.
    const ERROR_TYPE: &str =
        "&alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>";

    fn recording(
        log: &Arc<Mutex<Vec<String>>>,
        line: &'static str,
        fails: bool,
    ) -> impl Fn() -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<(), anyfn::Error>> + Send>,
    > + Send
           + Sync
           + 'static {
        let log = Arc::clone(log);
        move || {
            log.lock().unwrap().push(line.to_owned());
            Box::pin(async move {
                if fails {
                    Err(anyfn::Error::unavailable(format!("{line} failed")))
                } else {
                    Ok(())
                }
            })
        }
    }

    #[tokio::test]
    async fn the_restore_flow_runs_the_hooks_around_restore_next_then_uses_new_connections() {
        let mut api = FakeApi::start().await;
        let client = api.client();
        let log = Arc::new(Mutex::new(Vec::new()));
        let hooks = SnapStartHooks::new()
            .with_before_snapshot(recording(&log, "before", false))
            .with_after_restore(recording(&log, "after", false));
        let (restored, ()) = tokio::join!(restore(&client, hooks), async {
            let request = api.request().await;
            assert_eq!(request.method, "GET");
            assert_eq!(request.path, "/2018-06-01/runtime/restore/next");
            assert_eq!(
                *log.lock().unwrap(),
                ["before"],
                "only the before-snapshot hooks yet"
            );
            request.respond("200 OK", &[], "");
        });
        restored.expect("restored");
        assert_eq!(*log.lock().unwrap(), ["before", "after"]);
        let (next, ()) = tokio::join!(crate::next::next(&client), async {
            let request = api.request().await;
            assert_eq!(
                request.connection, 1,
                "not the connection from before the snapshot"
            );
            request.respond(
                "200 OK",
                &[
                    ("lambda-runtime-aws-request-id", "r"),
                    ("lambda-runtime-deadline-ms", "1"),
                ],
                "{}",
            );
        });
        next.expect("an invocation");
    }

    async fn reported(
        hooks: SnapStartHooks,
        restore_next_status: &str,
        expected_path: &str,
        expected_type: &str,
    ) -> (BoxError, serde_json::Value) {
        let mut api = FakeApi::start().await;
        let client = api.client();
        let (restored, body) = tokio::join!(restore(&client, hooks), async {
            let mut request = api.request().await;
            if request.path == "/2018-06-01/runtime/restore/next" {
                request.respond(restore_next_status, &[], "");
                request = api.request().await;
            }
            assert_eq!(request.method, "POST");
            assert_eq!(request.path, expected_path);
            assert_eq!(
                request.header("lambda-runtime-function-error-type"),
                Some(expected_type)
            );
            assert!(request.header("user-agent").is_some());
            let body: serde_json::Value = serde_json::from_slice(&request.body).expect("JSON");
            request.accept();
            body
        });
        (restored.expect_err("the flow failed"), body)
    }

    #[tokio::test]
    async fn a_failing_before_snapshot_hook_is_posted_to_init_error_as_lambda_runtime_posts_it() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let hooks = SnapStartHooks::new().with_before_snapshot(recording(&log, "cache", true));
        let (err, body) = reported(
            hooks,
            "200 OK",
            "/2018-06-01/runtime/init/error",
            "Runtime.InitError",
        )
        .await;
        assert_eq!(
            err.to_string(),
            "before-snapshot hook 0 failed: cache failed"
        );
        assert_eq!(
            body,
            serde_json::json!({"errorType": ERROR_TYPE, "errorMessage": err.to_string()})
        );
    }

    #[tokio::test]
    async fn a_restore_next_answered_with_an_error_is_posted_to_init_error() {
        let (err, body) = reported(
            SnapStartHooks::new(),
            "500 Internal Server Error",
            "/2018-06-01/runtime/init/error",
            "Runtime.InitError",
        )
        .await;
        assert_eq!(
            err.to_string(),
            "/restore/next returned a non-success status: 500 Internal Server Error"
        );
        assert_eq!(body["errorMessage"], err.to_string());
    }

    #[tokio::test]
    async fn a_failing_after_restore_hook_is_posted_to_restore_error() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let hooks = SnapStartHooks::new().with_after_restore(recording(&log, "pool", true));
        let (err, body) = reported(
            hooks,
            "200 OK",
            "/2018-06-01/runtime/restore/error",
            "Runtime.AfterRestoreError",
        )
        .await;
        assert_eq!(err.to_string(), "after-restore hook 0 failed: pool failed");
        assert_eq!(
            body,
            serde_json::json!({"errorType": ERROR_TYPE, "errorMessage": err.to_string()})
        );
    }
}

//! Lambda's shutdown phase: the internal extension that makes Lambda send
//! the function SIGTERM, and the shutdown hooks run on it.
//!
//! Lambda tells a runtime it is shutting its environment down only when an
//! extension is registered: it then sends the runtime SIGTERM and gives it
//! 500 ms (300 ms when external extensions share the 2,000 ms shutdown
//! phase) before SIGKILL. A function with shutdown hooks registers an
//! internal extension subscribed to no events before its first `next`, so
//! that it receives one.

use std::path::Path;
use std::time::{Duration, Instant};

use anyfn_kit::ShutdownHooks;
use http::{Method, StatusCode, Uri};
use lambda_runtime_api_client::body::Body;
use lambda_runtime_api_client::{build_request, Client};

use crate::env::RUNTIME_API;

/// The internal extension's name (unique among a function's extensions).
pub(crate) const EXTENSION_NAME: &str = "anyfn-shutdown-hooks";

/// The runtime's shutdown time with only internal extensions registered.
pub(crate) const GRACE_INTERNAL_ONLY: Duration = Duration::from_millis(500);

/// The runtime's shutdown time when external extensions are registered too.
pub(crate) const GRACE_WITH_EXTERNAL: Duration = Duration::from_millis(300);

/// Kept back from the grace period for the process to exit after the hooks:
/// an exit takes about 10 ms on an idle machine, several times that on a
/// loaded one.
const EXIT_RESERVE: Duration = Duration::from_millis(100);

/// Where a function's external extensions are (a layer's `extensions/`).
const EXTERNAL_EXTENSIONS: &str = "/opt/extensions";

/// The header the extension's registration answers with, that its
/// `event/next` calls carry.
const EXTENSION_ID: &str = "lambda-extension-identifier";

/// An internal extension registered with Lambda.
pub(crate) struct Registered {
    client: Client,
    id: String,
}

/// Registers the internal extension, subscribed to no events, through the
/// Extensions API on `AWS_LAMBDA_RUNTIME_API`. Must be called before the
/// runtime's first `next`, while Lambda is in its init phase.
///
/// # Errors
///
/// Why the extension could not be registered, as one line.
pub(crate) async fn register() -> Result<Registered, String> {
    let base = std::env::var(RUNTIME_API)
        .map_err(|_| format!("{RUNTIME_API} is not set"))?
        .parse::<Uri>()
        .map_err(|err| format!("{RUNTIME_API} is not an address: {err}"))?;
    let client = Client::builder()
        .with_endpoint(base)
        .build()
        .map_err(|err| err.to_string())?;
    let request = build_request()
        .method(Method::POST)
        .uri("/2020-01-01/extension/register")
        .header("lambda-extension-name", EXTENSION_NAME)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"events":[]}"#))
        .map_err(|err| err.to_string())?;
    let response = client.call(request).await.map_err(|err| err.to_string())?;
    if response.status() != StatusCode::OK {
        return Err(format!(
            "the Extensions API answered the registration {}",
            response.status()
        ));
    }
    let id = response
        .headers()
        .get(EXTENSION_ID)
        .and_then(|id| id.to_str().ok())
        .ok_or("the Extensions API gave no Lambda-Extension-Identifier")?
        .to_owned();
    Ok(Registered { client, id })
}

impl Registered {
    /// Tells Lambda the extension's init is done by waiting for its next
    /// event: subscribed to none, it gets none, and the call stays open
    /// (no wake-ups) until the process ends.
    pub(crate) async fn wait_for_events(self) {
        let request = match build_request()
            .method(Method::GET)
            .uri("/2020-01-01/extension/event/next")
            .header(EXTENSION_ID, &self.id)
            .body(Body::empty())
        {
            Ok(request) => request,
            Err(err) => {
                tracing::warn!(target: "anyfn::lambda", "the extension's event/next: {err}");
                return;
            }
        };
        match self.client.call(request).await {
            Ok(response) => tracing::debug!(
                target: "anyfn::lambda",
                status = response.status().as_u16(),
                "the shutdown extension's event/next answered"
            ),
            Err(err) => tracing::debug!(
                target: "anyfn::lambda",
                "the shutdown extension's event/next failed: {err}"
            ),
        }
    }
}

/// The runtime's time between SIGTERM and SIGKILL: 300 ms when the
/// function has external extensions (`/opt/extensions` holds any), else
/// 500 ms.
pub(crate) fn grace() -> Duration {
    grace_with(Path::new(EXTERNAL_EXTENSIONS))
}

fn grace_with(external: &Path) -> Duration {
    let has_external = std::fs::read_dir(external).is_ok_and(|mut dir| dir.next().is_some());
    if has_external {
        GRACE_WITH_EXTERNAL
    } else {
        GRACE_INTERNAL_ONLY
    }
}

/// Runs `hooks` after a SIGTERM received at `received`, within `grace`
/// from then less what the process needs to exit.
pub(crate) async fn run_hooks(hooks: ShutdownHooks, received: Instant, grace: Duration) {
    let budget = grace
        .saturating_sub(EXIT_RESERVE)
        .saturating_sub(received.elapsed());
    tracing::info!(
        target: "anyfn::lambda",
        hooks = hooks.len(),
        "SIGTERM: Lambda is shutting the environment down; running the shutdown hooks within {} ms",
        budget.as_millis()
    );
    let count = hooks.len();
    let ran = hooks.run(budget).await;
    if ran == count {
        tracing::info!(
            target: "anyfn::lambda",
            "shut down after {} ms: every shutdown hook ran",
            received.elapsed().as_millis()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_extensions_leave_the_runtime_300_ms() {
        let dir = std::env::temp_dir().join(format!("anyfn-opt-ext-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(grace_with(&dir), GRACE_INTERNAL_ONLY, "no directory");
        std::fs::create_dir_all(&dir).expect("dir");
        assert_eq!(grace_with(&dir), GRACE_INTERNAL_ONLY, "empty");
        std::fs::write(dir.join("telemetry"), "#!/bin/sh\n").expect("file");
        assert_eq!(
            grace_with(&dir),
            GRACE_WITH_EXTERNAL,
            "one external extension"
        );
        std::fs::remove_dir_all(&dir).expect("cleaned up");
    }
}

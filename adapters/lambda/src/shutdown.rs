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
use std::sync::Arc;

use http::{HeaderValue, Method, StatusCode};
use lambda_runtime_api_client::body::Body;
use lambda_runtime_api_client::BoxError;

use crate::answers::AnswerClient;

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
    client: Arc<AnswerClient>,
    id: String,
}

/// Registers the internal extension, subscribed to no events, through the
/// Extensions API on the Runtime API's address (`client`'s). Must be called
/// before the runtime's first `next`, while Lambda is in its init phase.
///
/// # Errors
///
/// Why the extension could not be registered, as one line.
pub(crate) async fn register(client: &Arc<AnswerClient>) -> Result<Registered, String> {
    let request = extension_request(
        client,
        Method::POST,
        "/2020-01-01/extension/register",
        Body::from(r#"{"events":[]}"#),
        [
            ("lambda-extension-name", EXTENSION_NAME),
            ("content-type", "application/json"),
        ],
    )
    .map_err(|err| err.to_string())?;
    let (head, _) = client.fetch(request).await.map_err(|err| err.to_string())?;
    if head.status != StatusCode::OK {
        return Err(format!(
            "the Extensions API answered the registration {}",
            head.status
        ));
    }
    let id = head
        .headers
        .get(EXTENSION_ID)
        .and_then(|id| id.to_str().ok())
        .ok_or("the Extensions API gave no Lambda-Extension-Identifier")?
        .to_owned();
    Ok(Registered {
        client: Arc::clone(client),
        id,
    })
}

/// A request to the Extensions API at `path` under `client`'s base:
/// lambda_runtime's headers (its `User-Agent`), then `headers`.
fn extension_request<'a>(
    client: &AnswerClient,
    method: Method,
    path: &str,
    body: Body,
    headers: impl IntoIterator<Item = (&'static str, &'a str)>,
) -> Result<http::Request<Body>, BoxError> {
    let mut request = crate::answers::runtime_request(body)?;
    *request.method_mut() = method;
    *request.uri_mut() = client.uri(path)?;
    for (name, value) in headers {
        request
            .headers_mut()
            .append(name, HeaderValue::from_str(value)?);
    }
    Ok(request)
}

impl Registered {
    /// Tells Lambda the extension's init is done by waiting for its next
    /// event: subscribed to none, it gets none, and the call stays open
    /// (no wake-ups) until the process ends.
    pub(crate) async fn wait_for_events(self) {
        let request = match extension_request(
            &self.client,
            Method::GET,
            "/2020-01-01/extension/event/next",
            Body::empty(),
            [(EXTENSION_ID, self.id.as_str())],
        ) {
            Ok(request) => request,
            Err(err) => {
                tracing::warn!(target: "anyfn::lambda", "the extension's event/next: {err}");
                return;
            }
        };
        match self.client.fetch(request).await {
            Ok((head, _)) => tracing::debug!(
                target: "anyfn::lambda",
                status = head.status.as_u16(),
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

    use crate::fake_api::FakeApi;

    #[tokio::test]
    async fn the_extension_registers_and_waits_on_the_runtime_apis_connections() {
        let mut api = FakeApi::start().await;
        let client = Arc::new(api.client());
        let (registered, ()) = tokio::join!(register(&client), async {
            let request = api.request().await;
            assert_eq!(request.method, "POST");
            assert_eq!(request.path, "/2020-01-01/extension/register");
            assert_eq!(
                request.header("lambda-extension-name"),
                Some(EXTENSION_NAME)
            );
            assert_eq!(request.header("content-type"), Some("application/json"));
            assert_eq!(request.header("host"), Some(api.address().as_str()));
            assert!(request.header("user-agent").is_some());
            assert_eq!(request.body, br#"{"events":[]}"#);
            request.respond("200 OK", &[(EXTENSION_ID, "ext-1")], "{}");
        });
        let registered = registered.expect("registered");
        assert_eq!(registered.id, "ext-1");
        let waiting = tokio::spawn(registered.wait_for_events());
        let request = api.request().await;
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/2020-01-01/extension/event/next");
        assert_eq!(request.header(EXTENSION_ID), Some("ext-1"));
        request.respond("200 OK", &[], "{}");
        tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .expect("it returns once answered")
            .expect("no panic");
    }

    #[tokio::test]
    async fn a_registration_the_extensions_api_refuses_is_an_error() {
        let mut api = FakeApi::start().await;
        let client = Arc::new(api.client());
        let (registered, ()) = tokio::join!(register(&client), async {
            api.request().await.respond("403 Forbidden", &[], "");
        });
        assert_eq!(
            registered.err().as_deref(),
            Some("the Extensions API answered the registration 403 Forbidden")
        );
        let (registered, ()) = tokio::join!(register(&client), async {
            api.request().await.respond("200 OK", &[], "");
        });
        assert_eq!(
            registered.err().as_deref(),
            Some("the Extensions API gave no Lambda-Extension-Identifier")
        );
    }

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

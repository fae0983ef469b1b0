//! The server's logs never carry request bodies or the values of
//! `Authorization`, `Cookie` and `Set-Cookie`: it logs no request content at
//! all, only the REPORT figures, error types and messages it makes itself.

use std::io::Write;
use std::sync::{Arc, Mutex};

use anyfn::{handler_fn, Context, Request};
use anyfn_test::{TestRequest, TestServer};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn logs_carry_no_bodies_credentials_or_cookies() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .with_writer(captured.clone())
            .with_ansi(false),
    );
    // Scoped, so that the other tests' servers, reaching a statement first
    // without a subscriber, cannot hide it (tokio-rs/tracing#3611).
    let _guard = tracing::dispatcher::set_default(&anyfn_kit::logging::scoped_dispatch(subscriber));

    let handler = handler_fn(|request: Request, _context: Context| async move {
        if request.uri().path() == "/fail" {
            return Err(anyfn::Error::bad_request("the order is invalid"));
        }
        anyfn::response::builder()
            .header("set-cookie", "session=SECRET-SET-COOKIE")
            .body(anyfn::Body::from("ok"))
            .map_err(anyfn::Error::from)
    });
    let server = TestServer::start(handler).await.expect("server starts");
    for path in ["/", "/fail"] {
        let response = server
            .client()
            .send(
                TestRequest::post(path)
                    .header("authorization", "Bearer SECRET-AUTHORIZATION")
                    .cookie("session", "SECRET-COOKIE")
                    .body("SECRET-BODY"),
            )
            .await
            .expect("response");
        assert!(response.status() == 200 || response.status() == 400);
    }
    server.shutdown().await;

    let log = String::from_utf8_lossy(
        &captured
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned();
    assert!(
        log.contains("REPORT RequestId: "),
        "the capture works: {log}"
    );
    assert!(
        log.contains("invocation failed: the order is invalid"),
        "{log}"
    );
    for secret in [
        "SECRET-AUTHORIZATION",
        "SECRET-COOKIE",
        "SECRET-SET-COOKIE",
        "SECRET-BODY",
    ] {
        assert!(
            !log.contains(secret),
            "{secret} leaked into the log:\n{log}"
        );
    }
}

//! Graceful shutdown: new connections are refused, in-flight requests finish.

use std::sync::Arc;
use std::time::Duration;

use anyfn::{handler_fn, Context, Request};
use anyfn_test::TestServer;
use tokio::sync::{Notify, Semaphore};

use crate::support::{poll_until, within};

#[tokio::test]
async fn shutdown_lets_the_in_flight_request_finish() {
    let entered = Arc::new(Semaphore::new(0));
    let release = Arc::new(Notify::new());
    let handler = {
        let (entered, release) = (Arc::clone(&entered), Arc::clone(&release));
        handler_fn(move |_request: Request, _context: Context| {
            let (entered, release) = (Arc::clone(&entered), Arc::clone(&release));
            async move {
                entered.add_permits(1);
                release.notified().await;
                Ok::<_, anyfn::Error>(anyfn::response::text("finished"))
            }
        })
    };
    let mut server = TestServer::start(handler).await.expect("server starts");
    let client = server.client();
    let in_flight = tokio::spawn(async move { client.get("/").await });

    // The request is inside the handler.
    within(
        Duration::from_secs(5),
        "the handler to start",
        entered.acquire(),
    )
    .await
    .expect("semaphore open")
    .forget();

    server.begin_shutdown();
    let client = server.client();
    poll_until(
        "new connections to be refused",
        Duration::from_secs(5),
        || {
            let client = client.clone();
            async move {
                match client.get("/").await {
                    Err(err) if err.is_connection_refused() => Some(()),
                    _ => None,
                }
            }
        },
    )
    .await;

    release.notify_one();
    let response = within(Duration::from_secs(5), "the in-flight request", in_flight)
        .await
        .expect("task completes")
        .expect("the in-flight request is answered, not cut");
    response.assert_status(200);
    assert_eq!(response.text(), "finished");
    within(
        Duration::from_secs(5),
        "the server to stop",
        server.stopped(),
    )
    .await;
}

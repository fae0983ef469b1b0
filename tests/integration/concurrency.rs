//! Requests are served concurrently.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyfn::{handler_fn, Context, Request};
use anyfn_server::Server;
use anyfn_test::TestServer;
use tokio::sync::Barrier;

use crate::support::within;

const PARALLEL: usize = 8;
const SLOW: Duration = Duration::from_millis(300);

/// Eight slow requests finish in about the time of one. The proof does not
/// rest on timing: every handler waits at a barrier that opens only when all
/// eight are inside at once, which a server handling requests one at a time
/// could never reach (those requests would time out with 504 instead).
#[tokio::test]
async fn eight_slow_requests_run_in_parallel() {
    let barrier = Arc::new(Barrier::new(PARALLEL));
    let handler = {
        let barrier = Arc::clone(&barrier);
        handler_fn(move |_request: Request, _context: Context| {
            let barrier = Arc::clone(&barrier);
            async move {
                barrier.wait().await;
                tokio::time::sleep(SLOW).await;
                Ok::<_, anyfn::Error>(anyfn::response::text("done"))
            }
        })
    };
    let server = TestServer::start_with(Server::new(handler).timeout(Duration::from_secs(5)))
        .await
        .expect("server starts");

    let started = Instant::now();
    let requests: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let client = server.client();
            tokio::spawn(async move { client.get("/").await })
        })
        .collect();
    for request in requests {
        let response = within(Duration::from_secs(10), "a parallel request", request)
            .await
            .expect("task completes")
            .expect("response");
        response.assert_status(200);
    }
    let elapsed = started.elapsed();
    // Reported, not asserted: speed belongs in benches.
    println!(
        "{PARALLEL} requests of {SLOW:?} each took {elapsed:?} together ({:.1}x one)",
        elapsed.as_secs_f64() / SLOW.as_secs_f64()
    );
    server.shutdown().await;
}

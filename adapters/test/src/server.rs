//! The real local server on an ephemeral port, for end-to-end tests: [`TestServer`].

use std::net::{Ipv4Addr, SocketAddr};

use anyfn::Handler;
use anyfn_server::{FromHttp, IntoHttp, ServeError, Server};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::TestClient;

/// The real `anyfn-server` serving a handler on `127.0.0.1` at a free port,
/// in the background of the test's runtime.
///
/// Dropping it stops the server at once; [`shutdown`](Self::shutdown) stops it
/// gracefully.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Request, Response};
/// use anyfn_server::Server;
/// use anyfn_test::TestServer;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let handler = handler_fn(|_request: Request, _context: Context| async {
///     tokio::time::sleep(Duration::from_secs(60)).await;
///     Ok::<_, anyfn::Error>(anyfn::response::text("late"))
/// });
/// let server = TestServer::start_with(Server::new(handler).timeout(Duration::from_millis(50))).await?;
/// let response = server.client().get("/").await?;
/// response.assert_status(504);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves `handler` with the server's defaults.
    ///
    /// # Errors
    ///
    /// [`ServeError`] when no loopback port can be bound.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
    /// let server = TestServer::start(handler).await?;
    /// assert_eq!(server.client().get("/").await?.text(), "hi");
    /// server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start<H>(handler: H) -> Result<Self, ServeError>
    where
        H: Handler,
        H::Event: FromHttp,
        H::Output: IntoHttp,
    {
        Self::start_with(Server::new(handler)).await
    }

    /// Serves with `server`'s settings, on `127.0.0.1` at a free port
    /// (whatever address it was given).
    ///
    /// # Errors
    ///
    /// [`ServeError`] when no loopback port can be bound.
    ///
    /// # Example
    ///
    /// ```
    /// use std::net::SocketAddr;
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_server::Server;
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
    /// let server = TestServer::start_with(Server::new(handler).addr(SocketAddr::from(([0, 0, 0, 0], 8080)))).await?;
    /// assert!(server.addr().ip().is_loopback(), "loopback, whatever address it was given");
    /// assert_eq!(server.client().get("/").await?.text(), "hi");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start_with<H>(server: Server<H>) -> Result<Self, ServeError>
    where
        H: Handler,
        H::Event: FromHttp,
        H::Output: IntoHttp,
    {
        let bound = server
            .addr(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .bind()
            .await?;
        let addr = bound.local_addr();
        let (trigger, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(bound.run_until(async move {
            let _ = signal.await;
        }));
        Ok(Self {
            addr,
            shutdown: Some(trigger),
            task: Some(task),
        })
    }

    /// The address the server listens on.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
    /// let server = TestServer::start(handler).await?;
    /// assert_eq!(server.addr().ip(), std::net::Ipv4Addr::LOCALHOST);
    /// assert_ne!(server.addr().port(), 0, "the free port it bound");
    /// # Ok(())
    /// # }
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
    /// let server = TestServer::start(handler).await?;
    /// let url = server.url("/orders?page=2");
    /// assert_eq!(url, format!("http://127.0.0.1:{}/orders?page=2", server.addr().port()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A client for this server.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
    /// let server = TestServer::start(handler).await?;
    /// let client = server.client();
    /// client.get("/").await?.assert_status(200);
    /// assert_eq!(client.get("/again").await?.text(), "hi");
    /// # Ok(())
    /// # }
    /// ```
    pub fn client(&self) -> TestClient {
        TestClient::new(self.addr)
    }

    /// Starts a graceful shutdown, as SIGTERM would: no new connections,
    /// in-flight requests finish. Returns at once; see [`stopped`](Self::stopped).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
    /// let mut server = TestServer::start(handler).await?;
    /// let client = server.client();
    /// server.begin_shutdown();
    /// server.stopped().await;
    /// assert!(client.get("/").await.unwrap_err().is_connection_refused());
    /// # Ok(())
    /// # }
    /// ```
    pub fn begin_shutdown(&mut self) {
        if let Some(trigger) = self.shutdown.take() {
            let _ = trigger.send(());
        }
    }

    /// Waits until the server has stopped: after a shutdown, once in-flight
    /// requests have finished (or the drain timeout has passed).
    ///
    /// # Panics
    ///
    /// When the server task panicked.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
    /// let mut server = TestServer::start(handler).await?;
    /// server.begin_shutdown();
    /// // Nothing in flight: the server stops at once.
    /// tokio::time::timeout(Duration::from_secs(5), server.stopped()).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn stopped(mut self) {
        if let Some(task) = self.task.take() {
            if let Err(err) = task.await {
                if err.is_panic() {
                    std::panic::resume_unwind(err.into_panic());
                }
            }
        }
    }

    /// Shuts down gracefully and waits until the server has stopped.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
    /// let server = TestServer::start(handler).await?;
    /// let client = server.client();
    /// server.shutdown().await;
    /// assert!(client.get("/").await.unwrap_err().is_connection_refused());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn shutdown(mut self) {
        self.begin_shutdown();
        self.stopped().await;
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

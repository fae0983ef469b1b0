//! Real HTTP requests to a server on loopback: [`TestClient`].

use std::net::SocketAddr;

use anyfn::http::header::{HeaderValue, HOST};
use anyfn::{Body, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::{TestRequest, TestResponse};

/// Why a request from [`TestClient`] got no response.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Request};
/// use anyfn_test::{ClientError, TestServer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
/// let server = TestServer::start(handler).await?;
/// let (addr, client) = (server.addr(), server.client());
/// server.shutdown().await;
/// let err = client.get("/").await.unwrap_err();
/// assert!(matches!(err, ClientError::Connect { addr: refused, .. } if refused == addr));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// No TCP connection could be made (e.g. the server has shut down).
    #[error("could not connect to {addr}: {source}")]
    Connect {
        /// The server's address.
        addr: SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The HTTP exchange failed (the connection closed, a malformed response).
    #[error("HTTP exchange with {addr} failed: {source}")]
    Http {
        /// The server's address.
        addr: SocketAddr,
        /// hyper's error.
        source: hyper::Error,
    },
}

impl ClientError {
    /// Whether the server refused the connection: nothing listens any more.
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
    /// assert!(client.get("/").await.is_ok());
    /// server.shutdown().await;
    /// assert!(client.get("/").await.unwrap_err().is_connection_refused());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_connection_refused(&self) -> bool {
        matches!(self, Self::Connect { source, .. } if source.kind() == std::io::ErrorKind::ConnectionRefused)
    }
}

/// Sends real HTTP/1.1 requests over TCP to one address, a new connection per
/// request.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Request, Response};
/// use anyfn_test::TestServer;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let handler = handler_fn(|request: Request, _context: Context| async move {
///     Ok::<_, anyfn::Error>(anyfn::response::text(request.uri().path().to_owned()))
/// });
/// let server = TestServer::start(handler).await?;
/// let response = server.client().get("/orders/7").await?;
/// assert_eq!(response.text(), "/orders/7");
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct TestClient {
    addr: SocketAddr,
}

impl TestClient {
    /// A client for the server at `addr`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_test::{TestClient, TestServer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
    /// let server = TestServer::start(handler).await?;
    /// let client = TestClient::new(server.addr());
    /// assert_eq!(client.get("/").await?.text(), "hi");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(addr: SocketAddr) -> Self {
        Self { addr }
    }

    /// `GET path`.
    ///
    /// # Errors
    ///
    /// [`ClientError`] when no response arrives.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|request: Request, _: Context| async move {
    ///     Ok::<_, anyfn::Error>(anyfn::response::text(format!("{} {}", request.method(), request.uri())))
    /// });
    /// let server = TestServer::start(handler).await?;
    /// assert_eq!(server.client().get("/orders?page=2").await?.text(), "GET /orders?page=2");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, path: &str) -> Result<TestResponse, ClientError> {
        self.send(TestRequest::get(path)).await
    }

    /// Sends `request` (its URI is a path; the `Host` header is set for you)
    /// and reads the whole response.
    ///
    /// # Errors
    ///
    /// [`ClientError`] when no response arrives.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::{TestRequest, TestServer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let double = handler_fn(|Json(n): Json<u32>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// let server = TestServer::start(double).await?;
    /// let response = server.client().send(TestRequest::post("/").json(&21)).await?;
    /// response.assert_status(200);
    /// assert_eq!(response.json::<u32>(), 42);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send(&self, request: impl Into<Request>) -> Result<TestResponse, ClientError> {
        let addr = self.addr;
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|source| ClientError::Connect { addr, source })?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|source| ClientError::Http { addr, source })?;
        tokio::spawn(connection);

        let (mut parts, body) = request.into().into_parts();
        if !parts.headers.contains_key(HOST) {
            if let Ok(host) = HeaderValue::try_from(addr.to_string()) {
                parts.headers.insert(HOST, host);
            }
        }
        let request = hyper::Request::from_parts(parts, Full::new(body.into_bytes()));
        let response = sender
            .send_request(request)
            .await
            .map_err(|source| ClientError::Http { addr, source })?;
        let (parts, incoming) = response.into_parts();
        let bytes = incoming
            .collect()
            .await
            .map_err(|source| ClientError::Http { addr, source })?
            .to_bytes();
        Ok(TestResponse::from(Response::from_parts(
            parts,
            Body::from(bytes),
        )))
    }
}

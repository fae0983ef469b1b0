//! anyfn-lambda's connections to the Runtime API: HTTP/1.1 connections of
//! its own, kept open and used again, one per request in flight: the
//! runtime's `next` (next.rs), the answers it posts (post.rs),
//! SnapStart's `restore/next` and error reports, the
//! shutdown extension's calls. One connection, unless Lambda Managed
//! Instances runs several invocations at a time (then one per worker).
//!
//! lambda_runtime's `PooledClient` (hyper-util's pooling client) does the
//! same for any host: per request it formats and parses the URI again
//! against its base, formats the `Host` header, hashes the host's key into
//! its pool, races the checkout against a new connection, and spawns a task
//! that hands the connection back once it is idle. Here the Runtime API is
//! the only host, so the address, the path's prefix, `next`'s URI and the
//! `Host` header are worked out once, and an idle connection is taken from
//! a list. With `next` polled here too, lambda_runtime's `Runtime` and
//! hyper-util's client are not in the binary at all: hyper's HTTP/1 client
//! is compiled once, for this crate. Measured (callgrind,
//! `benches/lambda_hello_vs_lambda_http.sh`, release-lto): the Lambda-only
//! `hello` 2,252,392 -> 1,933,976 bytes (1.023 -> 0.878 of a lambda_http
//! hello), the default one 3,018,512 -> 2,693,792; the 1.7 KB API Gateway
//! v2 event 131,507 -> 107,609 instructions an invocation;
//! `benches/lambda_json_vs_lambda_runtime.sh`: 94,170 -> 70,465 (0.913 -> 0.625 of a
//! lambda_runtime function doing the same work).
//!
//! The requests are the ones lambda_runtime's client sends: the path under
//! the base of `AWS_LAMBDA_RUNTIME_API`, `Host` as hyper-util writes it,
//! lambda_runtime's `User-Agent` ([`runtime_request`]),
//! HTTP/1.1 with a 1 MiB read buffer. A request that a reused connection
//! could not send (closed by the Runtime API while idle) is sent again on a
//! new one, as hyper-util retries it.

use std::sync::{Mutex, OnceLock, PoisonError};

use bytes::{Bytes, BytesMut};
use http::header::HOST;
use http::uri::Scheme;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode, Uri};
use http_body_util::BodyExt as _;
use hyper::body::{Body as _, Incoming};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use lambda_runtime_api_client::body::Body;
use lambda_runtime_api_client::{build_request, BoxError};

/// The read buffer's limit, as lambda_runtime's client sets it.
const MAX_BUF_SIZE: usize = 1024 * 1024;

/// Posts requests to the Runtime API over connections of its own.
#[derive(Debug)]
pub(crate) struct AnswerClient {
    /// `host:port`, to connect to.
    address: String,
    /// What `Host` says: the host, and the port unless it is 80.
    host: HeaderValue,
    /// The base URI's path, without a trailing `/`, put before every path.
    base_path: String,
    /// `next`'s URI, under the base path.
    next: Uri,
    /// Connections open and idle, the last one used on top.
    idle: Mutex<Vec<SendRequest<Body>>>,
}

impl AnswerClient {
    /// The client for the Runtime API at `AWS_LAMBDA_RUNTIME_API` (read as
    /// lambda_runtime's client reads it: a URI, `host:port` without a scheme).
    ///
    /// # Errors
    ///
    /// The variable is not set, not a URI, or has no host.
    pub(crate) fn from_env() -> Result<Self, BoxError> {
        let base = std::env::var(crate::env::RUNTIME_API)?;
        Self::new(&Uri::try_from(base)?)
    }

    /// The client for the Runtime API at `base`.
    ///
    /// # Errors
    ///
    /// `base` has no host.
    pub(crate) fn new(base: &Uri) -> Result<Self, BoxError> {
        let host = base
            .host()
            .ok_or_else(|| format!("the Runtime API's address {base} has no host"))?;
        let scheme = base.scheme().unwrap_or(&Scheme::HTTP);
        let default_port = if *scheme == Scheme::HTTPS { 443 } else { 80 };
        let port = base.port_u16().unwrap_or(default_port);
        // hyper-util's `Host`: the port only when it is not the scheme's.
        let host_header = match base.port_u16() {
            Some(port) if port != default_port => format!("{host}:{port}"),
            _ => host.to_owned(),
        };
        let mut client = Self {
            address: format!("{host}:{port}"),
            host: HeaderValue::try_from(host_header)?,
            base_path: base.path().trim_end_matches('/').to_owned(),
            next: Uri::default(),
            idle: Mutex::new(Vec::new()),
        };
        client.next = client.uri(NEXT_PATH)?;
        Ok(client)
    }

    /// `next`'s URI, worked out once.
    pub(crate) fn next_uri(&self) -> &Uri {
        &self.next
    }

    /// `path` under the base URI's path, as a request's URI.
    ///
    /// # Errors
    ///
    /// The result is not a valid path.
    pub(crate) fn uri(&self, path: &str) -> Result<Uri, BoxError> {
        let mut whole = String::with_capacity(self.base_path.len() + path.len());
        whole.push_str(&self.base_path);
        whole.push_str(path);
        Ok(Uri::try_from(whole)?)
    }

    /// Drops the idle connections (after a SnapStart restore: they did not
    /// survive the snapshot).
    pub(crate) fn reset(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<SendRequest<Body>>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends `request` (its URI a path, from [`AnswerClient::uri`]) and
    /// returns the Runtime API's status, once its answer was read whole.
    ///
    /// # Errors
    ///
    /// The Runtime API could not be reached, or the connection failed.
    pub(crate) async fn send(&self, request: Request<Body>) -> Result<StatusCode, BoxError> {
        let (sender, response) = self.exchange(request).await?;
        let status = response.status();
        // Read whole (and dropped: the Runtime API's answer is a status),
        // so that the connection can take the next request; one whose
        // answer breaks off is not kept.
        let mut body = response.into_body();
        let read_whole = loop {
            match body.frame().await {
                None => break true,
                Some(Ok(_)) => {}
                Some(Err(_)) => break false,
            }
        };
        if read_whole {
            self.keep(sender);
        }
        Ok(status)
    }

    /// Sends `request` and returns the Runtime API's answer: its head and
    /// its body, read whole (an invocation's event, from `next`).
    ///
    /// # Errors
    ///
    /// The Runtime API could not be reached, or the connection failed
    /// before the answer was read whole.
    pub(crate) async fn fetch(
        &self,
        request: Request<Body>,
    ) -> Result<(http::response::Parts, Bytes), BoxError> {
        let (sender, response) = self.exchange(request).await?;
        let (parts, mut body) = response.into_parts();
        // Most events come in one frame, kept as it is; more are gathered.
        let mut whole = Bytes::new();
        let mut gathered: Option<BytesMut> = None;
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame?.into_data() else {
                continue;
            };
            match &mut gathered {
                Some(gathered) => gathered.extend_from_slice(&data),
                None if whole.is_empty() => whole = data,
                None => {
                    let expected = usize::try_from(body.size_hint().lower()).unwrap_or(0);
                    let mut more = BytesMut::with_capacity(
                        whole
                            .len()
                            .saturating_add(data.len())
                            .saturating_add(expected),
                    );
                    more.extend_from_slice(&whole);
                    more.extend_from_slice(&data);
                    gathered = Some(more);
                }
            }
        }
        self.keep(sender);
        Ok((parts, gathered.map_or(whole, BytesMut::freeze)))
    }

    /// Sends `request` on an idle connection, else a new one, and returns
    /// the connection with the answer's head; the caller reads the body and
    /// then [keeps](Self::keep) the connection.
    async fn exchange(
        &self,
        mut request: Request<Body>,
    ) -> Result<(SendRequest<Body>, Response<Incoming>), BoxError> {
        request.headers_mut().insert(HOST, self.host.clone());
        loop {
            let (mut sender, reused) = match self.take_idle().await {
                Some(sender) => (sender, true),
                None => (self.connect().await?, false),
            };
            match sender.try_send_request(request).await {
                Ok(response) => return Ok((sender, response)),
                Err(mut err) => match err.take_message() {
                    // Not sent: the idle connection had closed.
                    Some(unsent) if reused => request = unsent,
                    _ => return Err(err.into_error().into()),
                },
            }
        }
    }

    /// Puts a connection whose last answer was read whole back among the
    /// idle ones.
    fn keep(&self, sender: SendRequest<Body>) {
        self.lock().push(sender);
    }

    /// An idle connection that is still open, if any.
    async fn take_idle(&self) -> Option<SendRequest<Body>> {
        loop {
            let mut sender = self.lock().pop()?;
            if sender.is_ready() || sender.ready().await.is_ok() {
                return Some(sender);
            }
        }
    }

    /// A new connection, its task spawned.
    async fn connect(&self) -> Result<SendRequest<Body>, BoxError> {
        let stream = tokio::net::TcpStream::connect(self.address.as_str()).await?;
        let (sender, connection) = http1::Builder::new()
            .max_buf_size(MAX_BUF_SIZE)
            .handshake(TokioIo::new(stream))
            .await?;
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(target: "anyfn::lambda", "a Runtime API connection ended: {err}");
            }
        });
        Ok(sender)
    }
}

/// A request carrying `body` and the headers lambda_runtime's
/// [`build_request`] gives every Runtime API request (its `User-Agent`).
/// Those are read from it once and cloned after that, instead of parsed
/// again for every invocation. (Were `build_request`'s builder an error,
/// its message would be returned, every time.)
pub(crate) fn runtime_request(body: Body) -> Result<http::Request<Body>, BoxError> {
    static HEADERS: OnceLock<Result<HeaderMap, String>> = OnceLock::new();
    let headers = HEADERS.get_or_init(|| {
        build_request()
            .body(())
            .map(|request| request.into_parts().0.headers)
            .map_err(|err| err.to_string())
    });
    match headers {
        Ok(headers) => {
            let mut request = http::Request::new(body);
            *request.headers_mut() = headers.clone();
            Ok(request)
        }
        Err(message) => Err(message.clone().into()),
    }
}

/// Where the next invocation is asked for, under the Runtime API's base.
pub(crate) const NEXT_PATH: &str = "/2018-06-01/runtime/invocation/next";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_host_and_paths_are_lambda_runtimes() {
        let client = AnswerClient::new(&"127.0.0.1:9001".parse().unwrap()).unwrap();
        assert_eq!(client.address, "127.0.0.1:9001");
        assert_eq!(client.host, "127.0.0.1:9001");
        assert_eq!(
            client
                .uri("/2018-06-01/runtime/invocation/abc/response")
                .unwrap(),
            "/2018-06-01/runtime/invocation/abc/response"
        );

        let client = AnswerClient::new(&"http://localhost/base/".parse().unwrap()).unwrap();
        assert_eq!(client.address, "localhost:80");
        assert_eq!(client.host, "localhost", "no port when it is the scheme's");
        assert_eq!(
            client
                .uri("/2018-06-01/runtime/invocation/abc/error")
                .unwrap(),
            "/base/2018-06-01/runtime/invocation/abc/error"
        );

        assert!(AnswerClient::new(&"/only/a/path".parse().unwrap()).is_err());
    }

    #[test]
    fn runtime_requests_are_built_as_lambda_runtime_builds_them() {
        for _ in 0..2 {
            let ours = runtime_request(Body::empty()).unwrap();
            let theirs = build_request().body(()).unwrap();
            assert_eq!(ours.headers(), theirs.headers());
            assert_eq!(ours.method(), theirs.method());
            assert_eq!(ours.uri(), theirs.uri());
            assert_eq!(ours.version(), theirs.version());
            assert!(ours.headers().contains_key(http::header::USER_AGENT));
        }
    }
}

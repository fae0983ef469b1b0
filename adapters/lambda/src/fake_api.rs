//! A Runtime API the tests talk to over real sockets on 127.0.0.1: every
//! request it reads is handed to the test, which answers it with the bytes
//! it chooses (or closes the connection), so that malformed answers can be
//! sent too.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

use crate::answers::AnswerClient;

/// How long a test waits for a request before failing.
const BOUND: Duration = Duration::from_secs(10);

/// A request the fake Runtime API read.
#[derive(Debug)]
pub(crate) struct Received {
    /// Which connection it came on: 0 for the first accepted, and so on.
    pub(crate) connection: usize,
    pub(crate) method: String,
    pub(crate) path: String,
    /// Names lowercased, in the order sent.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    reply: oneshot::Sender<Option<Vec<u8>>>,
}

impl Received {
    /// The value of header `name` (lowercase), if sent.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(given, _)| given == name)
            .map(|(_, value)| value.as_str())
    }

    /// Answers with `raw`, a whole HTTP/1.1 response.
    pub(crate) fn answer(self, raw: impl Into<Vec<u8>>) {
        let _ = self.reply.send(Some(raw.into()));
    }

    /// Answers `status` with `headers` and `body` (its length set).
    pub(crate) fn respond(self, status: &str, headers: &[(&str, &str)], body: &str) {
        let mut raw = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
        for (name, value) in headers {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        raw.push_str("\r\n");
        raw.push_str(body);
        self.answer(raw);
    }

    /// Answers `202 Accepted`, as the Runtime API answers a post.
    pub(crate) fn accept(self) {
        self.respond("202 Accepted", &[], r#"{"status":"OK"}"#);
    }

    /// Closes the connection without an answer.
    pub(crate) fn close(self) {
        let _ = self.reply.send(None);
    }
}

/// The fake Runtime API.
pub(crate) struct FakeApi {
    address: SocketAddr,
    requests: mpsc::UnboundedReceiver<Received>,
}

impl FakeApi {
    /// Listens on a free port of 127.0.0.1.
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("its address");
        let (sender, requests) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut connection = 0;
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, connection, sender.clone()));
                connection += 1;
            }
        });
        Self { address, requests }
    }

    /// `host:port`, as `AWS_LAMBDA_RUNTIME_API` holds it.
    pub(crate) fn address(&self) -> String {
        self.address.to_string()
    }

    /// A client for it.
    pub(crate) fn client(&self) -> AnswerClient {
        AnswerClient::new(&self.address().parse().expect("a URI")).expect("a client")
    }

    /// The next request, within [`BOUND`].
    pub(crate) async fn request(&mut self) -> Received {
        tokio::time::timeout(BOUND, self.requests.recv())
            .await
            .expect("a request within the bound")
            .expect("the fake is listening")
    }
}

/// Reads the requests of one connection and writes what the test answers.
async fn serve(
    mut stream: TcpStream,
    connection: usize,
    requests: mpsc::UnboundedSender<Received>,
) {
    let mut buffer = Vec::new();
    loop {
        let Some(head_end) = read_until_head(&mut stream, &mut buffer).await else {
            return;
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or_default().split(' ');
        let method = first.next().unwrap_or_default().to_owned();
        let path = first.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let length = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .and_then(|(_, value)| value.parse::<usize>().ok())
            .unwrap_or(0);
        buffer.drain(..head_end + 4);
        while buffer.len() < length {
            let mut chunk = [0; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            }
        }
        let body = buffer.drain(..length).collect();
        let (reply, replied) = oneshot::channel();
        let received = Received {
            connection,
            method,
            path,
            headers,
            body,
            reply,
        };
        if requests.send(received).is_err() {
            return;
        }
        match replied.await {
            Ok(Some(raw)) => {
                if stream.write_all(&raw).await.is_err() {
                    return;
                }
            }
            _ => return,
        }
    }
}

/// Reads into `buffer` until it holds a request head; where the head ends.
async fn read_until_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<usize> {
    loop {
        if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            return Some(end);
        }
        let mut chunk = [0; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
        }
    }
}

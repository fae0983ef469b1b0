//! What the local server writes on the wire for a whole answer: the length
//! comes from the body (hyper writes `Content-Length` from it since
//! anyfn-server stopped setting the header itself), and HTTP's exceptions
//! hold.

use anyfn::http::header::CONTENT_LENGTH;
use anyfn::http::{HeaderValue, Method};
use anyfn::{handler_fn, Context, Request};
use anyfn_server::Server;
use anyfn_test::TestServer;

use crate::support::send_raw;

/// `/text`: a text body; `/none`: `204`; `/declared`: an empty body with a
/// `Content-Length` of its own (what a `HEAD` answer may carry).
fn answers() -> impl anyfn::Handler<Event = Request, Output = anyfn::Response, Error = anyfn::Error>
{
    handler_fn(|request: Request, _context: Context| async move {
        Ok(match request.uri().path() {
            "/none" => anyfn::response::no_content(),
            "/declared" => {
                let mut response = anyfn::response::status(anyfn::http::StatusCode::OK);
                response
                    .headers_mut()
                    .insert(CONTENT_LENGTH, HeaderValue::from_static("42"));
                response
            }
            _ => anyfn::response::text("Hello, wire!"),
        })
    })
}

/// The head of the answer to `method path` (sent with `Connection: close`),
/// lower-cased, and its body.
async fn exchange(server: &TestServer, method: &Method, path: &str) -> (String, String) {
    let request = format!("{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    let text = send_raw(server.addr(), request.as_bytes()).await;
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    (head.to_ascii_lowercase(), body.to_owned())
}

#[tokio::test]
async fn regression_whole_answers_carry_their_exact_content_length() {
    let server = TestServer::start_with(Server::new(answers()))
        .await
        .expect("server starts");

    let (head, body) = exchange(&server, &Method::GET, "/text").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("\r\ncontent-length: 12\r\n"), "{head}");
    assert_eq!(body, "Hello, wire!");

    // HEAD: the length of what GET would send, and no body.
    let (head, body) = exchange(&server, &Method::HEAD, "/text").await;
    assert!(head.contains("\r\ncontent-length: 12\r\n"), "{head}");
    assert_eq!(body, "");

    // 204: no Content-Length at all, as HTTP requires.
    let (head, body) = exchange(&server, &Method::GET, "/none").await;
    assert!(head.starts_with("http/1.1 204"), "{head}");
    assert!(!head.contains("content-length"), "{head}");
    assert_eq!(body, "");

    // A length the handler declared itself is kept (for HEAD, with no body).
    let (head, body) = exchange(&server, &Method::HEAD, "/declared").await;
    assert!(head.contains("\r\ncontent-length: 42\r\n"), "{head}");
    assert_eq!(body, "");
}

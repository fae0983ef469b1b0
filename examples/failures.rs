//! How failures look, the same on every runtime:
//!
//! - `GET /fail` returns an error with its own error type (`OrderNotFound`, 400);
//! - `GET /io` returns an I/O error (`HandlerError`, 500);
//! - `GET /panic` panics (`Panic`, 500) and the next request is served;
//! - `GET /sleep?ms=5000` outlives the 3 s deadline (`Timeout`, 504);
//! - `GET /cookies` answers with two cookies, a repeated header and a binary body;
//! - anything else answers `ok`.
//!
//! ```text
//! cargo run --example failures
//! curl -i http://127.0.0.1:3000/fail
//! ```

use std::time::Duration;

use anyfn::http::header::{CONTENT_TYPE, SET_COOKIE};
use anyfn::{handler_fn, Body, Context, Error, Request, RequestExt, Response};

/// Fails in the way the path asks for.
pub async fn failures(request: Request, _context: Context) -> Result<Response, Error> {
    match request.uri().path() {
        "/fail" => {
            Err(Error::bad_request("order 17 does not exist").with_error_type("OrderNotFound"))
        }
        "/io" => Err(std::io::Error::other("disk on fire").into()),
        "/panic" => panic!("the handler blew up"),
        "/sleep" => {
            let ms: u64 = request.query().get("ms").unwrap_or("0").parse()?;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(anyfn::response::text("woke up"))
        }
        "/cookies" => Ok(anyfn::response::builder()
            .header(SET_COOKIE, "session=abc; Path=/; HttpOnly")
            .header(SET_COOKIE, "theme=dark")
            .header("x-repeated", "one")
            .header("x-repeated", "two")
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(vec![0u8, 159, 146, 150, 255]))?),
        _ => Ok(anyfn::response::text("ok")),
    }
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server.
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(failures)).await
}

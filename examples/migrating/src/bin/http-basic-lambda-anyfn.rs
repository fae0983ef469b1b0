//! lambda_http's `http-basic-lambda` example, ported to anyfn: the same
//! `http::Response`, with anyfn's `Body`.

use anyfn::http::header::CONTENT_TYPE;
use anyfn::{handler_fn, Context, Request, Response};

async fn function_handler(_request: Request, _context: Context) -> Result<Response, anyfn::Error> {
    Ok(anyfn::response::builder()
        .header(CONTENT_TYPE, "text/html")
        .body("Hello AWS Lambda HTTP request".into())?)
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(function_handler)).await
}

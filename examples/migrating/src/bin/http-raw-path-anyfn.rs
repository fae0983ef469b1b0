//! lambda_http's `http-raw-path` example, ported to anyfn: the request's
//! path never carries API Gateway's stage, so `uri().path()` is what
//! lambda_http's `raw_http_path()` gives.

use anyfn::{handler_fn, Context, Request, Response};

async fn func(request: Request, _context: Context) -> Result<Response, anyfn::Error> {
    Ok(anyfn::response::text(format!(
        "The raw path for this request is: {}",
        request.uri().path()
    )))
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(func)).await
}

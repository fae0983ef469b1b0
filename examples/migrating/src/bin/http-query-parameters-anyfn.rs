//! lambda_http's `http-query-parameters` example, ported to anyfn:
//! `RequestExt::query` in place of `query_string_parameters_ref`, a
//! `400` as an `anyfn::Error`.

use anyfn::{handler_fn, Context, Request, RequestExt, Response};

async fn function_handler(request: Request, _context: Context) -> Result<Response, anyfn::Error> {
    match request.query().get("first_name") {
        Some(first_name) => Ok(anyfn::response::text(format!("Hello, {first_name}!"))),
        None => Err(anyfn::Error::bad_request("Empty first name")),
    }
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(function_handler)).await
}

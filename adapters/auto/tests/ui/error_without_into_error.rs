// A handler whose error type is `String`: it cannot say its status.
use anyfn::{handler_fn, Context, Request, Response};

async fn hello(_request: Request, _context: Context) -> Result<Response, String> {
    Err("no".to_owned())
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(hello)).await
}

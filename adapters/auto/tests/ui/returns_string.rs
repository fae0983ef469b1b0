// A handler that returns `String`: not an output every platform can
// answer with. One error, naming what to return instead.
use anyfn::{handler_fn, Context, Request};

async fn hello(_request: Request, _context: Context) -> Result<String, anyfn::Error> {
    Ok("Hello!".to_owned())
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(hello)).await
}

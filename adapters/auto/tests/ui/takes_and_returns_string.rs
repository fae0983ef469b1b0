// A handler that takes and returns `String`: neither is portable.
use anyfn::{handler_fn, Context};

async fn shout(text: String, _context: Context) -> Result<String, anyfn::Error> {
    Ok(text.to_uppercase())
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(shout)).await
}

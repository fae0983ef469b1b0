// A handler that takes a bare `u64`: events are `Json<T>`, a `Request` or
// an `anyfn::event` type.
use anyfn::{handler_fn, Context, Json};

async fn double(n: u64, _context: Context) -> Result<Json<u64>, anyfn::Error> {
    Ok(Json(n * 2))
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::Runner::new(handler_fn(double)).run().await
}

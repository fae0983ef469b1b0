// An async closure passed without `handler_fn`.
use anyfn::{Context, Request, Response};

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(|_request: Request, _context: Context| async {
        Ok::<Response, anyfn::Error>(anyfn::response::text("hi"))
    })
    .await
}

//! lambda_runtime's `basic-lambda` example, ported to anyfn: `Json<T>` in,
//! `Json<U>` out, the request id from anyfn's `Context`. Input:
//! `{ "command": "do something" }`.

use anyfn::{handler_fn, Context, Json};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Request {
    command: String,
}

#[derive(Serialize)]
struct Response {
    req_id: String,
    msg: String,
}

async fn my_handler(
    Json(request): Json<Request>,
    context: Context,
) -> Result<Json<Response>, anyfn::Error> {
    Ok(Json(Response {
        req_id: context.request_id().to_owned(),
        msg: format!("Command {} executed.", request.command),
    }))
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(my_handler)).await
}

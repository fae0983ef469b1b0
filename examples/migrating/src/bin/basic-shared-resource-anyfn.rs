//! lambda_runtime's `basic-shared-resource` example, ported to anyfn: the
//! shared client is built once in `main` and moved into the handler's
//! closure, which uses it before making its future (when the future itself
//! needs it, move an `Arc` clone in, as `http-shared-resource-anyfn` does).

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

struct SharedClient {
    name: &'static str,
}

impl SharedClient {
    fn response(&self, req_id: String, command: String) -> Response {
        Response {
            req_id,
            msg: format!("Command {} executed by {}.", command, self.name),
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    let client = SharedClient {
        name: "Shared Client 1 (perhaps a database)",
    };
    anyfn_auto::run(handler_fn(
        move |Json(event): Json<Request>, context: Context| {
            let response = client.response(context.request_id().to_owned(), event.command);
            async move { Ok::<_, anyfn::Error>(Json(response)) }
        },
    ))
    .await
}

//! lambda_runtime's `basic-shared-resource` example, ported to anyfn: the
//! shared client is built once in `main` and moved into the handler (an
//! `Arc`, as the handler may run on several invocations at once).

use std::sync::Arc;

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
    let client = Arc::new(SharedClient {
        name: "Shared Client 1 (perhaps a database)",
    });
    anyfn_auto::run(handler_fn(
        move |Json(event): Json<Request>, context: Context| {
            let client = Arc::clone(&client);
            async move {
                let response = client.response(context.request_id().to_owned(), event.command);
                Ok::<_, anyfn::Error>(Json(response))
            }
        },
    ))
    .await
}

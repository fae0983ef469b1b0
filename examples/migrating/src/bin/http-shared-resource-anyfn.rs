//! lambda_http's `http-shared-resource` example, ported to anyfn: the
//! client built once and shared through an `Arc`; the request id from
//! `Context`, not from the request's extensions.

use std::sync::Arc;

use anyfn::{handler_fn, Context, Request, RequestExt};

struct SharedClient {
    name: &'static str,
}

impl SharedClient {
    fn response(&self, req_id: &str, first_name: &str) -> String {
        format!(
            "{}: Client ({}) invoked by {}.",
            req_id, self.name, first_name
        )
    }
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    let client = Arc::new(SharedClient {
        name: "random_client_name_1",
    });
    anyfn_auto::run(handler_fn(move |request: Request, context: Context| {
        let client = Arc::clone(&client);
        async move {
            match request.query().get("first_name") {
                Some(first_name) => Ok(anyfn::response::text(
                    client.response(context.request_id(), first_name),
                )),
                None => Err(anyfn::Error::bad_request("Empty first name")),
            }
        }
    }))
    .await
}

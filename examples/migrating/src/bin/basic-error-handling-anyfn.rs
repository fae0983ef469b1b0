//! lambda_runtime's `basic-error-handling` example, ported to anyfn: each
//! way of failing becomes an `anyfn::Error` (a `HandlerError` unless said
//! otherwise), a panic fails the invocation alone (`Panic`).

use std::fs::File;

use anyfn::{handler_fn, Context, ErrorKind, Json};
use anyfn_lambda::LambdaContextExt;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Deserialize)]
struct Request {
    event_type: EventType,
}

#[derive(Deserialize)]
enum EventType {
    Response,
    ExternalError,
    SimpleError,
    CustomError,
    Panic,
}

#[derive(Serialize)]
struct Response {
    req_id: String,
    msg: String,
}

#[derive(Debug, Serialize)]
struct CustomError {
    is_authenticated: bool,
    req_id: String,
    msg: String,
}

impl std::error::Error for CustomError {}

impl std::fmt::Display for CustomError {
    /// The error as a JSON string.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", json!(self))
    }
}

async fn func(
    Json(event): Json<Request>,
    context: Context,
) -> Result<Json<Response>, anyfn::Error> {
    match event.event_type {
        EventType::SimpleError => Err(anyfn::Error::new(
            ErrorKind::Handler,
            "A simple error as requested!",
        )),
        EventType::CustomError => Err(anyfn::Error::from_source(
            ErrorKind::Handler,
            CustomError {
                is_authenticated: context.identity().is_some(),
                req_id: context.request_id().to_owned(),
                msg: "A custom error as requested!".into(),
            },
        )),
        EventType::ExternalError => {
            let _file = File::open("non-existent-file.txt")?;
            unreachable!();
        }
        EventType::Panic => panic!(),
        EventType::Response => Ok(Json(Response {
            req_id: context.request_id().to_owned(),
            msg: "OK".into(),
        })),
    }
}

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(func)).await
}

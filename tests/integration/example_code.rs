//! The examples' handlers, compiled into the tests from the examples' own
//! source, so their contracts are tested with the real code.

#![allow(dead_code)]

#[path = "../../examples/ce-echo.rs"]
pub mod ce_echo;
#[path = "../../examples/echo.rs"]
pub mod echo;
#[path = "../../examples/failures.rs"]
pub mod failures;
#[path = "../../examples/functions.rs"]
pub mod functions;
#[path = "../../examples/greet-json.rs"]
pub mod greet_json;
#[path = "../../examples/hello.rs"]
pub mod hello;
#[path = "../../examples/kinesis.rs"]
pub mod kinesis;
#[path = "../../examples/nightly.rs"]
pub mod nightly;
#[path = "../../examples/queue-failures.rs"]
pub mod queue_failures;
#[path = "../../examples/queue-worker.rs"]
pub mod queue_worker;
#[path = "../../examples/schedule-failures.rs"]
pub mod schedule_failures;
#[path = "../../examples/shortener.rs"]
pub mod shortener;
#[path = "../../examples/storage-failures.rs"]
pub mod storage_failures;
#[path = "../../examples/stream.rs"]
pub mod stream;
#[path = "../../examples/thumbnail.rs"]
pub mod thumbnail;
#[path = "../../examples/webhook.rs"]
pub mod webhook;

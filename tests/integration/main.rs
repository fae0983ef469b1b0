//! Cross-adapter tests: the examples and the runtime guarantees (deadline,
//! panics, limits, shutdown, concurrency) through the harness and through the
//! real server over HTTP on 127.0.0.1.

mod concurrency;
mod deadline;
mod event_fixtures;
mod example_code;
mod examples;
mod faults;
mod lambda;
mod lambda_context;
mod limits;
mod parity;
mod shutdown;
mod support;

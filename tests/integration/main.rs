//! Cross-adapter tests: the examples and the runtime guarantees (deadline,
//! panics, limits, shutdown, concurrency) through the harness and through the
//! real server over HTTP on 127.0.0.1.

mod abuse;
mod adapters;
mod aws_differential;
mod aws_event_files;
mod azure;
mod cloud_events_sdk;
mod cloud_run;
mod concurrency;
mod cost_table;
mod deadline;
mod event_failure_parity;
mod event_fixtures;
mod event_posts;
mod example_code;
mod examples;
mod failure_lines;
mod failure_parity;
mod faults;
mod gcf_conformance;
mod kinesis;
mod lambda;
mod lambda_concurrency;
mod lambda_context;
mod lambda_faults;
mod lambda_logs;
mod lambda_metrics;
mod lambda_tenant;
mod limits;
mod log_hygiene;
mod named_functions;
mod parity;
mod properties;
mod pubsub_push;
mod raw_streaming;
mod report_log;
mod settings;
mod shortener;
mod shutdown;
mod shutdown_hooks;
mod shutdown_under_load;
mod snapstart;
mod streaming;
mod support;
mod wire;

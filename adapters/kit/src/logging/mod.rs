//! What every adapter's default `tracing` subscriber is made of (feature
//! `default-subscriber`): the formatters, the writer and the filter. Each
//! adapter keeps only what is its own: which variables pick the format and
//! the level, and where the lines go.
//!
//! | piece | what | used by |
//! |---|---|---|
//! | [`TextFields`] | fields as tracing-subscriber's `DefaultFields` writes them, quicker, on one line | every text format |
//! | [`LineFormat`] | the text line, as tracing-subscriber's `Full` writes it, quicker | the server |
//! | [`UtcMicros`] | a line's time, formatted once a second | the server |
//! | [`CloudLogging`], [`CloudLoggingFields`] | Cloud Logging's structured JSON | the server on Cloud Run |
//! | [`JsonSpanFields`] | span fields for tracing-subscriber's `Json`, quicker | Lambda's JSON |
//! | [`BatchedStderr`], [`flush`] | stderr, `REPORT` lines batched | the server |
//! | [`DirectReports`] | `REPORT` lines written by the subscriber's writer, not as events | the server |
//! | [`rust_log_targets`] | `RUST_LOG` as `target=level` pairs | every adapter |
//! | [`scoped_dispatch`] | a subscriber for a scope that sees every event of it | anyfn-test's log capture |
//!
//! Lambda's text format is tracing-subscriber's own `Full` with
//! [`TextFields`], and its JSON format tracing-subscriber's `Json` with
//! [`JsonSpanFields`]; the `REPORT` line's text is
//! [`InvocationReport`](crate::InvocationReport)'s.
//!
//! # Example
//!
//! ```
//! use anyfn_kit::logging::{rust_log_targets, BatchedStderr, LineFormat, TextFields};
//! use tracing_subscriber::layer::SubscriberExt as _;
//!
//! let subscriber = tracing_subscriber::registry()
//!     .with(
//!         tracing_subscriber::fmt::layer()
//!             .fmt_fields(TextFields)
//!             .event_format(LineFormat)
//!             .with_writer(BatchedStderr::new()),
//!     )
//!     .with(rust_log_targets(std::env::var("RUST_LOG").ok().as_deref()));
//! tracing::subscriber::with_default(subscriber, || tracing::info!("ready"));
//! ```

mod batched;
#[cfg(test)]
pub(crate) mod captured;
mod cloud_logging;
mod direct_reports;
mod extra;
mod fields;
mod filter;
mod json_fields;
mod line;
mod sanitize;
mod scoped;
mod timestamp;

pub use batched::{flush, BatchedStderr, LineWriter};
pub use cloud_logging::{CloudLogging, CloudLoggingFields};
pub use direct_reports::DirectReports;
#[cfg(not(target_family = "wasm"))]
pub(crate) use direct_reports::{report_route, ReportRoute};
pub use extra::{
    add_default_layer, new_extra_layer, set_layer_factory, take_default_layer, DefaultLayer,
    LayerFactory,
};
pub use fields::{is_plain, TextFields};
pub use filter::rust_log_targets;
pub use json_fields::JsonSpanFields;
pub use line::LineFormat;
pub use scoped::scoped_dispatch;
pub use timestamp::UtcMicros;

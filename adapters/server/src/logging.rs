//! The stderr log that `serve` sets up when the program has none, made of
//! [`anyfn_kit::logging`]'s pieces; what is the server's own is which
//! format it picks.

#[cfg(feature = "default-subscriber")]
use anyfn::Platform;

/// The variable choosing the default subscriber's format: `json` (Cloud
/// Logging's structured JSON) or `text` (the `tracing` line); any other
/// value, or none, leaves the platform's default. Named after Lambda's
/// `AWS_LAMBDA_LOG_FORMAT`, whose values it takes, in any case.
#[cfg(feature = "default-subscriber")]
const LOG_FORMAT_ENV: &str = "ANYFN_LOG_FORMAT";

/// Installs a `tracing` subscriber writing to stderr at `info` (or what
/// `RUST_LOG` says, as `target=level` pairs), unless one is already set or
/// `ANYFN_DEFAULT_SUBSCRIBER=off`. Its lines are Cloud Logging's structured
/// JSON ([`CloudLogging`](anyfn_kit::logging::CloudLogging)) on Cloud Run
/// (`platform`), the `tracing` line
/// ([`LineFormat`](anyfn_kit::logging::LineFormat)) elsewhere;
/// `ANYFN_LOG_FORMAT=json` or `text` chooses either anywhere. `REPORT`
/// lines are batched ([`BatchedStderr`](anyfn_kit::logging::BatchedStderr)),
/// and, unless another crate added a layer or stderr is a terminal, written
/// by the format layer's writer without an event ([`DirectReports`](anyfn_kit::logging::DirectReports)).
#[cfg(feature = "default-subscriber")]
pub(crate) fn install_default_subscriber(platform: Platform) {
    use std::io::IsTerminal;

    use anyfn_kit::logging::{rust_log_targets, DirectReports};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    if !anyfn_kit::default_subscriber_allowed() {
        return;
    }
    let filter = rust_log_targets(std::env::var("RUST_LOG").ok().as_deref());
    let json = json_selected(std::env::var(LOG_FORMAT_ENV).ok().as_deref(), platform);
    let ansi = !json && std::io::stderr().is_terminal();
    // A layer another crate left for it (anyfn-otel's), first. Without
    // one, no empty layer: each span and event went through it too, and
    // closing a span looked through it for the registry
    // (`benches/instructions_vs_hyper.sh`).
    let _ = match anyfn_kit::logging::take_default_layer() {
        Some(layer) => {
            let registry = tracing_subscriber::registry().with(layer);
            registry
                .with(format_layer(json, ansi))
                .with(filter)
                .try_init()
        }
        // Without one, the format layer writes the `REPORT` lines itself
        // (`DirectReports`): they are most of what the server logs.
        None if !ansi => {
            let reports = if json {
                DirectReports::cloud_logging(&filter)
            } else {
                DirectReports::text(&filter)
            };
            reports.init(
                tracing_subscriber::registry()
                    .with(format_layer(json, ansi))
                    .with(filter),
            )
        }
        None => tracing_subscriber::registry()
            .with(format_layer(json, ansi))
            .with(filter)
            .try_init(),
    };
}

/// The one layer writing the lines: Cloud Logging's JSON (`json`) or the
/// `tracing` line (with ANSI colours when `ansi`), to [`BatchedStderr`](anyfn_kit::logging::BatchedStderr).
/// One boxed layer rather than an `Option` of each: every span and event
/// went through both, and closing a span looked through both for the
/// registry, each a `Layered` level of its own (`benches/instructions_vs_hyper.sh`).
#[cfg(feature = "default-subscriber")]
fn format_layer<S>(json: bool, ansi: bool) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use anyfn_kit::logging::{
        BatchedStderr, CloudLogging, CloudLoggingFields, LineFormat, TextFields,
    };
    use tracing_subscriber::Layer as _;

    if json {
        tracing_subscriber::fmt::layer()
            .fmt_fields(CloudLoggingFields::from_env())
            .event_format(CloudLogging)
            .with_writer(BatchedStderr::new())
            .with_ansi(false)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .fmt_fields(TextFields)
            .event_format(LineFormat)
            .with_writer(BatchedStderr::new())
            .with_ansi(ansi)
            .boxed()
    }
}

#[cfg(not(feature = "default-subscriber"))]
pub(crate) fn install_default_subscriber(_platform: anyfn::Platform) {}

/// Whether the default subscriber writes JSON: as [`LOG_FORMAT_ENV`]'s
/// value (`format`) says, else on Cloud Run only.
#[cfg(feature = "default-subscriber")]
fn json_selected(format: Option<&str>, platform: Platform) -> bool {
    match format.map(str::trim) {
        Some(format) if format.eq_ignore_ascii_case("json") => true,
        Some(format) if format.eq_ignore_ascii_case("text") => false,
        _ => platform == Platform::CloudRun,
    }
}

/// Writes out log lines the default subscriber holds back, if any.
#[cfg(feature = "default-subscriber")]
pub(crate) use anyfn_kit::logging::flush;

/// Writes out log lines the default subscriber holds back: none without it.
#[cfg(not(feature = "default-subscriber"))]
pub(crate) fn flush() {}

#[cfg(all(test, feature = "default-subscriber"))]
mod tests {
    use super::*;

    #[test]
    fn json_is_the_default_on_cloud_run_and_the_variable_overrides_it() {
        assert!(json_selected(None, Platform::CloudRun));
        assert!(!json_selected(None, Platform::LocalServer));
        assert!(json_selected(Some(" JSON "), Platform::LocalServer));
        assert!(!json_selected(Some("Text"), Platform::CloudRun));
        assert!(json_selected(Some("yaml"), Platform::CloudRun));
        assert!(!json_selected(Some(""), Platform::LocalServer));
    }
}

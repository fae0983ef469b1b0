//! The stderr log that `serve` sets up when the program has none.

#[cfg(feature = "default-subscriber")]
mod batched;
#[cfg(all(test, feature = "default-subscriber"))]
mod captured;
#[cfg(feature = "default-subscriber")]
mod cloud_logging;
#[cfg(feature = "default-subscriber")]
mod fields;
#[cfg(feature = "default-subscriber")]
mod line;
#[cfg(feature = "default-subscriber")]
mod sanitize;

/// Installs a `tracing` subscriber writing to stderr at `info` (or what
/// `RUST_LOG` says, as `target=level` pairs), unless one is already set or
/// `ANYFN_DEFAULT_SUBSCRIBER=off`. Its lines are Cloud Logging's structured
/// JSON ([`cloud_logging::CloudLogging`]) on Cloud Run (`platform`), the
/// `tracing` line ([`line::LineFormat`]) elsewhere; `ANYFN_LOG_FORMAT=json`
/// or `text` chooses either anywhere.
#[cfg(feature = "default-subscriber")]
pub(crate) fn install_default_subscriber(platform: anyfn::Platform) {
    use std::io::IsTerminal;

    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    if !anyfn_kit::default_subscriber_allowed() {
        return;
    }
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let json = cloud_logging::json_selected(
        std::env::var(cloud_logging::LOG_FORMAT_ENV).ok().as_deref(),
        platform,
    );
    // One of the two, so one writer (and its flusher thread) is made.
    let json_layer = json.then(|| {
        tracing_subscriber::fmt::layer()
            .fmt_fields(cloud_logging::JsonFields::from_env())
            .event_format(cloud_logging::CloudLogging)
            .with_writer(batched::Stderr::new())
            .with_ansi(false)
    });
    let line_layer = (!json).then(|| {
        tracing_subscriber::fmt::layer()
            .fmt_fields(fields::SpanFields)
            .event_format(line::LineFormat)
            .with_writer(batched::Stderr::new())
            .with_ansi(std::io::stderr().is_terminal())
    });
    let _ = tracing_subscriber::registry()
        .with(json_layer)
        .with(line_layer)
        .with(filter)
        .try_init();
}

#[cfg(not(feature = "default-subscriber"))]
pub(crate) fn install_default_subscriber(_platform: anyfn::Platform) {}

/// Writes out log lines the default subscriber holds back, if any.
#[cfg(feature = "default-subscriber")]
pub(crate) use batched::flush;

/// Writes out log lines the default subscriber holds back: none without it.
#[cfg(not(feature = "default-subscriber"))]
pub(crate) fn flush() {}

//! What every adapter logs the same way: [`invocation_span`],
//! [`log_failure`], the `REPORT` line ([`log_report`]), and whether it may
//! install its default subscriber ([`default_subscriber_allowed`]).

use anyfn::{Context, Error};

#[cfg(all(feature = "default-subscriber", not(target_family = "wasm")))]
use crate::logging::ReportRoute;
use crate::report::REPORT_TARGET;
use crate::InvocationReport;

/// Logs a failed invocation the way every adapter does: one `WARN` line,
/// target `anyfn::invocation`, message `invocation failed: ` and the error
/// with its causes, fields `request_id`, `error_type` and `status`. Alarms
/// and log queries can rely on it on every runtime.
///
/// # Example
///
/// ```
/// let err = anyfn::Error::from(std::io::Error::other("disk full"));
/// anyfn_kit::log_failure("req-1", &err);
/// ```
pub fn log_failure(request_id: &str, error: &Error) {
    tracing::warn!(
        target: "anyfn::invocation",
        request_id = %request_id,
        error_type = error.error_type(),
        status = error.status().as_u16(),
        "invocation failed: {error:#}"
    );
}

/// Logs the `REPORT` line of the report `report` makes (`INFO`, target
/// `anyfn::report`, the line as the message: the same as
/// `tracing::info!(target: "anyfn::report", "{report}")`), calling it only
/// if the line would be written: an adapter's figures and prices are not
/// worked out for a filter that drops them.
///
/// The default subscriber installed with [`DirectReports`] writes the
/// line itself, at a fraction of an event's cost, where it would write the
/// same bytes.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::{InvocationReport, Pricing};
///
/// anyfn_kit::log_report(|| {
///     InvocationReport::new("req-1", Duration::from_micros(1_250), 128, Pricing::AWS_LAMBDA_X86)
/// });
/// ```
#[cfg_attr(
    feature = "default-subscriber",
    doc = "[`DirectReports`]: crate::logging::DirectReports"
)]
#[cfg_attr(
    not(feature = "default-subscriber"),
    doc = "[`DirectReports`]: https://docs.rs/anyfn-kit/latest/anyfn_kit/logging/struct.DirectReports.html"
)]
pub fn log_report<Id: AsRef<str>>(report: impl FnOnce() -> InvocationReport<Id>) {
    // No subscriber takes `INFO` (`RUST_LOG=warn`): one load says so.
    if !tracing::level_enabled!(tracing::Level::INFO) {
        return;
    }
    // Not on wasm32: no adapter there installs `DirectReports` (a Worker
    // logs through its own console subscriber), and the writer it would
    // reach is code a Worker's module would carry for nothing.
    #[cfg(all(feature = "default-subscriber", not(target_family = "wasm")))]
    match crate::logging::report_route() {
        ReportRoute::Direct(reports) => return report().with_line(|line| reports.write_line(line)),
        ReportRoute::Off => return,
        ReportRoute::Event => {}
    }
    if tracing::enabled!(target: REPORT_TARGET, tracing::Level::INFO) {
        // The line as a `&str` field: the same line as `"{report}"`
        // writes, without two rounds of `format_args!` to reach it.
        report().with_line(|line| tracing::info!(target: REPORT_TARGET, message = line));
    }
}

/// The environment variable that turns off the `tracing` subscriber the
/// adapters' entry points install when the program has none:
/// `ANYFN_DEFAULT_SUBSCRIBER=off` (or `0`, `false`, `no`).
///
/// # Example
///
/// ```
/// use anyfn_kit::{Settings, DEFAULT_SUBSCRIBER_ENV};
///
/// assert_eq!(DEFAULT_SUBSCRIBER_ENV, "ANYFN_DEFAULT_SUBSCRIBER");
/// let settings = Settings::from_lookup(|name| (name == DEFAULT_SUBSCRIBER_ENV).then(|| "off".to_owned()))?;
/// assert_eq!(settings.default_subscriber(), Some(false));
/// # Ok::<(), anyfn_kit::SettingsError>(())
/// ```
pub const DEFAULT_SUBSCRIBER_ENV: &str = "ANYFN_DEFAULT_SUBSCRIBER";

/// Whether an adapter may install its default `tracing` subscriber: the
/// program has set none, and [`DEFAULT_SUBSCRIBER_ENV`] does not turn it off.
///
/// # Example
///
/// ```
/// // Nothing installed a subscriber in this test, and the variable is unset.
/// assert!(anyfn_kit::default_subscriber_allowed());
/// ```
pub fn default_subscriber_allowed() -> bool {
    let turned_off = std::env::var(DEFAULT_SUBSCRIBER_ENV).is_ok_and(|value| {
        ["off", "0", "false", "no"]
            .iter()
            .any(|no| value.trim().eq_ignore_ascii_case(no))
    });
    !turned_off && !tracing::dispatcher::has_been_set()
}

/// The span an invocation runs in: `invocation`, with the `request_id` and,
/// when there is one, the `trace_id` of `context`, at `INFO` level. Every
/// line the handler logs inside it carries both.
///
/// The Lambda adapter does not open it: lambda_runtime already opens its own
/// span per invocation (`Lambda runtime invoke`, with `requestId` and
/// `xrayTraceId`), the one Lambda's Rust tooling expects.
///
/// # Example
///
/// ```
/// use tracing::Instrument as _;
///
/// let context = anyfn::Context::builder().request_id("req-1").trace_id("Root=1-abc").build();
/// let span = anyfn_kit::invocation_span(&context);
/// let _in_span = async { tracing::info!("handled") }.instrument(span);
/// ```
pub fn invocation_span(context: &Context) -> tracing::Span {
    let span = tracing::info_span!(
        "invocation",
        request_id = context.request_id(),
        trace_id = tracing::field::Empty
    );
    if let Some(trace_id) = context.trace_id() {
        span.record("trace_id", trace_id);
    }
    span
}

//! The stdout log that [`run`](crate::run) sets up when the program has none,
//! in the format Lambda's advanced logging controls select, made of
//! tracing-subscriber's formats and [`anyfn_kit::logging`]'s fields; what
//! is Lambda's own is which variables pick the format and the level, and
//! that the invocation span is kept at every level.

use anyfn_kit::logging::{rust_log_targets, JsonSpanFields, TextFields, UtcMicros};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::filter::{filter_fn, FilterExt as _, LevelFilter, Targets};
use tracing_subscriber::layer::{Context, Filter, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The span of each invocation, with `requestId` and `xrayTraceId`: named
/// as lambda_runtime names it (anyfn-lambda's loop opens it as
/// lambda_runtime's `TracingLayer` does).
const INVOCATION_SPAN: &str = "Lambda runtime invoke";

/// Installs a `tracing` subscriber on stdout, unless the program has one or
/// `ANYFN_DEFAULT_SUBSCRIBER=off`:
///
/// - `AWS_LAMBDA_LOG_FORMAT=JSON`: one JSON object per line (`timestamp`,
///   `level`, `message`, the event's fields, and `span` with the
///   invocation's `requestId` and `xrayTraceId`): tracing-subscriber's
///   `Json`, with [`JsonSpanFields`] and [`UtcMicros`]; otherwise text,
///   `LEVEL Lambda runtime invoke{requestId=… xrayTraceId=…}: message`:
///   tracing-subscriber's `Full`, with [`TextFields`].
/// - `AWS_LAMBDA_LOG_LEVEL` (`TRACE` … `ERROR`, and `FATAL` as `ERROR`) sets
///   the level; without it, `RUST_LOG` (`target=level` pairs), else `INFO`. The
///   invocation span is kept at every level, so every line carries the
///   request id.
///
/// This replaces lambda_runtime's `init_default_subscriber`, keeping its
/// format and variables: that one panics when the program already set a
/// subscriber or a `log` logger, does not know Lambda's `FATAL`, and at
/// `WARN` drops the `INFO` invocation span, and the request id with it.
pub(crate) fn install_default_subscriber() {
    if !anyfn_kit::default_subscriber_allowed() {
        return;
    }
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let filter = filter(
        std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().as_deref(),
        std::env::var("RUST_LOG").ok().as_deref(),
    );
    // The layer a telemetry crate left (anyfn-otel), under ours; none, no
    // layer at all (not an empty one every callback would pass through).
    // Both stacks build the stdout layer for the registry itself
    // (`and_then`, not `with` on the telemetry layer), so that its
    // formatting code is compiled once, not once per stack.
    let _ = match anyfn_kit::logging::take_default_layer() {
        Some(telemetry) => tracing_subscriber::registry()
            .with(telemetry.and_then(stdout_layer(json, filter, true)))
            .try_init(),
        None => {
            let telemetry = anyfn_kit::telemetry_installed();
            let subscriber = tracing_subscriber::registry();
            subscriber
                .with(stdout_layer(json, filter, telemetry))
                .try_init()
        }
    };
}

/// The stdout layer: JSON or text, under `filter`, lambda_runtime's
/// invocation span kept at every level.
fn stdout_layer<S>(json: bool, filter: Targets, telemetry: bool) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    let filter = filter.or(filter_fn(is_invocation_span));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stdout)
        .with_ansi(false)
        .with_target(false);
    if json {
        let layer = layer
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .fmt_fields(JsonSpanFields)
            .with_timer(UtcMicros);
        filtered(layer, filter, telemetry)
    } else {
        let layer = layer.fmt_fields(TextFields).without_time();
        filtered(layer, filter, telemetry)
    }
}

/// `layer` under `filter`, boxed; with telemetry (anyfn-otel) the handler
/// runs in the kit's invocation span too, for OpenTelemetry only, and the
/// log lines keep lambda_runtime's span: that span is hidden from `layer`.
///
/// Without telemetry, `layer` is the only one, and `filter` filters for the
/// whole subscriber ([`Global`]): the same lines, without the per-layer
/// filter's bookkeeping on every span entered and left (callgrind: about
/// 3,000 instructions per invocation with it).
fn filtered<S, L, F>(layer: L, filter: F, telemetry: bool) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
    L: Layer<S> + Send + Sync + 'static,
    F: Filter<S> + Send + Sync + 'static,
{
    if telemetry {
        layer
            .with_filter(filter.and(filter_fn(|metadata| !is_kit_invocation_span(metadata))))
            .boxed()
    } else {
        // Outermost, so that a callsite it turns off is off for good
        // (`Interest::never`), not asked about again at every event.
        layer.and_then(Global(filter)).boxed()
    }
}

/// A per-layer [`Filter`] used as a global one: a layer that only says
/// what is enabled, for every layer above it.
struct Global<F>(F);

impl<S, F> Layer<S> for Global<F>
where
    S: Subscriber,
    F: Filter<S> + 'static,
{
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        self.0.callsite_enabled(metadata)
    }

    fn enabled(&self, metadata: &Metadata<'_>, cx: Context<'_, S>) -> bool {
        self.0.enabled(metadata, &cx)
    }

    fn event_enabled(&self, event: &Event<'_>, cx: Context<'_, S>) -> bool {
        self.0.event_enabled(event, &cx)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        self.0.max_level_hint()
    }
}

/// The kit's `invocation` span (`anyfn_kit::invocation_span`).
fn is_kit_invocation_span(metadata: &Metadata<'_>) -> bool {
    metadata.is_span() && metadata.name() == "invocation" && metadata.target() == "anyfn_kit::log"
}

fn is_invocation_span(metadata: &Metadata<'_>) -> bool {
    metadata.is_span() && metadata.name() == INVOCATION_SPAN
}

/// The filter Lambda's level (or `RUST_LOG`, as `target=level` pairs and a
/// default level, [`rust_log_targets`]) asks for.
fn filter(lambda_level: Option<&str>, rust_log: Option<&str>) -> Targets {
    match lambda_level.and_then(level_of) {
        Some(level) => Targets::new().with_default(level),
        None => rust_log_targets(rust_log),
    }
}

/// One of Lambda's log levels as a `tracing` level filter.
fn level_of(name: &str) -> Option<LevelFilter> {
    match name.trim().to_ascii_uppercase().as_str() {
        "TRACE" => Some(LevelFilter::TRACE),
        "DEBUG" => Some(LevelFilter::DEBUG),
        "INFO" => Some(LevelFilter::INFO),
        "WARN" => Some(LevelFilter::WARN),
        "ERROR" | "FATAL" => Some(LevelFilter::ERROR),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_levels_map_to_tracing_levels() {
        assert_eq!(level_of("fatal"), Some(LevelFilter::ERROR));
        assert_eq!(level_of("WARN"), Some(LevelFilter::WARN));
        assert_eq!(level_of("loud"), None);
    }

    #[test]
    fn lambda_level_wins_over_rust_log() {
        assert_eq!(
            filter(Some("DEBUG"), Some("error")).default_level(),
            Some(LevelFilter::DEBUG)
        );
        assert_eq!(
            filter(None, Some("warn")).default_level(),
            Some(LevelFilter::WARN)
        );
        assert_eq!(
            filter(Some("nonsense"), None).default_level(),
            Some(LevelFilter::INFO)
        );
    }
}

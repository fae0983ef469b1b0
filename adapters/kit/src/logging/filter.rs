//! Which lines are logged: `RUST_LOG` read as [`Targets`]
//! ([`rust_log_targets`]).

use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;

/// The filter `RUST_LOG` (`rust_log`, the variable's value) asks for:
/// `target=level` pairs and a default level (`info`, `anyfn=debug,warn`),
/// else `INFO` for everything, as when it is unset or cannot be read.
///
/// `Targets` rather than `EnvFilter`: the same directives but span and
/// field filters, without a regex engine in every function's binary.
///
/// # Example
///
/// ```
/// use anyfn_kit::logging::rust_log_targets;
/// use tracing::level_filters::LevelFilter;
///
/// let targets = rust_log_targets(Some("warn,app=debug"));
/// assert_eq!(targets.default_level(), Some(LevelFilter::WARN));
/// assert!(targets.would_enable("app", &tracing::Level::DEBUG));
/// assert_eq!(rust_log_targets(None).default_level(), Some(LevelFilter::INFO));
/// assert_eq!(rust_log_targets(Some("=bad=")).default_level(), Some(LevelFilter::INFO));
/// ```
pub fn rust_log_targets(rust_log: Option<&str>) -> Targets {
    rust_log
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
}

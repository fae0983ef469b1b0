//! The default `tracing` subscriber of a Worker: one line per event on the
//! console (`console.log`, `console.warn` for `WARN`, `console.error` for
//! `ERROR`), which Workers Logs and `wrangler tail` collect; the
//! invocation's span (its `request_id`) on every line. Text, or one JSON
//! object per line with `ANYFN_LOG_FORMAT=json`. No timestamp: the console
//! stamps each line, and std's clock panics on this target.

use std::io;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The variable (a `[vars]` entry) choosing the log format: `text` (the
/// default) or `json`.
pub(crate) const LOG_FORMAT_VAR: &str = "ANYFN_LOG_FORMAT";

/// The variable (a `[vars]` entry) filtering the log, as `RUST_LOG` does
/// on the other adapters (`target=level` directives; `info` when unset).
pub(crate) const LOG_FILTER_VAR: &str = "RUST_LOG";

/// Installs the default subscriber unless the Worker installed its own
/// (once per isolate: the first invocation's variables decide).
pub(crate) fn install(json: bool, filter: Option<&str>) {
    if tracing::dispatcher::has_been_set() {
        return;
    }
    let builder = tracing_subscriber::fmt()
        .with_ansi(false)
        .without_time()
        .with_writer(Console);
    // Another subscriber set in between is kept: ours is only the default.
    let targets = anyfn_kit::logging::rust_log_targets(filter);
    let _ = if json {
        builder
            .json()
            .with_current_span(true)
            .finish()
            .with(targets)
            .try_init()
    } else {
        builder.finish().with(targets).try_init()
    };
}

/// The console, one call per line.
#[derive(Debug, Clone, Copy)]
struct Console;

/// One line being written; sent to the console when dropped.
struct ConsoleLine {
    level: Level,
    text: Vec<u8>,
}

impl io::Write for ConsoleLine {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.text.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for ConsoleLine {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.text);
        let line = wasm_bindgen::JsValue::from_str(text.trim_end_matches('\n'));
        if self.level == Level::ERROR {
            worker::web_sys::console::error_1(&line);
        } else if self.level == Level::WARN {
            worker::web_sys::console::warn_1(&line);
        } else {
            worker::web_sys::console::log_1(&line);
        }
    }
}

impl<'a> MakeWriter<'a> for Console {
    type Writer = ConsoleLine;

    fn make_writer(&'a self) -> ConsoleLine {
        ConsoleLine {
            level: Level::INFO,
            text: Vec::new(),
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> ConsoleLine {
        ConsoleLine {
            level: *meta.level(),
            text: Vec::new(),
        }
    }
}

//! A scheduled job: answers JSON saying which schedule fired, when, and the
//! report it would produce for the day before.
//!
//! On Lambda: EventBridge scheduled events. Locally: a Cloud Scheduler
//! CloudEvent, the EventBridge scheduled event itself (the same file `sam
//! local invoke -e` takes, the same tick as on Lambda), or a JSON POST of a
//! `ScheduleTick`:
//!
//! ```text
//! cargo run --example nightly
//! curl -s http://127.0.0.1:3000/ --json @tests/fixtures/aws/example-eventbridge-schedule.json
//! curl -s http://127.0.0.1:3000/ --json '{"id":"t-1","time":"2024-05-01T02:00:00Z","schedule":"nightly"}'
//! ```

use std::time::Duration;

use anyfn::event::ScheduleTick;
use anyfn::{handler_fn, Context, Json};
use serde_json::{json, Value};

/// Describes the run a tick starts.
pub async fn nightly(tick: ScheduleTick, _context: Context) -> Result<Json<Value>, anyfn::Error> {
    let day_before = tick
        .time
        .checked_sub(Duration::from_secs(24 * 60 * 60))
        .unwrap_or(tick.time);
    let report_date = anyfn::time::format_rfc3339(day_before);
    Ok(Json(json!({
        "tick": tick.id,
        "schedule": tick.schedule,
        "firedAt": anyfn::time::format_rfc3339(tick.time),
        "report": format!("sales-{}", &report_date[..10]),
    })))
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/nightly` calls the handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(nightly)).await
}

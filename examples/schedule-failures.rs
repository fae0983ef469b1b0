//! How a scheduled job's failures look, the same on every runtime (the
//! failure table in the README says what each platform does with them):
//! the schedule's name says how the run fails.
//!
//! - a schedule ending in `-bad` fails with a 4xx kind (`BadRequest`);
//! - `-io` fails with `?` on an I/O error (`HandlerError`);
//! - `-store` fails with `?` on the function's own error, which has a cause
//!   (`HandlerError`: the report store is down, because the connection was
//!   refused);
//! - `-panic` panics (`Panic`), and the next tick is served;
//! - `-sleep` outlives the deadline awaiting (`Timeout`);
//! - any other schedule runs, and answers which one ran.
//!
//! On Lambda: EventBridge scheduled events (the schedule is the rule's
//! name). On Azure: a timer trigger per function (the schedule is the
//! function's name). On Workers: cron triggers (the schedule is the cron
//! expression). Locally: a Cloud Scheduler CloudEvent, the EventBridge
//! scheduled event itself, or a JSON POST of a `ScheduleTick`:
//!
//! ```text
//! cargo run --example schedule-failures
//! curl -s http://127.0.0.1:3000/ --json '{"id":"t-1","time":"2024-05-01T02:00:00Z","schedule":"job-bad"}'
//! ```

use std::time::Duration;

use anyfn::event::ScheduleTick;
use anyfn::{handler_fn, Context, Json};
use serde_json::{json, Value};

/// The report store could not be reached: an error with a cause, as a
/// function's own error type (here with `thiserror`) often has.
#[derive(Debug, thiserror::Error)]
#[error("the report store is down")]
pub struct StoreDown(#[source] pub std::io::Error);

/// Runs the job, or fails as its schedule's name says.
///
/// # Errors
///
/// `BadRequest` for a schedule ending in `-bad`, `HandlerError` for `-io`
/// and for `-store` ([`StoreDown`], with its cause), `Timeout` (the
/// adapter's) for `-sleep`.
///
/// # Panics
///
/// For a schedule ending in `-panic`, on purpose: the adapter answers it
/// as `Panic`.
pub async fn run(tick: ScheduleTick, context: Context) -> Result<Json<Value>, anyfn::Error> {
    let schedule = tick.schedule.as_deref().unwrap_or("");
    match schedule.rsplit('-').next() {
        Some("bad") => {
            return Err(anyfn::Error::bad_request(format!(
                "schedule {schedule} names no report"
            )))
        }
        Some("io") => Err::<(), _>(std::io::Error::other("the report store is down"))?,
        Some("store") => Err::<(), _>(StoreDown(std::io::Error::other("connection refused")))?,
        Some("panic") => panic!("the job blew up on schedule {schedule}"),
        Some("sleep") => runtime::sleep(context.remaining_time() + Duration::from_secs(5)).await,
        _ => {}
    }
    Ok(Json(json!({"ran": schedule})))
}

/// The timer the handler awaits: tokio's, or the Worker's.
#[cfg(not(target_family = "wasm"))]
mod runtime {
    pub use tokio::time::sleep;
}

#[cfg(target_family = "wasm")]
mod runtime {
    pub use anyfn_cloudflare::sleep;
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/schedule-failures` calls the
/// handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(run)).await
}

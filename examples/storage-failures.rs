//! How an object storage handler's failures look, the same on every runtime
//! (the failure table in the README says what each platform does with
//! them): the first object whose name says how to fail fails the whole
//! event, so the platform notifies it again; an event of other objects
//! succeeds.
//!
//! - an object named `bad` (any folder, any extension: `photos/bad.jpg`)
//!   fails with a 4xx kind (`BadRequest`), naming the object;
//! - `io` fails with `?` on an I/O error (`HandlerError`);
//! - `store` fails with `?` on the function's own error, which has a cause
//!   (`HandlerError`: the thumbnail store is down, because the connection
//!   was refused);
//! - `panic` panics (`Panic`), and the next event is served;
//! - `sleep` outlives the deadline awaiting (`Timeout`);
//! - any other object is processed.
//!
//! On Lambda: S3 notifications. On Azure: a blob trigger (one blob an
//! invocation). Locally: a Cloud Storage CloudEvent, an S3 event file
//! POSTed as it is, or a JSON POST of a `StorageEvent` (a failure answers
//! the error, so the sender retries):
//!
//! ```text
//! cargo run --example storage-failures
//! curl -s http://127.0.0.1:3000/ --json '{"objects":[{"change":"created","bucket":"photos","key":"cat.jpg"},{"change":"created","bucket":"photos","key":"bad.jpg"}]}'
//! ```

use std::time::Duration;

use anyfn::event::StorageEvent;
use anyfn::{handler_fn, Context};

/// The thumbnail store could not be reached: an error with a cause, as a
/// function's own error type (here with `thiserror`) often has.
#[derive(Debug, thiserror::Error)]
#[error("the thumbnail store is down")]
pub struct StoreDown(#[source] pub std::io::Error);

/// An object's name: its key's last segment, without the extension.
fn name_of(key: &str) -> &str {
    let file = key.rsplit('/').next().unwrap_or(key);
    file.split_once('.').map_or(file, |(name, _)| name)
}

/// Processes every object, or fails the event as its first failing object
/// says.
///
/// # Errors
///
/// `BadRequest` for an object named `bad`, `HandlerError` for `io` and for
/// `store` ([`StoreDown`], with its cause), `Timeout` (the adapter's) for
/// `sleep`.
///
/// # Panics
///
/// For an object named `panic`, on purpose: the adapter answers it as
/// `Panic`.
pub async fn process(event: StorageEvent, context: Context) -> Result<(), anyfn::Error> {
    for object in &event.objects {
        match name_of(&object.key) {
            "bad" => {
                return Err(anyfn::Error::bad_request(format!(
                    "object {}/{} is not an image",
                    object.bucket, object.key
                )))
            }
            "io" => Err::<(), _>(std::io::Error::other("the thumbnail store is down"))?,
            "store" => Err::<(), _>(StoreDown(std::io::Error::other("connection refused")))?,
            "panic" => panic!("the processor blew up on object {}", object.key),
            "sleep" => runtime::sleep(context.remaining_time() + Duration::from_secs(5)).await,
            _ => {}
        }
    }
    Ok(())
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
/// Cloudflare Workers, `examples/workers/storage-failures` calls the
/// handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(process)).await
}

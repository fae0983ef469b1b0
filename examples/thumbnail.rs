//! Object storage events: for every object created, plans a thumbnail
//! (`thumbnails/<key>`); deleted objects plan the thumbnail's removal.
//! Answers JSON listing what it would do.
//!
//! On Lambda: S3 notifications (or S3 events through EventBridge). Locally: a
//! CloudEvent `google.cloud.storage.object.v1.finalized` (or
//! `com.amazonaws.s3.object.created`), an S3 event file POSTed as it is
//! (read as on Lambda), or a JSON POST of a `StorageEvent`:
//!
//! ```text
//! cargo run --example thumbnail
//! curl -s http://127.0.0.1:3000/ --json @tests/fixtures/aws/example-s3-event.json
//! curl -s http://127.0.0.1:3000/ --json '{"objects":[{"change":"created","bucket":"photos","key":"cat.jpg","size":2048}]}'
//! ```

use anyfn::event::{ObjectChange, StorageEvent};
use anyfn::{handler_fn, Context, Json};
use serde::Serialize;

/// One planned action.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Plan {
    /// `resize` or `remove`.
    pub action: &'static str,
    /// The bucket.
    pub bucket: String,
    /// The source object's key.
    pub source: String,
    /// The thumbnail's key.
    pub thumbnail: String,
}

/// Plans one thumbnail action per created or deleted object.
pub async fn thumbnail(
    event: StorageEvent,
    _context: Context,
) -> Result<Json<Vec<Plan>>, anyfn::Error> {
    let plans = event
        .objects
        .into_iter()
        .filter(|object| !object.key.starts_with("thumbnails/"))
        .filter_map(|object| {
            let action = match object.change {
                ObjectChange::Created => "resize",
                ObjectChange::Deleted => "remove",
                _ => return None,
            };
            Some(Plan {
                action,
                thumbnail: format!("thumbnails/{}", object.key),
                source: object.key,
                bucket: object.bucket,
            })
        })
        .collect();
    Ok(Json(plans))
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/thumbnail` calls the handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(thumbnail)).await
}

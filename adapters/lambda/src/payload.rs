//! The invocation payload as `lambda_runtime` hands it over: raw JSON, never
//! failing to deserialize, so that a bad payload is reported by anyfn with a
//! clear message (not by the runtime with a Rust type path).

use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// The payload's JSON text, or why it is not JSON.
#[derive(Debug)]
pub(crate) enum Payload {
    Json(Box<RawValue>),
    NotJson(String),
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Box::<RawValue>::deserialize(deserializer) {
            Ok(raw) => Self::Json(raw),
            Err(err) => Self::NotJson(err.to_string()),
        })
    }
}

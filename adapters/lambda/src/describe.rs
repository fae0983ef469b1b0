//! Saying what a payload was, when it is not what a handler expects: the one
//! place the decoders read a payload ([`read`]) and refuse one
//! ([`unexpected`]).

use anyfn::Error;
use serde::Deserialize;

/// Reads `payload` as the shape `T`; if it cannot be read as one, a
/// `BadRequest` saying what was `expected`, why it could not be read, and
/// what the payload is.
pub(crate) fn read<'a, T: Deserialize<'a>>(payload: &'a [u8], expected: &str) -> Result<T, Error> {
    serde_json::from_slice(payload).map_err(|err| {
        Error::bad_request(format!(
            "{expected}; the payload could not be read as one ({err}); found {}",
            describe(payload)
        ))
    })
}

/// A `BadRequest` for a payload that reads, but as none of the shapes
/// `expected`.
pub(crate) fn unexpected(expected: &str, payload: &[u8]) -> Error {
    Error::bad_request(format!("{expected}; found {}", describe(payload)))
}

/// A short description of a payload: its JSON type and, for an object, its keys.
pub(crate) fn describe(payload: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(payload) {
        Ok(serde_json::Value::Object(map)) if map.is_empty() => "an empty JSON object".to_owned(),
        Ok(serde_json::Value::Object(map)) => {
            let mut keys: Vec<&str> = map.keys().map(String::as_str).take(12).collect();
            if map.len() > keys.len() {
                keys.push("…");
            }
            format!("a JSON object with keys: {}", keys.join(", "))
        }
        Ok(serde_json::Value::Array(_)) => "a JSON array".to_owned(),
        Ok(serde_json::Value::String(_)) => "a JSON string".to_owned(),
        Ok(serde_json::Value::Number(_)) => "a JSON number".to_owned(),
        Ok(serde_json::Value::Bool(_)) => "a JSON boolean".to_owned(),
        Ok(serde_json::Value::Null) => "JSON null".to_owned(),
        Err(err) => format!("a payload that is not JSON ({err})"),
    }
}

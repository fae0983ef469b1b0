//! Saying what a payload was, when it is not what a handler expects: the one
//! place the decoders read a payload ([`read`]) and refuse one
//! ([`unexpected`]).

use anyfn::error::{quoted, shortened};
use anyfn::Error;
use serde::Deserialize;

/// Reads `payload` as the shape `T`; if it cannot be read as one, a
/// `BadRequest` saying what was `expected`, why it could not be read, and
/// what the payload is.
pub(crate) fn read<'a, T: Deserialize<'a>>(payload: &'a [u8], expected: &str) -> Result<T, Error> {
    serde_json::from_slice(payload).map_err(|err| {
        Error::bad_request(format!(
            "{expected}; the payload could not be read as one ({}); found {}",
            shortened(&err.to_string()),
            describe(payload)
        ))
    })
}

/// A `BadRequest` for a payload that reads, but as none of the shapes
/// `expected`.
pub(crate) fn unexpected(expected: &str, payload: &[u8]) -> Error {
    Error::bad_request(format!("{expected}; found {}", describe(payload)))
}

/// A short description of a payload: its JSON type and, for an object, its
/// first keys (each [`quoted`] when it is long or holds a control
/// character).
pub(crate) fn describe(payload: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(payload) {
        Ok(serde_json::Value::Object(map)) if map.is_empty() => "an empty JSON object".to_owned(),
        Ok(serde_json::Value::Object(map)) => {
            let mut keys: Vec<String> = map.keys().take(12).map(|key| shown_key(key)).collect();
            if map.len() > keys.len() {
                keys.push("…".to_owned());
            }
            format!("a JSON object with keys: {}", keys.join(", "))
        }
        Ok(serde_json::Value::Array(_)) => "a JSON array".to_owned(),
        Ok(serde_json::Value::String(_)) => "a JSON string".to_owned(),
        Ok(serde_json::Value::Number(_)) => "a JSON number".to_owned(),
        Ok(serde_json::Value::Bool(_)) => "a JSON boolean".to_owned(),
        Ok(serde_json::Value::Null) => "JSON null".to_owned(),
        Err(err) => format!(
            "a payload that is not JSON ({})",
            shortened(&err.to_string())
        ),
    }
}

/// A key as [`describe`] lists it: as it is when short and plain (as
/// nearly all are), else [`quoted`].
fn shown_key(key: &str) -> String {
    if key.len() <= 64 && !key.contains(|c: char| c.is_control() || c == ',') {
        key.to_owned()
    } else {
        quoted(key).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{describe, read};

    /// A payload's keys and a parser's message (which quotes the value it
    /// refused) came back whole: a 1 MB key made a 1 MB error.
    #[test]
    fn regression_long_keys_and_values_are_shown_bounded() {
        let key = "k".repeat(1 << 20);
        let payload = format!(r#"{{"{key}": 1, "b": 2}}"#);
        let described = describe(payload.as_bytes());
        assert!(described.len() < 400, "{} bytes", described.len());
        assert!(
            described.starts_with("a JSON object with keys: b, \"kkk"),
            "{described}"
        );
        assert!(described.contains("(1048576 bytes)"), "{described}");

        let value = "v".repeat(1 << 20);
        let payload = format!(r#"{{"n": "{value}"}}"#);
        #[derive(Debug, serde::Deserialize)]
        struct Count {
            #[allow(dead_code)]
            n: u64,
        }
        let err = read::<Count>(payload.as_bytes(), "expected a count").unwrap_err();
        assert!(err.message().len() < 800, "{} bytes", err.message().len());
        assert!(
            err.message().ends_with("found a JSON object with keys: n"),
            "{err}"
        );
    }
}

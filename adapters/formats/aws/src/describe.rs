//! Saying what a payload was, when it is not what a decoder expects: the one
//! place the decoders read a payload ([`read_payload`]) and refuse one
//! ([`unexpected_payload`]).

use anyfn::error::{quoted, shortened};
use anyfn::Error;
use serde::Deserialize;

/// Reads `payload` as the shape `T`; if it cannot be read as one, a
/// `BadRequest` saying what was `expected`, why it could not be read, and
/// what the payload is ([`describe_payload`]).
///
/// # Errors
///
/// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest):
/// "`{expected}`; the payload could not be read as one (`{why}`); found
/// `{what}`", the parser's message and the description bounded.
///
/// # Example
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Count {
///     n: u64,
/// }
///
/// let count: Count = anyfn_formats_aws::read_payload(br#"{"n": 3}"#, "expected a count")?;
/// assert_eq!(count.n, 3);
///
/// let err = anyfn_formats_aws::read_payload::<Count>(br#"{"n": "three"}"#, "expected a count")
///     .err()
///     .expect("not a count");
/// assert!(err.is_bad_request());
/// assert!(err.message().starts_with("expected a count; the payload could not be read as one ("));
/// assert!(err.message().ends_with("); found a JSON object with keys: n"));
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn read_payload<'a, T: Deserialize<'a>>(payload: &'a [u8], expected: &str) -> Result<T, Error> {
    serde_json::from_slice(payload).map_err(|err| {
        Error::bad_request(format!(
            "{expected}; the payload could not be read as one ({}); found {}",
            shortened(&err.to_string()),
            describe_payload(payload)
        ))
    })
}

/// A `BadRequest` for a payload that reads, but as none of the shapes
/// `expected`: "`{expected}`; found `{what}`" ([`describe_payload`]).
///
/// # Example
///
/// ```
/// let err = anyfn_formats_aws::unexpected_payload("expected an S3 notification", b"[1, 2]");
/// assert!(err.is_bad_request());
/// assert_eq!(err.message(), "expected an S3 notification; found a JSON array");
/// ```
pub fn unexpected_payload(expected: &str, payload: &[u8]) -> Error {
    Error::bad_request(format!("{expected}; found {}", describe_payload(payload)))
}

/// A short description of a payload: its JSON type and, for an object, its
/// first twelve keys (each [`quoted`] when it is long or holds a control
/// character or a comma).
///
/// # Example
///
/// ```
/// use anyfn_formats_aws::describe_payload;
///
/// assert_eq!(describe_payload(br#"{"Records": [], "x": 1}"#), "a JSON object with keys: Records, x");
/// assert_eq!(describe_payload(b"{}"), "an empty JSON object");
/// assert_eq!(describe_payload(b"null"), "JSON null");
/// assert!(describe_payload(b"<xml/>").starts_with("a payload that is not JSON ("));
/// ```
pub fn describe_payload(payload: &[u8]) -> String {
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

/// A key as [`describe_payload`] lists it: as it is when short and plain (as
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
    use super::{describe_payload, read_payload};

    /// A payload's keys and a parser's message (which quotes the value it
    /// refused) came back whole: a 1 MB key made a 1 MB error.
    #[test]
    fn regression_long_keys_and_values_are_shown_bounded() {
        let key = "k".repeat(1 << 20);
        let payload = format!(r#"{{"{key}": 1, "b": 2}}"#);
        let described = describe_payload(payload.as_bytes());
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
        let err = read_payload::<Count>(payload.as_bytes(), "expected a count").unwrap_err();
        assert!(err.message().len() < 800, "{} bytes", err.message().len());
        assert!(
            err.message().ends_with("found a JSON object with keys: n"),
            "{err}"
        );
    }

    #[test]
    fn more_than_twelve_keys_end_with_an_ellipsis() {
        let keys: Vec<String> = (0..13).map(|n| format!(r#""k{n:02}": {n}"#)).collect();
        let payload = format!("{{{}}}", keys.join(","));
        let described = describe_payload(payload.as_bytes());
        assert!(described.ends_with("k10, k11, …"), "{described}");
        assert!(!described.contains("k12"), "{described}");
    }
}

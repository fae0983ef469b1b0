//! Reading values the way the Functions host writes them.
//!
//! The host serializes a binding value it cannot turn into a JSON object
//! with `JsonConvert.SerializeObject`: a string arrives as a JSON string
//! literal inside a string (`"\"abc\""`), a number or a boolean as its text
//! (`"4"`, `"true"`), bytes as base64, a `DateTime` as ISO 8601 text. Keys
//! keep the case the trigger gave them (`DequeueCount`, `dequeueCount`).
//! Every reader here accepts both the plain and the encoded form.

use std::borrow::Cow;
use std::time::SystemTime;

use serde_json::{Map, Value};

/// The value under `key`, compared without case (an exact match first).
pub(crate) fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value)
    })
}

/// The first of `keys` present (see [`get`]), skipping `null`s.
pub(crate) fn get_any<'a>(map: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter()
        .filter_map(|key| get(map, key))
        .find(|value| !value.is_null())
}

/// A string value, a JSON string literal inside a string taken out of it.
/// Numbers and booleans give their text; objects, arrays and `null` none.
pub(crate) fn text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(text) => Some(unquote(text)),
        Value::Number(number) => Some(Cow::Owned(number.to_string())),
        Value::Bool(flag) => Some(Cow::Borrowed(if *flag { "true" } else { "false" })),
        _ => None,
    }
}

/// `text.trim()`, told at once for the usual text that starts and ends
/// with a visible ASCII character (`str::trim` decodes a character at
/// each end and asks Unicode whether it is whitespace).
#[inline]
pub(crate) fn trimmed(text: &str) -> &str {
    let visible = |byte: &u8| *byte > b' ' && *byte < 0x7f;
    let bytes = text.as_bytes();
    if bytes.first().is_some_and(visible) && bytes.last().is_some_and(visible) {
        text
    } else {
        text.trim()
    }
}

/// `text` without the quotes when it is a JSON string literal.
pub(crate) fn unquote(text: &str) -> Cow<'_, str> {
    // The usual text starts with a visible ASCII character other than a
    // quote: it is no literal, whatever follows (no whitespace to trim
    // before it).
    if text
        .as_bytes()
        .first()
        .is_some_and(|&first| first > b' ' && first < 0x7f && first != b'"')
    {
        return Cow::Borrowed(text);
    }
    let trimmed = text.trim();
    if trimmed.len() >= 2 && trimmed.starts_with('"') && trimmed.ends_with('"') {
        if let Ok(inner) = serde_json::from_str::<String>(trimmed) {
            return Cow::Owned(inner);
        }
    }
    Cow::Borrowed(text)
}

/// A JSON object or array, also when it arrives as JSON text in a string
/// (once or twice encoded).
pub(crate) fn structured(value: &Value) -> Option<Cow<'_, Value>> {
    match value {
        Value::Object(_) | Value::Array(_) => Some(Cow::Borrowed(value)),
        Value::String(text) => {
            let inner = unquote(text);
            let parsed: Value = serde_json::from_str(inner.trim()).ok()?;
            match parsed {
                Value::Object(_) | Value::Array(_) => Some(Cow::Owned(parsed)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// An object (see [`structured`]).
pub(crate) fn object(value: &Value) -> Option<Cow<'_, Map<String, Value>>> {
    match structured(value)? {
        Cow::Borrowed(Value::Object(map)) => Some(Cow::Borrowed(map)),
        Cow::Owned(Value::Object(map)) => Some(Cow::Owned(map)),
        _ => None,
    }
}

/// A whole number, from a number or its text.
pub(crate) fn unsigned(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        }),
        _ => text(value)?.trim().parse().ok(),
    }
}

/// A boolean, from a boolean or its text (any case).
pub(crate) fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        _ => {
            let text = text(value)?;
            let text = text.trim();
            if text.eq_ignore_ascii_case("true") {
                Some(true)
            } else if text.eq_ignore_ascii_case("false") {
                Some(false)
            } else {
                None
            }
        }
    }
}

/// A time: RFC 3339, or .NET's ISO 8601 without an offset (taken as UTC),
/// with up to seven fractional digits.
pub(crate) fn time(value: &Value) -> Option<SystemTime> {
    let text = text(value)?;
    let text = text.trim();
    anyfn::time::parse_rfc3339(text).ok().or_else(|| {
        let has_offset = text.len() > 19
            && (text.ends_with(['Z', 'z'])
                || text.get(19..).is_some_and(|rest| rest.contains(['+', '-'])));
        if has_offset {
            None
        } else {
            anyfn::time::parse_rfc3339(&format!("{text}Z")).ok()
        }
    })
}

/// Bytes: a JSON array of numbers 0–255, or base64 text.
pub(crate) fn base64_or_array(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_u64().and_then(|n| u8::try_from(n).ok()))
            .collect(),
        Value::String(_) => {
            let text = text(value)?;
            anyfn::Body::from_base64(text.trim())
                .ok()
                .map(|body| body.into_bytes().to_vec())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use serde_json::json;

    use super::*;

    /// `trimmed` is `str::trim`: its shortcut for visible ASCII at both
    /// ends, and the rest by `trim` itself.
    #[test]
    fn trimmed_is_trim() {
        for text in [
            "",
            " ",
            "GET",
            " GET",
            "GET\t",
            "\u{a0}GET",
            "GET\u{2003}",
            "\u{85}x\u{85}",
            "é",
            "xé",
            "éx",
            "x\u{7f}",
            "\u{7f}x",
            "a b",
            "\n0f8fad5b-d9cb-469f-a165-70867728950e\r\n",
            "http://127.0.0.1/?name=Ada",
        ] {
            assert_eq!(trimmed(text), text.trim(), "{text:?}");
        }
        for byte in 0..=u8::MAX {
            let text = char::from(byte).to_string();
            for text in [text.clone(), format!("x{text}"), format!("{text}x")] {
                assert_eq!(trimmed(&text), text.trim(), "{text:?}");
            }
        }
    }

    #[test]
    fn strings_double_encoded_or_not() {
        assert_eq!(text(&json!("\"abc\"")).as_deref(), Some("abc"));
        assert_eq!(text(&json!("abc")).as_deref(), Some("abc"));
        assert_eq!(text(&json!("\"a\\\"b\"")).as_deref(), Some("a\"b"));
        assert_eq!(
            text(&json!("\"unterminated")).as_deref(),
            Some("\"unterminated")
        );
        assert_eq!(text(&json!(4)).as_deref(), Some("4"));
        assert_eq!(text(&json!(null)), None);
    }

    #[test]
    fn numbers_and_booleans_as_text() {
        assert_eq!(unsigned(&json!("4")), Some(4));
        assert_eq!(unsigned(&json!("\"4\"")), Some(4));
        assert_eq!(unsigned(&json!(4)), Some(4));
        assert_eq!(unsigned(&json!(4.0)), Some(4));
        assert_eq!(unsigned(&json!(-1)), None);
        assert_eq!(unsigned(&json!("four")), None);
        assert_eq!(boolean(&json!("True")), Some(true));
        assert_eq!(boolean(&json!("\"false\"")), Some(false));
        assert_eq!(boolean(&json!(true)), Some(true));
        assert_eq!(boolean(&json!("yes")), None);
    }

    #[test]
    fn keys_in_any_case() {
        let map = json!({"dequeueCount": 2, "Id": "x"});
        let map = map.as_object().expect("an object");
        assert_eq!(get(map, "DequeueCount"), Some(&json!(2)));
        assert_eq!(get_any(map, &["MessageId", "id"]), Some(&json!("x")));
        assert_eq!(get(map, "missing"), None);
    }

    #[test]
    fn objects_in_strings() {
        let value = json!("{\"a\":1}");
        assert_eq!(structured(&value).as_deref(), Some(&json!({"a": 1})));
        let twice = json!("\"{\\\"a\\\":1}\"");
        assert_eq!(object(&twice).map(|map| map.len()), Some(1));
        assert!(structured(&json!("plain")).is_none());
    }

    #[test]
    fn times_with_and_without_offsets() {
        let expected = UNIX_EPOCH + Duration::from_secs(1_570_643_911);
        assert_eq!(time(&json!("2019-10-09T17:58:31+00:00")), Some(expected));
        assert_eq!(time(&json!("2019-10-09T17:58:31")), Some(expected));
        assert_eq!(time(&json!("\"2019-10-09T17:58:31Z\"")), Some(expected));
        assert_eq!(
            time(&json!("2019-10-09T17:58:31.2205399Z")),
            Some(expected + Duration::from_nanos(220_539_900))
        );
        assert_eq!(time(&json!("soon")), None);
    }

    #[test]
    fn bytes_as_base64_or_numbers() {
        assert_eq!(
            base64_or_array(&json!("3q2+7w==")),
            Some(vec![0xde, 0xad, 0xbe, 0xef])
        );
        assert_eq!(base64_or_array(&json!([1, 2, 255])), Some(vec![1, 2, 255]));
        assert_eq!(base64_or_array(&json!([256])), None);
        assert_eq!(base64_or_array(&json!("not base64!")), None);
    }
}

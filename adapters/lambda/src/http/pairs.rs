//! JSON objects read as ordered `(key, value)` lists: no hashing, order kept,
//! `null` objects read as empty.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use anyfn::http::header::{HeaderName, HeaderValue};
use anyfn::http::HeaderMap;
use bytes::Bytes;
use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON object as its `(key, value)` pairs, in document order.
#[derive(Debug)]
pub(crate) struct Pairs<T>(pub(crate) Vec<(String, T)>);

impl<T> Default for Pairs<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Pairs<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for PairsVisitor<T> {
            type Value = Pairs<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object or null")
            }

            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Pairs::default())
            }

            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Pairs::default())
            }

            fn visit_some<D: Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Self::Value, D::Error> {
                deserializer.deserialize_map(self)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(entry) = map.next_entry::<String, T>()? {
                    pairs.push(entry);
                }
                Ok(Pairs(pairs))
            }
        }

        deserializer.deserialize_option(PairsVisitor(PhantomData))
    }
}

/// A value that may be a string or a list of strings, `null` meaning none;
/// payload maps use both.
#[derive(Debug, Default)]
pub(crate) struct Values(pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValuesVisitor;

        impl<'de> Visitor<'de> for ValuesVisitor {
            type Value = Values;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a list of strings, or null")
            }

            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Values::default())
            }

            fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
                Ok(Values(vec![value.to_owned()]))
            }

            fn visit_string<E>(self, value: String) -> Result<Self::Value, E> {
                Ok(Values(vec![value]))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(1));
                while let Some(value) = seq.next_element::<Option<String>>()? {
                    values.extend(value);
                }
                Ok(Values(values))
            }
        }

        deserializer.deserialize_any(ValuesVisitor)
    }
}

/// A JSON object (or `null`) kept as its text within the payload, read only
/// if the shape uses it: REST events carry headers and query parameters twice
/// (single- and multi-value), and only one copy is needed.
#[derive(Debug, Default)]
pub(crate) struct LazyObject<'a>(Option<&'a str>);

impl<'de: 'a, 'a> Deserialize<'de> for LazyObject<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Option::<&'a serde_json::value::RawValue>::deserialize(deserializer)?;
        Ok(Self(raw.map(serde_json::value::RawValue::get)))
    }
}

impl<'a> LazyObject<'a> {
    /// The value whose text is `text` (valid JSON, not `null`).
    pub(crate) fn from_text(text: &'a str) -> Self {
        Self(Some(text))
    }

    /// Whether the object is absent, `null` or `{}`.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none_or(|text| {
            text == "null"
                || text
                    .strip_prefix('{')
                    .and_then(|inner| inner.strip_suffix('}'))
                    .is_some_and(|inner| inner.trim().is_empty())
        })
    }

    /// The object's pairs, each value read as a `T`.
    pub(crate) fn pairs<T: serde::de::DeserializeOwned>(
        &self,
    ) -> Result<Pairs<T>, serde_json::Error> {
        match self.0 {
            None => Ok(Pairs::default()),
            Some(text) => serde_json::from_str(text),
        }
    }

    /// The object read straight into a `HeaderMap`: names borrowed from the
    /// payload where they need no unescaping, every value of every name kept.
    /// A value without escapes is a slice of `payload` (the bytes this
    /// object was read from, when the caller has them shared), not a copy.
    pub(crate) fn header_map(
        &self,
        payload: Option<&Bytes>,
    ) -> Result<HeaderMap, serde_json::Error> {
        let Some(text) = self.0 else {
            return Ok(HeaderMap::new());
        };
        if let Some(headers) = flat_header_map(text, payload) {
            return Ok(headers);
        }
        let mut deserializer = serde_json::Deserializer::from_str(text);
        deserializer.deserialize_option(HeaderMapVisitor { payload })
    }
}

/// The headers of `text`, an object (already known to be valid JSON) whose
/// values are strings or lists of strings, read without serde's machinery:
/// the map [`HeaderMapVisitor`] would make from it. `None` for anything
/// else (`null`, a value of another type, an escape other than `\"`, `\\`,
/// `\/` and `\t`, a name or value http refuses, too many names), which the
/// visitor then reads, and refuses with its errors.
fn flat_header_map(text: &str, payload: Option<&Bytes>) -> Option<HeaderMap> {
    let mut reader = Flat { text, at: 0 };
    if !reader.eat(b'{') {
        return None;
    }
    let mut headers = HeaderMap::with_capacity(16);
    if !reader.eat(b'}') {
        loop {
            let name = header_name(&reader.string()?).ok()?;
            if !reader.eat(b':') {
                return None;
            }
            if reader.eat(b'[') {
                if !reader.eat(b']') {
                    loop {
                        let value = header_value(payload, &reader.string()?)?;
                        headers.try_append(name.clone(), value).ok()?;
                        if reader.eat(b']') {
                            break;
                        }
                        if !reader.eat(b',') {
                            return None;
                        }
                    }
                }
            } else {
                let value = header_value(payload, &reader.string()?)?;
                headers.try_append(name, value).ok()?;
            }
            if reader.eat(b'}') {
                break;
            }
            if !reader.eat(b',') {
                return None;
            }
        }
    }
    reader.skip_whitespace();
    (reader.at == text.len()).then_some(headers)
}

/// A reader of [`flat_header_map`]'s objects.
struct Flat<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Flat<'t> {
    fn skip_whitespace(&mut self) {
        while matches!(
            self.text.as_bytes().get(self.at),
            Some(b' ' | b'\t' | b'\n' | b'\r')
        ) {
            self.at += 1;
        }
    }

    /// Whether `byte` comes next (after whitespace); if so, it is read.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let next = self.text.as_bytes().get(self.at) == Some(&byte);
        self.at += usize::from(next);
        next
    }

    /// The string that comes next: borrowed when it has no escapes.
    fn string(&mut self) -> Option<Cow<'t, str>> {
        if !self.eat(b'"') {
            return None;
        }
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut end = start + to_quote_or_backslash(bytes.get(start..)?);
        if bytes.get(end) == Some(&b'"') {
            self.at = end + 1;
            return Some(Cow::Borrowed(self.text.get(start..end)?));
        }
        let mut unescaped = String::with_capacity(end - start + 16);
        let mut from = start;
        loop {
            unescaped.push_str(self.text.get(from..end)?);
            match bytes.get(end)? {
                b'"' => {
                    self.at = end + 1;
                    return Some(Cow::Owned(unescaped));
                }
                _ => {
                    unescaped.push(match bytes.get(end + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b't' => '\t',
                        _ => return None,
                    });
                    from = end + 2;
                    end = from + to_quote_or_backslash(bytes.get(from..)?);
                }
            }
        }
    }
}

/// How many bytes of `bytes` come before the first `"` or `\\` (all of
/// them when there is none), eight at a time.
fn to_quote_or_backslash(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    let mut chunks = bytes.chunks_exact(8);
    let mut seen = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let found =
            (quote.wrapping_sub(ONES) & !quote | backslash.wrapping_sub(ONES) & !backslash) & HIGH;
        if found != 0 {
            return seen + found.trailing_zeros() as usize / 8;
        }
        seen += 8;
    }
    seen + chunks
        .remainder()
        .iter()
        .position(|&byte| byte == b'"' || byte == b'\\')
        .unwrap_or(chunks.remainder().len())
}

/// `text` as a header value: a slice of the payload when it lies within it,
/// else a copy; `None` when http refuses it. Both ways take the value's
/// bytes, which may be above ASCII (RFC 9110's obs-text, as hyper takes
/// them off the wire): http's `from_str` refuses those since http 1.6.
pub(super) fn header_value(payload: Option<&Bytes>, text: &str) -> Option<HeaderValue> {
    match shared(payload, text) {
        Some(bytes) => HeaderValue::from_maybe_shared(bytes),
        None => HeaderValue::from_bytes(text.as_bytes()),
    }
    .ok()
}

/// A string, borrowed from the input when it has no escapes.
#[derive(Debug)]
pub(crate) struct Text<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor<'a>(PhantomData<&'a str>);

        impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
            type Value = Text<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(value)))
            }

            fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(value.to_owned())))
            }

            fn visit_string<E>(self, value: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(value)))
            }
        }

        deserializer.deserialize_str(TextVisitor(PhantomData))
    }
}

/// The most names an [`HeaderMap`] holds (three quarters of its 32,768
/// slots): past it, `HeaderMap::append` panics.
const MAX_HEADER_NAMES: usize = 24_576;

struct HeaderMapVisitor<'p> {
    /// The bytes the object's text lies in, when shared.
    payload: Option<&'p Bytes>,
}

/// `text` as a slice of `payload`, when it lies within it.
fn shared(payload: Option<&Bytes>, text: &str) -> Option<Bytes> {
    let payload = payload?;
    let start = (text.as_ptr() as usize).checked_sub(payload.as_ptr() as usize)?;
    let end = start.checked_add(text.len())?;
    (end <= payload.len()).then(|| payload.slice(start..end))
}

impl<'de> Visitor<'de> for HeaderMapVisitor<'_> {
    type Value = HeaderMap;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of headers, or null")
    }

    fn visit_unit<E>(self) -> Result<HeaderMap, E> {
        Ok(HeaderMap::new())
    }

    fn visit_none<E>(self) -> Result<HeaderMap, E> {
        Ok(HeaderMap::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<HeaderMap, D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HeaderMap, A::Error> {
        // A hint past what a map holds would panic `with_capacity`.
        let capacity = map.size_hint().unwrap_or(16).min(MAX_HEADER_NAMES);
        let mut headers = HeaderMap::with_capacity(capacity);
        while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
            let name = header_name(&name).map_err(|_| {
                serde::de::Error::custom(format_args!("header name {name:?} is not valid"))
            })?;
            map.next_value_seed(HeaderValues {
                headers: &mut headers,
                name,
                payload: self.payload,
            })?;
        }
        Ok(headers)
    }
}

/// `name` as a header name; the common ones, those http has a constant for
/// and those it has none for (sent by browsers, API Gateway and
/// CloudFront), without a table walk or an allocation each.
pub(super) fn header_name(
    name: &str,
) -> Result<HeaderName, anyfn::http::header::InvalidHeaderName> {
    let bytes = name.as_bytes();
    let mut buffer = [0; LONGEST_KNOWN];
    if let Some(lower) = buffer.get_mut(..bytes.len()) {
        for (to, from) in lower.iter_mut().zip(bytes) {
            *to = from.to_ascii_lowercase();
        }
        if let Some(known) = standard_lower(lower).or_else(|| known_lower(lower)) {
            return Ok(known);
        }
    }
    HeaderName::from_bytes(bytes)
}

/// The standard names requests carry most, given in lower case: http's
/// constants, which `HeaderName::from_bytes` makes of them too.
fn standard_lower(lower: &[u8]) -> Option<HeaderName> {
    use anyfn::http::header;
    Some(match lower {
        b"accept" => header::ACCEPT,
        b"accept-encoding" => header::ACCEPT_ENCODING,
        b"accept-language" => header::ACCEPT_LANGUAGE,
        b"authorization" => header::AUTHORIZATION,
        b"cache-control" => header::CACHE_CONTROL,
        b"connection" => header::CONNECTION,
        b"content-length" => header::CONTENT_LENGTH,
        b"content-type" => header::CONTENT_TYPE,
        b"cookie" => header::COOKIE,
        b"forwarded" => header::FORWARDED,
        b"host" => header::HOST,
        b"if-modified-since" => header::IF_MODIFIED_SINCE,
        b"if-none-match" => header::IF_NONE_MATCH,
        b"origin" => header::ORIGIN,
        b"pragma" => header::PRAGMA,
        b"referer" => header::REFERER,
        b"upgrade-insecure-requests" => header::UPGRADE_INSECURE_REQUESTS,
        b"user-agent" => header::USER_AGENT,
        b"via" => header::VIA,
        _ => return None,
    })
}

/// One of [`KNOWN`], whatever the case `name` is sent in: lowered once
/// into a buffer on the stack and matched whole.
#[cfg(test)]
fn known_name(name: &str) -> Option<HeaderName> {
    let bytes = name.as_bytes();
    let mut buffer = [0; LONGEST_KNOWN];
    let lower = buffer.get_mut(..bytes.len())?;
    for (to, from) in lower.iter_mut().zip(bytes) {
        *to = from.to_ascii_lowercase();
    }
    known_lower(lower)
}

/// One of [`KNOWN`], given in lower case.
fn known_lower(lower: &[u8]) -> Option<HeaderName> {
    let first = *lower.first()?;
    if !matches!(first, b's' | b'x' | b'c') {
        return None;
    }
    let index = match lower {
        b"sec-ch-ua" => 0,
        b"sec-ch-ua-mobile" => 1,
        b"sec-ch-ua-platform" => 2,
        b"sec-fetch-dest" => 3,
        b"sec-fetch-mode" => 4,
        b"sec-fetch-site" => 5,
        b"sec-fetch-user" => 6,
        b"x-forwarded-for" => 7,
        b"x-forwarded-port" => 8,
        b"x-forwarded-proto" => 9,
        b"x-amzn-trace-id" => 10,
        b"x-amz-cf-id" => 11,
        b"x-request-id" => 12,
        b"x-api-key" => 13,
        b"cloudfront-forwarded-proto" => 14,
        b"cloudfront-is-desktop-viewer" => 15,
        b"cloudfront-is-mobile-viewer" => 16,
        b"cloudfront-is-smarttv-viewer" => 17,
        b"cloudfront-is-tablet-viewer" => 18,
        b"cloudfront-viewer-country" => 19,
        _ => return None,
    };
    KNOWN.get(index).cloned()
}

/// The longest name in [`KNOWN`].
const LONGEST_KNOWN: usize = 28;

/// Browsers' fetch metadata and client hints; what load balancers, API
/// Gateway and CloudFront add; CloudFront's viewer headers (API Gateway's
/// edge endpoints send them). In [`known_name`]'s order.
static KNOWN: [HeaderName; 20] = [
    HeaderName::from_static("sec-ch-ua"),
    HeaderName::from_static("sec-ch-ua-mobile"),
    HeaderName::from_static("sec-ch-ua-platform"),
    HeaderName::from_static("sec-fetch-dest"),
    HeaderName::from_static("sec-fetch-mode"),
    HeaderName::from_static("sec-fetch-site"),
    HeaderName::from_static("sec-fetch-user"),
    HeaderName::from_static("x-forwarded-for"),
    HeaderName::from_static("x-forwarded-port"),
    HeaderName::from_static("x-forwarded-proto"),
    HeaderName::from_static("x-amzn-trace-id"),
    HeaderName::from_static("x-amz-cf-id"),
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("x-api-key"),
    HeaderName::from_static("cloudfront-forwarded-proto"),
    HeaderName::from_static("cloudfront-is-desktop-viewer"),
    HeaderName::from_static("cloudfront-is-mobile-viewer"),
    HeaderName::from_static("cloudfront-is-smarttv-viewer"),
    HeaderName::from_static("cloudfront-is-tablet-viewer"),
    HeaderName::from_static("cloudfront-viewer-country"),
];

/// The value(s) of one header, appended to the map as they are read.
struct HeaderValues<'m, 'p> {
    headers: &'m mut HeaderMap,
    name: HeaderName,
    payload: Option<&'p Bytes>,
}

impl HeaderValues<'_, '_> {
    /// Appends `value` under `name`, or fails past [`MAX_HEADER_NAMES`]
    /// names (where `HeaderMap::append` would panic).
    fn append<E: serde::de::Error>(
        headers: &mut HeaderMap,
        name: HeaderName,
        value: HeaderValue,
    ) -> Result<(), E> {
        headers.try_append(name, value).map(drop).map_err(|_| {
            E::custom(format_args!(
                "too many header names (limit {MAX_HEADER_NAMES})"
            ))
        })
    }

    /// `text` as a value: a slice of the payload when it lies within it,
    /// else a copy (the same bytes are accepted either way, as
    /// [`header_value`] takes them).
    fn value<E: serde::de::Error>(&self, text: &str) -> Result<HeaderValue, E> {
        match shared(self.payload, text) {
            Some(bytes) => HeaderValue::from_maybe_shared(bytes),
            None => HeaderValue::from_bytes(text.as_bytes()),
        }
        .map_err(|_| {
            E::custom(format_args!(
                "header {:?} has a value that is not valid",
                self.name.as_str()
            ))
        })
    }
}

impl<'de> DeserializeSeed<'de> for HeaderValues<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for HeaderValues<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a list of strings, or null")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<(), E> {
        let value = self.value(text)?;
        Self::append(self.headers, self.name, value)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // Clone the name for all values but the last, which takes it.
        let mut pending: Option<HeaderValue> = None;
        while let Some(text) = seq.next_element::<Option<Text<'de>>>()? {
            let Some(Text(text)) = text else { continue };
            if let Some(previous) = pending.replace(self.value(&text)?) {
                Self::append(self.headers, self.name.clone(), previous)?;
            }
        }
        match pending {
            Some(last) => Self::append(self.headers, self.name, last),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use anyfn::{Context, Request};
    use serde_json::{json, Value};

    use super::*;
    use crate::FromLambda;

    /// `{"x-0": "v", …}` with `count` names.
    fn names(count: usize) -> Value {
        Value::Object((0..count).map(|n| (format!("x-{n}"), json!("v"))).collect())
    }

    fn header_map(object: &Value) -> Result<HeaderMap, String> {
        let text = object.to_string();
        let lazy: LazyObject<'_> = serde_json::from_str(&text).map_err(|err| err.to_string())?;
        lazy.header_map(None).map_err(|err| err.to_string())
    }

    /// `HeaderMap::append` panics past [`MAX_HEADER_NAMES`] names (and
    /// `HeaderMap::with_capacity` past its 32,768 slots): an event with
    /// more names than that panicked the decoder instead of being a bad
    /// request.
    #[test]
    fn regression_header_names_past_what_a_header_map_holds_are_an_error() {
        let full = header_map(&names(MAX_HEADER_NAMES)).expect("as many as a HeaderMap holds");
        assert_eq!(full.keys_len(), MAX_HEADER_NAMES);
        for count in [MAX_HEADER_NAMES + 1, 30_000] {
            let err = header_map(&names(count)).expect_err("too many names");
            assert!(
                err.starts_with("too many header names (limit 24576)"),
                "{count}: {err}"
            );
        }
        // Names whose values are lists, as in multiValueHeaders.
        let lists = Value::Object(
            (0..30_000)
                .map(|n| (format!("x-{n}"), json!(["a", "b"])))
                .collect(),
        );
        let err = header_map(&lists).expect_err("too many names");
        assert!(err.starts_with("too many header names"), "{err}");
    }

    /// The known names are the names `HeaderName::from_bytes` makes, in any
    /// case; others are left to it.
    #[test]
    fn known_header_names_are_the_parsed_names() {
        assert_eq!(
            KNOWN.iter().map(|known| known.as_str().len()).max(),
            Some(LONGEST_KNOWN)
        );
        for known in &KNOWN {
            let lower = known.as_str();
            let upper = lower.to_ascii_uppercase();
            let title: String = lower
                .split('-')
                .map(|part| part[..1].to_ascii_uppercase() + &part[1..])
                .collect::<Vec<_>>()
                .join("-");
            for sent in [lower, upper.as_str(), title.as_str()] {
                let name = header_name(sent).expect("valid");
                assert_eq!(
                    name,
                    HeaderName::from_bytes(sent.as_bytes()).expect("valid")
                );
                assert_eq!(name.as_str(), lower);
            }
        }
        for standard in [
            "accept",
            "accept-encoding",
            "accept-language",
            "authorization",
            "cache-control",
            "connection",
            "content-length",
            "content-type",
            "cookie",
            "forwarded",
            "host",
            "if-modified-since",
            "if-none-match",
            "origin",
            "pragma",
            "referer",
            "upgrade-insecure-requests",
            "user-agent",
            "via",
        ] {
            let name = standard_lower(standard.as_bytes()).expect("standard");
            assert_eq!(name.as_str(), standard);
            assert_eq!(
                name,
                HeaderName::from_bytes(standard.as_bytes()).expect("valid")
            );
            let upper = standard.to_ascii_uppercase();
            assert_eq!(header_name(&upper).expect("valid"), name);
        }
        assert!(standard_lower(b"Accept").is_none());
        assert!(header_name("").is_err());
        assert_eq!(known_name("Sec-Ch-Ua-X"), None);
        assert_eq!(known_name("cloudfront-is-smarttv-viewer-"), None);
        assert_eq!(known_name("Cache-Control"), None);
        assert_eq!(known_name(""), None);
        assert!(header_name("x-forwarded-for ").is_err());
        let mut map = HeaderMap::new();
        map.insert(
            header_name("X-Forwarded-For").expect("valid"),
            HeaderValue::from_static("1"),
        );
        assert_eq!(map["x-forwarded-for"], "1");
    }

    /// The serde visitor's map of `text`.
    fn visited(text: &str) -> Result<HeaderMap, String> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        deserializer
            .deserialize_option(HeaderMapVisitor { payload: None })
            .map_err(|err| err.to_string())
    }

    /// The flat reading gives the visitor's map, or leaves the object to it.
    #[test]
    fn flat_headers_read_as_the_visitor_reads_them() {
        let flat = [
            r#"{}"#,
            r#" { } "#,
            r#"{"Accept":"text/html","accept":"*/*","X-Forwarded-For":"1.2.3.4, 5.6.7.8"}"#,
            "{ \"a\" :\t\"1\" ,\n\"b\":\r\"\" }",
            r#"{"Sec-Ch-Ua":"\"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\"","b":"x"}"#,
            r#"{"k":"v\\","e":"\\\\","q":"a\"b\\\"c","s":"a\/b","t":"x\ty"}"#,
            r#"{"list":["a","b"],"empty":[],"one":[ "x" ],"s":"y"}"#,
            r#"{"dup":"1","dup":"2"}"#,
            r#"{"x-amzn-trace-id":"Root=1-5e","CloudFront-Viewer-Country":"DE"}"#,
        ];
        for text in flat {
            let visited = visited(text).unwrap_or_else(|err| panic!("{text}: {err}"));
            let read = flat_header_map(text, None).unwrap_or_else(|| panic!("{text}: not flat"));
            assert_eq!(read, visited, "{text}");
            let mut names: Vec<_> = read.keys().map(HeaderName::as_str).collect();
            names.dedup();
            assert_eq!(
                names,
                visited.keys().map(HeaderName::as_str).collect::<Vec<_>>()
            );
        }
        for text in [
            r#"null"#,
            r#"{"a":null}"#,
            r#"{"a":["x",null]}"#,
            r#"{"a":7}"#,
            r#"{"bad name":"x"}"#,
            r#"{"a":"line\nbreak"}"#,
            r#"{"a":{"b":"c"}}"#,
            r#"[]"#,
            r#"{"ü":"x"}"#,
            r#"{"k\u0041":"v"}"#,
            r#"{"a":"\b"}"#,
        ] {
            assert!(flat_header_map(text, None).is_none(), "{text}");
        }
        // Values are slices of the payload they lie in.
        let payload = Bytes::from_static(br#"{"a":"one","b":"tw\"o"}"#);
        let text = std::str::from_utf8(&payload).expect("UTF-8");
        let read = flat_header_map(text, Some(&payload)).expect("flat");
        assert_eq!(read["a"], "one");
        assert_eq!(read["b"], "tw\"o");
    }

    #[test]
    fn the_first_quote_or_backslash_is_found() {
        let naive = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .unwrap_or(bytes.len())
        };
        for text in [
            "",
            "a",
            "abcdefgh",
            "abcdefg\"",
            "abcdefgh\\",
            "ü€ abcdefgh ijklmnop\"",
            "\"",
            "\\abc",
            "0123456789abcdef0123456\\\"",
            "\u{80}\u{ff}\u{7f}\u{1}zzzzzzzzzzzz\"",
        ] {
            for from in 0..text.len() {
                let bytes = &text.as_bytes()[from..];
                assert_eq!(
                    to_quote_or_backslash(bytes),
                    naive(bytes),
                    "{text:?} from {from}"
                );
            }
        }
    }

    /// The same through the whole decoder: a bad request naming the limit.
    #[test]
    fn regression_an_http_event_with_30000_header_names_is_a_bad_request() {
        let event = json!({
            "version": "2.0",
            "rawPath": "/",
            "rawQueryString": "",
            "headers": names(30_000),
            "requestContext": {"http": {"method": "GET", "path": "/"}},
            "isBase64Encoded": false
        });
        let payload = event.to_string();
        let err = Request::from_lambda(payload.as_bytes(), &mut Context::builder().build())
            .expect_err("too many header names");
        assert!(err.is_bad_request(), "{err}");
        assert!(
            err.message()
                .contains("too many header names (limit 24576)"),
            "{}",
            err.message()
        );
    }

    /// A v2 event whose headers fill the map exactly, and cookies besides:
    /// adding the `Cookie` header panicked.
    #[test]
    fn regression_cookies_past_a_full_header_map_are_a_bad_request() {
        let event = json!({
            "version": "2.0",
            "rawPath": "/",
            "rawQueryString": "",
            "headers": names(24_576),
            "cookies": ["a=1"],
            "requestContext": {"http": {"method": "GET", "path": "/"}},
            "isBase64Encoded": false
        });
        let payload = event.to_string();
        let err = Request::from_lambda(payload.as_bytes(), &mut Context::builder().build())
            .expect_err("no room for the cookies");
        assert!(err.is_bad_request(), "{err}");
        assert!(err.message().contains("too many header names"), "{err}");
    }
}

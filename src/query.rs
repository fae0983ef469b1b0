//! Query strings with every value of every key: [`Query`].

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// A parsed query string: every key with every value, in the order given.
///
/// Parsing follows `application/x-www-form-urlencoded`: `+` is a space and
/// `%XX` is a byte. It never fails: a malformed escape is kept as written, and
/// bytes that are not UTF-8 become U+FFFD.
///
/// Serializes as a JSON object from each key to the array of its values.
///
/// # Example
///
/// ```
/// use anyfn::Query;
///
/// let query = Query::parse("name=Ada+Lovelace&tag=a&tag=b&empty");
/// assert_eq!(query.get("name"), Some("Ada Lovelace"));
/// assert_eq!(query.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(query.get("empty"), Some(""));
/// assert_eq!(query.to_string(), "name=Ada+Lovelace&tag=a&tag=b&empty=");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// An empty query.
    pub const fn new() -> Self {
        Self { pairs: Vec::new() }
    }

    /// Parses a query string, with or without its leading `?`.
    pub fn parse(query: &str) -> Self {
        let query = query.strip_prefix('?').unwrap_or(query);
        // Searched byte by byte: a query is short, and `split('&')` costs
        // more in setting up its searcher and decoding chars than in
        // searching. Slicing at an ASCII byte is slicing at a char boundary.
        let mut pairs = Vec::new();
        let mut rest = query;
        while !rest.is_empty() {
            let end = rest.bytes().position(|b| b == b'&').unwrap_or(rest.len());
            let pair = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or("");
            if pair.is_empty() {
                continue;
            }
            let (key, value) = match pair.bytes().position(|b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, ""),
            };
            pairs.push((decode_component(key), decode_component(value)));
        }
        Self { pairs }
    }

    /// Decodes one `application/x-www-form-urlencoded` component: `+` is a
    /// space, `%XX` a byte; malformed escapes are kept and bytes that are not
    /// UTF-8 become U+FFFD. (S3 sends object keys encoded this way.)
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Query::decode_component("Happy+Face%21.jpg"), "Happy Face!.jpg");
    /// ```
    pub fn decode_component(component: &str) -> String {
        decode_component(component)
    }

    /// Encodes one component as `application/x-www-form-urlencoded`: the
    /// inverse of [`decode_component`](Self::decode_component).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Query::encode_component("Happy Face!.jpg"), "Happy+Face%21.jpg");
    /// ```
    pub fn encode_component(component: &str) -> String {
        struct Component<'a>(&'a str);
        impl fmt::Display for Component<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                encode_component(self.0, f)
            }
        }
        Component(component).to_string()
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every key once, in the order of first appearance.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.pairs
            .iter()
            .enumerate()
            .filter(|(index, (key, _))| !self.pairs[..*index].iter().any(|(k, _)| k == key))
            .map(|(_, (key, _))| key.as_str())
    }

    /// Every `(key, value)` pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Adds a value for `key`, after the existing ones.
    pub fn append(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.pairs.push((key.into(), value.into()));
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Query {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self {
            pairs: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

/// Encodes as `application/x-www-form-urlencoded`, without a leading `?`.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (key, value)) in self.pairs.iter().enumerate() {
            if index > 0 {
                f.write_str("&")?;
            }
            encode_component(key, f)?;
            f.write_str("=")?;
            encode_component(value, f)?;
        }
        Ok(())
    }
}

impl Serialize for Query {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for key in self.keys() {
            map.serialize_entry(key, &self.get_all(key).collect::<Vec<_>>())?;
        }
        map.end()
    }
}

/// Decodes one `application/x-www-form-urlencoded` component.
fn decode_component(input: &str) -> String {
    if !input.bytes().any(|b| b == b'%' || b == b'+') {
        return input.to_owned();
    }
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' => {
                let escaped = bytes
                    .get(index + 1..index + 3)
                    .and_then(|hex| Some(hex_value(hex[0])? << 4 | hex_value(hex[1])?));
                if let Some(byte) = escaped {
                    out.push(byte);
                    index += 2;
                } else {
                    out.push(b'%');
                }
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8(out)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

fn encode_component(input: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for &byte in input.as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                write!(f, "{}", byte as char)?;
            }
            b' ' => f.write_str("+")?,
            _ => write!(f, "%{byte:02X}")?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_escapes_are_kept_not_panicked_on() {
        let query = Query::parse("a=%&b=%4&c=%zz&d=%41");
        assert_eq!(query.get("a"), Some("%"));
        assert_eq!(query.get("b"), Some("%4"));
        assert_eq!(query.get("c"), Some("%zz"));
        assert_eq!(query.get("d"), Some("A"));
    }

    #[test]
    fn invalid_utf8_becomes_replacement_character() {
        assert_eq!(Query::parse("x=%FF").get("x"), Some("\u{FFFD}"));
    }

    #[test]
    fn multibyte_escape_decodes() {
        assert_eq!(Query::parse("city=Z%C3%BCrich").get("city"), Some("Zürich"));
    }

    #[test]
    fn display_round_trips_through_parse() {
        let query: Query = [("a b", "c&d=e"), ("a b", "é/?"), ("", "")]
            .into_iter()
            .collect();
        assert_eq!(Query::parse(&query.to_string()), query);
    }

    #[test]
    fn serializes_as_key_to_all_values() {
        let query = Query::parse("b=1&a=2&b=3");
        assert_eq!(
            serde_json::to_string(&query).unwrap_or_default(),
            r#"{"b":["1","3"],"a":["2"]}"#
        );
    }
}

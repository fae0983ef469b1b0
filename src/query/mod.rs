//! Query strings with every value of every key: [`Query`], and reading one
//! into a serde type (`de`).

mod de;
mod pairs;

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::Deserialize;
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::Error;

use pairs::{Pair, Pairs, Span};

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
#[derive(Clone, Default)]
pub struct Query {
    /// Every key and value, decoded, one after the other (or, when nothing
    /// needed decoding, the query as it came): a query is parsed on every
    /// request that reads one, and one string for all of its text is one
    /// allocation where a `String` per key and per value made two per pair.
    text: String,
    /// Where each pair's key and value are in `text`, in order.
    pairs: Pairs,
}

impl Query {
    /// An empty query.
    ///
    /// # Example
    ///
    /// ```
    /// let query = anyfn::Query::new();
    /// assert!(query.is_empty());
    /// assert_eq!(query.to_string(), "");
    /// ```
    pub const fn new() -> Self {
        Self {
            text: String::new(),
            pairs: Pairs::new(),
        }
    }

    /// Parses a query string, with or without its leading `?`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::Query;
    ///
    /// let query = Query::parse("?q=rust%20lang&page=2");
    /// assert_eq!(query.get("q"), Some("rust lang"));
    /// assert_eq!(query.get("page"), Some("2"));
    /// assert_eq!(Query::parse("bad=%zz").get("bad"), Some("%zz")); // kept as written
    /// ```
    pub fn parse(query: &str) -> Self {
        let query = query.strip_prefix('?').unwrap_or(query);
        if query.is_empty() {
            return Self::new();
        }
        match Self::parse_plain(query) {
            Some(parsed) => parsed,
            None => Self::parse_encoded(query),
        }
    }

    /// A query with something to decode (a `%` or a `+`).
    fn parse_encoded(query: &str) -> Self {
        let separators = query.bytes().filter(|&byte| byte == b'&').count();
        // Split byte by byte (slicing at an ASCII byte is slicing at a char
        // boundary); a component with neither `%` nor `+` needs no decoding,
        // as most do. Decoding never makes a component longer, so the text
        // is allocated once.
        let mut parsed = Self {
            text: String::with_capacity(query.len()),
            pairs: Pairs::with_capacity(separators + 1),
        };
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
            let key = parsed.push_decoded(key);
            let value = parsed.push_decoded(value);
            parsed.pairs.push(Pair { key, value });
        }
        parsed
    }

    /// Adds `component`, decoded, to the text; where it is.
    /// A query with nothing to decode, as most are: its text is the query
    /// itself, copied once, and each pair points into it (rather than each
    /// component copied on its own). `None` at the first `%` or `+`: the
    /// query needs decoding. One pass over the bytes: a first pass to tell
    /// whether anything needs decoding, and how many pairs there are, cost
    /// as much again (`benches/instructions_vs_hyper.sh`); the pairs are
    /// kept in place up to three, which most queries fit.
    fn parse_plain(query: &str) -> Option<Self> {
        let mut pairs = Pairs::new();
        let mut push = |start: usize, equals: Option<usize>, end: usize| {
            if start == end {
                return;
            }
            let equals = equals.unwrap_or(end);
            pairs.push(Pair {
                key: Span { start, end: equals },
                value: Span {
                    start: (equals + 1).min(end),
                    end,
                },
            });
        };
        let (mut start, mut equals) = (0, None);
        for (at, &byte) in query.as_bytes().iter().enumerate() {
            match byte {
                b'&' => {
                    push(start, equals, at);
                    (start, equals) = (at + 1, None);
                }
                b'=' if equals.is_none() => equals = Some(at),
                b'%' | b'+' => return None,
                _ => {}
            }
        }
        push(start, equals, query.len());
        Some(Self {
            text: query.to_owned(),
            pairs,
        })
    }

    fn push_decoded(&mut self, component: &str) -> Span {
        if component.bytes().any(|b| b == b'%' || b == b'+') {
            self.push_text(&Self::decode_component(component))
        } else {
            self.push_text(component)
        }
    }

    /// Adds `text` as it is; where it is.
    fn push_text(&mut self, text: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(text);
        Span {
            start,
            end: self.text.len(),
        }
    }

    /// The text at `span`.
    fn at(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
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
        if !component.bytes().any(|b| b == b'%' || b == b'+') {
            return component.to_owned();
        }
        let plus_as_space = component.replace('+', " ");
        percent_encoding::percent_decode_str(&plus_as_space)
            .decode_utf8_lossy()
            .into_owned()
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
        form_urlencoded::byte_serialize(component.as_bytes()).collect()
    }

    /// The first value of `key`.
    ///
    /// # Example
    ///
    /// ```
    /// let query = anyfn::Query::parse("page=1&page=3");
    /// assert_eq!(query.get("page"), Some("1"));
    /// assert_eq!(query.get("limit"), None);
    /// ```
    pub fn get(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Every value of `key`, in order.
    ///
    /// # Example
    ///
    /// ```
    /// let query = anyfn::Query::parse("tag=a&page=2&tag=b");
    /// assert_eq!(query.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
    /// assert_eq!(query.get_all("sort").count(), 0);
    /// ```
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.iter().filter(move |(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Every key once, in the order of first appearance.
    ///
    /// # Example
    ///
    /// ```
    /// let query = anyfn::Query::parse("tag=a&page=2&tag=b");
    /// assert_eq!(query.keys().collect::<Vec<_>>(), ["tag", "page"]);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let mut seen = HashSet::with_capacity(self.pairs.len());
        self.iter()
            .map(|(key, _)| key)
            .filter(move |key| seen.insert(*key))
    }

    /// Every `(key, value)` pair, in order.
    ///
    /// # Example
    ///
    /// ```
    /// let query = anyfn::Query::parse("tag=a&page=2&tag=b");
    /// assert_eq!(
    ///     query.iter().collect::<Vec<_>>(),
    ///     [("tag", "a"), ("page", "2"), ("tag", "b")]
    /// );
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .as_slice()
            .iter()
            .map(|pair| (self.at(pair.key), self.at(pair.value)))
    }

    /// Adds a value for `key`, after the existing ones. Both are taken as
    /// they are (decoded text, not escaped).
    ///
    /// # Example
    ///
    /// ```
    /// let mut query = anyfn::Query::parse("tag=a");
    /// query.append("tag", "b c");
    /// assert_eq!(query.get_all("tag").collect::<Vec<_>>(), ["a", "b c"]);
    /// assert_eq!(query.to_string(), "tag=a&tag=b+c");
    /// ```
    pub fn append(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let key = self.push_text(&key.into());
        let value = self.push_text(&value.into());
        self.pairs.push(Pair { key, value });
    }

    /// The number of pairs.
    ///
    /// # Example
    ///
    /// ```
    /// let query = anyfn::Query::parse("tag=a&tag=b&&page=2");
    /// assert_eq!(query.len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are no pairs.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::Query::parse("?").is_empty());
    /// assert!(!anyfn::Query::parse("flag").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Reads the query into `T`, a struct (or a map) whose fields are the
    /// query's keys.
    ///
    /// - A field that is a sequence (`Vec<T>`, `HashSet<T>`, …) takes every
    ///   value of its key, in order: `?tag=a&tag=b` gives `["a", "b"]`, and
    ///   `?tag=a` gives `["a"]`.
    /// - Any other field takes its key's value, or **the last one** when the
    ///   key is repeated (`?page=1&page=3` gives `3`), parsed from its text by
    ///   the field's type: integers and floats as Rust parses them, `bool`
    ///   from `true` or `false` exactly, `char` from one character, a
    ///   `String` (or a `&str` borrowed from the query) as it is, a unit
    ///   enum variant by its name, a tuple from exactly as many values.
    /// - `Option<T>` is `None` when the key is absent and `Some` when it is
    ///   present, even with an empty value (`?limit=` is `Some("")`, which an
    ///   integer does not parse from).
    /// - A missing key is an error unless its field is an `Option` or has
    ///   `#[serde(default)]`; keys the type does not name are ignored unless
    ///   it has `#[serde(deny_unknown_fields)]`. `#[serde(rename)]` and
    ///   `#[serde(default)]` work as serde documents them.
    /// - A `#[serde(flatten)]` map gathers the keys no field names, each
    ///   with its last value as text: flatten into a
    ///   `HashMap<String, String>`. (serde gives a flattened map's values no
    ///   type to be read as, so a flattened `HashMap<String, Vec<String>>`
    ///   is refused; the struct's own fields are read by their types as
    ///   usual.)
    ///
    /// The values are those of [`parse`](Self::parse): already
    /// percent-decoded.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`](crate::ErrorKind::BadRequest) saying what in
    /// the query did not fit, naming the key and the value:
    /// `query parameter "page" is missing`,
    /// `query parameter "page": expected an integer, found "x"`,
    /// `query parameter "size": expected an integer from 0 to 255, found "300"`,
    /// `query parameter "order": expected one of "asc", "desc", found "up"`.
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind::Internal) when `T` is not
    /// something a query can fill, whatever it holds: not a struct or a map
    /// (`u32`), or a field that is itself a struct or a map, or an enum
    /// variant that holds data.
    ///
    /// # Example
    ///
    /// ```
    /// use serde::Deserialize;
    ///
    /// #[derive(Debug, PartialEq, Deserialize)]
    /// struct Search {
    ///     q: String,
    ///     #[serde(default)]
    ///     page: u32,
    ///     #[serde(default, rename = "tag")]
    ///     tags: Vec<String>,
    /// }
    ///
    /// let query = anyfn::Query::parse("q=rust+serde&tag=web&tag=async");
    /// let search: Search = query.deserialize_as()?;
    /// assert_eq!(search, Search { q: "rust serde".into(), page: 0, tags: vec!["web".into(), "async".into()] });
    ///
    /// let err = anyfn::Query::parse("q=x&page=two").deserialize_as::<Search>().unwrap_err();
    /// assert!(err.is_bad_request());
    /// assert_eq!(err.message(), r#"query parameter "page": expected an integer, found "two""#);
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn deserialize_as<'q, T: Deserialize<'q>>(&'q self) -> Result<T, Error> {
        T::deserialize(de::QueryDeserializer::new(self)).map_err(de::QueryError::into_error)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Query {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut query = Self::new();
        query.extend(iter);
        query
    }
}

impl<K: Into<String>, V: Into<String>> Extend<(K, V)> for Query {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.append(key, value);
        }
    }
}

/// Equal when they hold the same pairs in the same order.
impl PartialEq for Query {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Query {}

/// The pairs, as a list of `(key, value)`.
impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Encodes as `application/x-www-form-urlencoded`, without a leading `?`.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (key, value)) in self.iter().enumerate() {
            if index > 0 {
                f.write_str("&")?;
            }
            for piece in form_urlencoded::byte_serialize(key.as_bytes()) {
                f.write_str(piece)?;
            }
            f.write_str("=")?;
            for piece in form_urlencoded::byte_serialize(value.as_bytes()) {
                f.write_str(piece)?;
            }
        }
        Ok(())
    }
}

/// An object from each key, in the order of first appearance, to the array
/// of its values; in time linear in the number of pairs.
impl Serialize for Query {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut order: Vec<&str> = Vec::new();
        let mut values: HashMap<&str, Vec<&str>> = HashMap::with_capacity(self.pairs.len());
        for (key, value) in self.iter() {
            values
                .entry(key)
                .or_insert_with(|| {
                    order.push(key);
                    Vec::new()
                })
                .push(value);
        }
        let mut map = serializer.serialize_map(Some(order.len()))?;
        for key in order {
            map.serialize_entry(key, &values[key])?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_with_nothing_to_decode_split_as_decoded_ones_do() {
        for plain in [
            "a=1&&b&=x&c==2&",
            "&",
            "=",
            "a",
            "a=",
            "=b",
            "name=Ada&n=1",
            "?x=1&x=2",
            "&&k=v&&",
            "é=ü&ü",
        ] {
            // One escape sends the query down the decoding path.
            let decoded = Query::parse(&format!("{plain}&%7A=1"));
            let mut expected: Vec<_> = decoded.iter().collect();
            assert_eq!(expected.pop(), Some(("z", "1")));
            let parsed = Query::parse(plain);
            assert_eq!(parsed.iter().collect::<Vec<_>>(), expected, "{plain}");
            assert_eq!(parsed.len(), expected.len(), "{plain}");
        }
        assert!(Query::parse("").is_empty());
        assert!(Query::parse("?").is_empty());
    }

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
    fn pairs_keep_their_text_when_more_are_appended() {
        let mut query = Query::parse("a=1&b%20c=d+e&&=f&g");
        query.append("h", "%41");
        query.extend([("a", "2")]);
        assert_eq!(
            query.iter().collect::<Vec<_>>(),
            [
                ("a", "1"),
                ("b c", "d e"),
                ("", "f"),
                ("g", ""),
                ("h", "%41"),
                ("a", "2")
            ]
        );
        assert_eq!(query.get_all("a").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(query.len(), 6);
    }

    /// Equality is of the pairs, not of how the query stores them: a
    /// parsed query holds decoded text that a built one was given as is.
    #[test]
    fn equal_whether_parsed_or_built() {
        let parsed = Query::parse("name=Ada+Lovelace&x=%41");
        let built: Query = [("name", "Ada Lovelace"), ("x", "A")].into_iter().collect();
        assert_eq!(parsed, built);
        assert_ne!(parsed, Query::parse("x=A&name=Ada+Lovelace"));
        assert_ne!(parsed, Query::parse("name=Ada+Lovelace"));
        assert_eq!(Query::new(), Query::parse(""));
        assert_eq!(
            format!("{parsed:?}"),
            r#"[("name", "Ada Lovelace"), ("x", "A")]"#
        );
    }

    #[test]
    fn components_decode_and_encode_as_forms_do() {
        assert_eq!(Query::decode_component("a+b%2Fc%20d%zz"), "a b/c d%zz");
        assert_eq!(Query::encode_component("a b/c~*"), "a+b%2Fc%7E*");
    }

    #[test]
    fn serializes_as_key_to_all_values() {
        let query = Query::parse("b=1&a=2&b=3");
        assert_eq!(
            serde_json::to_string(&query).unwrap_or_default(),
            r#"{"b":["1","3"],"a":["2"]}"#
        );
        assert_eq!(query.keys().collect::<Vec<_>>(), ["b", "a"]);
    }

    /// Serializing took time quadratic in the number of keys: a 64 KiB query
    /// (about 9,500 pairs) held a core for half a second. The bound is a hang
    /// guard, generous enough for a debug build on a loaded machine; the
    /// cost itself is measured by the `query_serialize` bench.
    #[test]
    fn regression_a_64_kib_query_serializes_without_hanging() {
        let query: Query = (0..9_500)
            .map(|n| (format!("k{n}"), n.to_string()))
            .collect();
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let json = serde_json::to_vec(&query).unwrap_or_default();
            let keys = query.keys().count();
            let _ = done.send((json.len(), keys));
        });
        let (length, keys) = finished
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("serialized within the hang guard");
        assert_eq!(keys, 9_500);
        assert!(length > 9_500 * 8, "{length}");
    }
}

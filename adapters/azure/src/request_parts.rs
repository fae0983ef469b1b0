//! Where an HTTP trigger's request members are in the host's JSON text:
//! [`RequestParts`], found while the envelope is walked and read by the
//! request's decoder.

use std::ops::Range;

use crate::scan::{NotJson, Scanner};

/// Where an HTTP request's members (`Method`, `Url`, `Query`, `Headers`,
/// `Params`, `Body`, in any case) are in the text an object was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RequestParts {
    pub(crate) method: Option<Range<usize>>,
    pub(crate) url: Option<Range<usize>>,
    pub(crate) query: Option<Range<usize>>,
    pub(crate) headers: Option<Range<usize>>,
    pub(crate) params: Option<Range<usize>>,
    pub(crate) body: Option<Range<usize>>,
}

impl RequestParts {
    /// Walks the object at the scanner, noting where the members are.
    pub(crate) fn read(scanner: &mut Scanner<'_>) -> Result<Self, NotJson> {
        let mut parts = Self::default();
        let mut members = scanner.begin_object()?;
        while let Some(key) = scanner.next_key(&mut members)? {
            let range = Some(scanner.skip_value()?);
            // One comparison per key but for those of six letters: the
            // names differ in length, but for `Method` and `Params`.
            let slot = match key.len() {
                3 if key.is("Url") => &mut parts.url,
                6 if key.is("Method") => &mut parts.method,
                7 if key.is("Headers") => &mut parts.headers,
                4 if key.is("Body") => &mut parts.body,
                5 if key.is("Query") => &mut parts.query,
                6 if key.is("Params") => &mut parts.params,
                _ if !key.is_escaped() => continue,
                // An escaped name is longer than its text.
                _ => match key.text().map(|text| text.to_ascii_lowercase()).as_deref() {
                    Ok("url") => &mut parts.url,
                    Ok("method") => &mut parts.method,
                    Ok("headers") => &mut parts.headers,
                    Ok("body") => &mut parts.body,
                    Ok("query") => &mut parts.query,
                    Ok("params") => &mut parts.params,
                    _ => continue,
                },
            };
            *slot = range;
        }
        Ok(parts)
    }

    /// Whether the object has `Method` and `Url`: the shape of an HTTP
    /// trigger's value.
    pub(crate) fn is_request(&self) -> bool {
        self.method.is_some() && self.url.is_some()
    }
}

/// Whether an object's text has `Method` and `Url` members (any case):
/// the shape of an HTTP trigger's value.
pub(crate) fn has_method_and_url(object: &str) -> bool {
    RequestParts::read(&mut Scanner::new(object)).is_ok_and(|parts| parts.is_request())
}

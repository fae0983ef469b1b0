//! Where an HTTP trigger's request members are in the host's JSON text:
//! [`RequestParts`], found while the envelope is walked and read by the
//! request's decoder.

use std::ops::Range;

use crate::scan::{NotJson, Scanner};

/// Where an HTTP request's members (`Method`, `Url`, `Query`, `Headers`,
/// `Params`, `Body`, in any case) are in the text an object was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RequestParts {
    pub(crate) method: Part,
    pub(crate) url: Part,
    pub(crate) query: Part,
    pub(crate) headers: Part,
    pub(crate) params: Part,
    pub(crate) body: Part,
}

/// Where one member's value is: its range, empty when the member is
/// absent (a JSON value is never empty). Two words where an
/// `Option<Range<usize>>` takes three: the parts are noted for every HTTP
/// envelope and moved with its binding, and six of those made them too big
/// to be copied but by a call to `memcpy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Part {
    start: usize,
    end: usize,
}

impl Part {
    /// The value's range, if the member is there.
    #[inline]
    pub(crate) fn range(self) -> Option<Range<usize>> {
        (self.end > self.start).then_some(self.start..self.end)
    }

    fn is_some(self) -> bool {
        self.end > self.start
    }
}

impl RequestParts {
    /// Walks the object at the scanner, noting where the members are.
    pub(crate) fn read(scanner: &mut Scanner<'_>) -> Result<Self, NotJson> {
        let mut parts = Self::default();
        let mut members = scanner.begin_object()?;
        while let Some(key) = scanner.next_key(&mut members)? {
            let range = scanner.skip_value()?;
            let range = Part {
                start: range.start,
                end: range.end,
            };
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

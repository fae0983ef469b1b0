//! What a `Content-Type` says: [`MediaType`], the one place anyfn reads it.

use std::fmt;

/// The media type of a `Content-Type` value: its essence (`type/subtype`,
/// lower-cased, without parameters), and whether it is JSON or text.
///
/// Every adapter reads content types through it, so a body is JSON or text
/// by the same rule everywhere.
///
/// # Example
///
/// ```
/// use anyfn::MediaType;
///
/// let media_type = MediaType::parse("Application/Problem+JSON; charset=utf-8");
/// assert_eq!(media_type.essence(), "application/problem+json");
/// assert!(media_type.is_json());
/// assert!(media_type.is_text());
/// assert!(!MediaType::parse("image/png").is_text());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaType {
    essence: String,
}

impl MediaType {
    /// Reads a `Content-Type` value; parameters (`; charset=…`) are set aside.
    ///
    /// # Example
    ///
    /// ```
    /// let media_type = anyfn::MediaType::parse(" Text/HTML ; charset=utf-8");
    /// assert_eq!(media_type.essence(), "text/html");
    /// assert_eq!(media_type.to_string(), "text/html");
    /// ```
    pub fn parse(content_type: &str) -> Self {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        Self {
            essence: essence.to_ascii_lowercase(),
        }
    }

    /// Reads the `Content-Type` header of `headers`, if there is one (and it
    /// is text).
    ///
    /// # Example
    ///
    /// ```
    /// let mut headers = anyfn::http::HeaderMap::new();
    /// assert_eq!(anyfn::MediaType::of(&headers), None);
    /// headers.insert("content-type", "text/plain".parse()?);
    /// assert_eq!(anyfn::MediaType::of(&headers).map(|m| m.is_text()), Some(true));
    /// # Ok::<(), anyfn::http::header::InvalidHeaderValue>(())
    /// ```
    pub fn of(headers: &http::HeaderMap) -> Option<Self> {
        headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(Self::parse)
    }

    /// `type/subtype`, lower-cased.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::MediaType::parse("Application/JSON").essence(), "application/json");
    /// assert_eq!(anyfn::MediaType::parse("").essence(), "");
    /// ```
    pub fn essence(&self) -> &str {
        &self.essence
    }

    /// Whether it is JSON: `application/json`, `text/json` or any `+json`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::MediaType;
    ///
    /// assert!(MediaType::parse("application/json; charset=utf-8").is_json());
    /// assert!(MediaType::parse("application/vnd.api+json").is_json());
    /// assert!(!MediaType::parse("application/jsonl").is_json());
    /// ```
    pub fn is_json(&self) -> bool {
        let essence = self.essence.as_str();
        essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
    }

    /// Whether it is text: `text/*`, JSON, XML (`+xml` too), JavaScript,
    /// form data and GraphQL.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::MediaType;
    ///
    /// assert!(MediaType::parse("text/csv").is_text());
    /// assert!(MediaType::parse("image/svg+xml").is_text());
    /// assert!(MediaType::parse("application/x-www-form-urlencoded").is_text());
    /// assert!(!MediaType::parse("application/octet-stream").is_text());
    /// ```
    pub fn is_text(&self) -> bool {
        let essence = self.essence.as_str();
        self.is_json()
            || essence.starts_with("text/")
            || essence.ends_with("+xml")
            || matches!(
                essence,
                "application/xml"
                    | "application/javascript"
                    | "application/ecmascript"
                    | "application/x-www-form-urlencoded"
                    | "application/graphql"
            )
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.essence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_case_do_not_matter() {
        for value in [
            "application/json",
            " APPLICATION/JSON ; charset=UTF-8",
            "text/json",
        ] {
            assert!(MediaType::parse(value).is_json(), "{value}");
        }
        assert_eq!(MediaType::parse("").essence(), "");
        assert!(!MediaType::parse("").is_text());
        assert!(MediaType::parse("image/svg+xml").is_text());
        assert!(!MediaType::parse("application/octet-stream").is_text());
    }
}

//! Input as error messages and log lines show it: escaped and bounded, so
//! that a 1 MB URL or header name does not come back whole in an error
//! answer or a `WARN` line.
//!
//! [`quoted`] stands in for the core's `anyfn::error::quoted` until that
//! lands, and writes what it writes; swap it then.

use std::fmt;

/// How many bytes of a value [`quoted`] and [`shortened`] show, at most.
pub(crate) const QUOTE_LIMIT: usize = 200;

/// `value` escaped as a Rust string literal (a tab, a newline or a quote in
/// it cannot forge a field or a line), cut to its first [`QUOTE_LIMIT`]
/// bytes on a character boundary and followed by its whole length when it
/// is longer: `"/aaaa"… (1048576 bytes)`.
pub(crate) fn quoted(value: &str) -> impl fmt::Display + '_ {
    Bounded { value, quote: true }
}

/// `text` (prose, such as another error's message, which may itself hold
/// input) as it is, cut as [`quoted`] cuts a value: `text… (N bytes)`.
pub(crate) fn shortened(text: &str) -> impl fmt::Display + '_ {
    Bounded {
        value: text,
        quote: false,
    }
}

/// A binding's name for a message: as it is when it is such a name as
/// bindings have (`req`, `$return`), else [`quoted`].
pub(crate) fn binding_name(name: &str) -> impl fmt::Display + '_ {
    BindingName(name)
}

/// `Data.{name}`, a binding of the envelope's `Data`, for a message:
/// `Data.req` for a name such as bindings have, else `Data[{quoted}]`.
pub(crate) fn data_member(name: &str) -> impl fmt::Display + '_ {
    DataMember(name)
}

/// Whether `name` is such a name as bindings have, shown as it is.
fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= QUOTE_LIMIT
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'-'))
}

struct Bounded<'a> {
    value: &'a str,
    quote: bool,
}

impl fmt::Display for Bounded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.value;
        let mut cut = value.len().min(QUOTE_LIMIT);
        while !value.is_char_boundary(cut) {
            cut -= 1;
        }
        let shown = &value[..cut];
        if self.quote {
            write!(f, "{shown:?}")?;
        } else {
            f.write_str(shown)?;
        }
        if cut < value.len() {
            write!(f, "… ({} bytes)", value.len())?;
        }
        Ok(())
    }
}

struct BindingName<'a>(&'a str);

impl fmt::Display for BindingName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_plain(self.0) {
            f.write_str(self.0)
        } else {
            quoted(self.0).fmt(f)
        }
    }
}

struct DataMember<'a>(&'a str);

impl fmt::Display for DataMember<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_plain(self.0) {
            write!(f, "Data.{}", self.0)
        } else {
            write!(f, "Data[{}]", quoted(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_whole_long_ones_cut_with_their_length() {
        assert_eq!(quoted("").to_string(), r#""""#);
        assert_eq!(quoted("G E\tT").to_string(), r#""G E\tT""#);
        let at_the_limit = "x".repeat(QUOTE_LIMIT);
        assert_eq!(
            quoted(&at_the_limit).to_string(),
            format!("\"{at_the_limit}\"")
        );
        let long = format!("/{}", "a".repeat((1 << 20) - 1));
        assert_eq!(
            quoted(&long).to_string(),
            format!("\"/{}\"… (1048576 bytes)", "a".repeat(QUOTE_LIMIT - 1))
        );
        // A 3-byte character across the limit is left out whole.
        let across = format!("{}€€", "x".repeat(QUOTE_LIMIT - 1));
        assert_eq!(
            quoted(&across).to_string(),
            format!("\"{}\"… (205 bytes)", "x".repeat(QUOTE_LIMIT - 1))
        );
        assert_eq!(
            shortened(&across).to_string(),
            format!("{}… (205 bytes)", "x".repeat(QUOTE_LIMIT - 1))
        );
        assert_eq!(shortened("as \"it\" is").to_string(), "as \"it\" is");
    }

    #[test]
    fn data_members_plain_or_quoted() {
        assert_eq!(binding_name("myQueueItem").to_string(), "myQueueItem");
        assert_eq!(binding_name("a\tb").to_string(), r#""a\tb""#);
        assert_eq!(data_member("req").to_string(), "Data.req");
        assert_eq!(data_member("$return").to_string(), "Data.$return");
        assert_eq!(data_member("a b").to_string(), r#"Data["a b"]"#);
        assert_eq!(data_member("").to_string(), r#"Data[""]"#);
        let long = "n".repeat(1000);
        assert_eq!(
            data_member(&long).to_string(),
            format!("Data[\"{}\"… (1000 bytes)]", "n".repeat(QUOTE_LIMIT))
        );
    }
}

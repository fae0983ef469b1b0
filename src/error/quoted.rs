//! [`quoted`]: an offending input value as an error message or a log line
//! shows it, bounded.

use std::fmt;

/// How many bytes of a value [`quoted`] shows, at most.
pub const QUOTE_LIMIT: usize = 200;

/// A value quoted for an error message or a log line: escaped as a Rust
/// string literal (so a tab, a newline or a quote in it cannot forge a
/// field or a line), and cut to its first [`QUOTE_LIMIT`] bytes (on a
/// character boundary) followed by its whole length when it is longer, so
/// that a 1 MB URL does not come back in a 1 MB error answer.
///
/// Made by [`quoted`].
#[derive(Debug, Clone, Copy)]
pub struct Quoted<'a>(&'a str);

/// `value`, escaped and bounded for an error message or a log line; see
/// [`Quoted`].
///
/// # Example
///
/// ```
/// use anyfn::error::quoted;
///
/// assert_eq!(quoted("GET\t/").to_string(), r#""GET\t/""#);
/// let long = "a".repeat(1 << 20);
/// assert_eq!(
///     quoted(&long).to_string(),
///     format!("\"{}\"… (1048576 bytes)", "a".repeat(200)),
/// );
/// ```
pub fn quoted(value: &str) -> Quoted<'_> {
    Quoted(value)
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.0;
        if value.len() <= QUOTE_LIMIT {
            return write!(f, "{value:?}");
        }
        let mut cut = QUOTE_LIMIT;
        while !value.is_char_boundary(cut) {
            cut -= 1;
        }
        write!(f, "{:?}… ({} bytes)", &value[..cut], value.len())
    }
}

#[cfg(test)]
mod tests {
    use super::{quoted, QUOTE_LIMIT};

    #[test]
    fn short_values_are_quoted_whole() {
        assert_eq!(quoted("").to_string(), r#""""#);
        let at_the_limit = "x".repeat(QUOTE_LIMIT);
        assert_eq!(
            quoted(&at_the_limit).to_string(),
            format!("\"{at_the_limit}\"")
        );
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary_with_their_length() {
        // 199 ASCII bytes, then a 3-byte character across the limit.
        let value = format!("{}€€", "x".repeat(QUOTE_LIMIT - 1));
        assert_eq!(
            quoted(&value).to_string(),
            format!(
                "\"{}\"… ({} bytes)",
                "x".repeat(QUOTE_LIMIT - 1),
                value.len()
            )
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(quoted("a\tb\nc\"d").to_string(), r#""a\tb\nc\"d""#);
    }
}

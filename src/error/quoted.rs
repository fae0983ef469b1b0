//! [`quoted`] and [`shortened`]: an offending input value, and another
//! error's message that may hold one, as an error message or a log line
//! shows them, bounded; [`without_controls`]: a platform's id written into
//! a line without forging its fields.

use std::borrow::Cow;
use std::fmt;

/// How many bytes of a value [`quoted`] shows, at most.
///
/// # Example
///
/// ```
/// use anyfn::error::{quoted, QUOTE_LIMIT};
///
/// assert_eq!(QUOTE_LIMIT, 200);
/// let long = "x".repeat(QUOTE_LIMIT + 1);
/// assert!(quoted(&long).to_string().ends_with("… (201 bytes)"));
/// ```
pub const QUOTE_LIMIT: usize = 200;

/// A value quoted for an error message or a log line: escaped as a Rust
/// string literal (so a tab, a newline or a quote in it cannot forge a
/// field or a line), and cut to its first [`QUOTE_LIMIT`] bytes (on a
/// character boundary) followed by its whole length when it is longer, so
/// that a 1 MB URL does not come back in a 1 MB error answer.
///
/// Made by [`quoted`].
///
/// # Example
///
/// ```
/// use anyfn::error::{quoted, Quoted};
///
/// let name: Quoted<'_> = quoted("line\nbreak");
/// assert_eq!(format!("unknown name {name}"), r#"unknown name "line\nbreak""#);
/// ```
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

/// Another error's message (a JSON parser's, which quotes the input it
/// refused) as an error message or a log line shows it: whole up to twice
/// [`QUOTE_LIMIT`] bytes; longer, its first [`QUOTE_LIMIT`] bytes and its
/// last half as many (where such messages say where the error is), with
/// how many bytes were left out between them.
///
/// Made by [`shortened`]; [`Error::with_source`](crate::Error::with_source)
/// and [`Error::from_source`](crate::Error::from_source) show their
/// source's message through it.
///
/// # Example
///
/// ```
/// use anyfn::error::{shortened, Shortened};
///
/// let message: Shortened<'_> = shortened("expected `,` at line 1 column 9");
/// assert_eq!(message.to_string(), "expected `,` at line 1 column 9");
/// let long = "z".repeat(1000);
/// let shown = shortened(&long).to_string();
/// assert_eq!(shown, format!("{}… (700 bytes left out) …{}", "z".repeat(200), "z".repeat(100)));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Shortened<'a>(&'a str);

/// `text`, bounded for an error message or a log line; see [`Shortened`].
///
/// # Example
///
/// ```
/// use anyfn::error::shortened;
///
/// assert_eq!(shortened("missing field `id`").to_string(), "missing field `id`");
/// let long = format!("invalid type: string \"{}\", expected u64 at line 1 column 100024", "a".repeat(100_000));
/// let shown = shortened(&long).to_string();
/// assert!(shown.starts_with("invalid type: string \"aaa"));
/// assert!(shown.contains("… (99761 bytes left out) …"));
/// assert!(shown.ends_with("\", expected u64 at line 1 column 100024"));
/// ```
pub fn shortened(text: &str) -> Shortened<'_> {
    Shortened(text)
}

impl fmt::Display for Shortened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        if text.len() <= 2 * QUOTE_LIMIT {
            return f.write_str(text);
        }
        let mut head = QUOTE_LIMIT;
        while !text.is_char_boundary(head) {
            head -= 1;
        }
        let mut tail = text.len() - QUOTE_LIMIT / 2;
        while !text.is_char_boundary(tail) {
            tail += 1;
        }
        write!(
            f,
            "{}… ({} bytes left out) …{}",
            &text[..head],
            tail - head,
            &text[tail..]
        )
    }
}

/// `text` with its control characters (a tab, a newline, an escape, C1
/// controls) written as Rust writes them (`\t`, `\n`, `\u{1b}`), so that
/// an id a platform sent cannot forge a field or a line of a tab-separated
/// `REPORT` line or a log line; borrowed when it has none, as ids (UUIDs,
/// GUIDs) do.
///
/// # Example
///
/// ```
/// use anyfn::error::without_controls;
///
/// assert_eq!(without_controls("0f8fad5b-d9cb-469f"), "0f8fad5b-d9cb-469f");
/// assert_eq!(without_controls("a\tDuration: 0 ms"), "a\\tDuration: 0 ms");
/// assert_eq!(without_controls("é\u{85}"), "é\\u{85}");
/// ```
pub fn without_controls(text: &str) -> Cow<'_, str> {
    // Bytes first, as fast as a scan goes: printable ASCII has no control;
    // anything else is told apart character by character below.
    if !may_hold_controls(text.as_bytes()) {
        return Cow::Borrowed(text);
    }
    if !text.contains(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Whether `bytes` holds a byte that is not printable ASCII: a C0 control,
/// DEL, or a byte of a non-ASCII character (C1 controls among them), eight
/// bytes at a time: it is on every `REPORT` line's path, and ids are ASCII.
fn may_hold_controls(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut words = bytes.chunks_exact(8);
    let mut found = 0;
    for word in &mut words {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        let word = u64::from_ne_bytes(eight);
        // A byte below 0x20, or above 0x7e (both exact per word: Bit
        // Twiddling Hacks' hasless and hasmore).
        found |= (word.wrapping_sub(ONES * 0x20) & !word) | (word.wrapping_add(ONES) | word);
    }
    found & HIGHS != 0
        || words
            .remainder()
            .iter()
            .any(|&byte| !(0x20..=0x7e).contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::{quoted, shortened, without_controls, QUOTE_LIMIT};

    /// The word-at-a-time scan against the byte-at-a-time rule, for every
    /// byte value at every position of 8- and 13-byte texts.
    #[test]
    fn the_word_scan_finds_what_the_byte_scan_finds() {
        for (len, fill) in [
            (8usize, b'a'),
            (13, 0xff),
            (16, 0x80),
            (36, 0xc3),
            (24, 0x20),
        ] {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut bytes = vec![fill; len];
                    bytes[at] = byte;
                    let expected = !(0x20..=0x7e).contains(&byte) || !(0x20..=0x7e).contains(&fill);
                    assert_eq!(
                        super::may_hold_controls(&bytes),
                        expected,
                        "{byte:#x} at {at} of {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn controls_are_escaped_and_the_rest_borrowed() {
        assert!(matches!(
            without_controls("abc-123"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert!(matches!(
            without_controls("¡é"),
            std::borrow::Cow::Borrowed(_)
        ));
        for (text, escaped) in [
            ("a\tb", "a\\tb"),
            ("a\nb\r", "a\\nb\\r"),
            ("\u{1b}[31m", "\\u{1b}[31m"),
            ("\u{7f}", "\\u{7f}"),
            ("¡\u{9f}", "¡\\u{9f}"),
        ] {
            assert_eq!(without_controls(text), escaped, "{text:?}");
        }
    }

    #[test]
    fn messages_are_shortened_in_the_middle_on_character_boundaries() {
        let short = "x".repeat(2 * QUOTE_LIMIT);
        assert_eq!(shortened(&short).to_string(), short);
        let long = format!("{}€{}", "h".repeat(QUOTE_LIMIT - 1), "t".repeat(1000));
        let shown = shortened(&long).to_string();
        assert!(
            shown.starts_with(&format!("{}…", "h".repeat(QUOTE_LIMIT - 1))),
            "{shown}"
        );
        assert!(
            shown.ends_with(&format!("…{}", "t".repeat(QUOTE_LIMIT / 2))),
            "{shown}"
        );
        assert!(shown.contains(&format!(
            "({} bytes left out)",
            long.len() - (QUOTE_LIMIT - 1) - QUOTE_LIMIT / 2
        )));
    }

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

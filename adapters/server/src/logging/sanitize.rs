//! Control characters kept out of log lines.

use std::fmt;

/// A [`fmt::Write`] that passes text through to `inner`, escaping the
/// characters a terminal would act on or that would split the line: C0
/// controls but the tab (`\n` and `\r` as such, the others as `\xNN`), DEL,
/// and the C1 controls U+0080 to U+009F (as `\u{NN}`).
///
/// Untrusted text (a client's header, a payload's field quoted in an error)
/// then can neither forge a log line nor send escape sequences to a terminal.
/// Text without such characters, nearly all of it, is written in one call.
pub(crate) struct Sanitize<W>(pub(crate) W);

impl<W: fmt::Write> fmt::Write for Sanitize<W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let bytes = text.as_bytes();
        if !bytes
            .iter()
            .fold(false, |seen, &byte| seen | may_need_escape(byte))
        {
            // The common case, checked without branching per byte.
            return self.0.write_str(text);
        }
        let mut clean_from = 0;
        let mut index = 0;
        while index < bytes.len() {
            let byte = bytes[index];
            // A C1 control is U+0080..=U+009F: 0xC2 then 0x80..=0x9F in UTF-8.
            let c1 = byte == 0xc2 && bytes.get(index + 1).is_some_and(|next| *next <= 0x9f);
            if !(c1 || byte == 0x7f || (byte < 0x20 && byte != b'\t')) {
                index += 1;
                continue;
            }
            // Slicing at `index` is at a char boundary: the byte is ASCII or
            // the lead byte of a two-byte sequence.
            self.0.write_str(&text[clean_from..index])?;
            if c1 {
                write!(self.0, "\\u{{{:x}}}", bytes[index + 1])?;
                index += 2;
            } else {
                match byte {
                    b'\n' => self.0.write_str("\\n")?,
                    b'\r' => self.0.write_str("\\r")?,
                    _ => write!(self.0, "\\x{byte:02x}")?,
                }
                index += 1;
            }
            clean_from = index;
        }
        self.0.write_str(&text[clean_from..])
    }
}

/// Whether `byte` is, or may start, a character [`Sanitize`] escapes.
#[inline]
fn may_need_escape(byte: u8) -> bool {
    (byte < 0x20 && byte != b'\t') | (byte == 0x7f) | (byte == 0xc2)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;

    fn sanitized(text: &str) -> String {
        let mut out = String::new();
        Sanitize(&mut out).write_str(text).unwrap();
        out
    }

    #[test]
    fn plain_text_and_tabs_pass_through() {
        assert_eq!(sanitized("REPORT a\tb é ü 日本"), "REPORT a\tb é ü 日本");
        assert_eq!(sanitized(""), "");
    }

    #[test]
    fn controls_that_forge_lines_or_drive_terminals_are_escaped() {
        assert_eq!(
            sanitized("a\nINFO forged\r\x1b[31mred\x07\x08\x0c\x7f\0"),
            "a\\nINFO forged\\r\\x1b[31mred\\x07\\x08\\x0c\\x7f\\x00"
        );
        assert_eq!(
            sanitized("x\u{9b}31m\u{85}y\u{a0}"),
            "x\\u{9b}31m\\u{85}y\u{a0}"
        );
        assert_eq!(sanitized("\x1b"), "\\x1b");
    }
}

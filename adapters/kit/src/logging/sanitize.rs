//! Control characters kept out of log lines: [`Sanitize`] for text,
//! [`JsonEscape`] for JSON strings, one escaping loop ([`write_escaped`]).

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
        write_escaped::<LineEscapes>(&mut self.0, text)
    }
}

/// [`Sanitize`]'s escapes.
struct LineEscapes;

impl Escapes for LineEscapes {
    #[inline]
    fn escapes(byte: u8) -> bool {
        (byte < 0x20 && byte != b'\t') | (byte == 0x7f)
    }

    fn write_ascii(out: &mut impl fmt::Write, byte: u8) -> fmt::Result {
        match byte {
            b'\n' => out.write_str("\\n"),
            b'\r' => out.write_str("\\r"),
            _ => write!(out, "\\x{byte:02x}"),
        }
    }

    fn write_c1(out: &mut impl fmt::Write, code: u8) -> fmt::Result {
        write!(out, "\\u{{{code:x}}}")
    }
}

/// A [`fmt::Write`] that passes text through to `inner` escaped for the
/// inside of a JSON string: `"` and `\`, the C0 controls (`\n`, `\r`, `\t`,
/// `\b`, `\f` as such, the others as `\u00NN`), and, beyond what JSON
/// requires, DEL and the C1 controls U+0080 to U+009F (as `\u00NN`), which
/// terminals act on. Text without such characters, nearly all of it, is
/// written in one call.
pub(crate) struct JsonEscape<W>(pub(crate) W);

impl<W: fmt::Write> fmt::Write for JsonEscape<W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        write_escaped::<JsonEscapes>(&mut self.0, text)
    }
}

/// [`JsonEscape`]'s escapes.
struct JsonEscapes;

impl Escapes for JsonEscapes {
    #[inline]
    fn escapes(byte: u8) -> bool {
        (byte < 0x20) | (byte == b'"') | (byte == b'\\') | (byte == 0x7f)
    }

    fn write_ascii(out: &mut impl fmt::Write, byte: u8) -> fmt::Result {
        match byte {
            b'"' => out.write_str("\\\""),
            b'\\' => out.write_str("\\\\"),
            b'\n' => out.write_str("\\n"),
            b'\r' => out.write_str("\\r"),
            b'\t' => out.write_str("\\t"),
            0x08 => out.write_str("\\b"),
            0x0c => out.write_str("\\f"),
            _ => write!(out, "\\u{byte:04x}"),
        }
    }

    fn write_c1(out: &mut impl fmt::Write, code: u8) -> fmt::Result {
        write!(out, "\\u{code:04x}")
    }
}

/// Which characters an escaping writer escapes, and how: the ASCII bytes
/// [`escapes`](Self::escapes) says, and every C1 control (U+0080 to
/// U+009F, which terminals act on).
pub(crate) trait Escapes {
    /// Whether the ASCII byte `byte` is escaped.
    fn escapes(byte: u8) -> bool;
    /// Writes the escape of the ASCII byte `byte`.
    fn write_ascii(out: &mut impl fmt::Write, byte: u8) -> fmt::Result;
    /// Writes the escape of the C1 control U+0080 + `code` - 0x80 (`code`
    /// is its second UTF-8 byte, 0x80 to 0x9F).
    fn write_c1(out: &mut impl fmt::Write, code: u8) -> fmt::Result;
}

/// Writes `text` to `out`, each character `E` escapes written as its escape.
/// Text without such characters, nearly all of it, is written in one call.
pub(crate) fn write_escaped<E: Escapes>(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
    let bytes = text.as_bytes();
    // Whether `byte` is, or may start (0xC2), a character `E` escapes.
    let may_need_escape = |byte: u8| E::escapes(byte) | (byte == 0xc2);
    if !bytes
        .iter()
        .fold(false, |seen, &byte| seen | may_need_escape(byte))
    {
        // The common case, checked without branching per byte.
        return out.write_str(text);
    }
    let mut clean_from = 0;
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        // A C1 control is U+0080..=U+009F: 0xC2 then 0x80..=0x9F in UTF-8.
        let c1 = byte == 0xc2 && bytes.get(index + 1).is_some_and(|next| *next <= 0x9f);
        if !(c1 || E::escapes(byte)) {
            index += 1;
            continue;
        }
        // Slicing at `index` is at a char boundary: the byte is ASCII or
        // the lead byte of a two-byte sequence.
        out.write_str(&text[clean_from..index])?;
        if c1 {
            E::write_c1(out, bytes[index + 1])?;
            index += 2;
        } else {
            E::write_ascii(out, byte)?;
            index += 1;
        }
        clean_from = index;
    }
    out.write_str(&text[clean_from..])
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

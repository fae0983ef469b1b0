//! A JSON scanner for the host's envelope: it walks objects member by
//! member and tells where each value starts and ends, without building it.
//!
//! The envelope is read on every invocation, and most of it is only carried
//! (metadata, other bindings) or read once (the HTTP request). Walking it
//! byte by byte, with no allocation and no recursion, costs a small part of
//! building it as `serde_json::Value`s (`benches/azure_vs_server.sh`).
//! Everything the scanner skips is still checked to be JSON; a value's
//! text is parsed by `serde_json` when something asks for it.

use std::borrow::Cow;
use std::ops::Range;

/// The input is not JSON (or nests deeper than [`MAX_DEPTH`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotJson;

/// The deepest nesting accepted, as `serde_json`'s recursion limit.
pub(crate) const MAX_DEPTH: u32 = 128;

/// A string as written between its quotes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonStr<'a> {
    raw: &'a str,
    escaped: bool,
    /// Where `raw` starts in the scanner's text.
    start: usize,
}

impl<'a> JsonStr<'a> {
    /// The string's text: borrowed when it has no escapes.
    ///
    /// # Errors
    ///
    /// [`NotJson`] for an escape that does not stand for text (a lone
    /// surrogate).
    #[inline]
    pub(crate) fn text(&self) -> Result<Cow<'a, str>, NotJson> {
        if self.escaped {
            serde_json::from_str::<String>(&format!("\"{}\"", self.raw))
                .map(Cow::Owned)
                .map_err(|_| NotJson)
        } else {
            Ok(Cow::Borrowed(self.raw))
        }
    }

    /// The string written `quoted` (its quotes included), which a walk
    /// already checked to be a JSON string: taken without walking it
    /// again (in valid JSON, a backslash in a string is an escape). Its
    /// [`range`](Self::range) is in `quoted`.
    pub(crate) fn walked(quoted: &'a str) -> Option<Self> {
        let raw = quoted.strip_prefix('"')?.strip_suffix('"')?;
        Some(Self {
            raw,
            // In a walked string a quote, backslash or control byte can
            // only be a backslash (the others are escaped): [`has_special`]
            // tells it eight bytes at a time, inline, where `contains`
            // calls `memchr`.
            escaped: has_special(raw.as_bytes()),
            start: 1,
        })
    }

    /// Where the string's text (between its quotes, as written) is in the
    /// scanner's text.
    pub(crate) fn range(&self) -> Range<usize> {
        self.start..self.start + self.raw.len()
    }

    /// The length of the string as written (escapes included).
    pub(crate) fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether the string has escapes.
    pub(crate) fn is_escaped(&self) -> bool {
        self.escaped
    }

    /// Whether the string is `name`, compared without ASCII case.
    ///
    /// Always inlined: `name` is a literal at every call, and the exact
    /// comparison of a known short length is then a load or two rather
    /// than a call to `memcmp`.
    #[inline(always)]
    pub(crate) fn is(&self, name: &str) -> bool {
        if self.escaped {
            self.text_is(name)
        } else {
            // The host writes its names as documented: an exact match is
            // the usual one, and costs a length and a memory comparison.
            self.raw == name || self.raw.eq_ignore_ascii_case(name)
        }
    }

    /// [`is`](Self::is) for a string with escapes (not the host's way),
    /// out of line.
    #[cold]
    #[inline(never)]
    fn text_is(&self, name: &str) -> bool {
        self.text()
            .is_ok_and(|text| text.eq_ignore_ascii_case(name))
    }
}

/// Where the scanner is in its input.
#[derive(Debug, Clone)]
pub(crate) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    /// How far the scanner has read.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The next byte that is not whitespace, not consumed.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        self.pos = skip_whitespace(bytes, self.pos);
        bytes.get(self.pos).copied()
    }

    #[inline]
    fn expect(&mut self, byte: u8) -> Result<(), NotJson> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(NotJson)
        }
    }

    /// Checks that only whitespace is left.
    pub(crate) fn end(&mut self) -> Result<(), NotJson> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(NotJson),
        }
    }

    /// Enters an object; then [`next_key`](Self::next_key) reads its
    /// members.
    pub(crate) fn begin_object(&mut self) -> Result<Members, NotJson> {
        self.expect(b'{')?;
        Ok(Members { first: true })
    }

    /// The next member's name (its value follows), or `None` after the
    /// object's `}`.
    #[inline]
    pub(crate) fn next_key(
        &mut self,
        members: &mut Members,
    ) -> Result<Option<JsonStr<'a>>, NotJson> {
        let bytes = self.text.as_bytes();
        let mut pos = skip_whitespace(bytes, self.pos);
        if bytes.get(pos) == Some(&b'}') {
            self.pos = pos + 1;
            return Ok(None);
        }
        if !members.first {
            if bytes.get(pos) != Some(&b',') {
                return Err(NotJson);
            }
            pos = skip_whitespace(bytes, pos + 1);
        }
        members.first = false;
        let (key, end) = string_at(self.text, pos)?;
        self.pos = colon(bytes, end)?;
        Ok(Some(key))
    }

    /// Enters an array; then [`next_element`](Self::next_element) tells
    /// whether another value follows.
    pub(crate) fn begin_array(&mut self) -> Result<Members, NotJson> {
        self.expect(b'[')?;
        Ok(Members { first: true })
    }

    /// Whether another element follows (then read or skip it), `false`
    /// after the array's `]`.
    pub(crate) fn next_element(&mut self, elements: &mut Members) -> Result<bool, NotJson> {
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(false);
        }
        if !elements.first {
            self.expect(b',')?;
        }
        elements.first = false;
        Ok(true)
    }

    /// Reads a string.
    #[inline]
    pub(crate) fn string(&mut self) -> Result<JsonStr<'a>, NotJson> {
        let pos = skip_whitespace(self.text.as_bytes(), self.pos);
        let (string, end) = string_at(self.text, pos)?;
        self.pos = end;
        Ok(string)
    }

    /// Skips the next value, checking it is JSON; its text's range.
    #[inline]
    pub(crate) fn skip_value(&mut self) -> Result<Range<usize>, NotJson> {
        let bytes = self.text.as_bytes();
        let start = skip_whitespace(bytes, self.pos);
        let end = match bytes.get(start) {
            // An empty object or array written without space (the host's
            // `Params` and `Identities`, often): told here, without the
            // container walk's set-up.
            Some(b'{') if bytes.get(start + 1) == Some(&b'}') => start + 2,
            Some(b'[') if bytes.get(start + 1) == Some(&b']') => start + 2,
            Some(b'{' | b'[') => skip_container(self.text, start)?,
            Some(_) => skip_scalar(self.text, start)?,
            None => return Err(NotJson),
        };
        self.pos = end;
        Ok(start..end)
    }

    /// The text of `range` (from [`skip_value`](Self::skip_value)).
    pub(crate) fn slice(&self, range: Range<usize>) -> &'a str {
        self.text.get(range).unwrap_or("null")
    }
}

// The walk's steps below take the text and a position and give the
// position after what they read: the position stays in a register through
// a whole value, where a `&mut self` field would be stored and loaded
// again around every call.

/// The first position at or after `pos` that is not whitespace.
#[inline(always)]
fn skip_whitespace(bytes: &[u8], mut pos: usize) -> usize {
    // Every byte after which no whitespace is skipped (all JSON but
    // whitespace, the host's usual envelope having none) is above the
    // space: one comparison tells it.
    while let Some(&byte) = bytes.get(pos) {
        if byte > b' ' || !matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
            break;
        }
        pos += 1;
    }
    pos
}

/// The position after the `:` that follows a member's name (whitespace
/// before it skipped; whitespace after it is the value's reader's to skip,
/// as every reader of a value does).
#[inline(always)]
fn colon(bytes: &[u8], pos: usize) -> Result<usize, NotJson> {
    if bytes.get(pos) == Some(&b':') {
        return Ok(pos + 1);
    }
    let pos = skip_whitespace(bytes, pos);
    if bytes.get(pos) == Some(&b':') {
        Ok(pos + 1)
    } else {
        Err(NotJson)
    }
}

/// The string whose opening quote is at `pos`, and the position after its
/// closing one.
#[inline(always)]
fn string_at(text: &str, pos: usize) -> Result<(JsonStr<'_>, usize), NotJson> {
    let bytes = text.as_bytes();
    if bytes.get(pos) != Some(&b'"') {
        return Err(NotJson);
    }
    let (end, escaped) = string_end(bytes, pos + 1)?;
    let raw = text.get(pos + 1..end - 1).ok_or(NotJson)?;
    let string = JsonStr {
        raw,
        escaped,
        start: pos + 1,
    };
    Ok((string, end))
}

/// The position after a string's closing quote, its text starting at `pos`
/// (the opening quote read), and whether it had escapes.
#[inline(always)]
fn string_end(bytes: &[u8], mut pos: usize) -> Result<(usize, bool), NotJson> {
    let mut escaped = false;
    loop {
        pos = find_special(bytes, pos).ok_or(NotJson)?;
        match bytes.get(pos) {
            Some(b'"') => return Ok((pos + 1, escaped)),
            Some(b'\\') => {
                escaped = true;
                pos = escape_end(bytes, pos)?;
            }
            // A control character must be escaped.
            _ => return Err(NotJson),
        }
    }
}

/// The position after the escape whose backslash is at `pos`.
#[inline(never)]
fn escape_end(bytes: &[u8], pos: usize) -> Result<usize, NotJson> {
    match bytes.get(pos + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(pos + 2),
        Some(b'u') => {
            let unit = hex_unit(bytes, pos + 2)?;
            let pos = pos + 6;
            // A surrogate stands for text only in a pair, as serde_json
            // reads it.
            if (0xDC00..0xE000).contains(&unit) {
                return Err(NotJson);
            }
            if (0xD800..0xDC00).contains(&unit) {
                if bytes.get(pos..pos + 2) != Some(b"\\u") {
                    return Err(NotJson);
                }
                let low = hex_unit(bytes, pos + 2)?;
                if !(0xDC00..0xE000).contains(&low) {
                    return Err(NotJson);
                }
                return Ok(pos + 6);
            }
            Ok(pos)
        }
        _ => Err(NotJson),
    }
}

/// The position after the string, number or literal at `pos`.
#[inline(always)]
fn skip_scalar(text: &str, pos: usize) -> Result<usize, NotJson> {
    let bytes = text.as_bytes();
    let literal = |word: &[u8]| {
        if bytes.get(pos..pos + word.len()) == Some(word) {
            Ok(pos + word.len())
        } else {
            Err(NotJson)
        }
    };
    match bytes.get(pos) {
        Some(b'"') => string_end(bytes, pos + 1).map(|(end, _)| end),
        Some(b't') => literal(b"true"),
        Some(b'f') => literal(b"false"),
        Some(b'n') => literal(b"null"),
        Some(b'-' | b'0'..=b'9') => number(text, pos),
        _ => Err(NotJson),
    }
}

/// The position after the number at `start`:
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, of a magnitude an
/// `f64` holds: `serde_json` refuses a larger one (`1e400`) as out of
/// range, and what the scanner passes must parse when it is read.
fn number(text: &str, start: usize) -> Result<usize, NotJson> {
    let bytes = text.as_bytes();
    let digits = |pos: &mut usize| {
        let start = *pos;
        while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
            *pos += 1;
        }
        *pos - start
    };
    let mut pos = start;
    if bytes.get(pos) == Some(&b'-') {
        pos += 1;
    }
    let integer_digits = match bytes.get(pos) {
        Some(b'0') => {
            pos += 1;
            1
        }
        Some(b'1'..=b'9') => digits(&mut pos),
        _ => return Err(NotJson),
    };
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        if digits(&mut pos) == 0 {
            return Err(NotJson);
        }
    }
    let mut exponent = false;
    if let Some(b'e' | b'E') = bytes.get(pos) {
        exponent = true;
        pos += 1;
        if let Some(b'+' | b'-') = bytes.get(pos) {
            pos += 1;
        }
        if digits(&mut pos) == 0 {
            return Err(NotJson);
        }
    }
    // Only a number with an exponent or over 300 integer digits can
    // reach past `f64::MAX` (about 1.8e308); the others are not parsed.
    if exponent || integer_digits > 300 {
        let number = text.get(start..pos).ok_or(NotJson)?;
        if !number.parse::<f64>().is_ok_and(f64::is_finite) {
            return Err(NotJson);
        }
    }
    Ok(pos)
}

/// The position after the object or array at `pos`, walked without
/// recursion: one bit per open level tells an object from an array.
fn skip_container(text: &str, mut pos: usize) -> Result<usize, NotJson> {
    let bytes = text.as_bytes();
    let mut objects: u128 = 0;
    let mut depth: u32 = 0;
    // Whether the innermost open container is an object (its bit in
    // `objects`, kept at hand: read after every value).
    let mut in_object = false;
    // At a value (a member's, an element's, or the container itself).
    'value: loop {
        match bytes.get(pos) {
            Some(b' ' | b'\n' | b'\r' | b'\t') => {
                pos = skip_whitespace(bytes, pos + 1);
                continue 'value;
            }
            Some(&open @ (b'{' | b'[')) => {
                if depth == MAX_DEPTH {
                    return Err(NotJson);
                }
                pos = skip_whitespace(bytes, pos + 1);
                let close = if open == b'{' { b'}' } else { b']' };
                if bytes.get(pos) == Some(&close) {
                    // Empty: a whole value.
                    pos += 1;
                } else {
                    let bit = 1u128 << depth;
                    depth += 1;
                    in_object = open == b'{';
                    if open == b'{' {
                        objects |= bit;
                        pos = colon(bytes, string_at(text, pos)?.1)?;
                    } else {
                        objects &= !bit;
                    }
                    continue 'value;
                }
            }
            _ => pos = skip_scalar(text, pos)?,
        }
        // After a value: a comma and the next one, or the ends of the
        // containers it closes.
        loop {
            if depth == 0 {
                return Ok(pos);
            }
            match bytes.get(pos) {
                Some(b' ' | b'\n' | b'\r' | b'\t') => pos = skip_whitespace(bytes, pos + 1),
                Some(b',') => {
                    pos += 1;
                    if in_object {
                        pos = skip_whitespace(bytes, pos);
                        pos = colon(bytes, string_at(text, pos)?.1)?;
                    }
                    continue 'value;
                }
                Some(b'}') if in_object => {
                    pos += 1;
                    depth -= 1;
                    in_object = depth > 0 && objects & (1u128 << (depth - 1)) != 0;
                }
                Some(b']') if !in_object => {
                    pos += 1;
                    depth -= 1;
                    in_object = depth > 0 && objects & (1u128 << (depth - 1)) != 0;
                }
                _ => return Err(NotJson),
            }
        }
    }
}

/// The UTF-16 unit of the four hex digits at `at`.
fn hex_unit(bytes: &[u8], at: usize) -> Result<u32, NotJson> {
    let hex = bytes.get(at..at + 4).ok_or(NotJson)?;
    hex.iter().try_fold(0u32, |unit, &digit| {
        let value = char::from(digit).to_digit(16).ok_or(NotJson)?;
        Ok(unit * 16 + value)
    })
}

/// Whether `byte` ends a run of plain string text: a quote, a backslash
/// or a control character.
#[inline(always)]
fn is_special(byte: u8) -> bool {
    byte == b'"' || byte == b'\\' || byte < 0x20
}

/// The bytes of `word` (eight, little-endian) that are special (see
/// [`is_special`]), each flagged by its high bit; the lowest flag is
/// exact (borrows only run upwards), those above it may not be.
#[inline(always)]
fn special_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero: `(x - ONES) & !x & HIGH` has its high bit.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let quote = zero(word ^ (ONES * u64::from(b'"')));
    let backslash = zero(word ^ (ONES * u64::from(b'\\')));
    // A byte below 0x20 (a byte of 0x80 or more has its high bit set in
    // `word`, so `!word` clears it).
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    quote | backslash | control
}

/// The eight bytes at `at` as a little-endian word, if there are eight.
#[inline(always)]
fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk: [u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// The position of the first byte at or after `from` that ends a run of
/// plain string text: a quote, a backslash or a control character. Eight
/// bytes are tested at a time (one `u64`), the rest one by one.
#[inline]
pub(crate) fn find_special(bytes: &[u8], from: usize) -> Option<usize> {
    find_by_words(bytes, from, special_bytes, is_special)
}

/// The position of the first `byte` in `bytes`, eight bytes at a time
/// (where `position` tests them one by one, and `memchr` costs a call
/// that the few bytes of a URL do not repay).
#[inline]
pub(crate) fn find_byte(bytes: &[u8], byte: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The bytes equal to `byte` are the zero bytes of `x` (the lowest flag
    // exact, as in [`special_bytes`]).
    let flags = |word: u64| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    find_by_words(bytes, 0, flags, |other| other == byte)
}

/// The position of the first byte at or after `from` that `is` holds for:
/// eight bytes at a time while there are eight, by `flags` (the high bit of
/// each such byte of a word set, the lowest one exact), the rest by `is`.
#[inline(always)]
fn find_by_words(
    bytes: &[u8],
    from: usize,
    flags: impl Fn(u64) -> u64,
    is: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut pos = from;
    while let Some(word) = word_at(bytes, pos) {
        let found = flags(word);
        if found != 0 {
            return Some(pos + (found.trailing_zeros() / 8) as usize);
        }
        pos += 8;
    }
    bytes
        .get(pos..)?
        .iter()
        .position(|&other| is(other))
        .map(|at| pos + at)
}

/// Whether `bytes` holds a byte [`find_special`] would find: every byte
/// tested in words of eight, the last word overlapping the one before it
/// rather than its few bytes tested one by one (text shorter than a word
/// is tested byte by byte).
#[inline]
pub(crate) fn has_special(bytes: &[u8]) -> bool {
    let Some(last) = bytes.len().checked_sub(8) else {
        return bytes.iter().any(|&byte| is_special(byte));
    };
    let mut found = 0;
    let mut pos = 0;
    while pos < last {
        found |= word_at(bytes, pos).map_or(0, special_bytes);
        pos += 8;
    }
    found |= word_at(bytes, last).map_or(0, special_bytes);
    found != 0
}

/// The state of an object's or array's walk.
#[derive(Debug)]
pub(crate) struct Members {
    first: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(text: &str) -> Result<&str, NotJson> {
        let mut scanner = Scanner::new(text);
        let range = scanner.skip_value()?;
        scanner.end()?;
        Ok(scanner.slice(range))
    }

    #[test]
    fn values_are_skipped_whole() {
        for text in [
            r#"{"a": [1, -2.5e+3, true, false, null, {"b": "c\"\\\u00e9"}], "d": {}}"#,
            "[]",
            "[[[]], {}]",
            "0",
            "-0.1E2",
            "1e308",
            "-1.7976931348623157e308",
            "1e-400",
            "0e99999",
            r#""x""#,
            r#""\ud83d\ude00""#,
            "null",
        ] {
            assert_eq!(skip(text), Ok(text), "{text}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
        assert_eq!(skip("  [1]  "), Ok("[1]"));
    }

    #[test]
    fn what_is_not_json_is_refused() {
        for text in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1: 2}",
            "[1 2]",
            "01",
            "1.",
            "1e",
            "-",
            "tru",
            "\"a",
            "\"\\x\"",
            "\"\\u12g4\"",
            "\"a\nb\"",
            "[}",
            "{]",
            "[1]]",
            "{\"a\":1}}",
            "nul",
            r#""\ud800""#,
            r#""\udc00x""#,
            r#""\ud800\u0041""#,
            "1e400",
            "-1.5E+309",
            "[0, 2e308]",
        ] {
            assert_eq!(skip(text), Err(NotJson), "{text:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_err(),
                "{text:?}"
            );
        }
        let too_large = "9".repeat(310);
        assert_eq!(skip(&too_large), Err(NotJson));
        assert!(serde_json::from_str::<serde_json::Value>(&too_large).is_err());
        let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        assert_eq!(skip(&deep), Err(NotJson));
        let fine = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(skip(&fine).is_ok());
    }

    /// The scanner accepts what `serde_json` accepts, and nothing else:
    /// every envelope one byte away from the host's (a byte left out, or
    /// replaced by one of JSON's structural bytes), walked whole.
    #[test]
    fn one_byte_from_an_envelope_the_scanner_agrees_with_serde_json() {
        let envelope = r#"{"Data":{"req":{"Url":"http://h/?n=A","Method":"GET","Query":{"n":"A"},"Headers":{"Host":["h"]},"Params":{},"Identities":[{"a":[1,-2.5e3,true,null]}],"Body":"x\"y\u00e9"}},"Metadata":{"Query":"{\"n\":\"A\"}","sys":{"MethodName":"hello"}}}"#;
        let agree = |text: &str| {
            let scanned = skip(text).is_ok();
            let parsed = serde_json::from_str::<serde_json::Value>(text).is_ok();
            assert_eq!(scanned, parsed, "{text}");
        };
        agree(envelope);
        for at in 0..envelope.len() {
            let (before, after) = (&envelope[..at], &envelope[at + 1..]);
            agree(&format!("{before}{after}"));
            for byte in [
                "{", "}", "[", "]", ",", ":", "\"", "\\", " ", "0", "-", "e", ".",
            ] {
                agree(&format!("{before}{byte}{after}"));
                agree(&format!("{before}{byte}{}", &envelope[at..]));
            }
        }
    }

    #[test]
    fn special_bytes_are_told_at_every_offset_and_length() {
        for len in 0..=40 {
            let plain: Vec<u8> = (0..len).map(|at| b"ab~\x7f\xc3\xa9 z"[at % 8]).collect();
            assert!(!has_special(&plain), "{len}");
            assert_eq!(find_special(&plain, 0), None, "{len}");
            for special in [b'"', b'\\', b'\n', 0x00, 0x1f] {
                for at in 0..len {
                    let mut bytes = plain.clone();
                    bytes[at] = special;
                    assert!(has_special(&bytes), "{special:#x} at {at} of {len}");
                    assert_eq!(find_special(&bytes, 0), Some(at));
                }
            }
        }
    }

    #[test]
    fn bytes_are_found_at_every_offset_and_length() {
        for len in 0..=40 {
            let plain: Vec<u8> = (0..len).map(|at| b"ab#\x80\xa3\xff/?"[at % 8]).collect();
            for byte in [b'#', b'/', 0x80, b'x', 0x00, 0xa3] {
                assert_eq!(
                    find_byte(&plain, byte),
                    plain.iter().position(|&other| other == byte),
                    "{byte:#x} in {len}"
                );
                for at in 0..len {
                    let mut bytes = plain.clone();
                    bytes[at] = byte;
                    assert_eq!(
                        find_byte(&bytes, byte),
                        bytes.iter().position(|&other| other == byte),
                        "{byte:#x} at {at} of {len}"
                    );
                }
            }
        }
    }

    /// A walked string's `escaped`, told by [`find_special`], is what the
    /// walk found and what a search for a backslash finds.
    #[test]
    fn walked_strings_are_escaped_when_they_hold_a_backslash() {
        for text in [
            r#""""#,
            r#""GET""#,
            r#""http://127.0.0.1/?name=Ada""#,
            r#""\\""#,
            r#""a\"b""#,
            r#""0123456789abcdef\n""#,
            r#""0123456\u00e9789abcdef""#,
            r#""\ud83d\ude00 x""#,
            "\"é – ü\"",
            "\"0123456789é\\t0123456789\"",
        ] {
            let mut scanner = Scanner::new(text);
            let scanned = scanner.string().expect(text);
            let walked = JsonStr::walked(text).expect(text);
            assert_eq!(walked.is_escaped(), scanned.is_escaped(), "{text}");
            assert_eq!(walked.is_escaped(), text.contains('\\'), "{text}");
            assert_eq!(walked.text(), scanned.text(), "{text}");
        }
    }

    #[test]
    fn special_bytes_are_found_at_every_offset() {
        for special in [b'"', b'\\', b'\n', 0x00, 0x1f] {
            for at in 0..20 {
                let mut bytes = vec![b'a'; 20];
                bytes[5] = 0xc3; // a byte of 0x80 or more is plain text
                bytes[at] = special;
                assert_eq!(find_special(&bytes, 0), Some(at), "{special:#x} at {at}");
                assert_eq!(find_special(&bytes, at), Some(at));
            }
        }
        assert_eq!(find_special(&[b' '; 19], 0), None);
        assert_eq!(find_special(b"ab", 5), None);
    }

    #[test]
    fn objects_member_by_member() {
        let mut scanner =
            Scanner::new(r#"{"Url": "/a", "m\u0065thod": "GET", "n": [1, {"x": 2}]}"#);
        let mut members = scanner.begin_object().expect("an object");
        let mut seen = Vec::new();
        while let Some(key) = scanner.next_key(&mut members).expect("a key") {
            let range = scanner.skip_value().expect("a value");
            seen.push((key.text().expect("text").into_owned(), scanner.slice(range)));
        }
        scanner.end().expect("the end");
        assert_eq!(
            seen,
            [
                ("Url".to_owned(), r#""/a""#),
                ("method".to_owned(), r#""GET""#),
                ("n".to_owned(), r#"[1, {"x": 2}]"#)
            ]
        );
        let mut scanner = Scanner::new(r#"["a\"b", 2]"#);
        let mut elements = scanner.begin_array().expect("an array");
        assert!(scanner.next_element(&mut elements).expect("more"));
        let first = scanner.string().expect("a string");
        assert_eq!(first.text().expect("text"), "a\"b");
        assert!(first.is("A\"B"));
        assert!(scanner.next_element(&mut elements).expect("more"));
        scanner.skip_value().expect("a number");
        assert!(!scanner.next_element(&mut elements).expect("the end"));
    }
}

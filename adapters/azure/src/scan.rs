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
}

impl<'a> JsonStr<'a> {
    /// The string's text: borrowed when it has no escapes.
    ///
    /// # Errors
    ///
    /// [`NotJson`] for an escape that does not stand for text (a lone
    /// surrogate).
    pub(crate) fn text(&self) -> Result<Cow<'a, str>, NotJson> {
        if self.escaped {
            serde_json::from_str::<String>(&format!("\"{}\"", self.raw))
                .map(Cow::Owned)
                .map_err(|_| NotJson)
        } else {
            Ok(Cow::Borrowed(self.raw))
        }
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
    pub(crate) fn is(&self, name: &str) -> bool {
        if self.escaped {
            self.text()
                .is_ok_and(|text| text.eq_ignore_ascii_case(name))
        } else {
            self.raw.eq_ignore_ascii_case(name)
        }
    }
}

/// Where the scanner is in its input.
#[derive(Debug, Clone)]
pub(crate) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

/// What the container walk expects next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Value,
    ValueOrEnd,
    Key,
    KeyOrEnd,
    CommaOrEnd,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    /// How far the scanner has read.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    #[inline]
    fn skip_whitespace(&mut self) {
        let bytes = self.text.as_bytes();
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.text.as_bytes().get(self.pos).copied()
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
    pub(crate) fn next_key(
        &mut self,
        members: &mut Members,
    ) -> Result<Option<JsonStr<'a>>, NotJson> {
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(None);
        }
        if !members.first {
            self.expect(b',')?;
            self.skip_whitespace();
        }
        members.first = false;
        let key = self.string()?;
        self.expect(b':')?;
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
    pub(crate) fn string(&mut self) -> Result<JsonStr<'a>, NotJson> {
        self.expect(b'"')?;
        let start = self.pos;
        let escaped = self.string_rest()?;
        Ok(JsonStr {
            raw: self.text.get(start..self.pos - 1).ok_or(NotJson)?,
            escaped,
        })
    }

    /// Past a string's closing quote (its opening one read); whether it
    /// had escapes.
    fn string_rest(&mut self) -> Result<bool, NotJson> {
        let bytes = self.text.as_bytes();
        let mut escaped = false;
        loop {
            self.pos = find_special(bytes, self.pos).ok_or(NotJson)?;
            match bytes[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return Ok(escaped);
                }
                b'\\' => {
                    escaped = true;
                    match bytes.get(self.pos + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 2;
                        }
                        Some(b'u') => {
                            let unit = hex_unit(bytes, self.pos + 2)?;
                            self.pos += 6;
                            // A surrogate stands for text only in a pair, as
                            // serde_json reads it.
                            if (0xDC00..0xE000).contains(&unit) {
                                return Err(NotJson);
                            }
                            if (0xD800..0xDC00).contains(&unit) {
                                if bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(NotJson);
                                }
                                let low = hex_unit(bytes, self.pos + 2)?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(NotJson);
                                }
                                self.pos += 6;
                            }
                        }
                        _ => return Err(NotJson),
                    }
                }
                // A control character must be escaped.
                _ => return Err(NotJson),
            }
        }
    }

    /// Skips the next value, checking it is JSON; its text's range.
    pub(crate) fn skip_value(&mut self) -> Result<Range<usize>, NotJson> {
        let start = match self.peek() {
            Some(_) => self.pos,
            None => return Err(NotJson),
        };
        match self.text.as_bytes()[start] {
            b'{' | b'[' => self.skip_container()?,
            _ => self.skip_scalar()?,
        }
        Ok(start..self.pos)
    }

    /// The text of `range` (from [`skip_value`](Self::skip_value)).
    pub(crate) fn slice(&self, range: Range<usize>) -> &'a str {
        self.text.get(range).unwrap_or("null")
    }

    /// A string, number or literal (whitespace skipped).
    fn skip_scalar(&mut self) -> Result<(), NotJson> {
        let bytes = self.text.as_bytes();
        match bytes.get(self.pos) {
            Some(b'"') => {
                self.pos += 1;
                self.string_rest().map(drop)
            }
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(NotJson),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), NotJson> {
        if self.text.as_bytes().get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(NotJson)
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, of a magnitude an
    /// `f64` holds: `serde_json` refuses a larger one (`1e400`) as out of
    /// range, and what the scanner passes must parse when it is read.
    fn number(&mut self) -> Result<(), NotJson> {
        let bytes = self.text.as_bytes();
        let digits = |pos: &mut usize| {
            let start = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos - start
        };
        let mut pos = self.pos;
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
            let text = self.text.get(self.pos..pos).ok_or(NotJson)?;
            if !text.parse::<f64>().is_ok_and(f64::is_finite) {
                return Err(NotJson);
            }
        }
        self.pos = pos;
        Ok(())
    }

    /// An object or array, walked without recursion: one bit per open
    /// level tells an object from an array.
    fn skip_container(&mut self) -> Result<(), NotJson> {
        let mut objects: u128 = 0;
        let mut depth: u32 = 0;
        let mut want = Want::Value;
        loop {
            let byte = self.peek().ok_or(NotJson)?;
            match want {
                Want::Value | Want::ValueOrEnd => match byte {
                    b']' if want == Want::ValueOrEnd => {
                        self.pos += 1;
                        depth -= 1;
                        if depth == 0 {
                            return Ok(());
                        }
                        want = Want::CommaOrEnd;
                    }
                    b'{' | b'[' => {
                        if depth == MAX_DEPTH {
                            return Err(NotJson);
                        }
                        let bit = 1u128 << depth;
                        if byte == b'{' {
                            objects |= bit;
                            want = Want::KeyOrEnd;
                        } else {
                            objects &= !bit;
                            want = Want::ValueOrEnd;
                        }
                        depth += 1;
                        self.pos += 1;
                    }
                    _ => {
                        self.skip_scalar()?;
                        want = Want::CommaOrEnd;
                    }
                },
                Want::Key | Want::KeyOrEnd => {
                    if byte == b'}' && want == Want::KeyOrEnd {
                        self.pos += 1;
                        depth -= 1;
                        if depth == 0 {
                            return Ok(());
                        }
                        want = Want::CommaOrEnd;
                    } else {
                        self.string()?;
                        self.expect(b':')?;
                        want = Want::Value;
                    }
                }
                Want::CommaOrEnd => {
                    let in_object = objects & (1u128 << (depth - 1)) != 0;
                    match byte {
                        b',' => {
                            self.pos += 1;
                            want = if in_object { Want::Key } else { Want::Value };
                        }
                        b'}' if in_object => {
                            self.pos += 1;
                            depth -= 1;
                            if depth == 0 {
                                return Ok(());
                            }
                        }
                        b']' if !in_object => {
                            self.pos += 1;
                            depth -= 1;
                            if depth == 0 {
                                return Ok(());
                            }
                        }
                        _ => return Err(NotJson),
                    }
                }
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

/// The position of the first byte at or after `from` that ends a run of
/// plain string text: a quote, a backslash or a control character. Eight
/// bytes are tested at a time (one `u64`), the rest one by one.
fn find_special(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let special = |byte: u8| byte == b'"' || byte == b'\\' || byte < 0x20;
    let mut pos = from;
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        // A byte of `x` is zero: `(x - ONES) & !x & HIGH` has its high bit.
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        let quote = zero(word ^ (ONES * u64::from(b'"')));
        let backslash = zero(word ^ (ONES * u64::from(b'\\')));
        // A byte below 0x20 (a byte of 0x80 or more has its high bit set in
        // `word`, so `!word` clears it).
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
        let found = quote | backslash | control;
        if found != 0 {
            // The lowest flagged byte is exact (borrows only run upwards).
            return Some(pos + (found.trailing_zeros() / 8) as usize);
        }
        pos += 8;
    }
    bytes
        .get(pos..)?
        .iter()
        .position(|&byte| special(byte))
        .map(|at| pos + at)
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

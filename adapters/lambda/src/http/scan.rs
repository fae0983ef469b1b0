//! An HTTP event payload read in one pass without serde's machinery: the
//! [`RawHttpEvent`] that serde would make of it, or `None` for anything it is
//! not sure serde reads the same way, which serde then reads (and refuses
//! with its own errors).
//!
//! What it reads is a strict subset of what serde_json accepts: the whole
//! payload valid UTF-8, one object of keys without escapes, no duplicate
//! field, values of the types the fields take, every skipped value valid
//! JSON nested at most [`MAX_DEPTH`] deep, nothing but whitespace after the
//! object. The maps the shapes use (`headers`, `queryStringParameters`, …)
//! are kept as their text, as serde keeps them; the subtrees nobody reads
//! (`requestContext.time`, an unknown key's value) are validated and
//! skipped, never built.

use std::borrow::Cow;

use anyfn::http::header::HeaderValue;
use anyfn::http::HeaderMap;
use bytes::Bytes;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use super::api_gateway::{RawHttpDetails, RawIdentity, RawRequestContext};
use super::decode::RawHttpEvent;
use super::pairs::{header_name, header_value, LazyObject, Text};

/// How deep a skipped value may nest before the scan gives up (serde_json's
/// own limit, 128 levels in all, lies beyond it).
const MAX_DEPTH: u32 = 64;

/// The payload as serde reads it into a [`RawHttpEvent`], when the scan is
/// sure to read it the same; `None` otherwise.
///
/// `headers`, when its names and values are all strings (or lists of them)
/// that make a header map, is read into one as it goes
/// ([`RawHttpEvent::header_map`]), its values slices of `shared` (the
/// payload's bytes) where they need no unescaping.
pub(super) fn scan<'p>(payload: &'p [u8], shared: Option<&Bytes>) -> Option<RawHttpEvent<'p>> {
    let text = std::str::from_utf8(payload).ok()?;
    let mut scanner = Scanner { text, at: 0 };
    let mut raw = RawHttpEvent::default();
    let mut seen = Seen::default();
    scanner.object(|scanner, key| {
        match key {
            "version" => {
                seen.first(0)?;
                raw.version = scanner.text()?;
            }
            "httpMethod" => {
                seen.first(1)?;
                raw.http_method = scanner.text()?;
            }
            "path" => {
                seen.first(2)?;
                raw.path = scanner.text()?;
            }
            "rawPath" => {
                seen.first(3)?;
                raw.raw_path = scanner.text()?;
            }
            "rawQueryString" => {
                seen.first(4)?;
                raw.raw_query_string = scanner.text()?;
            }
            "headers" => {
                seen.first(5)?;
                if scanner.null() {
                    return Some(());
                }
                let start = scanner.at;
                raw.header_map = scanner.header_map(shared);
                if raw.header_map.is_none() {
                    // Left to the header reader, which refuses it with its
                    // own error (or reads what the scan does not).
                    scanner.at = start;
                    scanner.skip(0)?;
                }
                raw.headers = LazyObject::from_text(scanner.text.get(start..scanner.at)?);
            }
            "multiValueHeaders" => {
                seen.first(6)?;
                raw.multi_value_headers = scanner.lazy()?;
            }
            "queryStringParameters" => {
                seen.first(7)?;
                raw.query_string_parameters = scanner.lazy()?;
            }
            "multiValueQueryStringParameters" => {
                seen.first(8)?;
                raw.multi_value_query_string_parameters = scanner.lazy()?;
            }
            "pathParameters" => {
                seen.first(9)?;
                raw.path_parameters = scanner.lazy()?;
            }
            "stageVariables" => {
                seen.first(10)?;
                raw.stage_variables = scanner.lazy()?;
            }
            "cookies" => {
                seen.first(11)?;
                raw.cookies = scanner.strings()?;
            }
            "body" => {
                seen.first(12)?;
                raw.body = scanner.owned()?;
            }
            "isBase64Encoded" => {
                seen.first(13)?;
                raw.is_base64_encoded = scanner.boolean()?;
            }
            "requestContext" => {
                seen.first(14)?;
                raw.request_context = if scanner.null() {
                    None
                } else {
                    Some(request_context(scanner)?)
                };
            }
            _ => scanner.skip(0)?,
        }
        Some(())
    })?;
    scanner.skip_whitespace();
    (scanner.at == text.len()).then_some(raw)
}

/// `text` as a header value, as [`header_value`] makes it: a slice of
/// `shared` when it is borrowed from it; unescaped text moved into the
/// value, not copied again.
fn scanned_value(shared: Option<&Bytes>, text: Cow<'_, str>) -> Option<HeaderValue> {
    match text {
        Cow::Borrowed(text) => header_value(shared, text),
        Cow::Owned(text) => HeaderValue::from_maybe_shared(Bytes::from(text.into_bytes())).ok(),
    }
}

/// `requestContext`, an object (serde would read a list too: not here).
fn request_context(scanner: &mut Scanner<'_>) -> Option<RawRequestContext> {
    let mut context = RawRequestContext::default();
    let mut seen = Seen::default();
    scanner.object(|scanner, key| {
        match key {
            "elb" => {
                seen.first(0)?;
                context.elb = if scanner.null() {
                    None
                } else {
                    scanner.skip(0)?;
                    Some(IgnoredAny)
                };
            }
            "http" => {
                seen.first(1)?;
                context.http = if scanner.null() {
                    None
                } else {
                    let mut http = RawHttpDetails::default();
                    let mut seen = Seen::default();
                    scanner.object(|scanner, key| {
                        match key {
                            "method" => {
                                seen.first(0)?;
                                http.method = scanner.owned()?;
                            }
                            "sourceIp" => {
                                seen.first(1)?;
                                http.source_ip = scanner.owned()?;
                            }
                            "userAgent" => {
                                seen.first(2)?;
                                http.user_agent = scanner.owned()?;
                            }
                            _ => scanner.skip(0)?,
                        }
                        Some(())
                    })?;
                    Some(http)
                };
            }
            "identity" => {
                seen.first(2)?;
                context.identity = if scanner.null() {
                    None
                } else {
                    let mut identity = RawIdentity::default();
                    let mut seen = Seen::default();
                    scanner.object(|scanner, key| {
                        match key {
                            "sourceIp" => {
                                seen.first(0)?;
                                identity.source_ip = scanner.owned()?;
                            }
                            "userAgent" => {
                                seen.first(1)?;
                                identity.user_agent = scanner.owned()?;
                            }
                            _ => scanner.skip(0)?,
                        }
                        Some(())
                    })?;
                    Some(identity)
                };
            }
            "stage" => {
                seen.first(3)?;
                context.stage = scanner.owned()?;
            }
            "routeKey" => {
                seen.first(4)?;
                context.route_key = scanner.owned()?;
            }
            "resourcePath" => {
                seen.first(5)?;
                context.resource_path = scanner.owned()?;
            }
            "requestId" => {
                seen.first(6)?;
                context.request_id = scanner.owned()?;
            }
            "domainName" => {
                seen.first(7)?;
                context.domain_name = scanner.owned()?;
            }
            "apiId" => {
                seen.first(8)?;
                context.api_id = scanner.owned()?;
            }
            "accountId" => {
                seen.first(9)?;
                context.account_id = scanner.owned()?;
            }
            "authorizer" => {
                seen.first(10)?;
                context.authorizer = if scanner.null() {
                    None
                } else {
                    let raw = scanner.raw()?;
                    Some(RawValue::from_string(raw.to_owned()).ok()?)
                };
            }
            _ => scanner.skip(0)?,
        }
        Some(())
    })?;
    Some(context)
}

/// The fields of one object already read: serde refuses a duplicate.
#[derive(Default)]
struct Seen(u32);

impl Seen {
    /// `Some` the first time `field` is seen, `None` after.
    fn first(&mut self, field: u32) -> Option<()> {
        let bit = 1 << field;
        let first = self.0 & bit == 0;
        self.0 |= bit;
        first.then_some(())
    }
}

/// A reader of a payload already known to be UTF-8.
struct Scanner<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Scanner<'t> {
    fn bytes(&self) -> &'t [u8] {
        self.text.as_bytes()
    }

    fn skip_whitespace(&mut self) {
        while matches!(
            self.bytes().get(self.at),
            Some(b' ' | b'\t' | b'\n' | b'\r')
        ) {
            self.at += 1;
        }
    }

    /// The next byte, after whitespace (not read).
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes().get(self.at).copied()
    }

    /// Whether `byte` comes next (after whitespace); if so, it is read.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    /// Whether `word` comes next (after whitespace); if so, it is read.
    fn eat_word(&mut self, word: &[u8]) -> bool {
        self.skip_whitespace();
        let next = self
            .bytes()
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(word));
        if next {
            self.at += word.len();
        }
        next
    }

    /// Whether `null` comes next; if so, it is read.
    fn null(&mut self) -> bool {
        self.eat_word(b"null")
    }

    /// An object, each key (one without escapes) handed to `field`, which
    /// reads its value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'t str) -> Option<()>) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            let key = self.key()?;
            if !self.eat(b':') {
                return None;
            }
            field(self, key)?;
            if self.eat(b'}') {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// A key: a string without escapes.
    fn key(&mut self) -> Option<&'t str> {
        match self.string()? {
            Cow::Borrowed(key) => Some(key),
            Cow::Owned(_) => None,
        }
    }

    /// A string, borrowed when it has no escapes.
    fn string(&mut self) -> Option<Cow<'t, str>> {
        if !self.eat(b'"') {
            return None;
        }
        let bytes = self.bytes();
        let start = self.at;
        let end = start + to_special(bytes.get(start..)?);
        if bytes.get(end) == Some(&b'"') {
            self.at = end + 1;
            return Some(Cow::Borrowed(self.text.get(start..end)?));
        }
        self.unescape(start, end).map(Cow::Owned)
    }

    /// The rest of a string that has an escape (or a control character)
    /// at `end`, from `start`: unescaped.
    #[inline(never)]
    fn unescape(&mut self, start: usize, mut end: usize) -> Option<String> {
        let bytes = self.bytes();
        // The closing quote first, so that the string is made once at a
        // size that holds it (an escape never grows what it stands for):
        // a browser's `Sec-Ch-Ua` starts with an escape, and the string
        // grew twice or more.
        let mut close = end;
        loop {
            match bytes.get(close)? {
                b'"' => break,
                b'\\' => close += 2,
                // A control character, which JSON strings cannot hold.
                _ => return None,
            }
            close += to_special(bytes.get(close..)?);
        }
        let mut unescaped = String::with_capacity(close - start);
        let mut from = start;
        loop {
            unescaped.push_str(self.text.get(from..end)?);
            match bytes.get(end)? {
                b'"' => {
                    self.at = end + 1;
                    return Some(unescaped);
                }
                b'\\' => {
                    let (unescape, length) = escape(bytes, end + 1)?;
                    unescaped.push(unescape);
                    from = end + 1 + length;
                    end = from + to_special(bytes.get(from..)?);
                }
                // A control character, which JSON strings cannot hold.
                _ => return None,
            }
        }
    }

    /// A string or `null` (serde's `Option<Text>`).
    fn text(&mut self) -> Option<Option<Text<'t>>> {
        if self.null() {
            return Some(None);
        }
        self.string().map(|text| Some(Text(text)))
    }

    /// A string or `null` (serde's `Option<String>`).
    fn owned(&mut self) -> Option<Option<String>> {
        if self.null() {
            return Some(None);
        }
        self.string().map(|text| Some(text.into_owned()))
    }

    /// `true`, `false` or `null` (serde's `Option<bool>`).
    fn boolean(&mut self) -> Option<Option<bool>> {
        if self.null() {
            Some(None)
        } else if self.eat_word(b"true") {
            Some(Some(true))
        } else if self.eat_word(b"false") {
            Some(Some(false))
        } else {
            None
        }
    }

    /// A list of strings or `null` (serde's `Option<Vec<String>>`).
    fn strings(&mut self) -> Option<Option<Vec<String>>> {
        if self.null() {
            return Some(None);
        }
        if !self.eat(b'[') {
            return None;
        }
        let mut strings = Vec::new();
        if self.eat(b']') {
            return Some(Some(strings));
        }
        loop {
            strings.push(self.string()?.into_owned());
            if self.eat(b']') {
                return Some(Some(strings));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// The object that comes next (after whitespace) as a header map, read
    /// as [`LazyObject::header_map`] reads it; `None`, somewhere in it,
    /// for anything else (a `null`, a name or value http refuses, too many
    /// names).
    fn header_map(&mut self, shared: Option<&Bytes>) -> Option<HeaderMap> {
        let mut headers = HeaderMap::with_capacity(16);
        self.object(|scanner, key| {
            let name = header_name(key).ok()?;
            if scanner.eat(b'[') {
                if scanner.eat(b']') {
                    return Some(());
                }
                loop {
                    let value = scanned_value(shared, scanner.string()?)?;
                    headers.try_append(name.clone(), value).ok()?;
                    if scanner.eat(b']') {
                        return Some(());
                    }
                    if !scanner.eat(b',') {
                        return None;
                    }
                }
            }
            let value = scanned_value(shared, scanner.string()?)?;
            headers.try_append(name, value).ok()?;
            Some(())
        })?;
        Some(headers)
    }

    /// Any value, or `null` as none (serde's [`LazyObject`]).
    fn lazy(&mut self) -> Option<LazyObject<'t>> {
        if self.null() {
            return Some(LazyObject::default());
        }
        self.raw().map(LazyObject::from_text)
    }

    /// The text of the value that comes next, validated.
    fn raw(&mut self) -> Option<&'t str> {
        self.skip_whitespace();
        let start = self.at;
        self.skip(0)?;
        self.text.get(start..self.at)
    }

    /// Reads past one valid JSON value, nested in `depth` others.
    fn skip(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'{' => {
                let depth = depth.checked_add(1).filter(|&depth| depth <= MAX_DEPTH)?;
                self.object(|scanner, _key| scanner.skip(depth))
            }
            b'[' => {
                let depth = depth.checked_add(1).filter(|&depth| depth <= MAX_DEPTH)?;
                self.at += 1;
                if self.eat(b']') {
                    return Some(());
                }
                loop {
                    self.skip(depth)?;
                    if self.eat(b']') {
                        return Some(());
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'"' => self.skip_string(),
            b't' => self.eat_word(b"true").then_some(()),
            b'f' => self.eat_word(b"false").then_some(()),
            b'n' => self.null().then_some(()),
            b'-' | b'0'..=b'9' => self.skip_number(),
            _ => None,
        }
    }

    /// Reads past a string (the next byte is its quote), its escapes
    /// checked as serde_json checks a string it ignores.
    fn skip_string(&mut self) -> Option<()> {
        let bytes = self.bytes();
        let mut at = self.at + 1;
        loop {
            at += to_special(bytes.get(at..)?);
            match bytes.get(at)? {
                b'"' => {
                    self.at = at + 1;
                    return Some(());
                }
                b'\\' => {
                    at += 1;
                    match bytes.get(at)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => at += 1,
                        b'u' => {
                            hex4(bytes, at + 1)?;
                            at += 5;
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
    }

    /// Reads past a number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn skip_number(&mut self) -> Option<()> {
        let bytes = self.bytes();
        let mut at = self.at;
        let digits = |at: &mut usize| {
            let from = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at > from
        };
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        match bytes.get(at)? {
            b'0' => at += 1,
            b'1'..=b'9' => {
                digits(&mut at);
            }
            _ => return None,
        }
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            if !digits(&mut at) {
                return None;
            }
        }
        if matches!(bytes.get(at), Some(b'e' | b'E')) {
            at += 1;
            if matches!(bytes.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            if !digits(&mut at) {
                return None;
            }
        }
        self.at = at;
        Some(())
    }
}

/// The character the escape after a backslash at `at` stands for, and how
/// many bytes it takes; `None` for an escape serde_json refuses in a
/// string it reads, or might (a surrogate not in a pair).
fn escape(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let unescaped = match bytes.get(at)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let high = hex4(bytes, at + 1)?;
            if !(0xD800..0xE000).contains(&high) {
                return Some((char::from_u32(high)?, 5));
            }
            if high >= 0xDC00 || bytes.get(at + 5..at + 7)? != b"\\u" {
                return None;
            }
            let low = hex4(bytes, at + 7)?;
            if !(0xDC00..0xE000).contains(&low) {
                return None;
            }
            let code = 0x1_0000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            return Some((char::from_u32(code)?, 11));
        }
        _ => return None,
    };
    Some((unescaped, 1))
}

/// The four hex digits at `at`, as a number.
fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    bytes.get(at..at + 4)?.iter().try_fold(0, |code, &digit| {
        let value = char::from(digit).to_digit(16)?;
        Some(code << 4 | value)
    })
}

/// How many bytes of `bytes` come before the first `"`, `\\` or control
/// character (all of them when there is none), eight at a time.
pub(super) fn to_special(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // A byte below 0x20: it borrows, and its top bit was clear.
        let control = word.wrapping_sub(ONES * 0x20) & !word;
        let found = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | control)
            & HIGH;
        if found != 0 {
            return at + found.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    while bytes.get(at).is_some_and(|&byte| !is_special(byte)) {
        at += 1;
    }
    at
}

fn is_special(byte: u8) -> bool {
    byte == b'"' || byte == b'\\' || byte < 0x20
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use anyfn::{Context, Request, RequestExt};

    use super::*;
    use crate::http::decode::{decode_shared, decode_with_serde};
    use crate::{ApiGatewayContextExt, EventSource};

    /// What serde reads `payload` into, as text (`Err` when it refuses it).
    fn serde_read(payload: &[u8]) -> Result<String, String> {
        crate::describe::read::<RawHttpEvent<'_>>(payload, "an HTTP event")
            .map(|raw| format!("{raw:?}"))
            .map_err(|err| err.to_string())
    }

    /// The scan reads `payload` as serde does, or leaves it to serde;
    /// whether it read it.
    fn check_scan(payload: &[u8]) -> bool {
        let shared = bytes::Bytes::copy_from_slice(payload);
        let Some(mut scanned) = scan(&shared, Some(&shared)) else {
            return false;
        };
        // The map read as the scan went is the map of the text it kept.
        if let Some(header_map) = scanned.header_map.take() {
            let read = scanned.headers.header_map(Some(&shared));
            assert_eq!(
                Some(&header_map),
                read.as_ref().ok(),
                "{}",
                String::from_utf8_lossy(payload)
            );
            let values = |map: &HeaderMap| {
                map.iter()
                    .map(|(name, value)| format!("{name}: {value:?}"))
                    .collect::<Vec<_>>()
            };
            assert_eq!(values(&header_map), values(&read.expect("read")));
        }
        let scanned = format!("{scanned:?}");
        match serde_read(payload) {
            Ok(read) => assert_eq!(scanned, read, "{}", String::from_utf8_lossy(payload)),
            Err(err) => panic!(
                "the scan read what serde refuses ({err}): {}",
                String::from_utf8_lossy(payload)
            ),
        }
        true
    }

    /// The request, the source and the context's details a decode gives,
    /// or its error, as text.
    fn decoded(
        decode: impl FnOnce(&mut Context) -> Result<(Request, EventSource), anyfn::Error>,
    ) -> String {
        let mut context = Context::builder().build();
        let result = decode(&mut context);
        let details = format!(
            "{:?} {:?}",
            context.extensions().get::<EventSource>(),
            context.api_gateway()
        );
        match result {
            Ok((request, source)) => {
                let (parts, body) = request.into_parts();
                let request = Request::from_parts(parts, anyfn::Body::empty());
                format!(
                    "{source:?} {} {} {:?} {:?} body={:?} stage={:?} params={:?} variables={:?} {details}",
                    request.method(),
                    request.uri(),
                    request.version(),
                    request.headers(),
                    body.as_bytes(),
                    request.stage(),
                    request.path_params(),
                    request.stage_variables(),
                )
            }
            Err(err) => format!("{:?} {} {details}", err.kind(), err.message()),
        }
    }

    /// The whole decode of `payload`, with the scan and with serde alone.
    fn check_decode(payload: &[u8]) {
        let shared = bytes::Bytes::copy_from_slice(payload);
        let scanned = decoded(|context| decode_shared(&shared, Some(&shared), context));
        let read = decoded(|context| decode_with_serde(payload, context));
        assert_eq!(scanned, read, "{}", String::from_utf8_lossy(payload));
    }

    /// The example events aws_lambda_events ships in its crate source, when
    /// cargo has unpacked it, and the workspace's own.
    fn example_events() -> Vec<PathBuf> {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut folders = vec![manifest.join("../../tests/fixtures/lambda")];
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
        if let Some(registries) = cargo_home
            .map(|home| home.join("registry/src"))
            .and_then(|source| std::fs::read_dir(source).ok())
        {
            for registry in registries.flatten() {
                for package in std::fs::read_dir(registry.path()).into_iter().flatten() {
                    let package = package.expect("a registry entry").path();
                    let name = package.file_name().unwrap_or_default().to_string_lossy();
                    if name.starts_with("aws_lambda_events-") {
                        folders.push(package.join("src/fixtures"));
                    }
                }
            }
        }
        if folders.len() == 1 {
            eprintln!("aws_lambda_events's source is not unpacked: the workspace's events only");
        }
        let mut events: Vec<PathBuf> = folders
            .iter()
            .filter_map(|folder| std::fs::read_dir(folder).ok())
            .flat_map(|entries| entries.flatten().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        events.sort();
        assert!(events.len() >= 16, "{events:?}");
        events
    }

    /// Every example event, HTTP or not, scans as serde reads it and
    /// decodes as before; the HTTP ones are all scanned.
    #[test]
    fn regression_example_events_scan_and_decode_as_serde_reads_them() {
        for path in example_events() {
            let payload = std::fs::read(&path).expect("readable");
            let scanned = check_scan(&payload);
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let http = [
                "apigw-request",
                "apigw-v2-request",
                "sam-",
                "lambda-function-url-request",
            ]
            .iter()
            .any(|marker| name.contains(marker))
                || name.starts_with("example-alb-lambda-target-request");
            assert!(scanned || !http, "{name} was left to serde");
            if name.contains("apigw-v2-request") || name.contains("sam-http") {
                let headers = scan(&payload, None).and_then(|raw| raw.header_map);
                assert!(headers.is_some(), "{name}: headers left to the reader");
            }
            check_decode(&payload);
        }
    }

    /// Every prefix of an event, and the event with each byte dropped, is
    /// refused (or read) as serde refuses it; never a panic.
    #[test]
    fn regression_cut_events_scan_as_serde_reads_them() {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        for name in [
            "example-apigw-sam-http-request.json",
            "example-apigw-v2-request-jwt-authorizer.json",
            "example-alb-lambda-target-request-multivalue-headers.json",
        ] {
            let payload = std::fs::read(manifest.join("../../tests/fixtures/lambda").join(name))
                .expect("readable");
            for end in 0..payload.len() {
                check_scan(&payload[..end]);
                let mut dropped = payload.clone();
                dropped.remove(end);
                check_scan(&dropped);
            }
            for end in (0..payload.len()).step_by(7) {
                check_decode(&payload[..end]);
            }
        }
    }

    /// Odd events: each scans as serde reads it, or is left to serde, and
    /// decodes as before.
    #[test]
    fn regression_odd_events_scan_as_serde_reads_them() {
        const V2: &str =
            r#""version":"2.0","rawPath":"/p","requestContext":{"http":{"method":"GET"}}"#;
        let cases = [
            // Nulls and absences.
            format!("{{{V2},\"headers\":null,\"cookies\":null,\"body\":null,\"isBase64Encoded\":null}}"),
            r#"{"version":"2.0","rawPath":null,"requestContext":null}"#.to_owned(),
            r#"{"version":"2.0","requestContext":{"http":null}}"#.to_owned(),
            r#"{"version":"2.0","requestContext":{"http":{"method":null}}}"#.to_owned(),
            r#"{"requestContext":{"elb":null},"httpMethod":"GET"}"#.to_owned(),
            r#"{"requestContext":{"elb":{"targetGroupArn":"x"}},"httpMethod":"GET"}"#.to_owned(),
            r#"{"requestContext":{"elb":[1,{"a":[]}]},"httpMethod":"GET"}"#.to_owned(),
            "{}".to_owned(),
            " \n{ } \r\n".to_owned(),
            format!("\t{{\n        {V2} ,\r\n  \"body\"  :\t\"x\"         ,\"headers\" : {{ \"a\" : [ \"1\" , \"2\" ] }} }}   \n"),
            // Duplicates: serde refuses a repeated field, keeps repeated headers.
            format!("{{{V2},\"rawPath\":\"/q\"}}"),
            format!("{{{V2},\"body\":null,\"body\":\"x\"}}"),
            r#"{"version":"2.0","requestContext":{"http":{"method":"GET","method":"PUT"}}}"#.to_owned(),
            r#"{"version":"2.0","requestContext":{"stage":"a","http":{"method":"GET"},"stage":"b"}}"#.to_owned(),
            r#"{"version":"2.0","requestContext":{"identity":{},"identity":null,"http":{"method":"GET"}}}"#.to_owned(),
            format!("{{{V2},\"headers\":{{\"a\":\"1\",\"A\":\"2\",\"a\":[\"3\",null]}}}}"),
            format!("{{{V2},\"x\":1,\"x\":2}}"),
            // Multi-value headers, cookies, base64 bodies.
            format!("{{{V2},\"multiValueHeaders\":{{\"a\":[\"1\",\"2\"]}},\"cookies\":[\"a=1\",\"b=2\"]}}"),
            format!("{{{V2},\"cookies\":[]}}"),
            format!("{{{V2},\"cookies\":[\"a\",null]}}"),
            format!("{{{V2},\"cookies\":[\"a\",]}}"),
            format!("{{{V2},\"cookies\":\"a=1\"}}"),
            format!("{{{V2},\"body\":\"aGk=\",\"isBase64Encoded\":true}}"),
            format!("{{{V2},\"body\":\"%%%\",\"isBase64Encoded\":true}}"),
            format!("{{{V2},\"isBase64Encoded\":\"true\"}}"),
            format!("{{{V2},\"isBase64Encoded\":1}}"),
            format!("{{{V2},\"isBase64Encoded\":tru}}"),
            // Escapes.
            format!("{{{V2},\"body\":\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\\u00e9\\u20AC\\ud83d\\ude00\"}}"),
            format!("{{{V2},\"body\":\"\\ud83d\"}}"),
            format!("{{{V2},\"body\":\"\\ude00\"}}"),
            format!("{{{V2},\"body\":\"\\ud83d\\u0041\"}}"),
            format!("{{{V2},\"body\":\"\\ud83dx\"}}"),
            format!("{{{V2},\"body\":\"\\x\"}}"),
            format!("{{{V2},\"body\":\"\\u12\"}}"),
            format!("{{{V2},\"body\":\"\\u00zz\"}}"),
            format!("{{{V2},\"body\":\"\\u0000\"}}"),
            format!("{{{V2},\"body\":\"tab\there\"}}"),
            format!("{{{V2},\"skipped\":\"\\ud83d\"}}"),
            format!("{{{V2},\"skipped\":\"\\q\"}}"),
            format!("{{{V2},\"skipped\":\"a\u{1}b\"}}"),
            format!("{{{V2},\"raw\\u0050ath\":\"/x\"}}"),
            format!("{{{V2},\"rawQueryString\":\"a=1\\u0026b=2\"}}"),
            r#"{"version":"2.0","rawPath":"/p","requestContext":{"http":{"method":"G\u0045T"}}}"#.to_owned(),
            format!("{{{V2},\"headers\":{{\"x-a\":\"\\u0041\\n\",\"x-b\":\"\\u00e9\"}}}}"),
            format!("{{{V2},\"headers\":{{\"x-\\u0061\":\"v\"}}}}"),
            format!("{{{V2},\"headers\":{{\"x-a\":7}}}}"),
            format!("{{{V2},\"headers\":[1]}}"),
            // Numbers and literals in skipped values.
            format!("{{{V2},\"n\":[0,-0,1.5,-1e5,2E+3,3e-2,123456789012345678901234567890]}}"),
            format!("{{{V2},\"n\":01}}"),
            format!("{{{V2},\"n\":-}}"),
            format!("{{{V2},\"n\":1.}}"),
            format!("{{{V2},\"n\":.5}}"),
            format!("{{{V2},\"n\":1e}}"),
            format!("{{{V2},\"n\":+1}}"),
            format!("{{{V2},\"n\":NaN}}"),
            format!("{{{V2},\"n\":[true,false,null]}}"),
            format!("{{{V2},\"n\":nul}}"),
            format!("{{{V2},\"n\":[1,]}}"),
            format!("{{{V2},\"n\":{{\"a\":1,}}}}"),
            format!("{{{V2},\"n\":{{\"a\" 1}}}}"),
            format!("{{{V2},}}"),
            // Nesting past the scan's depth, and past serde_json's.
            format!("{{{V2},\"n\":{}1{}}}", "[".repeat(63), "]".repeat(63)),
            format!("{{{V2},\"n\":{}1{}}}", "[".repeat(64), "]".repeat(64)),
            format!("{{{V2},\"n\":{}1{}}}", "[".repeat(200), "]".repeat(200)),
            // Wrong types where the shape reads a value.
            r#"{"version":2,"requestContext":{"http":{"method":"GET"}}}"#.to_owned(),
            r#"{"version":"2.0","requestContext":{"http":{"method":7}}}"#.to_owned(),
            r#"{"version":"2.0","requestContext":{"http":["GET"]}}"#.to_owned(),
            r#"{"version":"2.0","requestContext":["x"]}"#.to_owned(),
            r#"{"version":"2.0","requestContext":{"http":{"method":"GET"},"authorizer":{"jwt":{"claims":{"sub":"u"}}}}}"#.to_owned(),
            r#"{"version":"2.0","requestContext":{"http":{"method":"GET"},"authorizer":null}}"#.to_owned(),
            r#"{"version":"2.0","requestContext":{"http":{"method":"GET"},"authorizer":"x"}}"#.to_owned(),
            r#"{"httpMethod":"GET","path":"/a b","requestContext":{"identity":{"sourceIp":"1.2.3.4","userAgent":"u"},"resourcePath":"/r"}}"#.to_owned(),
            // Not an object; trailing text.
            r#"["2.0"]"#.to_owned(),
            "null".to_owned(),
            "7".to_owned(),
            format!("{{{V2}}} x"),
            format!("{{{V2}}}{{}}"),
            format!("\u{feff}{{{V2}}}"),
            String::new(),
        ];
        for case in &cases {
            check_scan(case.as_bytes());
            check_decode(case.as_bytes());
        }
        // Bytes that are not UTF-8, in a skipped string and in a read one.
        for payload in [
            b"{\"version\":\"2.0\",\"x\":\"\xff\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}"
                .as_slice(),
            b"{\"version\":\"2.0\",\"body\":\"\xc3\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
        ] {
            assert!(scan(payload, None).is_none());
            check_decode(payload);
        }
        // The common shapes are scanned, not left to serde.
        assert!(check_scan(cases[0].as_bytes()));
        let escapes = cases
            .iter()
            .find(|case| case.contains(r"\ud83d\ude00"))
            .expect("the escapes case");
        assert!(check_scan(escapes.as_bytes()));
    }

    /// Events mutated at random (a fixed seed: the same mutations every
    /// run): a byte replaced by one that matters to JSON, inserted or
    /// dropped, a span repeated. Each scans as serde reads it, or is left
    /// to serde; never a panic.
    #[test]
    fn regression_mutated_events_scan_as_serde_reads_them() {
        const BYTES: &[u8] = b"\"\\{}[],: \n\t0-1.eEunlrtfa\x01\x7f\xc3\xff/";
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % below.max(1) as u64).expect("fits")
        };
        let mut scanned = 0;
        for name in [
            "example-apigw-sam-http-request.json",
            "example-apigw-v2-request-lambda-authorizer.json",
            "example-apigw-request.json",
            "example-alb-lambda-target-request-headers-only.json",
            "example-lambda-function-url-request.json",
        ] {
            let event = std::fs::read(manifest.join("../../tests/fixtures/lambda").join(name))
                .expect("readable");
            for round in 0..1500 {
                let mut payload = event.clone();
                for _ in 0..1 + next(3) {
                    let at = next(payload.len());
                    match next(4) {
                        0 => payload[at] = BYTES[next(BYTES.len())],
                        1 => payload.insert(at, BYTES[next(BYTES.len())]),
                        2 => {
                            payload.remove(at);
                        }
                        _ => {
                            let end = (at + 1 + next(12)).min(payload.len());
                            let span = payload[at..end].to_vec();
                            payload.splice(at..at, span);
                        }
                    }
                }
                scanned += usize::from(check_scan(&payload));
                if round % 10 == 0 {
                    check_decode(&payload);
                }
            }
        }
        // Many mutations leave a valid event (a space, a digit in a string):
        // the scan reads those itself.
        assert!(scanned > 500, "{scanned}");
    }

    #[test]
    fn escaped_strings_read_as_serde_reads_them() {
        for json in [
            r#""\"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\"""#,
            r#""\"macOS\"""#,
            r#""a\\b\/c\n\t\u00e9\ud83d\ude00 end""#,
            r#""plain then \\""#,
            r#""\u0041\u00410123456789abcdef\"""#,
        ] {
            let mut scanner = Scanner { text: json, at: 0 };
            let expected: String = serde_json::from_str(json).unwrap();
            assert_eq!(
                scanner.string().as_deref(),
                Some(expected.as_str()),
                "{json}"
            );
            assert_eq!(scanner.at, json.len(), "{json}");
        }
        for refused in [r#""\""#, r#""a\x""#, "\"a\\\"b\nc\"", r#""\"open"#] {
            let mut scanner = Scanner {
                text: refused,
                at: 0,
            };
            assert!(scanner.string().is_none(), "{refused:?}");
            assert!(
                serde_json::from_str::<String>(refused).is_err(),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn the_first_special_byte_is_found() {
        let naive = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|&byte| is_special(byte))
                .unwrap_or(bytes.len())
        };
        for text in [
            "",
            "a",
            "abcdefgh",
            "abcdefg\"",
            "abcdefgh\\",
            "abc\ndefgh",
            "\u{1f}\u{20}abcdefgh",
            "ü€ abcdefgh ijklmnop\"",
            "\u{80}\u{ff}\u{7f}\u{1}zzzzzzzzzzzz\"",
            "01234567\u{0}89abcdef\u{1f}",
            "           \u{21}\u{7f}\t",
        ] {
            for from in 0..text.len() {
                let bytes = &text.as_bytes()[from..];
                assert_eq!(to_special(bytes), naive(bytes), "{text:?} from {from}");
            }
        }
    }
}

//! The CloudEvents HTTP binding in binary mode: `ce-*` headers and a body.
//! The input is `name: value` lines, an empty line, then the body.
#![no_main]

use anyfn::http::{HeaderName, HeaderValue};
use anyfn::{Body, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let split = bytes.windows(2).position(|w| w == b"\n\n").unwrap_or(bytes.len());
    let (head, body) = bytes.split_at(split);
    let mut request = Request::new(Body::from(body.get(2..).unwrap_or_default().to_vec()));
    for line in head.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        let (name, value) = line.split_at(colon);
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value[1..].trim_ascii())) {
            request.headers_mut().append(name, value);
        }
    }
    let _ = anyfn_server::cloud_event_from_request(&request);
});

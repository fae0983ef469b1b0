//! Body and query decoding: query strings, JSON and text bodies, RFC 3339
//! timestamps, form-encoded components.
#![no_main]

use anyfn::{Body, Query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let body = Body::from(bytes.to_vec());
    let _ = body.json::<serde_json::Value>();
    if let Ok(text) = body.text() {
        let query = Query::parse(text);
        assert_eq!(Query::parse(&query.to_string()), query, "query encoding round-trips");
        let _ = Query::decode_component(text);
        if let Ok(time) = anyfn::time::parse_rfc3339(text) {
            let formatted = anyfn::time::format_rfc3339(time);
            assert_eq!(anyfn::time::parse_rfc3339(&formatted), Ok(time), "{text:?} → {formatted}");
        }
    }
});

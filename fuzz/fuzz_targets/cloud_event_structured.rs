//! CloudEvents in the JSON event format (structured mode), and back.
#![no_main]

use anyfn::event::CloudEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(event) = CloudEvent::from_json(bytes) {
        let again = CloudEvent::from_json(event.to_json_value().to_string().as_bytes())
            .expect("what anyfn encodes, it decodes");
        assert_eq!(again, event);
    }
});

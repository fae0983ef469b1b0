//! S3 notifications (and S3 via EventBridge) into `StorageEvent`.
#![no_main]

use anyfn::event::StorageEvent;
use anyfn::Context;
use anyfn_lambda::FromPayload;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &[u8]| {
    let _ = StorageEvent::from_payload(payload, &mut Context::builder().build());
});

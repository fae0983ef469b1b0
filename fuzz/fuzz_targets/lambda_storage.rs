//! S3 notifications (and S3 via EventBridge) into `StorageEvent`.
#![no_main]

use anyfn::event::StorageEvent;
use anyfn::Context;
use anyfn_lambda::FromLambda;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &[u8]| {
    let _ = StorageEvent::from_lambda(payload, &mut Context::builder().build());
});

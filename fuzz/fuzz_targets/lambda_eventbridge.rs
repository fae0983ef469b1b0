//! EventBridge events into `ScheduleTick` and `CloudEvent`.
#![no_main]

use anyfn::event::{CloudEvent, ScheduleTick};
use anyfn::Context;
use anyfn_lambda::{EventSource, FromLambda, IntoLambda};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &[u8]| {
    let _ = ScheduleTick::from_lambda(payload, &mut Context::builder().build());
    let mut context = Context::builder().build();
    if let Ok(event) = CloudEvent::from_lambda(payload, &mut context) {
        let source = context.extensions().get::<EventSource>().copied().expect("a shape");
        let _ = event.into_lambda(source);
    }
});

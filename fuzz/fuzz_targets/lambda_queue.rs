//! SQS and SNS batches into `QueueBatch`, and the batch result back.
#![no_main]

use anyfn::event::{BatchResult, QueueBatch};
use anyfn::Context;
use anyfn_lambda::{EventSource, FromLambda, IntoLambda};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &[u8]| {
    let mut context = Context::builder().build();
    if let Ok(batch) = QueueBatch::from_lambda(payload, &mut context) {
        let source = context.extensions().get::<EventSource>().copied().expect("a shape");
        let failed: BatchResult = batch.messages.iter().map(|m| m.id.clone()).collect();
        let _ = failed.into_lambda(source);
        for message in &batch.messages {
            let _ = message.text();
            let _ = message.json::<serde_json::Value>();
        }
    }
});

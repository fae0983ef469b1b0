//! The Azure Functions host's envelope into every event the adapter
//! decodes, and an HTTP response back into the `res` object.
#![no_main]

use anyfn::event::{CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::{Context, Json, Request};
use anyfn_azure::{AzureInput, AzureTrigger, FromAzure, IntoAzure};
use libfuzzer_sys::fuzz_target;

fn decode<T: FromAzure>(trigger: &AzureTrigger) -> Option<T> {
    T::from_azure(
        AzureInput::Envelope(trigger.clone()),
        &mut Context::builder().build(),
    )
    .ok()
}

/// The key serde_json's `raw_value` feature reserves.
const RAW_VALUE_TOKEN: &[u8] = b"$serde_json::private::RawValue";

fuzz_target!(|payload: &[u8]| {
    let Ok(trigger) = AzureTrigger::from_envelope(payload) else {
        return;
    };
    // The adapter's scanner accepts only JSON (serde_json nests at most 128
    // levels in all; the scanner allows 128 under each binding). With its
    // `raw_value` feature on (anyfn-lambda turns it on), serde_json reads
    // an object whose key is `$serde_json::private::RawValue` as its own
    // token, and refuses it as a `Value`: JSON all the same.
    let reserved_key = payload
        .windows(RAW_VALUE_TOKEN.len())
        .any(|window| window == RAW_VALUE_TOKEN);
    if let Err(err) = serde_json::from_slice::<serde_json::Value>(payload) {
        assert!(
            err.to_string().contains("recursion limit") || reserved_key,
            "accepted non-JSON: {err}"
        );
    }
    // The trigger's text is a JSON value of its own.
    assert!(
        serde_json::from_str::<serde_json::Value>(trigger.raw_value()).is_ok()
            || trigger.raw_value().matches(['[', '{']).count() > 100
            || reserved_key
    );
    let binary = trigger.clone().with_data_type("binary");
    if let Some(request) = decode::<Request>(&trigger) {
        let response = anyfn::Response::new(request.into_body());
        let _ = response.into_azure();
    }
    if let Some(batch) = decode::<QueueBatch>(&trigger) {
        let _ = batch.messages[0].json::<serde_json::Value>();
    }
    let _ = decode::<QueueBatch>(&binary);
    let _ = decode::<StorageEvent>(&trigger);
    let _ = decode::<ScheduleTick>(&trigger);
    let _ = decode::<CloudEvent>(&trigger);
    let _ = decode::<Json<serde_json::Value>>(&trigger);
});

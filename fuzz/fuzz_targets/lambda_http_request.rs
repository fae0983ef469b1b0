//! Lambda HTTP payload shape detection and decoding (API Gateway v1/v2, ALB,
//! Function URLs), then encoding a response back in the detected shape.
#![no_main]

use anyfn::{Context, Request};
use anyfn_lambda::{EventSource, FromLambda, IntoLambda, LambdaAnswer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &[u8]| {
    let mut context = Context::builder().build();
    if let Ok(request) = Request::from_lambda(payload, &mut context) {
        let source = context.extensions().get::<EventSource>().copied().expect("a shape");
        let mut response = anyfn::response::text(request.uri().to_string());
        for (name, value) in request.headers() {
            response.headers_mut().append(name.clone(), value.clone());
        }
        let encoded = response
            .into_lambda(source)
            .ok()
            .and_then(LambdaAnswer::into_payload)
            .expect("a decoded request's echo encodes");
        serde_json::from_str::<serde_json::Value>(&encoded).expect("the encoding is JSON");
    }
});

//! A plain JSON POST to a queue or storage handler on the server: a Pub/Sub
//! push envelope (a Cloud Storage notification in it), or the portable JSON.
#![no_main]

use anyfn::event::{QueueBatch, StorageEvent};
use anyfn::{Body, Context, Request};
use anyfn_server::FromHttp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let mut context = Context::builder().build();
    let _ = QueueBatch::from_http(Request::new(Body::from(bytes.to_vec())), &mut context);
    let _ = StorageEvent::from_http(Request::new(Body::from(bytes.to_vec())), &mut context);
});

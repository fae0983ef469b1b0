//! What one HTTP invocation costs between the payload's bytes and the
//! response's bytes, excluding the runtime transport: anyfn-lambda next to
//! lambda_http.
//!
//! Two payloads, each its own criterion group with both sides side by side:
//!
//! - `apigw_v1`: `tests/fixtures/lambda/example-apigw-request.json`
//!   (API Gateway REST API, `POST /hello/world?name=me`, 22 headers in both
//!   single- and multi-value form);
//! - `apigw_v2`: `tests/fixtures/lambda/example-apigw-v2-request-iam.json`
//!   (API Gateway HTTP API with an IAM authorizer, cookies, no `name`).
//!
//! Each side runs the same trivial handler (greet the `name` query parameter,
//! or the world, as a `text/plain; charset=utf-8` response), synchronously:
//!
//! - `anyfn`: a fresh [`Context`], [`FromLambda::from_lambda`] for
//!   [`anyfn::Request`], the handler, [`IntoLambda::into_lambda`] for the
//!   [`anyfn::Response`] in the event's shape;
//! - `lambda_http`: `serde_json::from_slice::<LambdaRequest>` (what
//!   `lambda_runtime` does with the body for a `lambda_http` function), its
//!   request origin, `lambda_http::Request::from`, the handler,
//!   [`lambda_http::IntoResponse`] and the `LambdaResponse` for the origin
//!   (through `TransformResponse`, the future `lambda_http::run` awaits, since
//!   `LambdaResponse::from_response` is crate-private), serialized with
//!   `serde_json` as `lambda_runtime` does.
//!
//! The `lambda_http` side thus includes the `Box<RawValue>` pass its
//! `LambdaRequest` deserializer makes. anyfn-lambda makes a similar one
//! outside the codec, in `run` (lambda_runtime reads the body as a
//! `Box<RawValue>`, and the encoded output is checked back into one), so a
//! third entry, `anyfn_with_handover`, adds those steps to the `anyfn` path:
//! the whole of what each side does from body bytes to body bytes.
//!
//! The `*_decode` entries time bytes → request alone, the `*_encode` entries
//! the handler and response → bytes alone (from an already decoded request).
//!
//! After the criterion groups, under `cargo bench` only, the paths are also
//! timed here, alternating in rounds in the same process, and summary lines
//! per payload give the medians in ns/iter, the ratio anyfn / lambda_http
//! and whether it meets the goal (≤ 0.5), for the codec alone (the headline)
//! and with the hand-over, then the decode and encode halves. Under
//! `cargo test --benches` criterion runs each entry once and the summary is
//! skipped.
//!
//! ```text
//! cargo bench -p anyfn-bench-peers --bench lambda_http_codec
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use anyfn::{Context, Request, RequestExt, Response};
use anyfn_lambda::{EventSource, FromLambda, IntoLambda, LambdaAnswer};
use criterion::{criterion_group, BatchSize, Criterion};
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::request::{LambdaRequest, RequestOrigin};
use lambda_http::{IntoResponse as _, RequestExt as _, TransformResponse};
use serde_json::value::RawValue;

/// API Gateway REST API (v1) payload.
const APIGW_V1: &[u8] = include_bytes!("../../../tests/fixtures/lambda/example-apigw-request.json");

/// API Gateway HTTP API (v2) payload.
const APIGW_V2: &[u8] =
    include_bytes!("../../../tests/fixtures/lambda/example-apigw-v2-request-iam.json");

/// The payloads measured, by group name, with the greeting each must produce.
const PAYLOADS: [(&str, &[u8], &str); 2] = [
    ("apigw_v1", APIGW_V1, "Hello, me!"),
    ("apigw_v2", APIGW_V2, "Hello, world!"),
];

/// The goal: anyfn's time at most this fraction of lambda_http's.
const GOAL: f64 = 0.5;

/// The response's content type, on both sides.
const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

// ---------------------------------------------------------------- anyfn side

/// bytes → [`Request`], with a fresh context as the runtime builds per
/// invocation.
fn anyfn_decode(payload: &[u8]) -> (Request, EventSource) {
    let mut context = Context::builder().build();
    let request = Request::from_lambda(payload, &mut context).expect("anyfn decodes the fixture");
    let source = *context
        .extensions()
        .get::<EventSource>()
        .expect("the decoder names the shape");
    (request, source)
}

/// The trivial handler: greet `name` or the world.
fn anyfn_hello(request: Request) -> Response {
    let name = request.query().get("name").unwrap_or("world").to_owned();
    anyfn::response::text(format!("Hello, {name}!"))
}

/// Handler and [`Response`] → bytes.
fn anyfn_encode(request: Request, source: EventSource) -> String {
    anyfn_hello(request)
        .into_lambda(source)
        .ok()
        .and_then(LambdaAnswer::into_payload)
        .expect("anyfn encodes the response")
}

/// The whole anyfn path: bytes → request → handler → bytes.
fn anyfn_invoke(payload: &[u8]) -> String {
    let (request, source) = anyfn_decode(payload);
    anyfn_encode(request, source)
}

/// The anyfn path as `anyfn_lambda::run` takes it (`adapters/lambda/src/runtime.rs`
/// and `payload.rs`): lambda_runtime first reads the body as a
/// `Box<RawValue>` (a validating pass and a copy), the codec runs on its
/// text, the encoded output is checked back into a `Box<RawValue>`, and
/// lambda_runtime serializes that into the response body.
fn anyfn_invoke_with_handover(payload: &[u8]) -> Vec<u8> {
    let raw: Box<RawValue> =
        serde_json::from_slice(payload).expect("the fixture is JSON for lambda_runtime");
    let (request, source) = anyfn_decode(raw.get().as_bytes());
    drop(raw);
    let encoded = anyfn_encode(request, source);
    let raw = RawValue::from_string(encoded).expect("anyfn's encoded response is JSON");
    serde_json::to_vec(&raw).expect("a raw value serializes")
}

// ---------------------------------------------------------- lambda_http side

/// bytes → `lambda_http::Request` and the origin its response goes back to.
fn lambda_http_decode(payload: &[u8]) -> (lambda_http::Request, RequestOrigin) {
    let event: LambdaRequest =
        serde_json::from_slice(payload).expect("lambda_http decodes the fixture");
    let origin = event.request_origin();
    (lambda_http::Request::from(event), origin)
}

/// The same trivial handler, the lambda_http way.
fn lambda_http_hello(request: lambda_http::Request) -> lambda_http::Response<lambda_http::Body> {
    let name = request
        .query_string_parameters_ref()
        .and_then(|query| query.first("name"))
        .unwrap_or("world")
        .to_owned();
    lambda_http::Response::builder()
        .status(200)
        .header(CONTENT_TYPE, TEXT_PLAIN)
        .body(lambda_http::Body::from(format!("Hello, {name}!")))
        .expect("a valid response")
}

/// Handler and response → `LambdaResponse` for `origin` → bytes.
fn lambda_http_encode(request: lambda_http::Request, origin: RequestOrigin) -> String {
    let response = lambda_http_hello(request);
    // What `lambda_http::run` awaits once the handler has answered.
    let transform = TransformResponse::<
        'static,
        lambda_http::Response<lambda_http::Body>,
        Infallible,
    >::Response(origin, response.into_response());
    let lambda_response = match ready(transform) {
        Ok(lambda_response) => lambda_response,
        Err(never) => match never {},
    };
    serde_json::to_string(&lambda_response).expect("lambda_http's response serializes")
}

/// The whole lambda_http path: bytes → request → handler → bytes.
fn lambda_http_invoke(payload: &[u8]) -> String {
    let (request, origin) = lambda_http_decode(payload);
    lambda_http_encode(request, origin)
}

/// A waker that does nothing: the futures polled here are ready at once.
struct NoopWake;

impl Wake for NoopWake {
    fn wake(self: Arc<Self>) {}
}

/// One waker for every poll, so that polling allocates nothing.
static NOOP_WAKER: LazyLock<Waker> = LazyLock::new(|| Waker::from(Arc::new(NoopWake)));

/// The output of a future that is ready on its first poll.
fn ready<F: Future>(future: F) -> F::Output {
    let mut cx = TaskContext::from_waker(&NOOP_WAKER);
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("an in-memory response body is ready on the first poll"),
    }
}

// ------------------------------------------------------------------ checks

/// Both sides answer the fixture alike: status 200, the greeting, text.
fn check(name: &str, payload: &[u8], greeting: &str) {
    for (side, encoded) in [
        ("anyfn", anyfn_invoke(payload).into_bytes()),
        ("anyfn_with_handover", anyfn_invoke_with_handover(payload)),
        ("lambda_http", lambda_http_invoke(payload).into_bytes()),
    ] {
        let value: serde_json::Value =
            serde_json::from_slice(&encoded).expect("the encoded response is JSON");
        let encoded = String::from_utf8_lossy(&encoded);
        assert_eq!(value["statusCode"], 200, "{side} {name}: {encoded}");
        assert_eq!(value["body"], greeting, "{side} {name}: {encoded}");
        assert_eq!(value["isBase64Encoded"], false, "{side} {name}: {encoded}");
    }
}

// --------------------------------------------------------------- criterion

/// One group per payload: full path, decode and encode, both sides.
fn lambda_http_codec(c: &mut Criterion) {
    for (name, payload, greeting) in PAYLOADS {
        check(name, payload, greeting);
        let mut group = c.benchmark_group(name);
        group.bench_function("anyfn", |b| {
            b.iter(|| anyfn_invoke(black_box(payload)));
        });
        group.bench_function("lambda_http", |b| {
            b.iter(|| lambda_http_invoke(black_box(payload)));
        });
        group.bench_function("anyfn_with_handover", |b| {
            b.iter(|| anyfn_invoke_with_handover(black_box(payload)));
        });
        group.bench_function("anyfn_decode", |b| {
            b.iter(|| anyfn_decode(black_box(payload)));
        });
        group.bench_function("lambda_http_decode", |b| {
            b.iter(|| lambda_http_decode(black_box(payload)));
        });
        group.bench_function("anyfn_encode", |b| {
            b.iter_batched(
                || anyfn_decode(payload),
                |(request, source)| anyfn_encode(request, source),
                BatchSize::SmallInput,
            );
        });
        group.bench_function("lambda_http_encode", |b| {
            b.iter_batched(
                || lambda_http_decode(payload),
                |(request, origin)| lambda_http_encode(request, origin),
                BatchSize::SmallInput,
            );
        });
        group.finish();
    }
}

criterion_group!(benches, lambda_http_codec);

// ----------------------------------------------------------------- summary

/// Rounds of the alternating measurement; each side runs once per round.
const ROUNDS: usize = 31;

/// Roughly how long one side's batch runs per round.
const BATCH_TIME: Duration = Duration::from_millis(15);

/// The median of `values` (sorted in place).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Calls timed between two clock reads; inputs for a chunk are made before
/// the clock starts and outputs are dropped after it stops, so that only a
/// chunk's worth of them is ever alive (and in cache).
const CHUNK: usize = 64;

/// ns per call of `f` over `n` calls (rounded up to whole chunks), each call
/// given a fresh input from `setup`.
fn time_batch<T, O>(n: usize, setup: &mut impl FnMut() -> T, f: &mut impl FnMut(T) -> O) -> f64 {
    let chunks = n.div_ceil(CHUNK);
    let mut inputs: Vec<T> = Vec::with_capacity(CHUNK);
    let mut outputs: Vec<O> = Vec::with_capacity(CHUNK);
    let mut elapsed = Duration::ZERO;
    for _ in 0..chunks {
        inputs.extend((0..CHUNK).map(|_| setup()));
        let started = Instant::now();
        for input in inputs.drain(..) {
            outputs.push(black_box(f(black_box(input))));
        }
        elapsed += started.elapsed();
        outputs.clear();
    }
    elapsed.as_nanos() as f64 / (chunks * CHUNK) as f64
}

/// Median ns/call of `a` and of `b`, measured in alternating rounds (the
/// order swapped every round) so that both see the same machine state.
fn alternate<TA, OA, TB, OB>(
    mut setup_a: impl FnMut() -> TA,
    mut a: impl FnMut(TA) -> OA,
    mut setup_b: impl FnMut() -> TB,
    mut b: impl FnMut(TB) -> OB,
) -> (f64, f64) {
    // Calibrate: enough calls of the slower side to fill a batch.
    let probe = time_batch(200, &mut setup_a, &mut a).max(time_batch(200, &mut setup_b, &mut b));
    let n = ((BATCH_TIME.as_nanos() as f64 / probe) as usize).clamp(100, 200_000);
    let (mut times_a, mut times_b) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        if round % 2 == 0 {
            times_a.push(time_batch(n, &mut setup_a, &mut a));
            times_b.push(time_batch(n, &mut setup_b, &mut b));
        } else {
            times_b.push(time_batch(n, &mut setup_b, &mut b));
            times_a.push(time_batch(n, &mut setup_a, &mut a));
        }
    }
    (median(&mut times_a), median(&mut times_b))
}

/// Times both full paths (and their decode and encode halves) per payload and
/// prints the summary.
fn summary() {
    println!();
    println!("lambda_http_codec summary (median of {ROUNDS} alternating rounds, ns/iter; goal anyfn <= {GOAL} x lambda_http)");
    for (name, payload, _) in PAYLOADS {
        let (decode_anyfn, decode_lambda_http) =
            alternate(|| payload, anyfn_decode, || payload, lambda_http_decode);
        let (encode_anyfn, encode_lambda_http) = alternate(
            || anyfn_decode(payload),
            |(request, source)| anyfn_encode(request, source),
            || lambda_http_decode(payload),
            |(request, origin)| lambda_http_encode(request, origin),
        );
        let (anyfn, lambda_http) =
            alternate(|| payload, anyfn_invoke, || payload, lambda_http_invoke);
        let (handover, lambda_http_again) = alternate(
            || payload,
            anyfn_invoke_with_handover,
            || payload,
            lambda_http_invoke,
        );
        let handover_ratio = handover / lambda_http_again;
        let handover_verdict = if handover_ratio <= GOAL {
            "PASS"
        } else {
            "MISS"
        };
        let ratio = anyfn / lambda_http;
        let verdict = if ratio <= GOAL { "PASS" } else { "MISS" };
        println!(
            "{name}: anyfn {anyfn:.0} ns/iter, lambda_http {lambda_http:.0} ns/iter, ratio {ratio:.3} (goal <= {GOAL}) {verdict}"
        );
        println!(
            "{name}:   decode: anyfn {decode_anyfn:.0} ns, lambda_http {decode_lambda_http:.0} ns, ratio {:.3}; handler+encode: anyfn {encode_anyfn:.0} ns, lambda_http {encode_lambda_http:.0} ns, ratio {:.3}",
            decode_anyfn / decode_lambda_http,
            encode_anyfn / encode_lambda_http,
        );
        println!(
            "{name}:   with anyfn-lambda's payload hand-over (RawValue in and out, as run() does): anyfn {handover:.0} ns/iter, lambda_http {lambda_http_again:.0} ns/iter, ratio {handover_ratio:.3} (goal <= {GOAL}) {handover_verdict}"
        );
    }
}

/// The criterion groups, criterion's summary, then ours (under `cargo bench`
/// only: `cargo bench` passes `--bench`, `cargo test --benches` does not).
fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if std::env::args().any(|arg| arg == "--bench") {
        summary();
    }
}

//! A `StreamResponse` answering a raw JSON invocation on Lambda streams as
//! lambda_runtime streams one (issue 24): the port of lambda_runtime's
//! `basic-streaming-response` example (`Json<Value>` in, a stream of four
//! lines out) and the original, each run under the Lambda emulator as a
//! child process (this test binary again, [`raw_stream_child`]), answer
//! with the same metadata prelude and the same chunks. Before, anyfn failed
//! every such invocation ("a streamed response cannot answer a raw JSON
//! payload"), with or without `ANYFN_RESPONSE_STREAMING=on`.

use crate::support::child_test;
use std::time::Duration;

use anyfn::{handler_fn, Context, Json};
use anyfn_test::{LambdaEmulator, LambdaOutcome};
use serde_json::{json, Value};

/// Set in the child's environment: which function it runs (`anyfn` or
/// `lambda_runtime`).
const CHILD: &str = "ANYFN_RAW_STREAM_CHILD";

/// What both functions stream, a line each, as the peer's example does.
const MESSAGES: [&str; 4] = ["Hello", "world", "from", "Lambda!"];

/// The port: one line per message, from a task of its own.
async fn anyfn_port(
    _event: Json<Value>,
    _context: Context,
) -> Result<anyfn::stream::StreamResponse, anyfn::Error> {
    let (mut sender, body) = anyfn::stream::channel(1);
    tokio::spawn(async move {
        for message in MESSAGES {
            if sender.send(format!("{message}\n")).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    Ok(anyfn::stream::StreamResponse::new(body))
}

/// The original, as lambda_runtime's example writes it (its sleeps
/// shortened).
async fn lambda_runtime_original(
    _event: lambda_runtime::LambdaEvent<Value>,
) -> Result<
    lambda_runtime::streaming::Response<lambda_runtime::streaming::Body>,
    lambda_runtime::Error,
> {
    let (mut tx, rx) = lambda_runtime::streaming::channel();
    tokio::spawn(async move {
        for message in MESSAGES {
            tx.send_data((message.to_string() + "\n").into())
                .await
                .expect("the runtime reads the stream");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    Ok(lambda_runtime::streaming::Response::from(rx))
}

/// Not a test: the child process the test below starts (this binary, with
/// `--ignored --exact raw_streaming::raw_stream_child` and [`CHILD`] set).
/// Without [`CHILD`] it returns at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of the raw streaming test, started by it"]
async fn raw_stream_child() {
    let Ok(function) = std::env::var(CHILD) else {
        return;
    };
    match function.as_str() {
        "anyfn" => anyfn_lambda::run(handler_fn(anyfn_port))
            .await
            .expect("runs until killed"),
        "lambda_runtime" => {
            lambda_runtime::run(lambda_runtime::service_fn(lambda_runtime_original))
                .await
                .expect("runs until killed")
        }
        other => panic!("{CHILD}={other:?}: expected anyfn or lambda_runtime"),
    }
}

/// The outcome of one raw invocation of `function` under a fresh emulator.
async fn streamed_by(function: &str) -> LambdaOutcome {
    let emulator = LambdaEmulator::start().await.expect("emulator");
    let mut command = child_test("raw_streaming::raw_stream_child");
    command.env(CHILD, function);
    let _child = emulator.spawn_command(command).expect("the child starts");
    emulator.invoke(json!({"name": "Ada"}).to_string()).await
}

#[tokio::test]
async fn regression_a_raw_invocation_streams_as_lambda_runtime_streams_it() {
    let ours = streamed_by("anyfn").await;
    let theirs = streamed_by("lambda_runtime").await;
    let (
        LambdaOutcome::Streamed {
            prelude: our_prelude,
            body: our_body,
            error: our_error,
            complete: our_complete,
            ..
        },
        LambdaOutcome::Streamed {
            prelude: their_prelude,
            body: their_body,
            error: their_error,
            complete: their_complete,
            ..
        },
    ) = (&ours, &theirs)
    else {
        panic!("both stream: anyfn {ours:?}, lambda_runtime {theirs:?}");
    };
    assert_eq!(our_body, "Hello\nworld\nfrom\nLambda!\n");
    assert_eq!(our_body, their_body);
    assert_eq!(
        our_prelude,
        &json!({"statusCode": 200, "headers": {"content-type": "application/octet-stream"}, "cookies": []})
    );
    assert_eq!(our_prelude, their_prelude);
    assert_eq!((our_error, our_complete), (their_error, their_complete));
    assert!(*our_complete, "the stream ended properly");
}

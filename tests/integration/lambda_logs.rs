//! On Lambda, what a function logs through `tracing` reaches the function's
//! output (CloudWatch Logs) in the format Lambda's logging controls select,
//! every line carrying the invocation's request id and trace id.

use std::time::Duration;

use anyfn_test::{LambdaEmulator, LambdaOutcome};
use serde_json::{json, Value};

use crate::lambda::on_lambda_with;

/// The `failures` example on an emulator whose function is configured with `env`.
async fn failures_with(env: &[(&str, &str)]) -> (LambdaEmulator, anyfn_test::FunctionProcess) {
    on_lambda_with("failures", |mut emulator| {
        for (name, value) in env {
            emulator = emulator.env(*name, *value);
        }
        emulator
    })
    .await
}

fn get(path: &str) -> String {
    json!({"version": "2.0", "rawPath": path, "rawQueryString": "",
           "requestContext": {"http": {"method": "GET", "path": path}, "stage": "$default"}})
    .to_string()
}

fn trace_id_of(outcome: &LambdaOutcome) -> String {
    // The emulator's trace ids end in the invocation's number.
    let n: u64 = outcome.request_id()[24..].parse().expect("numbered id");
    format!("Root=1-00000000-{n:024x};Parent=0000000000000001;Sampled=0")
}

/// Invokes `GET /log` and returns its request id, its trace id and the line
/// the function logged.
async fn the_functions_line(emulator: &LambdaEmulator) -> (String, String, String) {
    let outcome = emulator.invoke(get("/log")).await;
    let request_id = outcome.request_id().to_owned();
    let trace_id = trace_id_of(&outcome);
    assert_eq!(outcome.expect_json()["body"], "logged");
    let line = emulator
        .output_line_containing("a line from the function", Duration::from_secs(10))
        .await
        .expect("the function's line reaches its output");
    (request_id, trace_id, line)
}

#[tokio::test]
async fn a_functions_log_line_is_text_with_the_request_id_by_default() {
    let (emulator, _function) = failures_with(&[]).await;
    let (request_id, trace_id, line) = the_functions_line(&emulator).await;
    assert_eq!(
        line,
        format!(
            " INFO Lambda runtime invoke{{requestId=\"{request_id}\" xrayTraceId=\"{trace_id}\"}}: a line from the function path=\"/log\""
        )
    );
}

#[tokio::test]
async fn a_functions_log_line_is_json_with_the_request_id_when_lambda_asks_for_json() {
    let (emulator, _function) = failures_with(&[("AWS_LAMBDA_LOG_FORMAT", "JSON")]).await;
    let (request_id, trace_id, line) = the_functions_line(&emulator).await;
    let mut record: Value = serde_json::from_str(&line).expect("one JSON object per line");
    assert!(
        record
            .as_object_mut()
            .and_then(|record| record.remove("timestamp"))
            .is_some_and(|stamp| stamp.as_str().is_some_and(|s| s.ends_with('Z'))),
        "{line}"
    );
    assert_eq!(
        record,
        json!({
            "level": "INFO",
            "message": "a line from the function",
            "path": "/log",
            "span": {"requestId": request_id, "xrayTraceId": trace_id, "name": "Lambda runtime invoke"}
        })
    );
}

#[tokio::test]
async fn lambdas_log_level_filters_the_functions_lines_and_failures_are_logged() {
    let (emulator, _function) = failures_with(&[
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("AWS_LAMBDA_LOG_LEVEL", "WARN"),
    ])
    .await;
    assert_eq!(
        emulator.invoke(get("/log")).await.expect_json()["statusCode"],
        200
    );
    let failed = emulator.invoke(get("/io")).await;
    let request_id = failed.request_id().to_owned();
    assert_eq!(failed.expect_json()["statusCode"], 500);

    let line = emulator
        .output_line_containing("invocation failed", Duration::from_secs(10))
        .await
        .expect("the failure is logged");
    let record: Value = serde_json::from_str(&line).expect("JSON");
    assert_eq!(record["level"], "WARN");
    assert_eq!(record["message"], "invocation failed: disk on fire");
    assert_eq!(record["error_type"], "HandlerError");
    assert_eq!(record["status"], 500);
    assert_eq!(record["span"]["requestId"], request_id.as_str());
    assert!(
        !emulator
            .output()
            .iter()
            .any(|line| line.contains("a line from the function")),
        "INFO lines are filtered out at WARN"
    );
}

#[tokio::test]
async fn the_default_subscriber_can_be_turned_off() {
    let (emulator, _function) = failures_with(&[("ANYFN_DEFAULT_SUBSCRIBER", "off")]).await;
    assert_eq!(
        emulator.invoke(get("/log")).await.expect_json()["body"],
        "logged"
    );
    assert_eq!(
        emulator.invoke(get("/io")).await.expect_json()["statusCode"],
        500
    );
    // The answers above were posted after their lines would have been
    // written: nothing was.
    assert_eq!(emulator.output(), Vec::<String>::new());
}

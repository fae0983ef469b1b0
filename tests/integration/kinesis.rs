//! The `kinesis` example: an AWS-only event (no portable anyfn type) taken
//! as `Json<KinesisEvent>` and answered as `Json<KinesisEventResponse>`, on
//! the Lambda adapter (the example's real binary on the Runtime API
//! emulator) and on the local server (the same JSON, POSTed).

use std::time::Duration;

use anyfn::handler_fn;
use anyfn_test::{TestRequest, TestServer};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::example_code::kinesis as kinesis_example;
use crate::lambda::on_lambda;

/// aws_lambda_events' Kinesis example event: two records, both
/// `Hello World`.
fn fixture() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws/aws-only/example-kinesis-event.json");
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// A Kinesis batch as Lambda sends it: one record per (sequence number,
/// data), the data base64-encoded.
fn batch(records: &[(&str, &str)]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|(sequence_number, data)| {
            json!({
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": "orders",
                    "sequenceNumber": sequence_number,
                    "data": base64::engine::general_purpose::STANDARD.encode(data),
                    "approximateArrivalTimestamp": 1_714_564_800.25
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": format!("shardId-000000000000:{sequence_number}"),
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/LambdaRole",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
            })
        })
        .collect();
    json!({ "Records": records })
}

/// Three records, the middle one failing: the batch of the tests below.
fn batch_with_a_failure() -> Value {
    batch(&[
        (
            "49590338271490256608559692538361571095921575989136588801",
            "first order",
        ),
        (
            "49590338271490256608559692538361571095921575989136588802",
            "please fail",
        ),
        (
            "49590338271490256608559692538361571095921575989136588803",
            "third order",
        ),
    ])
}

const NONE_FAILED: &str = r#"{"batchItemFailures":[]}"#;
const SECOND_FAILED: &str = r#"{"batchItemFailures":[{"itemIdentifier":"49590338271490256608559692538361571095921575989136588802"}]}"#;

#[tokio::test]
async fn the_kinesis_example_reports_the_failed_record_on_lambda() {
    let (emulator, _function) = on_lambda("kinesis").await;
    let bound = Duration::from_secs(10);

    let answer = emulator.invoke(fixture()).await.expect_response();
    assert_eq!(std::str::from_utf8(&answer), Ok(NONE_FAILED), "the fixture");
    let processed = emulator
        .output_line_containing("record processed", bound)
        .await
        .expect("a line per record");
    assert!(
        processed
            .contains("sequence_number=49568167373333333333333333333333333333333333333333333333")
            && processed.contains("data=Hello World"),
        "{processed}"
    );

    let answer = emulator
        .invoke(batch_with_a_failure().to_string())
        .await
        .expect_response();
    assert_eq!(std::str::from_utf8(&answer), Ok(SECOND_FAILED));
    let failed = emulator
        .output_line_containing("record failed", bound)
        .await
        .expect("the failed record's line");
    assert!(
        failed.contains("sequence_number=49590338271490256608559692538361571095921575989136588802")
            && failed.contains("data=please fail"),
        "{failed}"
    );
    let left = emulator
        .output_line_containing("record left for the retry", bound)
        .await
        .expect("the line of the record after it");
    assert!(
        left.contains("sequence_number=49590338271490256608559692538361571095921575989136588803"),
        "{left}"
    );
    let output = emulator.output();
    let lines_with = |needle: &str| output.iter().filter(|line| line.contains(needle)).count();
    // Two fixture records and the first of the batch; nothing after the failure.
    assert_eq!(lines_with("record processed"), 3, "{output:#?}");
    assert_eq!(lines_with("record failed"), 1, "{output:#?}");
    assert_eq!(lines_with("record left for the retry"), 1, "{output:#?}");

    let empty = emulator.invoke(r#"{"Records":[]}"#).await.expect_response();
    assert_eq!(std::str::from_utf8(&empty), Ok(NONE_FAILED), "no records");

    let error = emulator
        .invoke(r#"{"Records":[{"kinesis":{"data":"not base64!"}}]}"#)
        .await
        .expect_error();
    assert_eq!(error.error_type, "BadRequest");
    assert!(
        error
            .error_message
            .starts_with("the payload is not valid JSON for this event: "),
        "{}",
        error.error_message
    );
}

#[tokio::test]
async fn the_kinesis_example_answers_the_same_json_on_the_local_server() {
    let server = TestServer::start(handler_fn(kinesis_example::consume))
        .await
        .expect("server");
    for (what, body, expected) in [
        (
            "the fixture",
            serde_json::from_str::<Value>(&fixture()).expect("JSON"),
            NONE_FAILED,
        ),
        ("a failing record", batch_with_a_failure(), SECOND_FAILED),
        (
            "no failing record",
            batch(&[("1", "first order"), ("2", "second order")]),
            NONE_FAILED,
        ),
    ] {
        let response = server
            .client()
            .send(TestRequest::post("/").json(&body))
            .await
            .expect("response");
        response.assert_status(200);
        assert_eq!(
            response.header("content-type"),
            Some("application/json"),
            "{what}"
        );
        assert_eq!(response.text(), expected, "{what}");
    }
    let refused = server
        .client()
        .send(
            TestRequest::post("/")
                .header("content-type", "application/json")
                .body(r#"{"Records":[{"kinesis":{}}]}"#),
        )
        .await
        .expect("response");
    refused.assert_status(400);
    server.shutdown().await;
}

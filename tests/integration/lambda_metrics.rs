//! On Lambda with `ANYFN_METRICS_NAMESPACE` set, what a handler records
//! through `Context::metrics` (and anyfn's own `ColdStart` and `Duration`)
//! reaches the function's output as CloudWatch Embedded Metric Format
//! documents, each alone on its line, as CloudWatch Logs extracts them;
//! without it, no document at all.

use std::time::Duration;

use serde_json::{json, Value};

use crate::lambda::on_lambda_with;
use crate::support::poll_until;

fn get(path: &str) -> String {
    json!({"version": "2.0", "rawPath": path, "rawQueryString": "",
           "requestContext": {"http": {"method": "GET", "path": path}, "stage": "$default"}})
    .to_string()
}

/// The function's output lines that hold an EMF document's marker.
fn emf_lines(output: &[String]) -> Vec<String> {
    output
        .iter()
        .filter(|line| line.contains("\"_aws\""))
        .cloned()
        .collect()
}

#[tokio::test]
async fn each_emf_document_is_alone_on_its_line_under_the_lambda_emulator() {
    let (emulator, _function) = on_lambda_with("failures", |emulator| {
        emulator.env("ANYFN_METRICS_NAMESPACE", "anyfn-test")
    })
    .await;
    for _ in 0..3 {
        let outcome = emulator.invoke(get("/metrics")).await;
        assert_eq!(outcome.expect_json()["body"], "measured");
    }
    let lines = poll_until("three EMF documents", Duration::from_secs(10), || {
        let lines = emf_lines(&emulator.output());
        async move { (lines.len() >= 3).then_some(lines) }
    })
    .await;
    assert_eq!(lines.len(), 3, "one document per invocation: {lines:#?}");

    let mut cold_starts = 0;
    for line in &lines {
        // The whole line is one JSON object: nothing before or after it.
        let doc: Value = serde_json::from_str(line)
            .unwrap_or_else(|err| panic!("not a bare JSON object ({err}): {line:?}"));
        let aws = &doc["_aws"];
        assert!(
            aws["Timestamp"]
                .as_u64()
                .is_some_and(|ms| ms > 1_600_000_000_000),
            "{line}"
        );
        let directives = aws["CloudWatchMetrics"]
            .as_array()
            .expect("CloudWatchMetrics[]");
        assert_eq!(directives.len(), 1, "{line}");
        let directive = &directives[0];
        assert_eq!(directive["Namespace"], "anyfn-test");
        assert_eq!(directive["Dimensions"], json!([["FunctionName", "Route"]]));
        let mut definitions: Vec<(String, String)> = directive["Metrics"]
            .as_array()
            .expect("Metrics[]")
            .iter()
            .map(|metric| {
                (
                    metric["Name"].as_str().expect("Name").to_owned(),
                    metric["Unit"].as_str().expect("Unit").to_owned(),
                )
            })
            .collect();
        if definitions.contains(&("ColdStart".to_owned(), "Count".to_owned())) {
            cold_starts += 1;
            assert_eq!(doc["ColdStart"], 1.0);
            definitions.retain(|(name, _)| name != "ColdStart");
        }
        assert_eq!(
            definitions,
            [
                ("Orders".to_owned(), "Count".to_owned()),
                ("BasketSize".to_owned(), "Count".to_owned()),
                ("Duration".to_owned(), "Milliseconds".to_owned()),
            ],
            "{line}"
        );
        // The values and the dimensions at the root.
        assert_eq!(doc["FunctionName"], "failures");
        assert_eq!(doc["Route"], "metrics");
        assert_eq!(doc["Orders"], 2.0);
        assert_eq!(doc["BasketSize"], json!([3.0, 5.0]));
        let duration = doc["Duration"].as_array().expect("Duration's values");
        assert!(duration.len() == 1 && duration[0].as_f64().is_some_and(|ms| ms >= 0.0));
    }
    assert_eq!(cold_starts, 1, "ColdStart on the first invocation only");
    // The line the handler logged between two metrics is a line of its own.
    let logged = emulator
        .output()
        .into_iter()
        .filter(|line| line.contains("a line between two metrics"))
        .collect::<Vec<_>>();
    assert_eq!(logged.len(), 3);
    assert!(
        logged.iter().all(|line| !line.contains("_aws")),
        "{logged:?}"
    );
}

#[tokio::test]
async fn no_emf_document_is_written_without_a_namespace() {
    let (emulator, _function) = on_lambda_with("failures", |emulator| emulator).await;
    let outcome = emulator.invoke(get("/metrics")).await;
    assert_eq!(outcome.expect_json()["body"], "measured");
    // A document is written before the answer is posted, so before the
    // next invocation's line: once that line is out, so would it be.
    assert_eq!(
        emulator.invoke(get("/log")).await.expect_json()["body"],
        "logged"
    );
    emulator
        .output_line_containing("a line from the function", Duration::from_secs(10))
        .await
        .expect("the next invocation's line");
    assert_eq!(emf_lines(&emulator.output()), Vec::<String>::new());
}

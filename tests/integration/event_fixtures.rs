//! Every S3, SQS, SNS and EventBridge example event of aws_lambda_events
//! decodes through the Lambda adapter into the portable type; each field is
//! checked against the fixture's own JSON.

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use anyfn::event::{
    CloudEvent, CloudEventData, ObjectChange, QueueBatch, ScheduleTick, StorageEvent,
};
use anyfn::{Context, Query};
use anyfn_lambda::{EventSource, FromLambda};
use serde_json::{json, Value};

/// Every AWS event fixture (tests/fixtures/aws), by name, sorted.
pub(crate) fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?.to_owned();
            name.ends_with(".json")
                .then(|| (name, std::fs::read(&path).expect("readable")))
        })
        .collect();
    files.sort();
    files
}

fn decode<T: FromLambda>(payload: &[u8]) -> (T, EventSource) {
    let mut context = Context::builder().build();
    let event = T::from_lambda(payload, &mut context).unwrap_or_else(|err| panic!("{err}"));
    let source = *context
        .extensions()
        .get::<EventSource>()
        .expect("the decoder names the shape");
    (event, source)
}

fn time(text: &str) -> std::time::SystemTime {
    anyfn::time::parse_rfc3339(text).expect("fixture time")
}

fn str_of(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

#[test]
fn every_s3_sqs_sns_and_eventbridge_fixture_decodes_with_its_fields() {
    let mut checked = 0;
    for (name, payload) in fixtures() {
        let fixture: Value = serde_json::from_slice(&payload).expect("JSON");
        if name.starts_with("example-s3-") {
            check_s3(&name, &payload, &fixture);
        } else if name.starts_with("example-sqs-api") {
            let (batch, source) = decode::<QueueBatch>(&payload);
            assert_eq!(source, EventSource::Sqs, "{name}");
            let messages = fixture["Messages"].as_array().expect("Messages");
            assert_eq!(batch.messages.len(), messages.len(), "{name}");
            for (message, raw) in batch.messages.iter().zip(messages) {
                assert_eq!(message.id, str_of(&raw["MessageId"]), "{name}");
                assert_eq!(message.body, str_of(&raw["Body"]).as_bytes(), "{name}");
            }
        } else if name.starts_with("example-sqs-") {
            check_sqs(&name, &payload, &fixture);
        } else if name.starts_with("example-sns-")
            || name.starts_with("example-cloudwatch-alarm-sns")
        {
            check_sns(&name, &payload, &fixture);
        } else if name.starts_with("example-eventbridge-") {
            check_eventbridge(&name, &payload, &fixture);
        } else {
            panic!("unclassified fixture {name}");
        }
        checked += 1;
    }
    assert_eq!(
        checked, 12,
        "every fixture in tests/fixtures/aws is checked"
    );
}

fn check_s3(name: &str, payload: &[u8], fixture: &Value) {
    let (event, source) = decode::<StorageEvent>(payload);
    assert_eq!(source, EventSource::S3, "{name}");
    let records = fixture["Records"].as_array().expect("Records");
    assert_eq!(event.objects.len(), records.len(), "{name}");
    for (object, record) in event.objects.iter().zip(records) {
        let s3 = &record["s3"];
        assert_eq!(
            object.change,
            ObjectChange::Created,
            "{name}: {}",
            record["eventName"]
        );
        assert_eq!(object.bucket, str_of(&s3["bucket"]["name"]), "{name}");
        let key = Query::decode_component(str_of(&s3["object"]["key"]));
        assert_eq!(object.key, key, "{name}");
        assert_eq!(
            object.key, "Happy Face.jpg",
            "{name}: S3 keys arrive URL-encoded"
        );
        if let Some(decoded) = s3["object"]["urlDecodedKey"].as_str() {
            assert_eq!(object.key, decoded, "{name}");
        }
        assert_eq!(object.size, s3["object"]["size"].as_u64(), "{name}");
        assert_eq!(
            object.etag.as_deref(),
            s3["object"]["eTag"].as_str(),
            "{name}"
        );
        assert_eq!(
            object.version.as_deref(),
            s3["object"]["versionId"].as_str(),
            "{name}"
        );
        assert_eq!(
            object.time,
            Some(time(str_of(&record["eventTime"]))),
            "{name}"
        );
    }
}

fn check_sqs(name: &str, payload: &[u8], fixture: &Value) {
    let (batch, source) = decode::<QueueBatch>(payload);
    assert_eq!(source, EventSource::Sqs, "{name}");
    let records = fixture["Records"].as_array().expect("Records");
    assert_eq!(batch.messages.len(), records.len(), "{name}");
    for (message, record) in batch.messages.iter().zip(records) {
        assert_eq!(message.id, str_of(&record["messageId"]), "{name}");
        assert_eq!(message.body, str_of(&record["body"]).as_bytes(), "{name}");
        assert_eq!(
            message.source.as_deref(),
            record["eventSourceARN"].as_str(),
            "{name}"
        );
        let attempts: u32 = str_of(&record["attributes"]["ApproximateReceiveCount"])
            .parse()
            .expect("count");
        assert_eq!(message.delivery_attempt, Some(attempts), "{name}");
        let sent: u64 = str_of(&record["attributes"]["SentTimestamp"])
            .parse()
            .expect("ms");
        assert_eq!(
            message.sent_time,
            Some(UNIX_EPOCH + Duration::from_millis(sent)),
            "{name}"
        );
        for (attribute, value) in record["messageAttributes"].as_object().expect("attributes") {
            let expected = value["stringValue"]
                .as_str()
                .or(value["binaryValue"].as_str());
            assert_eq!(
                message.attributes.get(attribute).map(String::as_str),
                expected,
                "{name}: {attribute}"
            );
        }
    }
    if name == "example-sqs-event-obj.json" {
        let body: Value = batch.messages[0].json().expect("JSON body");
        assert_eq!(body, json!({"a": "Test", "b": 123}));
    }
}

fn check_sns(name: &str, payload: &[u8], fixture: &Value) {
    let (batch, source) = decode::<QueueBatch>(payload);
    assert_eq!(source, EventSource::Sns, "{name}");
    let records = fixture["Records"].as_array().expect("Records");
    assert_eq!(batch.messages.len(), records.len(), "{name}");
    for (message, record) in batch.messages.iter().zip(records) {
        let sns = &record["Sns"];
        assert_eq!(message.id, str_of(&sns["MessageId"]), "{name}");
        assert_eq!(message.body, str_of(&sns["Message"]).as_bytes(), "{name}");
        assert_eq!(
            message.source.as_deref(),
            sns["TopicArn"].as_str(),
            "{name}"
        );
        assert_eq!(
            message.sent_time,
            Some(time(str_of(&sns["Timestamp"]))),
            "{name}"
        );
        let attributes = sns["MessageAttributes"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert_eq!(message.attributes.len(), attributes.len(), "{name}");
        for (attribute, value) in attributes {
            assert_eq!(
                message.attributes[&attribute],
                str_of(&value["Value"]),
                "{name}: {attribute}"
            );
        }
    }
}

fn check_eventbridge(name: &str, payload: &[u8], fixture: &Value) {
    let (event, source) = decode::<CloudEvent>(payload);
    assert_eq!(source, EventSource::EventBridge, "{name}");
    assert_eq!(event.id, str_of(&fixture["id"]), "{name}");
    assert_eq!(event.source, str_of(&fixture["source"]), "{name}");
    assert_eq!(event.event_type, str_of(&fixture["detail-type"]), "{name}");
    assert_eq!(event.time, Some(time(str_of(&fixture["time"]))), "{name}");
    assert_eq!(
        event.subject.as_deref(),
        fixture["resources"][0].as_str(),
        "{name}"
    );
    assert_eq!(
        event.extensions["account"],
        str_of(&fixture["account"]),
        "{name}"
    );
    assert_eq!(
        event.extensions["region"],
        str_of(&fixture["region"]),
        "{name}"
    );
    assert_eq!(
        event.data,
        Some(CloudEventData::Json(fixture["detail"].clone())),
        "{name}"
    );

    let tick = ScheduleTick::from_lambda(payload, &mut Context::builder().build());
    if fixture["detail-type"] == "Scheduled Event" {
        let tick = tick.expect("a schedule");
        assert_eq!(tick.id, str_of(&fixture["id"]), "{name}");
        assert_eq!(tick.time, time(str_of(&fixture["time"])), "{name}");
        assert_eq!(
            tick.schedule.as_deref(),
            Some("my-scheduled-rule"),
            "{name}"
        );
        assert_eq!(
            tick.source.as_deref(),
            fixture["resources"][0].as_str(),
            "{name}"
        );
        assert_eq!(
            tick.account.as_deref(),
            fixture["account"].as_str(),
            "{name}"
        );
        assert_eq!(tick.region.as_deref(), fixture["region"].as_str(), "{name}");
    } else {
        let err = tick.expect_err("not a schedule");
        assert!(err.is_bad_request());
        assert!(
            err.to_string().ends_with(&format!(
                "found an EventBridge event of detail-type {:?}",
                str_of(&fixture["detail-type"])
            )),
            "{err}"
        );
    }
}

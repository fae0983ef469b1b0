//! AWS event files taken locally (issue 24): the JSON Lambda delivers for
//! S3, SQS, SNS and EventBridge (the files `sam local invoke -e` and `cargo
//! lambda invoke` take), POSTed as it is to the local server over a real
//! socket, or handed to the harness, gives the handler the value the Lambda
//! adapter gives for the same bytes; a body of no shape the event type
//! takes is a `400` naming the shapes it does.

use std::sync::{Arc, Mutex};

use anyfn::event::{CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::{handler_fn, Context, Handler, Json};
use anyfn_formats_aws::FromAwsPayload;
use anyfn_lambda::FromLambda;
use anyfn_server::FromHttp;
use anyfn_test::{Harness, TestRequest, TestResponse, TestServer};
use serde_json::{json, Value};

/// Every AWS event fixture of the portable families (tests/fixtures/aws,
/// copies of aws_lambda_events' examples), by name.
fn fixtures() -> Vec<(String, Vec<u8>)> {
    let files = crate::event_fixtures::fixtures();
    assert_eq!(files.len(), 12, "the S3, SQS, SNS and EventBridge fixtures");
    files
}

fn fixture(name: &str) -> Vec<u8> {
    fixtures()
        .into_iter()
        .find(|(file, _)| file == name)
        .unwrap_or_else(|| panic!("no fixture {name}"))
        .1
}

/// A handler of `E` that keeps the last event it got and answers `()`.
fn keeping<E: Send + 'static>() -> (
    impl Handler<Event = E, Output = (), Error = anyfn::Error>,
    Arc<Mutex<Option<E>>>,
) {
    let seen = Arc::new(Mutex::new(None));
    let keep = Arc::clone(&seen);
    let handler = handler_fn(move |event: E, _: Context| {
        *keep.lock().expect("not poisoned") = Some(event);
        async { Ok::<_, anyfn::Error>(()) }
    });
    (handler, seen)
}

/// `payload` POSTed as JSON, as it is, to the real server on 127.0.0.1
/// running a handler of `E`: the answer and the event the handler got.
async fn posted<E>(payload: &[u8]) -> (TestResponse, Option<E>)
where
    E: FromHttp + Send + 'static,
{
    let (handler, seen) = keeping::<E>();
    let server = TestServer::start(handler).await.expect("server starts");
    let response = server
        .client()
        .send(
            TestRequest::post("/")
                .header("content-type", "application/json")
                .body(payload.to_vec()),
        )
        .await
        .expect("an answer");
    server.shutdown().await;
    let event = seen.lock().expect("not poisoned").take();
    (response, event)
}

/// What the harness's handler of `E` got from `payload` as an AWS event file.
async fn through_the_harness<E>(payload: &[u8]) -> Result<E, anyfn::Error>
where
    E: FromAwsPayload + Send + 'static,
{
    let (handler, seen) = keeping::<E>();
    let harness = Harness::new(handler);
    harness.invoke_aws_event(payload).await.into_result()?;
    let event = seen
        .lock()
        .expect("not poisoned")
        .take()
        .expect("the handler ran");
    Ok(event)
}

/// `payload` through the server, the harness and the Lambda adapter's
/// decoder as an event of type `E`: the same value everywhere, or refused
/// everywhere (a `400` on the server, the handler never run). Whether the
/// Lambda adapter took it.
async fn same_as_lambda<E>(name: &str, payload: &[u8]) -> bool
where
    E: FromHttp + FromLambda + FromAwsPayload + PartialEq + std::fmt::Debug + Send + 'static,
{
    let what = std::any::type_name::<E>();
    let on_lambda = E::from_lambda(payload, &mut Context::builder().build());
    let (response, on_server) = posted::<E>(payload).await;
    let in_harness = through_the_harness::<E>(payload).await;
    match on_lambda {
        Ok(expected) => {
            assert_eq!(
                response.status(),
                204,
                "{name} as {what}: {}",
                response.text()
            );
            assert_eq!(on_server.as_ref(), Some(&expected), "{name} as {what}");
            assert_eq!(
                in_harness.as_ref().ok(),
                Some(&expected),
                "{name} as {what}"
            );
            true
        }
        Err(lambda_err) => {
            response.assert_status(400);
            assert_eq!(response.json::<Value>()["errorType"], "BadRequest");
            assert!(on_server.is_none(), "{name} as {what}: the handler ran");
            let harness_err = in_harness.expect_err("refused in the harness too");
            assert_eq!(
                harness_err.message(),
                lambda_err.message(),
                "{name} as {what}"
            );
            false
        }
    }
}

/// The SQS and S3 fixtures were a `400` ("missing field `messages`",
/// "`objects`"), the scheduled event a tick without its schedule: the
/// plain-JSON fallback read every body as the portable JSON. Now each
/// fixture, as each event type, gives the server's handler exactly what the
/// Lambda adapter gives for the same bytes, or is refused by both.
#[tokio::test]
async fn regression_every_aws_fixture_posted_to_the_server_gives_the_lambda_value() {
    let mut taken = Vec::new();
    for (name, payload) in fixtures() {
        let mut families = Vec::new();
        if same_as_lambda::<StorageEvent>(&name, &payload).await {
            families.push("StorageEvent");
        }
        if same_as_lambda::<QueueBatch>(&name, &payload).await {
            families.push("QueueBatch");
        }
        if same_as_lambda::<ScheduleTick>(&name, &payload).await {
            families.push("ScheduleTick");
        }
        if same_as_lambda::<CloudEvent>(&name, &payload).await {
            families.push("CloudEvent");
        }
        taken.push((name, families));
    }
    // Each fixture is taken by the family it belongs to: none was checked
    // only by being refused everywhere.
    let expected = |name: &str| -> &[&str] {
        if name.starts_with("example-s3-") {
            &["StorageEvent"]
        } else if name.starts_with("example-sqs-")
            || name.starts_with("example-sns-")
            || name.starts_with("example-cloudwatch-alarm-sns")
        {
            &["QueueBatch"]
        } else if name == "example-eventbridge-schedule.json" {
            &["ScheduleTick", "CloudEvent"]
        } else {
            &["CloudEvent"]
        }
    };
    for (name, families) in taken {
        assert_eq!(families, expected(&name), "{name}");
    }
}

/// The scheduled-event fixture was accepted silently with no schedule
/// (`None` locally, `my-scheduled-rule` on Lambda), and the tick had no
/// place for the rule's ARN, account and region.
#[tokio::test]
async fn regression_the_scheduled_event_fixture_gives_the_rule_arn_account_and_region() {
    let server = TestServer::start(handler_fn(|tick: ScheduleTick, _: Context| async move {
        Ok::<_, anyfn::Error>(Json(tick))
    }))
    .await
    .expect("server starts");
    let response = server
        .client()
        .send(
            TestRequest::post("/")
                .header("content-type", "application/json")
                .body(fixture("example-eventbridge-schedule.json")),
        )
        .await
        .expect("an answer");
    response.assert_status(200);
    assert_eq!(
        response.json::<Value>(),
        json!({
            "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "time": "2015-10-08T16:53:06Z",
            "schedule": "my-scheduled-rule",
            "source": "arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule",
            "account": "123456789012",
            "region": "us-east-1",
        })
    );
    server.shutdown().await;
}

/// The `nightly` example, with the scheduled-event fixture through the
/// local server and through its real binary on the Lambda emulator: one
/// answer, naming the rule.
#[tokio::test]
async fn regression_the_nightly_example_runs_the_same_schedule_locally_and_on_lambda() {
    let payload = fixture("example-eventbridge-schedule.json");
    let server = TestServer::start(handler_fn(crate::example_code::nightly::nightly))
        .await
        .expect("server starts");
    let local = server
        .client()
        .send(
            TestRequest::post("/")
                .header("content-type", "application/json")
                .body(payload.clone()),
        )
        .await
        .expect("an answer");
    local.assert_status(200);
    server.shutdown().await;

    let emulator = anyfn_test::LambdaEmulator::builder()
        .start()
        .await
        .expect("emulator starts");
    let _function = emulator
        .spawn(crate::lambda::example("nightly"))
        .expect("spawn");
    let on_lambda = emulator
        .invoke(String::from_utf8(payload).expect("UTF-8"))
        .await
        .expect_json();

    assert_eq!(local.json::<Value>(), on_lambda);
    assert_eq!(on_lambda["schedule"], "my-scheduled-rule");
}

/// The message names the family, every shape it takes and what was found.
fn assert_names_the_shapes(response: &TestResponse, what: &str, shapes: &[&str], found: &str) {
    response.assert_status(400);
    let error: Value = response.json();
    assert_eq!(error["errorType"], "BadRequest", "{what}");
    let message = error["errorMessage"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(&format!("expected {what}: ")),
        "{message}"
    );
    for shape in shapes {
        assert!(message.contains(shape), "{what}: names {shape}: {message}");
    }
    assert!(
        message.ends_with(found),
        "{what}: says what came: {message}"
    );
}

/// A body that is neither anyfn's own JSON nor a provider's shape was a
/// `400` naming only the portable type's missing field (or, for a tick
/// with `id` and `time`, taken half-filled); now each event type says which
/// shapes it takes, and what the body was.
#[tokio::test]
async fn regression_a_body_of_no_known_shape_is_a_400_naming_the_expected_shapes() {
    let body = br#"{"hello": "world"}"#;
    let found = "found a JSON object with keys: hello";
    let (response, event) = posted::<QueueBatch>(body).await;
    assert!(event.is_none());
    assert_names_the_shapes(
        &response,
        "a queue batch",
        &[
            "a CloudEvent of a known type",
            "a Pub/Sub push envelope",
            "an SQS or SNS batch",
            "ReceiveMessage",
            "a QueueBatch as JSON",
        ],
        found,
    );
    let (response, event) = posted::<StorageEvent>(body).await;
    assert!(event.is_none());
    assert_names_the_shapes(
        &response,
        "a storage event",
        &[
            "a CloudEvent of a known type",
            "a Pub/Sub push envelope",
            "an S3 notification",
            "an S3 event from EventBridge",
            "a StorageEvent as JSON",
        ],
        found,
    );
    let (response, event) = posted::<ScheduleTick>(body).await;
    assert!(event.is_none());
    assert_names_the_shapes(
        &response,
        "a schedule tick",
        &[
            "a CloudEvent of a known type",
            "an EventBridge scheduled event",
            "a ScheduleTick as JSON",
        ],
        found,
    );
    let (response, event) = posted::<CloudEvent>(body).await;
    assert!(event.is_none());
    assert_names_the_shapes(
        &response,
        "a CloudEvent",
        &[
            "binary mode",
            "structured mode",
            "an EventBridge event",
            "the JSON event format",
        ],
        found,
    );

    // Not an object at all: said so, with the shapes.
    let (response, _) = posted::<ScheduleTick>(b"[1, 2]").await;
    assert_names_the_shapes(
        &response,
        "a schedule tick",
        &["a ScheduleTick as JSON"],
        "found a JSON array",
    );
    // An AWS event of another family: the shapes of this one.
    let (response, _) = posted::<ScheduleTick>(&fixture("example-sqs-event.json")).await;
    assert_names_the_shapes(
        &response,
        "a schedule tick",
        &["an EventBridge scheduled event"],
        "found a JSON object with keys: Records",
    );
}

/// A CloudEvent in the JSON event format POSTed as `application/json` has
/// a tick's `id` and `time`: it was taken as a tick of no schedule. It is
/// refused, saying how to send a CloudEvent.
#[tokio::test]
async fn regression_a_cloud_event_posted_as_plain_json_is_no_half_filled_tick() {
    let body = json!({
        "specversion": "1.0", "id": "1", "source": "//cloudscheduler.googleapis.com/projects/p/locations/l",
        "type": "google.cloud.scheduler.job.v1.executed", "time": "2026-01-01T00:00:00Z",
        "subject": "jobs/nightly",
    });
    let (response, event) = posted::<ScheduleTick>(body.to_string().as_bytes()).await;
    assert!(event.is_none(), "the handler ran with {event:?}");
    assert_names_the_shapes(
        &response,
        "a schedule tick",
        &["a ScheduleTick as JSON"],
        "send it with Content-Type: application/cloudevents+json)",
    );
}

/// An AWS event of the family's kind that the decoder refuses is refused
/// with the Lambda adapter's own message (an EC2 event is no schedule; SQS
/// records are no S3 notification).
#[tokio::test]
async fn regression_an_aws_event_of_the_wrong_kind_is_refused_as_lambda_refuses_it() {
    let ec2 = fixture("example-eventbridge-event-obj.json");
    let lambda =
        ScheduleTick::from_lambda(&ec2, &mut Context::builder().build()).expect_err("no schedule");
    let (response, _) = posted::<ScheduleTick>(&ec2).await;
    response.assert_status(400);
    assert_eq!(
        response.json::<Value>()["errorMessage"],
        lambda.message(),
        "EC2 event as a tick"
    );

    let sqs = fixture("example-sqs-event.json");
    let lambda = StorageEvent::from_lambda(&sqs, &mut Context::builder().build())
        .expect_err("no S3 notification");
    let (response, _) = posted::<StorageEvent>(&sqs).await;
    response.assert_status(400);
    assert_eq!(response.json::<Value>()["errorMessage"], lambda.message());
    assert!(lambda
        .message()
        .ends_with(r#"record 0 has eventSource "aws:sqs""#));
}

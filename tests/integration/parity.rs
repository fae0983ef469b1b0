//! One handler, one logical event, every adapter, one result: each family
//! goes through the in-process harness, the local server over HTTP, and the
//! Lambda adapter (the example's real binary on the Runtime API emulator),
//! and the same binary as an Azure Functions custom handler under the host
//! emulator.

use std::time::{Duration, UNIX_EPOCH};

use anyfn::event::{
    BatchResult, CloudEvent, CloudEventData, Message, ObjectChange, ObjectEvent, QueueBatch,
    ScheduleTick, StorageEvent,
};
use anyfn::handler_fn;
use anyfn_test::fixtures::{aws, cloud_events, google};
use anyfn_test::{Harness, TestRequest, TestServer};
use serde_json::{json, Value};

use crate::azure::on_azure;
use crate::example_code::{
    ce_echo as ce_echo_example, echo as echo_example, nightly as nightly_example,
    queue_worker as queue_worker_example, thumbnail as thumbnail_example,
};
use crate::lambda::on_lambda;

fn at(secs: u64) -> std::time::SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[tokio::test]
async fn storage_events_give_the_same_plans_everywhere() {
    let objects = vec![
        ObjectEvent::new(ObjectChange::Created, "photos", "2024/cat photo+1.jpg")
            .with_size(2048)
            .with_time(at(1_714_564_800)),
        ObjectEvent::new(ObjectChange::Deleted, "photos", "old.jpg").with_time(at(1_714_564_801)),
        ObjectEvent::new(ObjectChange::Created, "photos", "thumbnails/skip.jpg").with_size(10),
    ];
    let event = StorageEvent::new(objects.clone());

    let harness = Harness::new(handler_fn(thumbnail_example::thumbnail));
    let in_process =
        serde_json::to_value(harness.invoke(event.clone()).await.expect_output().0).expect("JSON");
    assert_eq!(
        in_process,
        json!([
            {"action": "resize", "bucket": "photos", "source": "2024/cat photo+1.jpg", "thumbnail": "thumbnails/2024/cat photo+1.jpg"},
            {"action": "remove", "bucket": "photos", "source": "old.jpg", "thumbnail": "thumbnails/old.jpg"},
        ])
    );

    let server = TestServer::start(handler_fn(thumbnail_example::thumbnail))
        .await
        .expect("server");
    let posted = server
        .client()
        .send(TestRequest::post("/").json(&event))
        .await
        .expect("response");
    posted.assert_status(200);
    assert_eq!(posted.json::<Value>(), in_process, "JSON POST");

    // Google Cloud Storage delivers one object per CloudEvent.
    for (index, object) in objects.iter().enumerate().take(2) {
        let cloud_event = google::storage_object_event(&format!("gcs-{index}"), object);
        let response = server
            .client()
            .send(cloud_events::binary(&cloud_event))
            .await
            .expect("response");
        response.assert_status(200);
        assert_eq!(
            response.json::<Value>(),
            json!([in_process[index].clone()]),
            "GCS CloudEvent {index}"
        );
    }
    server.shutdown().await;

    let (emulator, _function) = on_lambda("thumbnail").await;
    let on_lambda = emulator
        .invoke(aws::s3_notification(&objects).to_string())
        .await
        .expect_json();
    assert_eq!(on_lambda, in_process, "S3 notification");

    // A blob trigger fires once per blob created.
    let (azure, _function) = on_azure("thumbnail").await;
    let on_azure = azure.blob("thumbnail", &objects[0], b"jpeg").await;
    assert!(on_azure.succeeded(), "{:?}", on_azure.answer());
    assert_eq!(
        on_azure.return_value().cloned(),
        Some(json!([in_process[0].clone()])),
        "Azure blob trigger"
    );
}

#[tokio::test]
async fn a_partial_queue_failure_names_the_same_messages_everywhere() {
    let batch = QueueBatch::new(vec![
        Message::new("m-1", "ok").with_attribute("tenant", "acme"),
        Message::new("m-2", "please fail"),
        Message::new("m-3", "fine"),
        Message::new("m-4", "fail again").with_delivery_attempt(3),
    ]);
    let expected =
        json!({"batchItemFailures": [{"itemIdentifier": "m-2"}, {"itemIdentifier": "m-4"}]});

    let harness = Harness::new(handler_fn(queue_worker_example::work));
    let result: BatchResult = harness.invoke(batch.clone()).await.expect_output();
    assert_eq!(result.failed, ["m-2", "m-4"]);
    assert_eq!(serde_json::to_value(&result).expect("JSON"), expected);

    let server = TestServer::start(handler_fn(queue_worker_example::work))
        .await
        .expect("server");
    let posted = server
        .client()
        .send(TestRequest::post("/").json(&batch))
        .await
        .expect("response");
    posted.assert_status(500);
    assert_eq!(
        posted.json::<Value>(),
        expected,
        "JSON POST: the partial failure is in the response"
    );
    let all_good = server
        .client()
        .send(TestRequest::post("/").json(&QueueBatch::new(vec![Message::new("m-9", "ok")])))
        .await
        .expect("response");
    all_good.assert_status(200);
    assert_eq!(all_good.json::<Value>(), json!({"batchItemFailures": []}));
    for message in &batch.messages {
        let response = server
            .client()
            .send(cloud_events::structured(&google::pubsub_message_event(
                message,
            )))
            .await
            .expect("response");
        let failed = message.body.windows(4).any(|w| w == b"fail");
        response.assert_status(if failed { 500 } else { 200 });
    }
    server.shutdown().await;

    let (emulator, _function) = on_lambda("queue-worker").await;
    let on_lambda = emulator
        .invoke(aws::sqs_batch(&batch.messages).to_string())
        .await
        .expect_json();
    assert_eq!(on_lambda, expected, "SQS batchItemFailures");
    let sns_ok = emulator
        .invoke(aws::sns_delivery(&batch.messages[..1]).to_string())
        .await
        .expect_json();
    assert_eq!(sns_ok, json!({"batchItemFailures": []}));
    let sns_failed = emulator
        .invoke(aws::sns_delivery(&batch.messages[1..2]).to_string())
        .await
        .expect_error();
    assert_eq!(sns_failed.error_type, "HandlerError");
    assert_eq!(
        sns_failed.error_message,
        "1 SNS message(s) failed (m-2); SNS retries the whole delivery"
    );

    // Azure queue triggers deliver one message per invocation: the failed
    // ones are those the host would retry, as on Pub/Sub.
    let (azure, _function) = on_azure("queue-worker").await;
    let mut retried = Vec::new();
    for message in &batch.messages {
        if azure.queue("queue-worker", message).await.would_retry() {
            retried.push(message.id.clone());
        }
    }
    assert_eq!(retried, ["m-2", "m-4"], "Azure Storage queue");
}

#[tokio::test]
async fn a_schedule_tick_gives_the_same_run_everywhere() {
    let tick = ScheduleTick::new("tick-42", at(1_714_528_800)).with_schedule("nightly-report");
    let harness = Harness::new(handler_fn(nightly_example::nightly));
    let in_process = harness.invoke(tick.clone()).await.expect_output().0;
    assert_eq!(
        in_process,
        json!({"tick": "tick-42", "schedule": "nightly-report", "firedAt": "2024-05-01T02:00:00Z", "report": "sales-2024-04-30"})
    );

    let server = TestServer::start(handler_fn(nightly_example::nightly))
        .await
        .expect("server");
    let posted = server
        .client()
        .send(TestRequest::post("/").json(&tick))
        .await
        .expect("response");
    assert_eq!(posted.json::<Value>(), in_process, "JSON POST");
    let scheduler = server
        .client()
        .send(cloud_events::binary(&google::scheduler_job_event(&tick)))
        .await
        .expect("response");
    assert_eq!(
        scheduler.json::<Value>(),
        in_process,
        "Cloud Scheduler CloudEvent"
    );
    server.shutdown().await;

    let (emulator, _function) = on_lambda("nightly").await;
    let on_lambda = emulator
        .invoke(aws::scheduled_event(&tick).to_string())
        .await
        .expect_json();
    assert_eq!(on_lambda, in_process, "EventBridge scheduled event");

    // An Azure timer names no schedule: the tick's schedule is the
    // function's name (the failure contract's "What differs"); the rest is
    // the same run.
    let (azure, _function) = on_azure("nightly").await;
    let on_azure = azure.timer("nightly", &tick, false).await;
    assert!(on_azure.succeeded(), "{:?}", on_azure.answer());
    let mut expected = in_process.clone();
    expected["schedule"] = json!("nightly");
    assert_eq!(
        on_azure.return_value().cloned(),
        Some(expected),
        "Azure timer trigger"
    );
}

fn order_created() -> CloudEvent {
    CloudEvent::new("evt-7", "com.example.orders", "Order Created")
        .with_subject("arn:aws:example:order/7")
        .with_time(at(1_714_564_800))
        .with_extension("account", "123456789012")
        .with_extension("region", "eu-west-1")
        .with_data(CloudEventData::Json(
            json!({"order": 7, "items": ["a", "b"], "note": "naïve 100%"}),
        ))
}

#[tokio::test]
async fn a_cloud_event_comes_back_equal_everywhere() {
    let event = order_created();
    let harness = Harness::new(handler_fn(ce_echo_example::ce_echo));
    assert_eq!(harness.invoke(event.clone()).await.expect_output(), event);

    let server = TestServer::start(handler_fn(ce_echo_example::ce_echo))
        .await
        .expect("server");
    for (mode, request) in [
        ("binary", cloud_events::binary(&event)),
        ("structured", cloud_events::structured(&event)),
    ] {
        let response = server.client().send(request).await.expect("response");
        response.assert_status(200);
        assert_eq!(
            response.header("content-type"),
            Some("application/cloudevents+json"),
            "{mode}"
        );
        let echoed = CloudEvent::from_json(response.body().as_bytes()).expect("a CloudEvent");
        assert_eq!(echoed, event, "{mode} mode");
    }
    let text = CloudEvent::new("t-1", "/notes", "com.example.note")
        .with_data_content_type("text/plain; charset=utf-8")
        .with_data(CloudEventData::Text("héllo".into()));
    let binary = CloudEvent::new("b-1", "/blobs", "com.example.blob")
        .with_data_content_type("application/octet-stream")
        .with_data(CloudEventData::Binary(bytes::Bytes::from_static(&[
            0, 1, 254, 255,
        ])));
    for event in [text, binary] {
        for request in [
            cloud_events::binary(&event),
            cloud_events::structured(&event),
        ] {
            let response = server.client().send(request).await.expect("response");
            assert_eq!(
                CloudEvent::from_json(response.body().as_bytes()).expect("event"),
                event
            );
        }
    }
    server.shutdown().await;

    let (emulator, _function) = on_lambda("ce-echo").await;
    let on_lambda = emulator
        .invoke(aws::eventbridge_event(&event).to_string())
        .await
        .expect_response();
    assert_eq!(
        CloudEvent::from_json(&on_lambda).expect("a CloudEvent"),
        event,
        "EventBridge"
    );

    let (azure, _function) = on_azure("ce-echo").await;
    let on_azure = azure.event_grid_cloud_event("ce-echo", &event).await;
    let echoed = on_azure.return_value().cloned().expect("a return value");
    assert_eq!(
        CloudEvent::from_json(echoed.to_string().as_bytes()).expect("a CloudEvent"),
        event,
        "Event Grid, CloudEvents schema"
    );
}

#[tokio::test]
async fn a_cloud_event_missing_a_required_attribute_gets_400() {
    let server = TestServer::start(handler_fn(ce_echo_example::ce_echo))
        .await
        .expect("server");
    let full = order_created();
    for attribute in ["id", "source", "type", "specversion"] {
        let mut binary = cloud_events::binary(&full);
        binary
            .headers_mut()
            .remove(format!("ce-{attribute}").as_str());
        let response = server.client().send(binary).await.expect("response");
        response.assert_status(400);
        let error: Value = response.json();
        assert_eq!(error["errorType"], "BadRequest");
        assert_eq!(
            error["errorMessage"],
            format!("the CloudEvent has no `{attribute}` attribute (header ce-{attribute}), which is required")
        );

        let mut document = full.to_json_value();
        document.as_object_mut().expect("object").remove(attribute);
        let structured = TestRequest::post("/")
            .header("content-type", "application/cloudevents+json")
            .body(document.to_string());
        let response = server.client().send(structured).await.expect("response");
        response.assert_status(400);
        let error: Value = response.json();
        assert_eq!(
            error["errorMessage"],
            format!("the CloudEvent has no `{attribute}` attribute, which is required")
        );
    }
    let next = server
        .client()
        .send(cloud_events::binary(&full))
        .await
        .expect("response");
    next.assert_status(200);
    server.shutdown().await;
}

#[tokio::test]
async fn an_http_request_is_seen_the_same_everywhere() {
    let request = || {
        TestRequest::post("/orders/7")
            .query("x", "1")
            .query("x", "2")
            .query("q", "a b&c")
            .header("x-tenant", "acme")
            .cookie("session", "abc")
            .cookie("theme", "dark")
            .body(r#"{"note":"fragile"}"#)
            .build()
    };
    let view = |echoed: Value| {
        json!({
            "method": echoed["method"], "path": echoed["path"], "query": echoed["query"],
            "cookies": echoed["cookies"], "body": echoed["body"], "tenant": echoed["headers"]["x-tenant"],
        })
    };
    let harness = Harness::new(handler_fn(echo_example::echo));
    let in_process = view(
        harness
            .invoke(request())
            .await
            .expect_output()
            .body()
            .json()
            .expect("JSON"),
    );
    assert_eq!(
        in_process["query"],
        json!({"x": ["1", "2"], "q": ["a b&c"]})
    );
    assert_eq!(in_process["cookies"], json!(["session=abc", "theme=dark"]));

    let server = TestServer::start(handler_fn(echo_example::echo))
        .await
        .expect("server");
    let over_http = view(
        server
            .client()
            .send(request())
            .await
            .expect("response")
            .json(),
    );
    assert_eq!(over_http, in_process, "local server");
    server.shutdown().await;

    let (emulator, _function) = on_lambda("echo").await;
    let response = emulator
        .invoke(aws::http_api_request(&request()).to_string())
        .await
        .expect_json();
    let on_lambda =
        view(serde_json::from_str(response["body"].as_str().expect("body")).expect("JSON"));
    assert_eq!(on_lambda, in_process, "Lambda (HTTP API)");
}

/// Path parameters and stage variables, as a platform's routing gives them:
/// set on the test request, seen by the handler in the harness, on Lambda
/// (written into an HTTP API and a REST API event) and on Azure (written
/// into `Params`, with the route's own `{*path}`); the local server has no
/// routes, so none.
#[tokio::test]
async fn path_parameters_and_stage_variables_reach_the_handler_everywhere() {
    let request = || {
        TestRequest::get("/orders/a%20b")
            .path_param("id", "a b")
            .path_param("item", "7")
            .stage_variable("table", "orders-test")
            .build()
    };
    let routing = |echoed: &Value| json!({"pathParameters": echoed["pathParameters"], "stageVariables": echoed["stageVariables"]});
    let expected = json!({
        "pathParameters": {"id": "a b", "item": "7"},
        "stageVariables": {"table": "orders-test"},
    });

    let harness = Harness::new(handler_fn(echo_example::echo));
    let echoed: Value = harness
        .invoke(request())
        .await
        .expect_output()
        .body()
        .json()
        .expect("JSON");
    assert_eq!(routing(&echoed), expected, "harness");

    let (emulator, _function) = on_lambda("echo").await;
    for (shape, event) in [
        ("HTTP API", aws::http_api_request(&request())),
        ("REST API", aws::rest_api_request(&request())),
    ] {
        let response = emulator.invoke(event.to_string()).await.expect_json();
        let echoed: Value =
            serde_json::from_str(response["body"].as_str().expect("body")).expect("JSON");
        assert_eq!(routing(&echoed), expected, "Lambda ({shape})");
        assert_eq!(echoed["path"], "/orders/a%20b", "Lambda ({shape})");
    }

    let (azure, _process) = on_azure("echo").await;
    let echoed: Value = azure.http("echo", request()).await.http_response().json();
    assert_eq!(
        routing(&echoed),
        json!({
            "pathParameters": {"id": "a b", "item": "7", "path": "orders/a b"},
            "stageVariables": {},
        }),
        "Azure: the route {{*path}}'s value and the request's, no stage"
    );

    let server = TestServer::start(handler_fn(echo_example::echo))
        .await
        .expect("server");
    let echoed: Value = server
        .client()
        .send(request())
        .await
        .expect("response")
        .json();
    assert_eq!(
        routing(&echoed),
        json!({"pathParameters": {}, "stageVariables": {}}),
        "the local server has no routes"
    );
    server.shutdown().await;
}

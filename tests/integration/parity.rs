//! One handler, one logical event, every adapter, one result: each family
//! goes through the in-process harness and through every adapter of the one
//! list (`adapters.rs`: the example's binary on the local server over HTTP,
//! on the Lambda Runtime API emulator, as an Azure Functions custom handler
//! under the host emulator, as a Cloudflare Worker under workerd when
//! `ANYFN_WORKERD_DIR` is set), each delivering it as its platform does, and
//! every answer must be the harness's for the event as delivered.

use std::time::{Duration, UNIX_EPOCH};

use anyfn::event::{
    BatchResult, CloudEvent, CloudEventData, Message, ObjectChange, ObjectEvent, QueueBatch,
    ScheduleTick, StorageEvent,
};
use anyfn::handler_fn;
use anyfn_test::fixtures::{aws, cloud_events};
use anyfn_test::{Harness, TestRequest, TestServer};
use serde_json::{json, Value};

use crate::adapters::{self, Setup};
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
    let event = StorageEvent::new(objects);

    let harness = Harness::new(handler_fn(thumbnail_example::thumbnail));
    let plans = |event: StorageEvent| {
        let harness = &harness;
        async move { serde_json::to_value(harness.invoke(event).await.expect_output().0).expect("JSON") }
    };
    assert_eq!(
        plans(event.clone()).await,
        json!([
            {"action": "resize", "bucket": "photos", "source": "2024/cat photo+1.jpg", "thumbnail": "thumbnails/2024/cat photo+1.jpg"},
            {"action": "remove", "bucket": "photos", "source": "old.jpg", "thumbnail": "thumbnails/old.jpg"},
        ])
    );
    for adapter in adapters::available() {
        let running = adapter.start("thumbnail", Setup::default()).await;
        let deliveries = running.storage(&event).await;
        assert!(!deliveries.is_empty(), "{}", adapter.name);
        for delivery in deliveries {
            assert_eq!(
                delivery.answer,
                plans(delivery.event).await,
                "{}: {}",
                adapter.name,
                delivery.how
            );
        }
    }
}

#[tokio::test]
async fn a_partial_queue_failure_names_the_same_messages_everywhere() {
    let batch = QueueBatch::new(vec![
        Message::new("m-1", "ok").with_attribute("tenant", "acme"),
        Message::new("m-2", "please fail"),
        Message::new("m-3", "fine"),
        Message::new("m-4", "fail again").with_delivery_attempt(3),
    ]);

    let harness = Harness::new(handler_fn(queue_worker_example::work));
    let failed = |batch: QueueBatch| {
        let harness = &harness;
        async move {
            let result: BatchResult = harness.invoke(batch).await.expect_output();
            result.failed
        }
    };
    let result: BatchResult = harness.invoke(batch.clone()).await.expect_output();
    assert_eq!(result.failed, ["m-2", "m-4"]);
    assert_eq!(
        serde_json::to_value(&result).expect("JSON"),
        json!({"batchItemFailures": [{"itemIdentifier": "m-2"}, {"itemIdentifier": "m-4"}]})
    );
    for adapter in adapters::available() {
        let running = adapter.start("queue-worker", Setup::default()).await;
        let mut retried_one_by_one = Vec::new();
        let mut one_by_one = false;
        for delivery in running.queue(&batch).await {
            assert_eq!(
                delivery.answer,
                failed(delivery.event.clone()).await,
                "{}: {}",
                adapter.name,
                delivery.how
            );
            if delivery.event.messages.len() == batch.messages.len() {
                assert_eq!(
                    delivery.answer, result.failed,
                    "{}: {}",
                    adapter.name, delivery.how
                );
            } else {
                one_by_one = true;
                retried_one_by_one.extend(delivery.answer);
            }
        }
        // Whether a platform delivers the batch whole or one message at a
        // time, the same messages are the ones it retries.
        if one_by_one {
            assert_eq!(
                retried_one_by_one, result.failed,
                "{}: the messages delivered one at a time and retried",
                adapter.name
            );
        }
    }
}

#[tokio::test]
async fn a_schedule_tick_gives_the_same_run_everywhere() {
    let tick = ScheduleTick::new("tick-42", at(1_714_528_800)).with_schedule("nightly-report");
    let harness = Harness::new(handler_fn(nightly_example::nightly));
    let run = |tick: ScheduleTick| {
        let harness = &harness;
        async move { harness.invoke(tick).await.expect_output().0 }
    };
    assert_eq!(
        run(tick.clone()).await,
        json!({"tick": "tick-42", "schedule": "nightly-report", "firedAt": "2024-05-01T02:00:00Z", "report": "sales-2024-04-30"})
    );
    for adapter in adapters::available() {
        let running = adapter.start("nightly", Setup::default()).await;
        for delivery in running.schedule(&tick).await {
            assert_eq!(
                delivery.answer,
                run(delivery.event).await,
                "{}: {}",
                adapter.name,
                delivery.how
            );
        }
    }
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
    for adapter in adapters::available() {
        let running = adapter.start("ce-echo", Setup::default()).await;
        for delivery in running.cloud_event(&event).await {
            let in_process = harness.invoke(delivery.event).await.expect_output();
            assert_eq!(
                delivery.answer, in_process,
                "{}: {}",
                adapter.name, delivery.how
            );
        }
    }
}

/// CloudEvent data of every kind (text, bytes) round-trips on the server, in
/// both of the HTTP binding's modes.
#[tokio::test]
async fn cloud_event_data_of_every_kind_comes_back_from_the_server() {
    let server = TestServer::start(handler_fn(ce_echo_example::ce_echo))
        .await
        .expect("server");
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
            // Above ASCII, as HTTP allows (obs-text) and hyper takes it.
            .header("x-name", "café")
            .cookie("session", "abc")
            .cookie("theme", "dark")
            .body(r#"{"note":"fragile"}"#)
    };
    let view = |echoed: Value| {
        json!({
            "method": echoed["method"], "path": echoed["path"], "query": echoed["query"],
            "cookies": echoed["cookies"], "body": echoed["body"], "tenant": echoed["headers"]["x-tenant"],
            "name": echoed["headers"]["x-name"],
        })
    };
    let harness = Harness::new(handler_fn(echo_example::echo));
    let in_process = view(
        harness
            .invoke(request().build())
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
    assert_eq!(in_process["name"], json!(["café"]));
    for adapter in adapters::available() {
        let running = adapter.start("echo", Setup::default()).await;
        for delivery in running.http(request()).await {
            let echoed: Value = serde_json::from_slice(&delivery.answer.body).expect("JSON");
            let expected: Value = harness
                .invoke(delivery.event)
                .await
                .expect_output()
                .body()
                .json()
                .expect("JSON");
            assert_eq!(
                view(echoed),
                view(expected),
                "{}: {}",
                adapter.name,
                delivery.how
            );
        }
    }
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

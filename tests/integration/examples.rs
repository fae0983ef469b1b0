//! The examples' contracts, through the harness and over real HTTP.

use crate::example_code::{
    echo as echo_example, greet_json as greet_example, hello as hello_example,
};
use anyfn::handler_fn;
use anyfn::Json;
use anyfn_test::{Harness, TestRequest, TestServer};
use serde_json::{json, Value};

#[tokio::test]
async fn hello_greets_the_name_over_http() {
    let server = TestServer::start(handler_fn(hello_example::hello))
        .await
        .expect("server starts");
    let client = server.client();

    let ada = client.get("/?name=Ada").await.expect("response");
    ada.assert_status(200);
    assert_eq!(ada.text(), "Hello, Ada!");
    assert_eq!(
        ada.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(ada.header("x-request-id").map(str::len), Some(36));

    let world = client.get("/").await.expect("response");
    assert_eq!(world.text(), "Hello, world!");

    let encoded = client.get("/?name=Ada%20Lovelace").await.expect("response");
    assert_eq!(encoded.text(), "Hello, Ada Lovelace!");
    server.shutdown().await;
}

#[tokio::test]
async fn hello_in_the_harness_matches_the_server() {
    let harness = Harness::new(handler_fn(hello_example::hello));
    let response = harness
        .invoke(TestRequest::get("/").query("name", "Ada").build())
        .await
        .expect_output();
    assert_eq!(response.body().as_bytes(), b"Hello, Ada!");
}

#[tokio::test]
async fn echo_describes_every_part_of_the_request() {
    let server = TestServer::start(handler_fn(echo_example::echo))
        .await
        .expect("server starts");
    let request = TestRequest::post("/orders/7?x=1&x=2&y=")
        .query("name", "Ada Lovelace")
        .header("x-multi", "one")
        .header("x-multi", "two")
        .cookie("session", "abc")
        .cookie("theme", "dark")
        .body("hello body");
    let response = server.client().send(request).await.expect("response");
    response.assert_status(200);
    let echoed: Value = response.json();

    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["path"], "/orders/7");
    assert_eq!(
        echoed["query"],
        json!({"x": ["1", "2"], "y": [""], "name": ["Ada Lovelace"]})
    );
    assert_eq!(echoed["headers"]["x-multi"], json!(["one", "two"]));
    assert_eq!(echoed["headers"]["content-length"], json!(["10"]));
    assert_eq!(echoed["cookies"], json!(["session=abc", "theme=dark"]));
    assert_eq!(echoed["body"], "hello body");
    assert_eq!(echoed["isBase64Encoded"], false);
    assert_eq!(
        (&echoed["pathParameters"], &echoed["stageVariables"]),
        (&json!({}), &json!({})),
        "the local server has no routes"
    );
    assert_eq!(
        echoed["requestId"].as_str(),
        response.header("x-request-id"),
        "the context's request id is the one the server reports"
    );
    let remaining = echoed["remainingTimeMs"].as_u64().expect("a number");
    assert!(remaining > 0 && remaining <= 3_000, "{remaining}");
    server.shutdown().await;
}

#[tokio::test]
async fn echo_base64_encodes_a_body_that_is_not_utf8() {
    let harness = Harness::new(handler_fn(echo_example::echo)).function_name("echo");
    let request = TestRequest::put("/bin")
        .body(vec![0xde, 0xad, 0xbe, 0xef])
        .build();
    let response = harness.invoke(request).await.expect_output();
    let echoed: Value = response.body().json().expect("JSON");
    assert_eq!(echoed["body"], "3q2+7w==");
    assert_eq!(echoed["isBase64Encoded"], true);
    assert_eq!(echoed["requestId"], "test-request-1");
    assert_eq!(echoed["functionName"], "echo");
    assert_eq!(echoed["query"], json!({}));
    assert_eq!(echoed["cookies"], json!([]));
}

#[tokio::test]
async fn greet_json_answers_json_over_http() {
    let server = TestServer::start(handler_fn(greet_example::greet))
        .await
        .expect("server starts");
    let response = server
        .client()
        .send(TestRequest::post("/").json(&json!({"name": "Ada"})))
        .await
        .expect("response");
    response.assert_status(200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.text(), r#"{"greeting":"Hello, Ada!"}"#);
    server.shutdown().await;
}

#[tokio::test]
async fn greet_json_in_the_harness() {
    let harness = Harness::new(handler_fn(greet_example::greet));
    let Json(greeting) = harness
        .invoke(Json(greet_example::Person {
            name: "Grace".into(),
        }))
        .await
        .expect_output();
    assert_eq!(greeting.greeting, "Hello, Grace!");
}

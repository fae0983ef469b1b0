//! Several named functions in one binary (the `functions` example): picked
//! by `_HANDLER` on Lambda and `FUNCTION_TARGET` on Cloud Run, each at its
//! own path otherwise, and by name in the harness.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, UNIX_EPOCH};

use anyfn::event::{ObjectChange, ObjectEvent, ScheduleTick, StorageEvent};
use anyfn::{Json, Request, Response};
use anyfn_functions::{FunctionError, NamedHandler};
use anyfn_test::{fixtures, Harness, LambdaEmulator, TestClient, TestRequest, TestResponse};
use serde_json::{json, Value};

use crate::example_code::functions::functions;
use crate::lambda::example;
use crate::support::ExampleServer;

fn photo_created() -> StorageEvent {
    StorageEvent::new(vec![ObjectEvent::new(
        ObjectChange::Created,
        "photos",
        "cat.jpg",
    )])
}

fn tick() -> ScheduleTick {
    ScheduleTick::new("t-1", UNIX_EPOCH + Duration::from_secs(1_714_528_800))
        .with_schedule("nightly")
}

/// What `resize` answers for [`photo_created`], when its context names `function`.
fn resized(function: &str) -> Value {
    json!({"function": function, "thumbnails": ["photos/thumbnails/cat.jpg"]})
}

/// What `nightly` answers for [`tick`].
fn ticked(function: &str) -> Value {
    json!({"function": function, "schedule": "nightly", "firedAt": "2024-05-01T02:00:00Z"})
}

#[tokio::test]
async fn the_harness_invokes_each_function_by_name_with_its_own_types() {
    let functions = functions();

    let orders: Harness<NamedHandler<Request, Response>> =
        Harness::function(&functions, "orders").expect("orders");
    let answer = orders
        .invoke(TestRequest::get("/42").build())
        .await
        .expect_output();
    assert_eq!(
        TestResponse::from(answer).json::<Value>(),
        json!({"function": "orders", "method": "GET", "path": "/42"})
    );

    let resize: Harness<NamedHandler<StorageEvent, Json<Value>>> =
        Harness::function(&functions, "resize").expect("resize");
    assert_eq!(
        resize.invoke(photo_created()).await.expect_output().0,
        resized("resize")
    );

    let nightly: Harness<NamedHandler<ScheduleTick, Json<Value>>> =
        Harness::function(&functions, "nightly").expect("nightly");
    assert_eq!(
        nightly.invoke(tick()).await.expect_output().0,
        ticked("nightly")
    );
}

#[test]
fn a_function_asked_for_with_other_types_or_a_wrong_name_is_a_clear_error() {
    let functions = functions();
    let err = Harness::<NamedHandler<Request, Response>>::function(&functions, "resize")
        .expect_err("resize takes a StorageEvent");
    assert!(matches!(err, FunctionError::WrongTypes { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "function `resize` takes anyfn::event::storage::StorageEvent and answers \
         anyfn::json::Json<serde_json::value::Value>, not anyfn::Request and \
         anyfn::Response"
            .replace("anyfn::Request", std::any::type_name::<Request>())
            .replace("anyfn::Response", std::any::type_name::<Response>())
    );
    let err = Harness::<NamedHandler<Request, Response>>::function(&functions, "refund")
        .expect_err("no such function");
    assert_eq!(
        err.to_string(),
        "no function is named `refund`; this binary has: orders, resize, nightly"
    );
}

/// A JSON answer of `client` to `request`, checked for status 200.
async fn json_of(client: &TestClient, request: TestRequest) -> Value {
    let response = client.send(request).await.expect("response");
    response.assert_status(200);
    response.json()
}

#[tokio::test]
async fn locally_each_function_is_served_at_its_own_path() {
    let server = ExampleServer::start("functions");
    let client = TestClient::new(server.addr);

    assert_eq!(
        json_of(&client, TestRequest::get("/orders/42?page=2")).await,
        json!({"function": "orders", "method": "GET", "path": "/42"})
    );
    assert_eq!(
        json_of(&client, TestRequest::post("/resize").json(&photo_created())).await,
        resized("resize")
    );
    assert_eq!(
        json_of(&client, TestRequest::post("/nightly").json(&tick())).await,
        ticked("nightly")
    );

    let missing = client.get("/refund").await.expect("response");
    missing.assert_status(404);
    assert_eq!(
        missing.json::<Value>()["errorMessage"],
        "no function at \"/refund\"; this binary serves each function at /{name}: orders, resize, nightly"
    );
    // A function decodes its own event: a storage function refuses a tick.
    client
        .send(TestRequest::post("/resize").json(&json!({"nothing": 1})))
        .await
        .expect("response")
        .assert_status(400);
    server.terminate();
}

#[tokio::test]
async fn function_target_serves_that_function_alone_at_every_path() {
    let server = ExampleServer::start_with_env("functions", &[("FUNCTION_TARGET", "resize")]);
    let client = TestClient::new(server.addr);
    for path in ["/", "/resize", "/anything"] {
        assert_eq!(
            json_of(&client, TestRequest::post(path).json(&photo_created())).await,
            resized("resize"),
            "{path}"
        );
    }
    server.terminate();
}

/// As three Cloud Run services of one image: each `FUNCTION_TARGET` serves
/// its function on every interface, the service (`K_SERVICE`) naming it.
#[tokio::test]
async fn on_cloud_run_function_target_picks_the_function_and_the_service_names_it() {
    let cases = [
        (
            "orders",
            TestRequest::get("/"),
            json!({"function": "svc-orders", "method": "GET", "path": "/"}),
        ),
        (
            "resize",
            TestRequest::post("/").json(&photo_created()),
            resized("svc-resize"),
        ),
        (
            "nightly",
            TestRequest::post("/").json(&tick()),
            ticked("svc-nightly"),
        ),
    ];
    for (target, request, expected) in cases {
        let service = format!("svc-{target}");
        let server = ExampleServer::start_with_env(
            "functions",
            &[("FUNCTION_TARGET", target), ("K_SERVICE", &service)],
        );
        assert!(server.addr.ip().is_unspecified(), "{}", server.addr);
        let loopback = SocketAddr::from(([127, 0, 0, 1], server.addr.port()));
        let client = TestClient::new(loopback);
        assert_eq!(json_of(&client, request).await, expected, "{target}");
        server.terminate();
    }
}

/// Runs the `functions` example with `env` until it exits (at most 20 s);
/// its exit success and its stderr.
fn run_to_exit(env: &[(&str, &str)]) -> (bool, String) {
    let mut child = Command::new(example("functions"))
        .envs(env.iter().copied())
        .env("PORT", "0")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the example did not exit within 20 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("piped"), &mut stderr)
        .expect("stderr");
    (status.success(), stderr)
}

#[test]
fn an_unknown_function_target_stops_the_binary_naming_the_functions_it_has() {
    let (success, stderr) = run_to_exit(&[("FUNCTION_TARGET", "refund")]);
    assert!(!success);
    assert!(
        stderr.contains("no function is named `refund`; this binary has: orders, resize, nightly"),
        "{stderr}"
    );
}

/// The `functions` example on the Lambda emulator as the function `name`
/// with handler setting `handler`: its answer to `payload`.
async fn on_lambda(handler: &str, payload: Value) -> Value {
    let emulator = LambdaEmulator::builder()
        .function_name(format!("shop-{handler}"))
        .handler(handler)
        .start()
        .await
        .expect("emulator");
    let _function = emulator.spawn(example("functions")).expect("spawn");
    emulator.invoke(payload.to_string()).await.expect_json()
}

#[tokio::test]
async fn on_lambda_the_handler_setting_picks_the_function() {
    let orders = on_lambda(
        "orders",
        fixtures::aws::http_api_request(&TestRequest::get("/orders/7").build()),
    )
    .await;
    assert_eq!(orders["statusCode"], 200, "{orders}");
    let body: Value = serde_json::from_str(orders["body"].as_str().expect("body")).expect("JSON");
    assert_eq!(
        body,
        json!({"function": "shop-orders", "method": "GET", "path": "/orders/7"})
    );

    let objects = photo_created().objects;
    assert_eq!(
        on_lambda("resize", fixtures::aws::s3_notification(&objects)).await,
        resized("shop-resize")
    );
    assert_eq!(
        on_lambda("nightly", fixtures::aws::scheduled_event(&tick())).await,
        ticked("shop-nightly")
    );
}

#[tokio::test]
async fn on_lambda_a_handler_setting_naming_no_function_stops_the_binary() {
    let emulator = LambdaEmulator::builder()
        .handler("bootstrap")
        .start()
        .await
        .expect("emulator");
    let function = emulator.spawn(example("functions")).expect("spawn");
    let line = emulator
        .output_line_containing("no function is named `bootstrap`", Duration::from_secs(20))
        .await;
    assert_eq!(
        line.as_deref().map(str::trim),
        Some("Error: no function is named `bootstrap`; this binary has: orders, resize, nightly")
    );
    drop(function);
}

/// The router strips the function's name from the path and keeps the query
/// as it came (escapes, repeats, an empty value), over a real socket: only
/// its unit tests held this.
#[tokio::test]
async fn through_the_router_a_function_sees_its_own_path_and_the_whole_query() {
    let seen = |request: Request, context: anyfn::Context| async move {
        anyfn::response::json(&json!({
            "function": context.function_name(),
            "path": request.uri().path(),
            "query": request.uri().query(),
        }))
    };
    let router = anyfn_functions::Functions::new()
        .add("seen", anyfn::handler_fn(seen))
        .add("seen-too", anyfn::handler_fn(seen))
        .router();
    let server = anyfn_test::TestServer::start(router)
        .await
        .expect("server starts");
    let client = server.client();
    for (uri, function, path, query) in [
        ("/seen", "seen", "/", None),
        ("/seen?x=1", "seen", "/", Some("x=1")),
        (
            "/seen/a/b?x=1&x=2&e=&s=a%20b",
            "seen",
            "/a/b",
            Some("x=1&x=2&e=&s=a%20b"),
        ),
        ("/seen-too/?q=%2F", "seen-too", "/", Some("q=%2F")),
    ] {
        assert_eq!(
            json_of(&client, TestRequest::get(uri)).await,
            json!({"function": function, "path": path, "query": query}),
            "{uri}"
        );
    }
    let missing = client.get("/seenx?x=1").await.expect("an answer");
    missing.assert_status(404);
    server.shutdown().await;
}

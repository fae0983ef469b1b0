//! The examples, unchanged, on the real Lambda adapter: each runs as a child
//! process against anyfn-test's Runtime API emulator, as it would on Lambda.

use std::path::PathBuf;
use std::time::Duration;

use anyfn_test::{LambdaEmulator, LambdaEmulatorBuilder, LambdaOutcome};
use base64::Engine as _;
use serde_json::{json, Map, Value};

/// An example binary, built by `cargo test` next to this test binary.
pub(crate) fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let debug = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    let path = debug.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test`, which builds the examples",
        path.display()
    );
    path
}

/// An emulator for a function named `name`, with the example `name` running on it.
pub(crate) async fn on_lambda(name: &str) -> (LambdaEmulator, anyfn_test::FunctionProcess) {
    on_lambda_with(name, |emulator| emulator).await
}

/// [`on_lambda`] with the emulator (and the function's configuration) set
/// up by `configure`.
pub(crate) async fn on_lambda_with(
    name: &str,
    configure: impl FnOnce(LambdaEmulatorBuilder) -> LambdaEmulatorBuilder,
) -> (LambdaEmulator, anyfn_test::FunctionProcess) {
    let emulator = configure(LambdaEmulator::builder().function_name(name))
        .start()
        .await
        .expect("emulator");
    let function = emulator
        .spawn(example(name))
        .unwrap_or_else(|err| panic!("{name} starts: {err}"));
    (emulator, function)
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lambda")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn http_fixtures() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lambda");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixtures folder")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// An API Gateway HTTP API (v2) event for `method path?query`.
fn http_api_event(method: &str, path: &str, query: &str) -> String {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"host": "example.com"},
        "requestContext": {"http": {"method": method, "path": path}, "stage": "$default"},
        "isBase64Encoded": false
    })
    .to_string()
}

/// What the echo example must report for a fixture, derived from the
/// fixture's own fields shape by shape (independently of the adapter).
struct Expected {
    method: String,
    path: String,
    query: Map<String, Value>,
    headers: Map<String, Value>,
    cookies: Vec<String>,
    body: Vec<u8>,
    /// `pathParameters` and `stageVariables`: API Gateway's (`null` is
    /// none); an ALB has no routes.
    path_parameters: Value,
    stage_variables: Value,
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn multimap(value: Option<&Value>, lowercase: bool, decode: bool) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(Value::Object(map)) = value {
        for (key, values) in map {
            let key = if lowercase {
                key.to_ascii_lowercase()
            } else {
                key.clone()
            };
            let values: Vec<Value> = strings(values)
                .into_iter()
                .map(|v| Value::String(if decode { form_decode(&v) } else { v }))
                .collect();
            let slot = out.entry(key).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(existing) = slot {
                existing.extend(values);
            }
        }
    }
    out
}

fn form_decode(text: &str) -> String {
    anyfn::Query::parse(&format!("x={text}"))
        .get("x")
        .unwrap_or_default()
        .to_owned()
}

fn non_empty<'a>(event: &'a Value, key: &str) -> Option<&'a Value> {
    event
        .get(key)
        .filter(|v| v.as_object().is_some_and(|m| !m.is_empty()))
}

/// An object of the event, `{}` when absent or `null`.
fn object_or_empty(event: &Value, key: &str) -> Value {
    match event.get(key) {
        Some(Value::Object(map)) => Value::Object(map.clone()),
        _ => json!({}),
    }
}

fn expected(event: &Value) -> Expected {
    let context = &event["requestContext"];
    let path_parameters = object_or_empty(event, "pathParameters");
    let stage_variables = object_or_empty(event, "stageVariables");
    let body_text = event["body"].as_str().unwrap_or_default();
    let body = if event["isBase64Encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD
            .decode(body_text)
            .expect("fixture base64")
    } else {
        body_text.as_bytes().to_vec()
    };
    if context.get("elb").is_some() {
        let multi = non_empty(event, "multiValueHeaders").is_some();
        let (headers, query) = if multi {
            ("multiValueHeaders", "multiValueQueryStringParameters")
        } else {
            ("headers", "queryStringParameters")
        };
        let headers = multimap(event.get(headers), true, false);
        return Expected {
            method: event["httpMethod"].as_str().unwrap_or_default().to_owned(),
            path: event["path"].as_str().unwrap_or_default().to_owned(),
            query: multimap(event.get(query), false, true),
            cookies: cookie_pairs(&headers),
            headers,
            body,
            path_parameters: json!({}),
            stage_variables: json!({}),
        };
    }
    if event["version"] == "2.0" {
        let query = anyfn::Query::parse(event["rawQueryString"].as_str().unwrap_or_default());
        let mut headers = multimap(event.get("headers"), true, false);
        let cookies: Vec<String> = strings(&event["cookies"]);
        if !cookies.is_empty() && !headers.contains_key("cookie") {
            headers.insert("cookie".into(), json!([cookies.join("; ")]));
        }
        return Expected {
            method: context["http"]["method"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            path: event["rawPath"].as_str().unwrap_or_default().to_owned(),
            query: serde_json::to_value(&query)
                .expect("query")
                .as_object()
                .cloned()
                .unwrap_or_default(),
            cookies: cookie_pairs(&headers),
            headers,
            body,
            path_parameters,
            stage_variables,
        };
    }
    let headers = multimap(
        non_empty(event, "multiValueHeaders").or(event.get("headers")),
        true,
        false,
    );
    Expected {
        method: event["httpMethod"].as_str().unwrap_or_default().to_owned(),
        path: event["path"].as_str().unwrap_or_default().to_owned(),
        query: multimap(
            non_empty(event, "multiValueQueryStringParameters")
                .or(event.get("queryStringParameters")),
            false,
            false,
        ),
        cookies: cookie_pairs(&headers),
        headers,
        body,
        path_parameters,
        stage_variables,
    }
}

fn cookie_pairs(headers: &Map<String, Value>) -> Vec<String> {
    headers
        .get("cookie")
        .map(strings)
        .unwrap_or_default()
        .iter()
        .flat_map(|header| {
            header
                .split(';')
                .map(|piece| piece.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|piece| piece.contains('='))
        .collect()
}

#[tokio::test]
async fn every_http_fixture_reaches_echo_intact() {
    let (emulator, _function) = on_lambda("echo").await;
    let fixtures = http_fixtures();
    assert_eq!(fixtures.len(), 16, "{fixtures:?}");

    for name in fixtures {
        let payload = fixture(&name);
        let event: Value = serde_json::from_slice(&payload).expect("fixture JSON");
        let want = expected(&event);
        let outcome = emulator.invoke(payload).await;
        let request_id = outcome.request_id().to_owned();
        let response = outcome.expect_json();
        let shape = if event["version"] == "2.0" {
            "v2"
        } else {
            "v1/alb"
        };

        // The HTTP response document in the event's own shape.
        assert_eq!(response["statusCode"], 200, "{name}");
        assert_eq!(response["isBase64Encoded"], false, "{name}");
        match shape {
            "v2" => assert_eq!(
                response["headers"]["content-type"], "application/json",
                "{name}"
            ),
            _ if event["requestContext"].get("elb").is_some()
                && !want.headers.is_empty()
                && non_empty(&event, "multiValueHeaders").is_none() =>
            {
                assert_eq!(
                    response["headers"]["content-type"], "application/json",
                    "{name}"
                );
                assert_eq!(response["statusDescription"], "200 OK", "{name}");
            }
            _ => assert_eq!(
                response["multiValueHeaders"]["content-type"],
                json!(["application/json"]),
                "{name}"
            ),
        }

        let echoed: Value =
            serde_json::from_str(response["body"].as_str().expect("text body")).expect("echo JSON");
        assert_eq!(echoed["method"], want.method, "{name}: method");
        assert_eq!(echoed["path"], want.path, "{name}: path");
        assert_eq!(echoed["query"], Value::Object(want.query), "{name}: query");
        assert_eq!(
            echoed["headers"],
            Value::Object(want.headers),
            "{name}: headers"
        );
        assert_eq!(echoed["cookies"], json!(want.cookies), "{name}: cookies");
        assert_eq!(
            echoed["pathParameters"], want.path_parameters,
            "{name}: pathParameters"
        );
        assert_eq!(
            echoed["stageVariables"], want.stage_variables,
            "{name}: stageVariables"
        );
        match std::str::from_utf8(&want.body) {
            Ok(text) => {
                assert_eq!(echoed["body"], text, "{name}: body");
                assert_eq!(echoed["isBase64Encoded"], false, "{name}");
            }
            Err(_) => assert_eq!(
                echoed["body"],
                base64::engine::general_purpose::STANDARD.encode(&want.body),
                "{name}: body"
            ),
        }
        assert_eq!(echoed["requestId"], request_id, "{name}: request id");
        assert_eq!(echoed["functionName"], "echo", "{name}");
        let remaining = echoed["remainingTimeMs"].as_u64().expect("remaining");
        assert!(remaining > 0 && remaining <= 3_000, "{name}: {remaining}");
    }
}

#[tokio::test]
async fn hello_and_greet_json_run_unchanged_on_lambda() {
    let (emulator, _hello) = on_lambda("hello").await;
    let response = emulator
        .invoke(http_api_event("GET", "/", "name=Ada"))
        .await
        .expect_json();
    assert_eq!(response["statusCode"], 200);
    assert_eq!(response["body"], "Hello, Ada!");
    assert_eq!(
        response["headers"]["content-type"],
        "text/plain; charset=utf-8"
    );
    drop(_hello);

    let (emulator, _greet) = on_lambda("greet-json").await;
    let answer = emulator.invoke(r#"{"name":"Ada"}"#).await.expect_json();
    assert_eq!(answer, json!({"greeting": "Hello, Ada!"}));
    let error = emulator.invoke(r#"{"nom":"Ada"}"#).await.expect_error();
    assert_eq!(error.error_type, "BadRequest");
    assert_eq!(
        error.error_message,
        "the payload is not valid JSON for this event: missing field `name` at line 1 column 13"
    );
    let answer = emulator.invoke(r#"{"name":"Grace"}"#).await.expect_json();
    assert_eq!(answer, json!({"greeting": "Hello, Grace!"}));
}

/// The status and the JSON body of an HTTP answer posted as a v2 response.
fn http_answer(outcome: LambdaOutcome) -> (u64, Value) {
    let response = outcome.expect_json();
    let status = response["statusCode"].as_u64().expect("statusCode");
    let body = serde_json::from_str(response["body"].as_str().expect("a text body"))
        .unwrap_or_else(|err| panic!("the body is JSON ({err}): {response}"));
    (status, body)
}

#[tokio::test]
async fn http_errors_are_answered_as_http_responses() {
    let (emulator, _function) = on_lambda("failures").await;

    let custom = emulator.invoke(http_api_event("GET", "/fail", "")).await;
    let request_id = custom.request_id().to_owned();
    let (status, body) = http_answer(custom);
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"errorType": "OrderNotFound", "errorMessage": "order 17 does not exist", "requestId": request_id})
    );

    let (status, body) = http_answer(emulator.invoke(http_api_event("GET", "/io", "")).await);
    assert_eq!(status, 500);
    assert_eq!(body["errorType"], "HandlerError");
    assert_eq!(body["errorMessage"], "Internal Server Error", "redacted");
}

#[tokio::test]
async fn a_panic_fails_one_invocation_and_the_next_succeeds() {
    let (emulator, _function) = on_lambda("failures").await;

    let (status, body) = http_answer(emulator.invoke(http_api_event("GET", "/panic", "")).await);
    assert_eq!(status, 500);
    assert_eq!(body["errorType"], "Panic");
    assert_eq!(body["errorMessage"], "Internal Server Error", "redacted");

    let next = emulator
        .invoke(http_api_event("GET", "/", ""))
        .await
        .expect_json();
    assert_eq!(next["body"], "ok");
}

#[tokio::test]
async fn an_undecodable_payload_fails_one_invocation_and_the_next_succeeds() {
    let (emulator, _function) = on_lambda("hello").await;

    let error = emulator
        .invoke(r#"{"Records":[{"eventSource":"aws:sqs","body":"hi"}]}"#)
        .await
        .expect_error();
    assert_eq!(error.error_type, "BadRequest");
    assert!(
        error.error_message.starts_with(
            "expected an HTTP event from API Gateway (REST API or HTTP API), an Application Load Balancer or a Lambda Function URL"
        ),
        "{}",
        error.error_message
    );
    assert!(
        error
            .error_message
            .ends_with("found a JSON object with keys: Records"),
        "{}",
        error.error_message
    );

    let not_json = emulator.invoke("this is not JSON").await.expect_error();
    assert_eq!(not_json.error_type, "BadRequest");
    assert!(
        not_json
            .error_message
            .starts_with("the payload is not JSON"),
        "{}",
        not_json.error_message
    );

    let next = emulator
        .invoke(http_api_event("GET", "/", "name=Ada"))
        .await
        .expect_json();
    assert_eq!(next["body"], "Hello, Ada!");
}

#[tokio::test]
async fn the_deadline_is_enforced_and_the_runtime_goes_on() {
    let emulator = LambdaEmulator::builder()
        .timeout(Duration::from_millis(300))
        .start()
        .await
        .expect("emulator");
    let _function = emulator
        .spawn(example("failures"))
        .expect("failures starts");

    // Stopped 100 ms (the default margin) before Lambda's deadline, so the
    // 504 reaches Lambda before Lambda would end the invocation.
    let (status, body) = http_answer(
        emulator
            .invoke(http_api_event("GET", "/sleep", "ms=60000"))
            .await,
    );
    assert_eq!(status, 504);
    assert_eq!(body["errorType"], "Timeout");

    let next = emulator
        .invoke(http_api_event("GET", "/sleep", "ms=1"))
        .await
        .expect_json();
    assert_eq!(next["body"], "woke up");
}

#[tokio::test]
async fn outside_lambda_a_missing_variable_is_a_clear_exit_not_a_panic() {
    let emulator = LambdaEmulator::start().await.expect("emulator");
    let mut command = std::process::Command::new(example("hello"));
    command
        .env_remove("AWS_LAMBDA_FUNCTION_NAME")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut env: Vec<_> = emulator.function_env();
    env.retain(|(name, _)| *name != "AWS_LAMBDA_FUNCTION_NAME");
    let output = command.envs(env).output().expect("hello runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Error: environment variable AWS_LAMBDA_FUNCTION_NAME is not set: is this running on AWS Lambda?"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A request for `GET /cookies` in each shape Lambda delivers HTTP in.
fn cookies_request_in_every_shape() -> Vec<(&'static str, Value)> {
    let v2_context = |domain: &str| json!({"http": {"method": "GET", "path": "/cookies"}, "stage": "$default", "domainName": domain});
    vec![
        (
            "rest",
            json!({"httpMethod": "GET", "path": "/cookies", "multiValueHeaders": {"Host": ["api.example.com"]},
                   "requestContext": {"stage": "prod", "resourcePath": "/{proxy+}"}}),
        ),
        (
            "http-api",
            json!({"version": "2.0", "rawPath": "/cookies", "rawQueryString": "",
                   "requestContext": v2_context("abc.execute-api.us-east-1.amazonaws.com")}),
        ),
        (
            "function-url",
            json!({"version": "2.0", "rawPath": "/cookies", "rawQueryString": "",
                   "requestContext": v2_context("abc.lambda-url.us-east-1.on.aws")}),
        ),
        (
            "alb",
            json!({"httpMethod": "GET", "path": "/cookies", "headers": {"host": "lb.example.com"},
                   "requestContext": {"elb": {"targetGroupArn": "arn:tg"}}}),
        ),
        (
            "alb-multi-value",
            json!({"httpMethod": "GET", "path": "/cookies", "multiValueHeaders": {"host": ["lb.example.com"]},
                   "requestContext": {"elb": {"targetGroupArn": "arn:tg"}}}),
        ),
    ]
}

#[tokio::test]
async fn cookies_repeated_headers_and_binary_bodies_come_back_intact_in_every_shape() {
    let (emulator, _function) = on_lambda("failures").await;
    let body = base64::engine::general_purpose::STANDARD.encode([0u8, 159, 146, 150, 255]);
    let cookies = json!(["session=abc; Path=/; HttpOnly", "theme=dark"]);

    for (shape, request) in cookies_request_in_every_shape() {
        let response = emulator.invoke(request.to_string()).await.expect_json();
        assert_eq!(response["statusCode"], 200, "{shape}");
        assert_eq!(response["body"], body, "{shape}");
        assert_eq!(response["isBase64Encoded"], true, "{shape}");
        match shape {
            "rest" | "alb-multi-value" => {
                let headers = &response["multiValueHeaders"];
                assert_eq!(headers["set-cookie"], cookies, "{shape}");
                assert_eq!(headers["x-repeated"], json!(["one", "two"]), "{shape}");
                assert_eq!(
                    headers["content-type"],
                    json!(["application/octet-stream"]),
                    "{shape}"
                );
                assert!(response.get("headers").is_none(), "{shape}: {response}");
            }
            "http-api" | "function-url" => {
                assert_eq!(response["cookies"], cookies, "{shape}");
                assert_eq!(response["headers"]["x-repeated"], "one, two", "{shape}");
                assert!(
                    response["headers"].get("set-cookie").is_none(),
                    "{shape}: {response}"
                );
            }
            "alb" => {
                // One value per name: each cookie under its own capitalisation.
                let headers = &response["headers"];
                assert_eq!(headers["set-cookie"], cookies[0], "{shape}");
                assert_eq!(headers["Set-cookie"], cookies[1], "{shape}");
                assert_eq!(headers["x-repeated"], "one, two", "{shape}");
                assert_eq!(response["statusDescription"], "200 OK", "{shape}");
            }
            other => unreachable!("{other}"),
        }
    }
}

#[tokio::test]
async fn base64_request_bodies_are_decoded_and_bad_base64_is_refused() {
    let (emulator, _function) = on_lambda("echo").await;
    let request = |body: &str| {
        json!({"version": "2.0", "rawPath": "/upload", "rawQueryString": "",
               "body": body, "isBase64Encoded": true,
               "requestContext": {"http": {"method": "POST", "path": "/upload"}, "stage": "$default"}})
        .to_string()
    };

    let text = emulator.invoke(request("aGVsbG8=")).await.expect_json();
    let echoed: Value =
        serde_json::from_str(text["body"].as_str().expect("body")).expect("echo JSON");
    assert_eq!(echoed["body"], "hello");
    assert_eq!(echoed["isBase64Encoded"], false);

    let binary = emulator.invoke(request("3q2+7w==")).await.expect_json();
    let echoed: Value =
        serde_json::from_str(binary["body"].as_str().expect("body")).expect("echo JSON");
    assert_eq!(echoed["body"], "3q2+7w==");
    assert_eq!(echoed["isBase64Encoded"], true);

    let (status, error) = http_answer(emulator.invoke(request("not base64!")).await);
    assert_eq!(status, 400, "answered in the request's own shape");
    assert_eq!(error["errorType"], "BadRequest");
    assert!(
        error["errorMessage"].as_str().is_some_and(|message| message.starts_with(
            "the API Gateway HTTP API (v2) event's body is marked isBase64Encoded, but the body is not valid base64"
        )),
        "{error}"
    );
}

#[tokio::test]
async fn a_named_stage_is_not_part_of_the_path() {
    let (emulator, _function) = on_lambda("echo").await;
    let request = json!({"version": "2.0", "rawPath": "/prod/orders/7", "rawQueryString": "a=1",
        "requestContext": {"http": {"method": "GET", "path": "/prod/orders/7"}, "stage": "prod"}});
    let response = emulator.invoke(request.to_string()).await.expect_json();
    let echoed: Value =
        serde_json::from_str(response["body"].as_str().expect("body")).expect("echo JSON");
    assert_eq!(echoed["path"], "/orders/7");
    assert_eq!(echoed["query"], json!({"a": ["1"]}));
}

#[tokio::test]
async fn a_function_that_misses_lambdas_deadline_is_timed_out_and_restarted() {
    // One worker thread: a handler blocking it leaves the adapter no thread
    // to answer from, so the emulator's own deadline ends the invocation,
    // as Lambda's would.
    let (emulator, _function) = on_lambda_with("failures", |emulator| {
        emulator
            .timeout(Duration::from_millis(300))
            .env("TOKIO_WORKER_THREADS", "1")
    })
    .await;

    let blocked = emulator
        .invoke(http_api_event("GET", "/block", "ms=5000"))
        .await;
    assert!(
        matches!(blocked, LambdaOutcome::TimedOut { timeout, .. } if timeout == Duration::from_millis(300)),
        "{blocked:?}"
    );
    assert_eq!(emulator.restarts(), 1, "a new execution environment");

    let next = emulator
        .invoke(http_api_event("GET", "/", ""))
        .await
        .expect_json();
    assert_eq!(next["body"], "ok", "served by the restarted function");
}

/// On Managed Instances (`AWS_LAMBDA_MAX_CONCURRENCY` above 1) Lambda does not
/// replace the environment when one invocation misses its deadline: the
/// others go on in it. With one worker thread blocked for 1.5 s the
/// invocation times out under the emulator, the process is not restarted,
/// and once the thread is free again the same process answers the next.
#[tokio::test]
async fn under_managed_instances_a_missed_deadline_restarts_nothing() {
    let (emulator, _function) = on_lambda_with("failures", |emulator| {
        emulator
            .timeout(Duration::from_millis(300))
            .max_concurrency(2)
            .env("TOKIO_WORKER_THREADS", "1")
    })
    .await;

    let blocked = emulator
        .invoke(http_api_event("GET", "/block", "ms=1500"))
        .await;
    assert!(
        matches!(blocked, LambdaOutcome::TimedOut { .. }),
        "{blocked:?}"
    );
    assert_eq!(emulator.restarts(), 0, "the environment serves on");
    // While the thread is blocked, invocations time out too; polled until
    // one is answered (at most 20 tries of 300 ms, well past the 1.5 s).
    let mut answered = None;
    for _ in 0..20 {
        if let LambdaOutcome::Response { payload, .. } =
            emulator.invoke(http_api_event("GET", "/", "")).await
        {
            answered = Some(payload);
            break;
        }
    }
    let next: Value = serde_json::from_slice(&answered.expect("answered once the thread is free"))
        .expect("a JSON answer");
    assert_eq!(next["body"], "ok", "served by the same process");
    assert_eq!(emulator.restarts(), 0);
}

/// A handler blocking its thread is answered `504` at anyfn's deadline,
/// before Lambda's. Lambda's timeout 1 s and a 500 ms margin (anyfn's
/// deadline at 500 ms): with the default 100 ms margin the 504 came after
/// Lambda's deadline once on a machine loaded with other builds.
#[tokio::test]
async fn a_thread_blocking_handler_is_answered_504_before_lambdas_deadline() {
    let (emulator, _function) = on_lambda_with("failures", |emulator| {
        emulator
            .timeout(Duration::from_millis(1000))
            .env("ANYFN_DEADLINE_MARGIN_MS", "500")
            .env("TOKIO_WORKER_THREADS", "2")
    })
    .await;

    let (status, body) = http_answer(
        emulator
            .invoke(http_api_event("GET", "/block", "ms=2000"))
            .await,
    );
    assert_eq!((status, body["errorType"].as_str()), (504, Some("Timeout")));
    assert_eq!(emulator.restarts(), 0);
}

/// The payloads `cargo lambda watch` hands a function for Function URL
/// requests (tests/fixtures/cargo-lambda/README.md), on an emulator that
/// sends its deadline header too.
async fn under_cargo_lambda(name: &str) -> (LambdaEmulator, anyfn_test::FunctionProcess) {
    on_lambda_with(name, |emulator| emulator.fixed_deadline_ms(600_000)).await
}

fn cargo_lambda_fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cargo-lambda")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[tokio::test]
async fn cargo_lambda_function_url_payloads_reach_echo_as_sent() {
    let (emulator, _function) = under_cargo_lambda("echo").await;
    for (fixture, method, path, query, body, base64, cookies) in [
        (
            "function-url-get.json",
            "GET",
            "/some/path",
            json!({"a": ["1", "2"]}),
            "",
            false,
            json!(["x=1"]),
        ),
        (
            "function-url-post.json",
            "POST",
            "/some/path",
            json!({"a": ["1", "2"]}),
            "body",
            false,
            json!(["x=1"]),
        ),
        (
            "function-url-post-binary.json",
            "POST",
            "/bin",
            json!({"x": ["/ y"], "z": [""]}),
            "AJ+Slv8=",
            true,
            json!([]),
        ),
    ] {
        let response = emulator
            .invoke(cargo_lambda_fixture(fixture))
            .await
            .expect_json();
        assert_eq!(response["statusCode"], 200, "{fixture}");
        assert_eq!(
            response["cookies"],
            json!([]),
            "{fixture}: cargo lambda requires the field"
        );
        let echoed: Value =
            serde_json::from_str(response["body"].as_str().expect("body")).expect("echo JSON");
        assert_eq!(
            echoed["method"], method,
            "{fixture}: httpMethod is always GET there"
        );
        assert_eq!(echoed["path"], path, "{fixture}");
        assert_eq!(echoed["query"], query, "{fixture}");
        assert_eq!(echoed["body"], body, "{fixture}");
        assert_eq!(echoed["isBase64Encoded"], base64, "{fixture}");
        assert_eq!(echoed["cookies"], cookies, "{fixture}");
        let remaining = echoed["remainingTimeMs"].as_u64().expect("remaining time");
        assert!(
            remaining > 2_000 && remaining < 3_000,
            "{fixture}: a deadline past on arrival becomes 3 s, not 0: {remaining}"
        );
    }
}

#[tokio::test]
async fn a_deadline_past_on_arrival_is_an_emulators_and_is_replaced_by_three_seconds() {
    let (emulator, _function) = under_cargo_lambda("failures").await;
    let quick = emulator
        .invoke(http_api_event("GET", "/sleep", "ms=10"))
        .await
        .expect_json();
    assert_eq!(quick["body"], "woke up", "not timed out at once");
    let warning = emulator
        .output_line_containing(
            "a deadline already past on arrival",
            Duration::from_secs(10),
        )
        .await
        .expect("the function says what it did");
    assert!(warning.contains("using 3 s from now instead"), "{warning}");
    let (status, body) = http_answer(
        emulator
            .invoke(http_api_event("GET", "/sleep", "ms=60000"))
            .await,
    );
    assert_eq!((status, body["errorType"].as_str()), (504, Some("Timeout")));
}

//! Tenant isolation on Lambda (issue 25) with the event sources tenant
//! isolation supports: the tenant id Lambda passes with an invocation
//! (`Lambda-Runtime-Aws-Tenant-Id`) reaches `Context::tenant_id()` for an
//! HTTP handler behind API Gateway (an HTTP API and a REST API event) and
//! for a direct invocation's JSON, and only for the invocation it came with.
//! The function is this test binary again ([`tenant_child`]).

use crate::support::child_test;

use anyfn::{handler_fn, Context, Error, Json, Request, Response};
use anyfn_test::{LambdaEmulator, LambdaOutcome};
use serde_json::{json, Value};

/// Set in the child's environment: which function it serves (`http` or
/// `json`).
const CHILD: &str = "ANYFN_LAMBDA_TENANT_CHILD";

/// An HTTP handler answering the tenant its context has.
async fn http_tenant(_request: Request, context: Context) -> Result<Response, Error> {
    anyfn::response::json(&json!({ "tenant_id": context.tenant_id() }))
}

/// A direct invocation's handler answering the tenant its context has.
async fn json_tenant(_event: Json<Value>, context: Context) -> Result<Json<Value>, Error> {
    Ok(Json(json!({ "tenant_id": context.tenant_id() })))
}

/// Not a test: the function the tests below run (this binary, with
/// `--ignored --exact lambda_tenant::tenant_child` and [`CHILD`] set).
/// Without [`CHILD`] it returns at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of the tenant tests, started by them"]
async fn tenant_child() {
    let ran = match std::env::var(CHILD).as_deref() {
        Ok("http") => anyfn_lambda::run(handler_fn(http_tenant)).await,
        Ok("json") => anyfn_lambda::run(handler_fn(json_tenant)).await,
        _ => return,
    };
    ran.expect("runs until killed");
}

/// An emulator running the child serving `function`.
async fn serving(function: &str) -> (LambdaEmulator, anyfn_test::FunctionProcess) {
    let emulator = LambdaEmulator::start().await.expect("emulator");
    let mut command = child_test("lambda_tenant::tenant_child");
    command.env(CHILD, function);
    let child = emulator.spawn_command(command).expect("the child starts");
    (emulator, child)
}

/// The tenant an HTTP answer's JSON body names.
fn http_tenant_of(outcome: LambdaOutcome) -> Value {
    let answer = outcome.expect_json();
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let body: Value =
        serde_json::from_str(answer["body"].as_str().expect("a text body")).expect("JSON");
    body["tenant_id"].clone()
}

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lambda")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[tokio::test]
async fn regression_the_tenant_reaches_an_http_handler_behind_api_gateway() {
    let (emulator, _child) = serving("http").await;
    for event in [
        "example-apigw-v2-request-no-authorizer.json",
        "example-apigw-request.json",
    ] {
        let with = emulator
            .invoke_with_tenant(fixture(event), "tenant-7")
            .await;
        assert_eq!(http_tenant_of(with), json!("tenant-7"), "{event}");
        let without = emulator.invoke(fixture(event)).await;
        assert_eq!(
            http_tenant_of(without),
            Value::Null,
            "{event}: only its own"
        );
    }
}

#[tokio::test]
async fn regression_the_tenant_reaches_a_direct_invocations_handler() {
    let (emulator, _child) = serving("json").await;
    let with = emulator
        .invoke_with_tenant(json!({"order": 7}).to_string(), "tenant-8")
        .await;
    assert_eq!(with.expect_json(), json!({"tenant_id": "tenant-8"}));
    let without = emulator.invoke(json!({"order": 8}).to_string()).await;
    assert_eq!(without.expect_json(), json!({"tenant_id": null}));
}

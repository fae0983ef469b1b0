//! What the Lambda adapter puts in the context beside the request: the API
//! Gateway request context and the event source, read from real fixtures.

use anyfn::{Context, Request};
use anyfn_lambda::{ApiGatewayContextExt, EventSource, FromLambda};

fn decode(name: &str) -> (Request, EventSource, Context) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lambda")
        .join(name);
    let payload = std::fs::read(&path).expect("fixture");
    let mut context = Context::builder().build();
    let request = Request::from_lambda(&payload, &mut context).expect("decodes");
    let source = *context
        .extensions()
        .get::<EventSource>()
        .expect("the decoder names the shape");
    (request, source, context)
}

#[test]
fn http_api_jwt_claims_stage_route_and_source_ip() {
    let (_, source, context) = decode("example-apigw-v2-request-jwt-authorizer.json");
    assert_eq!(source, EventSource::ApiGatewayHttp);
    let api = context.api_gateway().expect("request context");
    assert_eq!(api.stage.as_deref(), Some("$default"));
    assert_eq!(api.route_key.as_deref(), Some("$default"));
    assert_eq!(api.source_ip.as_deref(), Some("IP"));
    assert_eq!(api.user_agent.as_deref(), Some("agent"));
    assert_eq!(api.request_id.as_deref(), Some("id"));
    assert_eq!(api.claim("claim1").and_then(|v| v.as_str()), Some("value1"));
    assert_eq!(api.claim("claim2").and_then(|v| v.as_str()), Some("value2"));
}

#[test]
fn http_api_lambda_authorizer_context() {
    let (_, _, context) = decode("example-apigw-v2-request-lambda-authorizer.json");
    let api = context.api_gateway().expect("request context");
    assert_eq!(api.claim("key").and_then(|v| v.as_str()), Some("value"));
}

#[test]
fn rest_api_identity_stage_and_resource_path() {
    let (request, source, context) = decode("example-apigw-request.json");
    assert_eq!(source, EventSource::ApiGatewayRest);
    assert_eq!(request.uri().path(), "/hello/world", "no stage in the path");
    let api = context.api_gateway().expect("request context");
    assert_eq!(api.stage.as_deref(), Some("testStage"));
    assert_eq!(api.route_key.as_deref(), Some("/{proxy+}"));
    assert_eq!(api.source_ip.as_deref(), Some("192.168.196.186"));
    assert_eq!(
        api.domain_name.as_deref(),
        Some("gy415nuibc.execute-api.us-east-2.amazonaws.com")
    );
    assert_eq!(
        api.claim("principalId").and_then(|v| v.as_str()),
        Some("admin")
    );
}

#[test]
fn function_url_is_told_apart_from_an_http_api() {
    let (_, source, context) = decode("example-lambda-function-url-request.json");
    assert_eq!(source, EventSource::FunctionUrl);
    let api = context.api_gateway().expect("request context");
    assert_eq!(api.source_ip.as_deref(), Some("65.78.31.245"));
}

#[test]
fn alb_events_have_no_api_gateway_context() {
    let (_, single, context) = decode("example-alb-lambda-target-request-headers-only.json");
    assert_eq!(single, EventSource::Alb);
    assert!(context.api_gateway().is_none());
    let (_, multi, _) = decode("example-alb-lambda-target-request-multivalue-headers.json");
    assert_eq!(multi, EventSource::AlbMultiValue);
}

/// A handler reading Lambda's invocation details (the ARN, the Cognito
/// identity, the client context) runs under `anyfn_test::Harness` as on
/// Lambda: a test gives them as the adapter does, in the context's
/// extensions (they could only come through the emulator before).
#[tokio::test]
async fn regression_lambda_invocation_details_can_be_set_in_a_unit_test() {
    use anyfn::{handler_fn, Json};
    use anyfn_lambda::{ClientContext, CognitoIdentity, InvocationDetails, LambdaContextExt};
    use anyfn_test::Harness;

    let handler = handler_fn(|_: Json<serde_json::Value>, context: Context| async move {
        Ok::<_, anyfn::Error>(Json(serde_json::json!({
            "arn": context.invoked_function_arn(),
            "identity": context.identity().map(|identity| identity.identity_id.clone()),
            "app": context.client_context().map(|client| client.app_title.clone()),
            "stage": context.api_gateway().and_then(|api| api.stage.clone()),
        })))
    });
    let harness = Harness::new(handler);
    let arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders:live";
    let mut identity = CognitoIdentity::default();
    identity.identity_id = "eu-west-1:7b5c".to_owned();
    let mut client = ClientContext::default();
    client.app_title = "Orders".to_owned();
    let mut api = anyfn_lambda::ApiGatewayRequestContext::default();
    api.stage = Some("prod".to_owned());
    let context = harness
        .next_context()
        .extension(
            InvocationDetails::new(arn)
                .with_identity(identity)
                .with_client_context(client),
        )
        .extension(api)
        .build();
    let invocation = harness
        .invoke_with_context(Json(serde_json::json!({})), context)
        .await;
    let Json(seen) = invocation.output().expect("answered").clone();
    assert_eq!(
        seen,
        serde_json::json!({"arn": arn, "identity": "eu-west-1:7b5c", "app": "Orders", "stage": "prod"})
    );
}

/// The stage of an API Gateway event is read with the core's
/// `RequestExt::stage`, without the provider crate, and the path never
/// starts with it (lambda_http's `raw_http_path()`; its `uri().path()`
/// carries a REST API's stage): before, the stage was only in
/// `anyfn_lambda::ApiGatewayRequestContext`.
#[test]
fn regression_the_stage_is_portable_and_never_in_the_path() {
    use anyfn::RequestExt as _;

    let (request, source, _) = decode("example-apigw-request.json");
    assert_eq!(source, EventSource::ApiGatewayRest);
    assert_eq!(request.stage(), Some("testStage"));
    assert!(
        !request.uri().path().starts_with("/testStage"),
        "{}",
        request.uri()
    );
    let (request, _, _) = decode("example-apigw-v2-request-jwt-authorizer.json");
    assert_eq!(request.stage(), Some("$default"));
    let (request, source, _) = decode("example-alb-lambda-target-request-headers-only.json");
    assert_eq!(source, EventSource::Alb);
    assert_eq!(request.stage(), None, "an ALB has no stages");
}

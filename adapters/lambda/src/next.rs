//! The Runtime API's `next`: the next invocation, polled on anyfn-lambda's
//! own connections ([`AnswerClient`]), its event and its context read from
//! the answer's headers as lambda_runtime reads them (`Context::new`).
//!
//! lambda_runtime panics on an answer without a request id or a deadline;
//! here every malformed answer is a [`Malformed`] error naming the header,
//! and the runtime stops with it (a worker, under Managed Instances).

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use lambda_runtime_api_client::body::Body;
use lambda_runtime_api_client::BoxError;
use serde::de::DeserializeOwned;

use crate::answers::AnswerClient;
use crate::context_ext::{ClientContext, CognitoIdentity, InvocationDetails};

const REQUEST_ID: &str = "lambda-runtime-aws-request-id";
const DEADLINE_MS: &str = "lambda-runtime-deadline-ms";
const INVOKED_FUNCTION_ARN: &str = "lambda-runtime-invoked-function-arn";
const TRACE_ID: &str = "lambda-runtime-trace-id";
const CLIENT_CONTEXT: &str = "lambda-runtime-client-context";
const COGNITO_IDENTITY: &str = "lambda-runtime-cognito-identity";
const TENANT_ID: &str = "lambda-runtime-aws-tenant-id";

/// The ARN lambda_runtime puts in the context when the header is missing.
const NO_ARN: &str = "No header lambda-runtime-invoked-function-arn found.";

/// One invocation, as `next` handed it over.
#[derive(Debug)]
pub(crate) struct Invocation {
    /// `Lambda-Runtime-Aws-Request-Id`.
    pub(crate) request_id: String,
    /// `Lambda-Runtime-Invocation-Id`, sent back with the answer.
    pub(crate) invocation_id: Option<HeaderValue>,
    /// The event, as the Runtime API sent it.
    pub(crate) payload: Bytes,
    /// `Lambda-Runtime-Deadline-Ms`: Unix time in milliseconds.
    pub(crate) deadline_ms: u64,
    /// `Lambda-Runtime-Trace-Id` (read as lambda_runtime reads it: invalid
    /// UTF-8 replaced).
    pub(crate) trace_id: Option<String>,
    /// `Lambda-Runtime-Aws-Tenant-Id` (read as the trace id).
    pub(crate) tenant_id: Option<String>,
    /// The ARN, client context and identity, for [`crate::LambdaContextExt`].
    pub(crate) details: InvocationDetails,
}

/// Why `next` gave no invocation.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NextError {
    /// The Runtime API could not be reached, or the connection failed.
    #[error("`next` could not reach the Runtime API")]
    Unreachable(#[source] BoxError),
    /// The Runtime API answered with something that is not an invocation.
    #[error(transparent)]
    Malformed(Malformed),
}

/// A `next` answer that is not an invocation.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Malformed {
    /// An error status.
    #[error("the Runtime API answered `next` with {0}")]
    Status(StatusCode),
    /// A header every invocation has is missing.
    #[error("the Runtime API's invocation has no {0} header")]
    Missing(&'static str),
    /// A header holds what it cannot.
    #[error("the Runtime API's invocation has an invalid {name} header: {reason}")]
    Invalid {
        /// The header's name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Asks the Runtime API for the next invocation, and waits for it.
/// `Ok(None)` for a `204 No Content` (no invocation: ask again), which
/// lambda_runtime skips too (in debug builds; in release builds it panics
/// on its missing request id).
///
/// # Errors
///
/// [`NextError::Unreachable`] when the request could not be sent or its
/// answer read; [`NextError::Malformed`] for an answer that is not an
/// invocation.
pub(crate) async fn next(client: &AnswerClient) -> Result<Option<Invocation>, NextError> {
    let mut request =
        crate::answers::runtime_request(Body::empty()).map_err(NextError::Unreachable)?;
    *request.method_mut() = Method::GET;
    *request.uri_mut() = client.next_uri().clone();
    let (parts, payload) = client
        .fetch(request)
        .await
        .map_err(NextError::Unreachable)?;
    if parts.status == StatusCode::NO_CONTENT {
        return Ok(None);
    }
    if !parts.status.is_success() {
        return Err(NextError::Malformed(Malformed::Status(parts.status)));
    }
    invocation(&parts.headers, payload)
        .map(Some)
        .map_err(NextError::Malformed)
}

/// The invocation `headers` describe, its event `payload`: what
/// lambda_runtime's `Context::new` reads, with the same defaults, and an
/// error where it panics.
pub(crate) fn invocation(headers: &HeaderMap, payload: Bytes) -> Result<Invocation, Malformed> {
    let found = Found::read(headers);
    let request_id = text(REQUEST_ID, found.request_id)?
        .ok_or(Malformed::Missing(REQUEST_ID))?
        .to_owned();
    let client_context = json(CLIENT_CONTEXT, found.client_context, |context| {
        &context.client_context
    })?;
    let identity = json(COGNITO_IDENTITY, found.identity, |context| {
        &context.identity
    })?;
    let deadline = text(DEADLINE_MS, found.deadline)?.ok_or(Malformed::Missing(DEADLINE_MS))?;
    let deadline_ms = deadline.parse::<u64>().map_err(|err| Malformed::Invalid {
        name: DEADLINE_MS,
        reason: format!("{deadline:?}: {err}"),
    })?;
    let invoked_function_arn = text(INVOKED_FUNCTION_ARN, found.arn)?
        .unwrap_or(NO_ARN)
        .to_owned();
    let lossy = |value: Option<&HeaderValue>| {
        value.map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
    };
    Ok(Invocation {
        request_id,
        invocation_id: found.invocation_id.cloned(),
        payload,
        deadline_ms,
        trace_id: lossy(found.trace_id),
        tenant_id: lossy(found.tenant_id),
        details: InvocationDetails {
            invoked_function_arn,
            client_context: client_context.map(|given| ClientContext {
                installation_id: given.client.installation_id,
                app_title: given.client.app_title,
                app_version_name: given.client.app_version_name,
                app_version_code: given.client.app_version_code,
                app_package_name: given.client.app_package_name,
                custom: given.custom,
                environment: given.environment,
            }),
            identity: identity.map(|given| CognitoIdentity {
                identity_id: given.identity_id,
                identity_pool_id: given.identity_pool_id,
            }),
        },
    })
}

/// The first value of each header an invocation is read from, as
/// `HeaderMap::get` finds it; found in one pass over the headers rather than
/// one lookup each (a lookup by a `&str` name parses and hashes the name:
/// about 5,000 instructions an invocation for the eight).
#[derive(Default)]
struct Found<'h> {
    request_id: Option<&'h HeaderValue>,
    deadline: Option<&'h HeaderValue>,
    arn: Option<&'h HeaderValue>,
    trace_id: Option<&'h HeaderValue>,
    client_context: Option<&'h HeaderValue>,
    identity: Option<&'h HeaderValue>,
    tenant_id: Option<&'h HeaderValue>,
    invocation_id: Option<&'h HeaderValue>,
}

impl<'h> Found<'h> {
    fn read(headers: &'h HeaderMap) -> Self {
        let mut found = Self::default();
        for (name, value) in headers {
            let slot = match name.as_str() {
                REQUEST_ID => &mut found.request_id,
                DEADLINE_MS => &mut found.deadline,
                INVOKED_FUNCTION_ARN => &mut found.arn,
                TRACE_ID => &mut found.trace_id,
                CLIENT_CONTEXT => &mut found.client_context,
                COGNITO_IDENTITY => &mut found.identity,
                TENANT_ID => &mut found.tenant_id,
                INVOCATION_ID_NAME => &mut found.invocation_id,
                _ => continue,
            };
            // The first value, as `get` gives it.
            slot.get_or_insert(value);
        }
        found
    }
}

/// The name of the header the answer sends back
/// (post.rs's `INVOCATION_ID`).
const INVOCATION_ID_NAME: &str = "lambda-runtime-invocation-id";

/// Header `name`'s `value` as text, if present; an error if it is not
/// visible ASCII.
fn text<'h>(
    name: &'static str,
    value: Option<&'h HeaderValue>,
) -> Result<Option<&'h str>, Malformed> {
    value
        .map(|value| {
            value.to_str().map_err(|err| Malformed::Invalid {
                name,
                reason: err.to_string(),
            })
        })
        .transpose()
}

/// Header `name`'s `value` read as JSON of `T`, the type of the `field` of
/// lambda_runtime's `Context` it fills there (lambda_runtime does not export
/// those types by name: read with theirs, it is read exactly as theirs);
/// `None` when missing or empty.
fn json<T: DeserializeOwned>(
    name: &'static str,
    value: Option<&HeaderValue>,
    _field: fn(&lambda_runtime::Context) -> &Option<T>,
) -> Result<Option<T>, Malformed> {
    match text(name, value)? {
        None | Some("") => Ok(None),
        Some(raw) => serde_json::from_str(raw)
            .map(Some)
            .map_err(|err| Malformed::Invalid {
                name,
                reason: err.to_string(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::answers::NEXT_PATH;
    use crate::fake_api::FakeApi;

    fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                http::HeaderName::from_bytes(name.as_bytes()).expect("a name"),
                HeaderValue::from_bytes(value).expect("a value"),
            );
        }
        headers
    }

    /// lambda_runtime's context for `headers`: `None` where it fails or
    /// panics.
    fn theirs(headers: &HeaderMap) -> Option<lambda_runtime::Context> {
        std::panic::catch_unwind(|| {
            let request_id = headers.get(REQUEST_ID)?.to_str().ok()?;
            lambda_runtime::Context::new(request_id, Arc::default(), headers).ok()
        })
        .ok()
        .flatten()
    }

    #[test]
    fn next_answers_are_read_as_lambda_runtimes_context_reads_them() {
        let full: &[(&str, &[u8])] = &[
            (REQUEST_ID, b"8476a536-e9f4-11e8-9739-2dfe598c3fcd"),
            (DEADLINE_MS, b"1542409706888"),
            (INVOKED_FUNCTION_ARN, b"arn:aws:lambda:us-east-2:123456789012:function:custom-runtime"),
            (TRACE_ID, b"Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"),
            (TENANT_ID, b"tenant-\xe9"),
            (
                CLIENT_CONTEXT,
                br#"{"client":{"installationId":"i","appTitle":"t","app_version_name":"n","appVersionCode":"c","appPackageName":"p"},"custom":{"k":"v"},"environment":{"e":"f"}}"#,
            ),
            (COGNITO_IDENTITY, br#"{"cognitoIdentityId":"us-east-1:1","identity_pool_id":"pool"}"#),
            ("lambda-runtime-invocation-id", b"inv-1"),
        ];
        let mut cases: Vec<Vec<(&str, &[u8])>> = vec![full.to_vec()];
        // Each header left out, then each given a value of the wrong kind.
        for left_out in 0..full.len() {
            let mut case = full.to_vec();
            case.remove(left_out);
            cases.push(case);
        }
        for (name, bad) in [
            (REQUEST_ID, &b"id-\xff"[..]),
            (DEADLINE_MS, b"soon"),
            (DEADLINE_MS, b"-1"),
            (DEADLINE_MS, b"18446744073709551616"),
            (DEADLINE_MS, b"\xff"),
            (INVOKED_FUNCTION_ARN, b"arn-\xff"),
            (CLIENT_CONTEXT, b"{not json"),
            (CLIENT_CONTEXT, b""),
            (CLIENT_CONTEXT, b"{}"),
            (COGNITO_IDENTITY, b"[]"),
            (COGNITO_IDENTITY, b""),
            (COGNITO_IDENTITY, br#"{"identityId":"only"}"#),
            (TRACE_ID, b"Root=\xff"),
        ] {
            let mut case: Vec<_> = full
                .iter()
                .filter(|(given, _)| *given != name)
                .copied()
                .collect();
            case.push((name, bad));
            cases.push(case);
        }
        // A header sent twice: the first value counts.
        for (name, second) in [
            (REQUEST_ID, &b"second-id"[..]),
            (DEADLINE_MS, b"not a number"),
            (TRACE_ID, b"Root=second"),
            (CLIENT_CONTEXT, b"{broken"),
            ("lambda-runtime-invocation-id", b"inv-2"),
        ] {
            let mut case = full.to_vec();
            case.push((name, second));
            cases.push(case);
        }
        for case in cases {
            let headers = headers(&case);
            let ours = invocation(&headers, Bytes::from_static(b"{}"));
            match (theirs(&headers), ours) {
                (Some(theirs), Ok(ours)) => {
                    assert_eq!(ours.request_id, theirs.request_id, "{case:?}");
                    assert_eq!(ours.deadline_ms, theirs.deadline, "{case:?}");
                    assert_eq!(ours.trace_id, theirs.xray_trace_id, "{case:?}");
                    assert_eq!(ours.tenant_id, theirs.tenant_id, "{case:?}");
                    let details = &ours.details;
                    assert_eq!(
                        details.invoked_function_arn, theirs.invoked_function_arn,
                        "{case:?}"
                    );
                    match (&details.client_context, &theirs.client_context) {
                        (None, None) => {}
                        (Some(ours), Some(theirs)) => {
                            assert_eq!(ours.installation_id, theirs.client.installation_id);
                            assert_eq!(ours.app_title, theirs.client.app_title);
                            assert_eq!(ours.app_version_name, theirs.client.app_version_name);
                            assert_eq!(ours.app_version_code, theirs.client.app_version_code);
                            assert_eq!(ours.app_package_name, theirs.client.app_package_name);
                            assert_eq!(ours.custom, theirs.custom);
                            assert_eq!(ours.environment, theirs.environment);
                        }
                        other => panic!("{case:?}: {other:?}"),
                    }
                    match (&details.identity, &theirs.identity) {
                        (None, None) => {}
                        (Some(ours), Some(theirs)) => {
                            assert_eq!(ours.identity_id, theirs.identity_id);
                            assert_eq!(ours.identity_pool_id, theirs.identity_pool_id);
                        }
                        other => panic!("{case:?}: {other:?}"),
                    }
                    assert_eq!(
                        ours.invocation_id,
                        headers.get("lambda-runtime-invocation-id").cloned()
                    );
                }
                (None, Err(_)) => {}
                (theirs, ours) => panic!("{case:?}: lambda_runtime {theirs:?}, anyfn {ours:?}"),
            }
        }
    }

    #[test]
    fn a_next_answer_without_a_request_id_or_a_deadline_is_an_error_not_a_panic() {
        let only_deadline = headers(&[(DEADLINE_MS, b"1")]);
        assert_eq!(
            invocation(&only_deadline, Bytes::new()).unwrap_err(),
            Malformed::Missing(REQUEST_ID)
        );
        let only_id = headers(&[(REQUEST_ID, b"id")]);
        let err = invocation(&only_id, Bytes::new()).unwrap_err();
        assert_eq!(err, Malformed::Missing(DEADLINE_MS));
        assert_eq!(
            err.to_string(),
            "the Runtime API's invocation has no lambda-runtime-deadline-ms header"
        );
        let bad = headers(&[(REQUEST_ID, b"id"), (DEADLINE_MS, b"soon")]);
        assert_eq!(
            invocation(&bad, Bytes::new()).unwrap_err().to_string(),
            "the Runtime API's invocation has an invalid lambda-runtime-deadline-ms header: \
             \"soon\": invalid digit found in string"
        );
    }

    const INVOCATION_HEADERS: &[(&str, &str)] = &[
        ("lambda-runtime-aws-request-id", "req-1"),
        ("lambda-runtime-deadline-ms", "1542409706888"),
        ("content-type", "application/json"),
    ];

    #[tokio::test]
    async fn next_is_asked_for_as_lambda_runtime_asks_and_its_event_read() {
        let mut api = FakeApi::start().await;
        let client = api.client();
        let (next, ()) = tokio::join!(next(&client), async {
            let request = api.request().await;
            assert_eq!(request.method, "GET");
            assert_eq!(request.path, NEXT_PATH);
            assert_eq!(request.header("host"), Some(api.address().as_str()));
            let theirs = lambda_runtime_api_client::build_request().body(()).unwrap();
            let user_agent = theirs.headers()[http::header::USER_AGENT].to_str().unwrap();
            assert_eq!(request.header("user-agent"), Some(user_agent));
            request.respond("200 OK", INVOCATION_HEADERS, r#"{"n":1}"#);
        });
        let invocation = next.expect("an answer").expect("an invocation");
        assert_eq!(invocation.request_id, "req-1");
        assert_eq!(invocation.deadline_ms, 1542409706888);
        assert_eq!(invocation.payload, r#"{"n":1}"#);
        assert_eq!(invocation.details.invoked_function_arn, NO_ARN);
    }

    #[tokio::test]
    async fn an_event_sent_in_chunks_is_read_whole() {
        let mut api = FakeApi::start().await;
        let client = api.client();
        let (next, ()) = tokio::join!(next(&client), async {
            let mut raw = String::from("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n");
            for (name, value) in INVOCATION_HEADERS {
                raw.push_str(&format!("{name}: {value}\r\n"));
            }
            raw.push_str("\r\n3\r\n{\"a\r\n4\r\n\":[1\r\n2\r\n]}\r\n0\r\n\r\n");
            api.request().await.answer(raw);
        });
        let invocation = next.expect("an answer").expect("an invocation");
        assert_eq!(invocation.payload, r#"{"a":[1]}"#);
    }

    #[tokio::test]
    async fn next_and_the_answers_share_one_connection() {
        let mut api = FakeApi::start().await;
        let client = api.client();
        for round in 0..3 {
            let (next, ()) = tokio::join!(next(&client), async {
                api.request()
                    .await
                    .respond("200 OK", INVOCATION_HEADERS, "{}");
            });
            next.expect("an answer").expect("an invocation");
            let posted = crate::post::post(
                &client,
                "req-1",
                None,
                Ok(crate::post::Posted::Payload("{}".to_owned())),
            );
            let (posted, connection) = tokio::join!(posted, async {
                let request = api.request().await;
                let connection = request.connection;
                request.accept();
                connection
            });
            posted.expect("posted");
            assert_eq!(connection, 0, "round {round}: the first connection still");
        }
    }

    #[tokio::test]
    async fn a_next_answered_with_an_error_status_is_malformed_and_a_closed_one_unreachable() {
        let mut api = FakeApi::start().await;
        let client = api.client();
        let (next_500, ()) = tokio::join!(next(&client), async {
            api.request()
                .await
                .respond("500 Internal Server Error", &[], "");
        });
        match next_500 {
            Err(NextError::Malformed(Malformed::Status(status))) => {
                assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
            }
            other => panic!("{other:?}"),
        }
        let (closed, ()) = tokio::join!(next(&client), async {
            api.request().await.close();
        });
        let err = closed.expect_err("no answer");
        assert!(matches!(err, NextError::Unreachable(_)), "{err:?}");
        assert_eq!(err.to_string(), "`next` could not reach the Runtime API");
        assert!(
            std::error::Error::source(&err).is_some(),
            "the connection's error is its source"
        );
        let (no_content, ()) = tokio::join!(next(&client), async {
            api.request().await.respond("204 No Content", &[], "");
        });
        assert!(matches!(no_content, Ok(None)), "{no_content:?}");
        let (no_id, ()) = tokio::join!(next(&client), async {
            api.request()
                .await
                .respond("200 OK", &[("lambda-runtime-deadline-ms", "1")], "{}");
        });
        assert!(
            matches!(
                no_id,
                Err(NextError::Malformed(Malformed::Missing(REQUEST_ID)))
            ),
            "{no_id:?}"
        );
    }
}

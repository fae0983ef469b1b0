//! The glue to `lambda_runtime`: one invocation from its `LambdaEvent` to the
//! response payload or a `Diagnostic`.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyfn::{adapter, Context, Error, Handler, Platform};
use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde_json::value::RawValue;

use crate::codec::{FromPayload, IntoPayload};
use crate::context_ext::{ClientContext, CognitoIdentity, InvocationDetails};
use crate::env::FunctionEnv;
use crate::payload::Payload;
use crate::LambdaError;

/// Serves invocations of `handler` until the runtime stops.
pub(crate) async fn run<H>(handler: H) -> Result<(), LambdaError>
where
    H: Handler,
    H::Event: FromPayload,
    H::Output: IntoPayload,
{
    let env = Arc::new(FunctionEnv::from_env()?);
    let handler = Arc::new(handler);
    let service = service_fn(move |event: LambdaEvent<Payload>| {
        let handler = Arc::clone(&handler);
        let env = Arc::clone(&env);
        // Boxed: lambda_runtime's layers wrap and move the invocation's
        // future, and ours, holding the payload and both contexts, is large.
        Box::pin(async move { invoke(&*handler, event, &env).await })
    });
    // lambda_runtime panics on some malformed Runtime API answers (a `next`
    // without a request id); run it in its own task so that becomes an error
    // with a clear message instead of a crash.
    let runtime = tokio::spawn(async move {
        lambda_runtime::run(service)
            .await
            .map_err(|err| chain(&*err))
    });
    match runtime.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(message)) => Err(LambdaError::Runtime { message }),
        Err(join) if join.is_panic() => Err(LambdaError::Runtime {
            message: format!(
                "lambda_runtime panicked ({}); the Runtime API answered in a way it cannot handle",
                anyfn::adapter::panic_message(join.into_panic().as_ref())
            ),
        }),
        Err(join) => Err(LambdaError::Runtime {
            message: format!("the runtime task ended: {join}"),
        }),
    }
}

/// An error and its causes, as one line.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !message.contains(&cause_text) {
            message.push_str(": ");
            message.push_str(&cause_text);
        }
        source = cause.source();
    }
    message
}

/// One invocation, settled into what Lambda records.
async fn invoke<H>(
    handler: &H,
    event: LambdaEvent<Payload>,
    env: &FunctionEnv,
) -> Result<Box<RawValue>, Diagnostic>
where
    H: Handler,
    H::Event: FromPayload,
    H::Output: IntoPayload,
{
    let LambdaEvent { payload, context } = event;
    let request_id = context.request_id.clone();
    let outcome = settle(handler, payload, context, env).await;
    outcome.map_err(|err| {
        tracing::warn!(
            target: "anyfn::invocation",
            request_id = %request_id,
            error_type = err.error_type(),
            "invocation failed: {err}"
        );
        Diagnostic {
            error_type: err.error_type().to_owned(),
            error_message: err.message().to_owned(),
        }
    })
}

async fn settle<H>(
    handler: &H,
    payload: Payload,
    lambda_context: lambda_runtime::Context,
    env: &FunctionEnv,
) -> Result<Box<RawValue>, Error>
where
    H: Handler,
    H::Event: FromPayload,
    H::Output: IntoPayload,
{
    let deadline = instant_of_epoch_millis(lambda_context.deadline);
    let mut builder = Context::builder()
        .request_id(lambda_context.request_id)
        .deadline(deadline)
        .function_name(env.function_name.clone())
        .function_version(env.function_version.clone())
        .memory_limit_mb(env.memory_mb)
        .platform(Platform::AwsLambda)
        .extension(InvocationDetails {
            invoked_function_arn: lambda_context.invoked_function_arn,
            client_context: lambda_context.client_context.map(|given| ClientContext {
                installation_id: given.client.installation_id,
                app_title: given.client.app_title,
                app_version_name: given.client.app_version_name,
                app_version_code: given.client.app_version_code,
                app_package_name: given.client.app_package_name,
                custom: given.custom,
                environment: given.environment,
            }),
            identity: lambda_context.identity.map(|given| CognitoIdentity {
                identity_id: given.identity_id,
                identity_pool_id: given.identity_pool_id,
            }),
        });
    if let Some(trace_id) = lambda_context.xray_trace_id {
        builder = builder.trace_id(trace_id);
    }
    let mut context = builder.build();

    let payload = match payload {
        Payload::Json(raw) => raw,
        Payload::NotJson(reason) => {
            return Err(Error::bad_request(format!(
                "the payload is not JSON: {reason}"
            )))
        }
    };
    let (event, source) = H::Event::from_payload(payload.get().as_bytes(), &mut context)?;
    drop(payload);
    context.extensions_mut().insert(source);
    let timer = tokio::time::sleep_until(deadline.into());
    let output = adapter::invoke(handler, event, context, timer).await?;
    let encoded = output.into_payload(source)?;
    RawValue::from_string(encoded).map_err(|err| {
        Error::with_source(
            anyfn::ErrorKind::Internal,
            "the encoded output is not JSON",
            err,
        )
    })
}

/// The instant of a Unix time in milliseconds (Lambda's deadline), measured
/// from now on the monotonic clock.
fn instant_of_epoch_millis(deadline_ms: u64) -> Instant {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_millis() as u64)
        .unwrap_or(0);
    let now = Instant::now();
    let remaining = Duration::from_millis(deadline_ms.saturating_sub(now_ms));
    now.checked_add(remaining).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_deadline_is_now_and_future_deadline_is_ahead() {
        let before = Instant::now();
        assert!(instant_of_epoch_millis(0) >= before);
        assert!(instant_of_epoch_millis(0) <= Instant::now());
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let ahead = instant_of_epoch_millis(now_ms + 60_000);
        assert!(ahead > Instant::now() + Duration::from_secs(50));
        let _ = instant_of_epoch_millis(u64::MAX);
    }
}

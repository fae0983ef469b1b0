//! One invocation, whatever started it: the context's span, decode, the
//! handler under its deadline (panics caught), encode, the failure logged,
//! the `REPORT` line.

use anyfn::time::Instant;
use anyfn::{Context, Error, ErrorDetails, Handler};
use anyfn_kit::{guard_stream, StreamInvocation};
use tracing::Instrument as _;

use crate::codec::{CloudflareAnswer, CloudflareInput, FromCloudflare, IntoCloudflare};
use crate::report::report;
use crate::timer::JsTimers;

/// Runs `handler` on `input` in `context`, an invocation that arrived at
/// `started`: the output encoded (a stream already held to the deadline),
/// or the failure, logged.
pub(crate) async fn invoke<H>(
    handler: &H,
    input: CloudflareInput,
    mut context: Context,
    details: ErrorDetails,
    started: Instant,
) -> Result<CloudflareAnswer, Error>
where
    H: Handler + ?Sized,
    H::Event: FromCloudflare,
    H::Output: IntoCloudflare,
{
    let request_id = context.request_id().to_owned();
    let deadline = context.deadline();
    let memory_mb = context.memory_limit_mb();
    let span = anyfn_kit::invocation_span(&context);
    let outcome = async {
        let event = H::Event::from_cloudflare(input, &mut context)?;
        let timer = JsTimers.sleep_until(deadline);
        let output = anyfn_kit::invoke_started_at(handler, event, context, timer, started).await?;
        output.into_cloudflare()
    }
    .instrument(span.clone())
    .await;
    let _entered = span.enter();
    let outcome = outcome.map(|answer| match answer {
        CloudflareAnswer::Streamed(stream) if H::Output::STREAMS => {
            let invocation = StreamInvocation {
                request_id: request_id.clone(),
                started,
                deadline,
                details,
            };
            CloudflareAnswer::Streamed(guard_stream(stream, invocation, JsTimers))
        }
        other => other,
    });
    if let Err(error) = &outcome {
        anyfn_kit::log_failure(&request_id, error);
    }
    // A stream's REPORT is written when its answer is handed to the
    // runtime: the time to its head, not to its last chunk.
    report(&request_id, started, memory_mb);
    outcome
}

//! One invocation, whatever started it: the context's span, decode, the
//! handler under its deadline (panics caught), encode, the failure logged,
//! the `REPORT` line.

use std::future::{poll_fn, Future as _};
use std::pin::pin;

use anyfn::time::Instant;
use anyfn::{Context, Error, Handler};
use anyfn_kit::{guard_stream, Settings, StreamInvocation};

use crate::codec::{CloudflareAnswer, CloudflareInput, FromCloudflare, IntoCloudflare};
use crate::report::report;
use crate::timer::JsTimers;

/// Runs `handler` on `input` in `context`, the invocation `request_id` (the
/// context's, which the caller holds) that arrived at `started`, with the
/// Worker's `settings` (how much of an error shows, whether a `REPORT`
/// line is written: not unless they say so): the output encoded (a stream
/// already held to the deadline), or the failure, logged.
pub(crate) async fn invoke<H>(
    handler: &H,
    input: CloudflareInput,
    mut context: Context,
    request_id: &str,
    settings: &Settings,
    started: Instant,
) -> Result<CloudflareAnswer, Error>
where
    H: Handler + ?Sized,
    H::Event: FromCloudflare,
    H::Output: IntoCloudflare,
{
    let details = settings.error_details().unwrap_or_default();
    let report_line = settings.report_line().unwrap_or(false);
    let deadline = context.deadline();
    let memory_mb = context.memory_limit_mb();
    let span = anyfn_kit::invocation_span(&context);
    let mut running = pin!(async {
        let event = match H::Event::from_cloudflare(input, &mut context) {
            Ok(event) => event,
            Err(error) => return (Err(error), None),
        };
        let timer = JsTimers.sleep_until(deadline);
        // `ended`: when the handler's outcome was settled, the kit's one
        // clock read (a call into JavaScript) after it, which times the
        // REPORT line too.
        let (output, ended) =
            anyfn_kit::invoke_timed(handler, event, context, timer, started).await;
        (
            output.and_then(IntoCloudflare::into_cloudflare),
            Some(ended),
        )
    });
    // In the span each time it is polled, as `Instrument` does, without a
    // second handle on the span (a clone and a close more per request). A
    // Worker's futures are driven to the end, never dropped half-way.
    let (outcome, ended) = poll_fn(|cx| {
        let _in_span = span.enter();
        running.as_mut().poll(cx)
    })
    .await;
    let _entered = span.enter();
    let outcome = outcome.map(|answer| match answer {
        CloudflareAnswer::Streamed(stream) if H::Output::STREAMS => {
            let invocation = StreamInvocation {
                request_id: request_id.to_owned(),
                started,
                deadline,
                details,
            };
            CloudflareAnswer::Streamed(guard_stream(stream, invocation, JsTimers))
        }
        other => other,
    });
    if let Err(error) = &outcome {
        anyfn_kit::log_failure(request_id, error);
    }
    // A stream's REPORT is written when its answer is handed to the
    // runtime: the time to its head, not to its last chunk.
    if report_line {
        report(request_id, started, ended, memory_mb);
    }
    outcome
}

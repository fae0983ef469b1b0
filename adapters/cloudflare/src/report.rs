//! The `REPORT` line of an invocation, priced as Workers bill.

use anyfn::time::Instant;
use anyfn_kit::{InvocationReport, Pricing};

/// Workers Standard: $0.30 per million requests, $0.02 per million CPU
/// milliseconds, as the price of a GB-second at 128 MB.
const WORKERS_STANDARD: Pricing = Pricing::new(0.02e-6 * 1000.0 / 0.128, 0.30e-6);

/// Writes the `REPORT` line (target `anyfn::report`) of the invocation
/// that arrived at `started` and whose handler ended at `ended` (the kit's
/// clock read after it; none when the event could not be decoded, then
/// the clock is read here). The duration is wall time: deployed Workers'
/// clocks advance only across I/O, so there it is the time spent waiting,
/// not the CPU time billed. Called only when the Worker's `report_line`
/// setting turns the line on (`ANYFN_REPORT_LINE=on`): it is off by
/// default, since Workers Logs record each invocation's wall and CPU time
/// themselves. Through [`anyfn_kit::log_report`], as every adapter writes
/// it: with the line filtered out, neither the clock (a call into
/// JavaScript) nor the price is read.
pub(crate) fn report(request_id: &str, started: Instant, ended: Option<Instant>, memory_mb: u32) {
    anyfn_kit::log_report(|| {
        let duration = ended
            .unwrap_or_else(Instant::now)
            .saturating_duration_since(started);
        InvocationReport::borrowing(request_id, duration, memory_mb, WORKERS_STANDARD)
    });
}

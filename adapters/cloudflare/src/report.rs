//! The `REPORT` line of an invocation, priced as Workers bill.

use std::time::Duration;

use anyfn_kit::{InvocationReport, Pricing};

/// Workers Standard: $0.30 per million requests, $0.02 per million CPU
/// milliseconds, as the price of a GB-second at 128 MB.
const WORKERS_STANDARD: Pricing = Pricing::new(0.02e-6 * 1000.0 / 0.128, 0.30e-6);

/// Writes the invocation's `REPORT` line (target `anyfn::report`). The
/// duration is wall time: deployed Workers' clocks advance only across I/O,
/// so there it is the time spent waiting, not the CPU time billed.
pub(crate) fn report(request_id: &str, duration: Duration, memory_mb: u32) {
    let report = InvocationReport::new(request_id, duration, memory_mb, WORKERS_STANDARD);
    tracing::info!(target: "anyfn::report", "{report}");
}

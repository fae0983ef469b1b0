//! What an invocation cost: [`InvocationReport`] and [`Pricing`].

use std::fmt;
use std::time::Duration;

/// A price list for estimating what an invocation would cost on a
/// pay-per-use platform.
///
/// # Example
///
/// ```
/// let pricing = anyfn::Pricing::AWS_LAMBDA_X86;
/// assert_eq!(pricing.usd_per_gb_second(), 0.0000166667);
/// assert_eq!(pricing.usd_per_request(), 0.0000002);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pricing {
    usd_per_gb_second: f64,
    usd_per_request: f64,
}

impl Pricing {
    /// AWS Lambda on x86: USD 0.0000166667 per GB-second plus USD 0.20 per
    /// million requests.
    pub const AWS_LAMBDA_X86: Self = Self {
        usd_per_gb_second: 0.000_016_666_7,
        usd_per_request: 0.000_000_2,
    };

    /// A price list of your own.
    pub const fn new(usd_per_gb_second: f64, usd_per_request: f64) -> Self {
        Self {
            usd_per_gb_second,
            usd_per_request,
        }
    }

    /// USD per GB-second of billed duration.
    pub const fn usd_per_gb_second(&self) -> f64 {
        self.usd_per_gb_second
    }

    /// USD per request.
    pub const fn usd_per_request(&self) -> f64 {
        self.usd_per_request
    }

    /// What one invocation billed for `billed` at `memory_mb` costs.
    pub fn cost_usd(&self, billed: Duration, memory_mb: u32) -> f64 {
        let gb = f64::from(memory_mb) / 1024.0;
        billed.as_secs_f64() * gb * self.usd_per_gb_second + self.usd_per_request
    }
}

impl Default for Pricing {
    fn default() -> Self {
        Self::AWS_LAMBDA_X86
    }
}

/// What one invocation took and would cost, in the manner of Lambda's
/// `REPORT` line.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{InvocationReport, Pricing};
///
/// let report = InvocationReport::new("req-1", Duration::from_micros(1_250), 128, Pricing::AWS_LAMBDA_X86);
/// assert_eq!(report.billed_duration(), Duration::from_millis(2));
/// assert_eq!(
///     report.to_string(),
///     "REPORT RequestId: req-1\tDuration: 1.25 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tEstimated Cost: $0.0000002042 USD"
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct InvocationReport {
    request_id: String,
    duration: Duration,
    billed_duration: Duration,
    memory_mb: u32,
    estimated_cost_usd: f64,
}

impl InvocationReport {
    /// The report of invocation `request_id`, which ran for `duration` with
    /// `memory_mb` configured, priced with `pricing`. Billing rounds the
    /// duration up to the next millisecond.
    pub fn new(
        request_id: impl Into<String>,
        duration: Duration,
        memory_mb: u32,
        pricing: Pricing,
    ) -> Self {
        let billed_duration = round_up_to_millis(duration);
        Self {
            request_id: request_id.into(),
            duration,
            billed_duration,
            memory_mb,
            estimated_cost_usd: pricing.cost_usd(billed_duration, memory_mb),
        }
    }

    /// The invocation's request id.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// How long the invocation ran.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The duration rounded up to the millisecond, as billed.
    pub fn billed_duration(&self) -> Duration {
        self.billed_duration
    }

    /// The memory size configured, in MB.
    pub fn memory_mb(&self) -> u32 {
        self.memory_mb
    }

    /// The estimated cost in USD: billed GB-seconds plus the per-request price.
    pub fn estimated_cost_usd(&self) -> f64 {
        self.estimated_cost_usd
    }
}

impl fmt::Display for InvocationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "REPORT RequestId: {}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tEstimated Cost: ${:.10} USD",
            self.request_id,
            self.duration.as_secs_f64() * 1000.0,
            self.billed_duration.as_millis(),
            self.memory_mb,
            self.estimated_cost_usd,
        )
    }
}

fn round_up_to_millis(duration: Duration) -> Duration {
    let millis = duration.as_nanos().div_ceil(1_000_000);
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_rounds_up_to_the_millisecond() {
        assert_eq!(round_up_to_millis(Duration::ZERO), Duration::ZERO);
        assert_eq!(
            round_up_to_millis(Duration::from_nanos(1)),
            Duration::from_millis(1)
        );
        assert_eq!(
            round_up_to_millis(Duration::from_millis(3)),
            Duration::from_millis(3)
        );
        assert_eq!(
            round_up_to_millis(Duration::from_micros(3_001)),
            Duration::from_millis(4)
        );
    }

    #[test]
    fn one_gb_second_costs_the_listed_price_plus_the_request() {
        let report =
            InvocationReport::new("r", Duration::from_secs(1), 1024, Pricing::AWS_LAMBDA_X86);
        let expected = 0.000_016_666_7 + 0.000_000_2;
        assert!((report.estimated_cost_usd() - expected).abs() < 1e-15);
    }
}

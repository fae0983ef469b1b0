//! [`Usage`] (what an invocation used) priced into an [`Estimate`] per
//! [`Provider`], by each provider's billing granularity and minimum.

use std::time::Duration;

use super::prices::PriceList;
use super::provider::Provider;

/// What one invocation used, as the providers bill it: its wall-clock
/// duration, the memory configured, and (where measured) the CPU time its
/// handler took.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::Usage;
///
/// let usage = Usage::new(Duration::from_millis(40), 512).with_cpu_time(Duration::from_millis(3));
/// assert_eq!(usage.cpu_time(), Some(Duration::from_millis(3)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    duration: Duration,
    memory_mb: u32,
    cpu_time: Option<Duration>,
    vcpus: Option<f64>,
    sharing: u32,
}

impl Usage {
    /// An invocation that ran `duration` with `memory_mb` configured, alone
    /// on its instance, its CPU time not measured.
    ///
    /// # Example
    ///
    /// ```
    /// let usage = anyfn_kit::Usage::new(std::time::Duration::from_millis(5), 128);
    /// assert_eq!(usage.memory_mb(), 128);
    /// ```
    pub const fn new(duration: Duration, memory_mb: u32) -> Self {
        Self {
            duration,
            memory_mb,
            cpu_time: None,
            vcpus: None,
            sharing: 1,
        }
    }

    /// The CPU time the handler took (billed by Cloudflare Workers; without
    /// it, Workers are priced at the wall-clock duration, an upper bound).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let usage = anyfn_kit::Usage::new(Duration::from_millis(9), 128).with_cpu_time(Duration::from_millis(2));
    /// assert_eq!(usage.cpu_time(), Some(Duration::from_millis(2)));
    /// ```
    #[must_use]
    pub const fn with_cpu_time(mut self, cpu_time: Duration) -> Self {
        self.cpu_time = Some(cpu_time);
        self
    }

    /// The vCPUs a Cloud Run instance has (the price file's default, 1,
    /// otherwise).
    ///
    /// # Example
    ///
    /// ```
    /// let usage = anyfn_kit::Usage::new(std::time::Duration::from_millis(9), 2048).with_vcpus(2.0);
    /// assert_eq!(usage.vcpus(), Some(2.0));
    /// ```
    #[must_use]
    pub const fn with_vcpus(mut self, vcpus: f64) -> Self {
        self.vcpus = Some(vcpus);
        self
    }

    /// How many requests shared the instance while this one ran (at least
    /// 1): Cloud Run and Azure Flex Consumption bill an instance's active
    /// time once for all the requests it serves at once, so each one's
    /// share of it is divided by this. 1 (alone: an upper bound) unless set.
    ///
    /// # Example
    ///
    /// ```
    /// let usage = anyfn_kit::Usage::new(std::time::Duration::from_millis(9), 512).sharing_instance_with(0);
    /// assert_eq!(usage.sharing(), 1, "at least the request itself");
    /// ```
    #[must_use]
    pub const fn sharing_instance_with(mut self, requests: u32) -> Self {
        self.sharing = if requests == 0 { 1 } else { requests };
        self
    }

    /// The wall-clock duration.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// assert_eq!(anyfn_kit::Usage::new(Duration::from_millis(4), 128).duration(), Duration::from_millis(4));
    /// ```
    pub const fn duration(&self) -> Duration {
        self.duration
    }

    /// The memory configured, MB.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Usage::new(std::time::Duration::ZERO, 512).memory_mb(), 512);
    /// ```
    pub const fn memory_mb(&self) -> u32 {
        self.memory_mb
    }

    /// The CPU time, if measured.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Usage::new(std::time::Duration::ZERO, 128).cpu_time(), None);
    /// ```
    pub const fn cpu_time(&self) -> Option<Duration> {
        self.cpu_time
    }

    /// The vCPUs, if set.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Usage::new(std::time::Duration::ZERO, 128).vcpus(), None);
    /// ```
    pub const fn vcpus(&self) -> Option<f64> {
        self.vcpus
    }

    /// How many requests shared the instance (1 unless set).
    ///
    /// # Example
    ///
    /// ```
    /// let usage = anyfn_kit::Usage::new(std::time::Duration::ZERO, 128);
    /// assert_eq!(usage.sharing_instance_with(8).sharing(), 8);
    /// ```
    pub const fn sharing(&self) -> u32 {
        self.sharing
    }
}

/// What an [`Estimate`]'s billed time is.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::{BilledTime, Provider, Usage};
///
/// let usage = Usage::new(Duration::from_millis(20), 128);
/// assert_eq!(Provider::AwsLambdaX86.estimate(&usage).billed_time(), BilledTime::WallClock);
/// assert_eq!(Provider::CloudflareWorkers.estimate(&usage).billed_time(), BilledTime::WallClockForCpu);
/// let measured = usage.with_cpu_time(Duration::from_millis(2));
/// assert_eq!(Provider::CloudflareWorkers.estimate(&measured).billed_time(), BilledTime::CpuTime);
/// assert_eq!(Provider::AwsLambdaManagedInstances.estimate(&usage).billed_time(), BilledTime::Capacity);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BilledTime {
    /// Wall-clock time (Lambda, Cloud Run, Azure).
    WallClock,
    /// Measured CPU time (Cloudflare Workers).
    CpuTime,
    /// Wall-clock time standing in for the CPU time a provider bills, which
    /// was not measured: an upper bound.
    WallClockForCpu,
    /// None: the provider bills capacity, not time (Lambda Managed
    /// Instances); the estimate is the request charge alone.
    Capacity,
}

/// What one invocation would cost on one [`Provider`].
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::{BilledTime, PriceList, Provider, Usage};
///
/// let usage = Usage::new(Duration::from_millis(130), 512);
/// let run = PriceList::published().estimate(Provider::CloudRun, &usage);
/// assert_eq!(run.billed(), Duration::from_millis(200), "rounded up to 100 ms");
/// assert_eq!(run.billed_time(), BilledTime::WallClock);
/// assert!(run.usd() > 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    provider: Provider,
    billed: Duration,
    billed_time: BilledTime,
    usd: f64,
}

impl Estimate {
    /// The provider.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::{Provider, Usage};
    ///
    /// let usage = Usage::new(std::time::Duration::ZERO, 128);
    /// assert_eq!(Provider::CloudRun.estimate(&usage).provider(), Provider::CloudRun);
    /// ```
    pub const fn provider(&self) -> Provider {
        self.provider
    }

    /// The time billed, after the provider's rounding and minimum (zero
    /// for [`BilledTime::Capacity`]).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{Provider, Usage};
    ///
    /// let usage = Usage::new(Duration::from_micros(10), 128);
    /// assert_eq!(Provider::AwsLambdaArm.estimate(&usage).billed(), Duration::from_millis(1));
    /// ```
    pub const fn billed(&self) -> Duration {
        self.billed
    }

    /// What kind of time [`billed`](Self::billed) is.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::{BilledTime, Provider, Usage};
    ///
    /// let usage = Usage::new(std::time::Duration::ZERO, 128);
    /// assert_eq!(Provider::CloudflareWorkers.estimate(&usage).billed_time(), BilledTime::WallClockForCpu);
    /// ```
    pub const fn billed_time(&self) -> BilledTime {
        self.billed_time
    }

    /// The estimated cost, USD.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::{Provider, Usage};
    ///
    /// let usage = Usage::new(std::time::Duration::ZERO, 128);
    /// assert_eq!(Provider::AwsLambdaManagedInstances.estimate(&usage).usd(), 0.0000002);
    /// ```
    pub const fn usd(&self) -> f64 {
        self.usd
    }
}

impl PriceList {
    /// What the invocation `usage` describes would cost on `provider`, at
    /// these prices:
    ///
    /// | provider | billed time | cost |
    /// |---|---|---|
    /// | Lambda x86, Arm | duration, up to the ms (at least 1 ms) | GB-s × price + request |
    /// | Lambda Managed Instances | none (capacity) | request |
    /// | Cloud Run | duration, up to 100 ms | (vCPU-s + GiB-s) ÷ sharing + request |
    /// | Azure Flex Consumption | duration, at least 1,000 ms, then up to 100 ms | GB-s of the instance size ÷ sharing + execution |
    /// | Cloudflare Workers | CPU time (else duration), up to the ms | CPU-ms + request |
    ///
    /// GB and GiB are 1,024 MB. Azure's instance size is the smallest of
    /// its sizes that holds `memory_mb` (the largest, past them).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{PriceList, Provider, Usage};
    ///
    /// let prices = PriceList::published();
    /// let usage = Usage::new(Duration::from_millis(1_000), 1024);
    /// let lambda = prices.estimate(Provider::AwsLambdaX86, &usage);
    /// assert!((lambda.usd() - (0.0000166667 + 0.0000002)).abs() < 1e-15);
    /// ```
    pub fn estimate(&self, provider: Provider, usage: &Usage) -> Estimate {
        let gb = f64::from(usage.memory_mb) / 1024.0;
        let sharing = f64::from(usage.sharing.max(1));
        let (billed, billed_time, usd) = match provider {
            Provider::AwsLambdaX86 | Provider::AwsLambdaArm => {
                let prices = if provider == Provider::AwsLambdaX86 {
                    &self.aws_lambda_x86()
                } else {
                    &self.aws_lambda_arm()
                };
                let billed = billed(
                    usage.duration,
                    prices.minimum_ms,
                    prices.billing_granularity_ms,
                );
                let usd =
                    billed.as_secs_f64() * gb * prices.usd_per_gb_second + prices.usd_per_request;
                (billed, BilledTime::WallClock, usd)
            }
            Provider::AwsLambdaManagedInstances => (
                Duration::ZERO,
                BilledTime::Capacity,
                self.aws_lambda_managed_instances().usd_per_request,
            ),
            Provider::CloudRun => {
                let prices = self.cloud_run();
                let billed = billed(
                    usage.duration,
                    prices.minimum_ms,
                    prices.billing_granularity_ms,
                );
                let vcpus = usage.vcpus.unwrap_or(prices.default_vcpus);
                let seconds = billed.as_secs_f64();
                let instance = seconds * vcpus * prices.usd_per_vcpu_second
                    + seconds * gb * prices.usd_per_gib_second;
                (
                    billed,
                    BilledTime::WallClock,
                    instance / sharing + prices.usd_per_request,
                )
            }
            Provider::AzureFlexConsumption => {
                let prices = self.azure_flex_consumption();
                let billed = billed(
                    usage.duration,
                    prices.minimum_ms,
                    prices.billing_granularity_ms,
                );
                let sizes = &prices.instance_memory_mb;
                let instance_mb = sizes
                    .iter()
                    .copied()
                    .find(|size| *size >= usage.memory_mb)
                    .or_else(|| sizes.last().copied())
                    .unwrap_or(usage.memory_mb);
                let instance_gb = f64::from(instance_mb) / 1024.0;
                let instance = billed.as_secs_f64() * instance_gb * prices.usd_per_gb_second;
                (
                    billed,
                    BilledTime::WallClock,
                    instance / sharing + prices.usd_per_execution,
                )
            }
            Provider::CloudflareWorkers => {
                let prices = self.cloudflare_workers();
                let (time, billed_time) = match usage.cpu_time {
                    Some(cpu) => (cpu, BilledTime::CpuTime),
                    None => (usage.duration, BilledTime::WallClockForCpu),
                };
                let billed = billed(time, 0, prices.billing_granularity_ms);
                let cpu_ms = billed.as_secs_f64() * 1000.0;
                (
                    billed,
                    billed_time,
                    cpu_ms * prices.usd_per_cpu_ms + prices.usd_per_request,
                )
            }
        };
        Estimate {
            provider,
            billed,
            billed_time,
            usd,
        }
    }
}

impl Provider {
    /// What `usage` would cost here, at the
    /// [published](PriceList::published) prices.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{Provider, Usage};
    ///
    /// let usage = Usage::new(Duration::from_millis(3), 128);
    /// assert_eq!(Provider::AzureFlexConsumption.estimate(&usage).billed(), Duration::from_millis(1_000));
    /// ```
    pub fn estimate(self, usage: &Usage) -> Estimate {
        PriceList::published().estimate(self, usage)
    }
}

/// `time` as billed: at least `minimum_ms`, rounded up to a multiple of
/// `granularity_ms` (a granularity of 0 taken as 1 ns: no rounding).
fn billed(time: Duration, minimum_ms: u64, granularity_ms: u64) -> Duration {
    let granularity = u128::from(granularity_ms) * 1_000_000;
    let nanos = time.as_nanos().max(u128::from(minimum_ms) * 1_000_000);
    let rounded = if granularity == 0 {
        nanos
    } else {
        nanos.div_ceil(granularity) * granularity
    };
    Duration::from_nanos(u64::try_from(rounded).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    //! Each estimate against a hand calculation on the numbers of
    //! `adapters/kit/prices.json` (copied here as literals, so a change of
    //! the file shows up as a failure to look at, not a silent change).

    use super::*;

    fn ms(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    fn us(us: u64) -> Duration {
        Duration::from_micros(us)
    }

    fn assert_usd(estimate: Estimate, expected: f64) {
        assert!(
            (estimate.usd() - expected).abs() <= expected * 1e-12,
            "{:?}: {} USD, by hand {expected} USD",
            estimate.provider(),
            estimate.usd()
        );
    }

    fn estimate(provider: Provider, usage: Usage) -> Estimate {
        PriceList::published().estimate(provider, &usage)
    }

    #[test]
    fn lambda_x86_matches_the_hand_calculation() {
        // 1.25 ms at 128 MB: billed 2 ms; 0.002 s × 0.125 GB × $0.0000166667 + $0.0000002.
        let e = estimate(Provider::AwsLambdaX86, Usage::new(us(1_250), 128));
        assert_eq!(e.billed(), ms(2));
        assert_usd(e, 0.002 * 0.125 * 0.0000166667 + 0.0000002);
        // 0 ms at 1024 MB: the 1 ms minimum; 0.001 s × 1 GB.
        let e = estimate(Provider::AwsLambdaX86, Usage::new(Duration::ZERO, 1024));
        assert_eq!(e.billed(), ms(1));
        assert_usd(e, 0.001 * 1.0 * 0.0000166667 + 0.0000002);
        // 2.5 s at 1769 MB (one full vCPU): 2.5 × 1769/1024 GB.
        let e = estimate(Provider::AwsLambdaX86, Usage::new(ms(2_500), 1769));
        assert_usd(e, 2.5 * (1769.0 / 1024.0) * 0.0000166667 + 0.0000002);
    }

    #[test]
    fn lambda_arm_matches_the_hand_calculation() {
        // 1.25 ms at 128 MB: billed 2 ms at Arm's $0.0000133334 / GB-s.
        let e = estimate(Provider::AwsLambdaArm, Usage::new(us(1_250), 128));
        assert_usd(e, 0.002 * 0.125 * 0.0000133334 + 0.0000002);
        // 99.001 ms at 512 MB: billed 100 ms.
        let e = estimate(Provider::AwsLambdaArm, Usage::new(us(99_001), 512));
        assert_eq!(e.billed(), ms(100));
        assert_usd(e, 0.1 * 0.5 * 0.0000133334 + 0.0000002);
        // 10 s at 10240 MB: 10 × 10 GB.
        let e = estimate(Provider::AwsLambdaArm, Usage::new(ms(10_000), 10_240));
        assert_usd(e, 10.0 * 10.0 * 0.0000133334 + 0.0000002);
    }

    #[test]
    fn lambda_managed_instances_bill_the_request_alone() {
        // Capacity is billed apart: any duration, any memory, $0.0000002.
        for usage in [
            Usage::new(us(1_250), 128),
            Usage::new(ms(900), 2048),
            Usage::new(ms(60_000), 32_768),
        ] {
            let e = estimate(Provider::AwsLambdaManagedInstances, usage);
            assert_eq!(e.billed_time(), BilledTime::Capacity);
            assert_eq!(e.billed(), Duration::ZERO);
            assert_usd(e, 0.0000002);
        }
    }

    #[test]
    fn cloud_run_matches_the_hand_calculation() {
        // 1.25 ms at 128 MiB, 1 vCPU: billed 100 ms;
        // 0.1 s × 1 vCPU × $0.000024 + 0.1 s × 0.125 GiB × $0.0000025 + $0.0000004.
        let e = estimate(Provider::CloudRun, Usage::new(us(1_250), 128));
        assert_eq!(e.billed(), ms(100));
        assert_usd(
            e,
            0.1 * 1.0 * 0.000024 + 0.1 * 0.125 * 0.0000025 + 0.0000004,
        );
        // 130 ms at 512 MiB with 2 vCPUs: billed 200 ms.
        let e = estimate(Provider::CloudRun, Usage::new(ms(130), 512).with_vcpus(2.0));
        assert_eq!(e.billed(), ms(200));
        assert_usd(e, 0.2 * 2.0 * 0.000024 + 0.2 * 0.5 * 0.0000025 + 0.0000004);
        // 1 s at 1024 MiB, 1 vCPU, 4 requests sharing the instance: the
        // instance's second divided by 4, the request fee whole.
        let e = estimate(
            Provider::CloudRun,
            Usage::new(ms(1_000), 1024).sharing_instance_with(4),
        );
        assert_usd(
            e,
            (1.0 * 1.0 * 0.000024 + 1.0 * 1.0 * 0.0000025) / 4.0 + 0.0000004,
        );
    }

    #[test]
    fn azure_flex_consumption_matches_the_hand_calculation() {
        // 1.25 ms at 128 MB: the 1,000 ms minimum on the 512 MB instance;
        // 1 s × 0.5 GB × $0.000026 + $0.0000004.
        let e = estimate(Provider::AzureFlexConsumption, Usage::new(us(1_250), 128));
        assert_eq!(e.billed(), ms(1_000));
        assert_usd(e, 1.0 * 0.5 * 0.000026 + 0.0000004);
        // 1,234 ms at 1024 MB: rounded up to 1,300 ms on the 2,048 MB instance.
        let e = estimate(Provider::AzureFlexConsumption, Usage::new(ms(1_234), 1024));
        assert_eq!(e.billed(), ms(1_300));
        assert_usd(e, 1.3 * 2.0 * 0.000026 + 0.0000004);
        // 3 s at 4096 MB, 2 executions sharing the instance: 3 × 4 GB ÷ 2.
        let e = estimate(
            Provider::AzureFlexConsumption,
            Usage::new(ms(3_000), 4096).sharing_instance_with(2),
        );
        assert_usd(e, 3.0 * 4.0 * 0.000026 / 2.0 + 0.0000004);
    }

    #[test]
    fn cloudflare_workers_bill_cpu_time() {
        // 40 ms of wall time awaiting I/O, 1.2 ms of CPU: 2 CPU-ms billed;
        // 2 × $0.00000002 + $0.0000003.
        let e = estimate(
            Provider::CloudflareWorkers,
            Usage::new(ms(40), 128).with_cpu_time(us(1_200)),
        );
        assert_eq!((e.billed(), e.billed_time()), (ms(2), BilledTime::CpuTime));
        assert_usd(e, 2.0 * 0.00000002 + 0.0000003);
        // No CPU time at all: the request alone.
        let e = estimate(
            Provider::CloudflareWorkers,
            Usage::new(ms(5), 128).with_cpu_time(Duration::ZERO),
        );
        assert_usd(e, 0.0000003);
        // CPU time not measured: the 250 ms of wall time, an upper bound.
        let e = estimate(Provider::CloudflareWorkers, Usage::new(ms(250), 128));
        assert_eq!(e.billed_time(), BilledTime::WallClockForCpu);
        assert_usd(e, 250.0 * 0.00000002 + 0.0000003);
    }

    #[test]
    fn billing_rounds_up_past_the_minimum() {
        assert_eq!(billed(Duration::ZERO, 0, 1), Duration::ZERO);
        assert_eq!(billed(Duration::from_nanos(1), 0, 1), ms(1));
        assert_eq!(billed(us(3_001), 1, 1), ms(4));
        assert_eq!(billed(ms(1_000), 1_000, 100), ms(1_000));
        assert_eq!(billed(us(1_000_001), 1_000, 100), ms(1_100));
        assert_eq!(
            billed(Duration::MAX, 0, 100),
            Duration::from_nanos(u64::MAX)
        );
    }
}

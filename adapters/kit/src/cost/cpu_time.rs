//! [`measure_cpu_time`]: the CPU time a future takes, summed over its polls.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The calling thread's CPU time so far, where the platform tells it
/// (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)` through rustix on Linux: one
/// system call, about 0.4 µs measured on this project's 2-core machine);
/// `None` elsewhere.
fn thread_cpu_time() -> Option<Duration> {
    #[cfg(target_os = "linux")]
    {
        let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        let secs = u64::try_from(now.tv_sec).ok()?;
        let nanos = u32::try_from(now.tv_nsec).ok()?;
        Some(Duration::new(secs, nanos))
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Runs `future` and tells the CPU time its polls took: the thread's CPU
/// clock read before and after each poll, so time awaiting I/O or timers is
/// not counted, nor other tasks' work on the same thread, and a future that
/// moves between threads is measured on each. What Cloudflare Workers bill,
/// measured natively. Two clock reads per poll (two system calls on
/// Linux); `None` where the platform has no per-thread CPU clock
/// (not Linux), and the estimate falls back to wall time.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (sum, cpu) = anyfn_kit::measure_cpu_time(async { (0..1_000_000u64).sum::<u64>() }).await;
/// assert_eq!(sum, 499_999_500_000);
/// if cfg!(target_os = "linux") {
///     assert!(cpu.is_some());
/// }
/// # }
/// ```
pub async fn measure_cpu_time<F: Future>(future: F) -> (F::Output, Option<Duration>) {
    let mut future = std::pin::pin!(future);
    let mut total = Some(Duration::ZERO);
    let output = std::future::poll_fn(|cx| {
        let before = thread_cpu_time();
        let poll = future.as_mut().poll(cx);
        total = match (total, before, thread_cpu_time()) {
            (Some(total), Some(before), Some(after)) => Some(total + after.saturating_sub(before)),
            _ => None,
        };
        poll
    })
    .await;
    (output, total)
}

/// The CPU time of a future's polls, summed where the future's output type
/// cannot carry it (a future an adapter hands on, as the HTTP host's
/// watchdog takes it): [`measure`](Self::measure) wraps the future, the
/// meter keeps the sum. Off ([`CpuMeter::off`]), a poll costs one branch
/// and no clock read.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use anyfn_kit::CpuMeter;
///
/// let meter = CpuMeter::on();
/// let sum = meter.measure(async { (0..1_000u64).sum::<u64>() }).await;
/// assert_eq!(sum, 499_500);
/// assert_eq!(meter.cpu_time().is_some(), cfg!(target_os = "linux"));
/// assert_eq!(CpuMeter::off().cpu_time(), None);
/// # }
/// ```
#[derive(Debug)]
pub struct CpuMeter {
    on: bool,
    nanos: AtomicU64,
    unmeasured: AtomicBool,
}

impl CpuMeter {
    /// A meter that reads the thread's CPU clock around each poll.
    ///
    /// # Example
    ///
    /// ```
    /// let meter = anyfn_kit::CpuMeter::on();
    /// // Nothing measured yet: zero where the platform has the clock.
    /// if cfg!(target_os = "linux") {
    ///     assert_eq!(meter.cpu_time(), Some(std::time::Duration::ZERO));
    /// }
    /// ```
    pub const fn on() -> Self {
        Self {
            on: true,
            nanos: AtomicU64::new(0),
            unmeasured: AtomicBool::new(false),
        }
    }

    /// A meter that measures nothing.
    ///
    /// # Example
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let meter = anyfn_kit::CpuMeter::off();
    /// assert_eq!(meter.measure(async { 2 + 2 }).await, 4);
    /// assert_eq!(meter.cpu_time(), None);
    /// # }
    /// ```
    pub const fn off() -> Self {
        Self {
            on: false,
            nanos: AtomicU64::new(0),
            unmeasured: AtomicBool::new(true),
        }
    }

    /// `future`, its polls' CPU time added to this meter.
    ///
    /// # Example
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let meter = anyfn_kit::CpuMeter::on();
    /// let sum = meter.measure(async { (0..100u64).sum::<u64>() }).await;
    /// assert_eq!(sum, 4_950);
    /// let after_one = meter.cpu_time();
    /// meter.measure(async { (0..100u64).sum::<u64>() }).await;
    /// assert!(meter.cpu_time() >= after_one, "the second future's polls are added");
    /// # }
    /// ```
    pub async fn measure<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| {
            if !self.on {
                return future.as_mut().poll(cx);
            }
            let before = thread_cpu_time();
            let poll = future.as_mut().poll(cx);
            match (before, thread_cpu_time()) {
                (Some(before), Some(after)) => {
                    let took =
                        u64::try_from(after.saturating_sub(before).as_nanos()).unwrap_or(u64::MAX);
                    self.nanos.fetch_add(took, Ordering::Relaxed);
                }
                _ => self.unmeasured.store(true, Ordering::Relaxed),
            }
            poll
        })
        .await
    }

    /// The CPU time measured so far; `None` when off, or where the platform
    /// has no per-thread CPU clock.
    ///
    /// # Example
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use anyfn_kit::CpuMeter;
    ///
    /// let meter = CpuMeter::on();
    /// meter.measure(async { std::hint::black_box((0..10_000u64).sum::<u64>()) }).await;
    /// if let Some(cpu) = meter.cpu_time() {
    ///     assert!(cpu < std::time::Duration::from_secs(1));
    /// }
    /// assert_eq!(CpuMeter::off().cpu_time(), None);
    /// # }
    /// ```
    pub fn cpu_time(&self) -> Option<Duration> {
        (!self.unmeasured.load(Ordering::Relaxed))
            .then(|| Duration::from_nanos(self.nanos.load(Ordering::Relaxed)))
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// A future that waits most of its time counts only its polls' work.
    #[tokio::test(flavor = "current_thread")]
    async fn time_awaiting_a_timer_is_not_cpu_time() {
        let (_, cpu) = measure_cpu_time(async {
            tokio::time::sleep(Duration::from_millis(60)).await;
        })
        .await;
        let cpu = cpu.expect("Linux has a thread CPU clock");
        assert!(cpu < Duration::from_millis(30), "{cpu:?}");
    }

    /// Busy work is counted.
    #[tokio::test(flavor = "current_thread")]
    async fn busy_polls_are_cpu_time() {
        let (_, cpu) = measure_cpu_time(async {
            let started = std::time::Instant::now();
            let mut spins = 0u64;
            while started.elapsed() < Duration::from_millis(20) {
                spins = std::hint::black_box(spins + 1);
            }
        })
        .await;
        let cpu = cpu.expect("Linux has a thread CPU clock");
        // Busy for 20 ms of wall time; the scheduler may take some of it
        // away on a loaded machine, never add to it.
        assert!(
            cpu > Duration::from_millis(2) && cpu < Duration::from_millis(25),
            "{cpu:?}"
        );
    }
}

//! What an invocation cost: [`InvocationReport`] and [`Pricing`].

use std::fmt;
use std::time::Duration;

use crate::cost::{BilledTime, Estimate, PriceList, ProviderSet, Usage};

/// The target a `REPORT` line is logged at (the `INIT` line's too): one
/// name for the kit's writers, filters and routes.
pub(crate) const REPORT_TARGET: &str = "anyfn::report";

/// A price list for estimating what an invocation would cost on a
/// pay-per-use platform.
///
/// # Example
///
/// ```
/// let pricing = anyfn_kit::Pricing::AWS_LAMBDA_X86;
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
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::{PriceList, Pricing};
    ///
    /// assert_eq!(Pricing::default(), Pricing::AWS_LAMBDA_X86);
    /// let published = PriceList::published().aws_lambda_x86();
    /// assert_eq!(Pricing::AWS_LAMBDA_X86.usd_per_gb_second(), published.usd_per_gb_second);
    /// ```
    pub const AWS_LAMBDA_X86: Self = Self {
        usd_per_gb_second: 0.000_016_666_7,
        usd_per_request: 0.000_000_2,
    };

    /// A price list of your own.
    ///
    /// # Example
    ///
    /// ```
    /// // A negotiated rate: half the GB-second price, no request fee.
    /// let pricing = anyfn_kit::Pricing::new(0.000_008_333_35, 0.0);
    /// assert_eq!(pricing.usd_per_gb_second(), 0.000_008_333_35);
    /// assert_eq!(pricing.usd_per_request(), 0.0);
    /// ```
    pub const fn new(usd_per_gb_second: f64, usd_per_request: f64) -> Self {
        Self {
            usd_per_gb_second,
            usd_per_request,
        }
    }

    /// USD per GB-second of billed duration.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Pricing::new(0.00002, 0.0000001).usd_per_gb_second(), 0.00002);
    /// ```
    pub const fn usd_per_gb_second(&self) -> f64 {
        self.usd_per_gb_second
    }

    /// USD per request.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Pricing::AWS_LAMBDA_X86.usd_per_request(), 0.0000002);
    /// ```
    pub const fn usd_per_request(&self) -> f64 {
        self.usd_per_request
    }

    /// What one invocation billed for `billed` at `memory_mb` costs.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let pricing = anyfn_kit::Pricing::new(0.00001, 0.000001);
    /// // 2 s at 512 MB: 1 GB-second, and the request.
    /// let cost = pricing.cost_usd(Duration::from_secs(2), 512);
    /// assert!((cost - 0.000011).abs() < 1e-15);
    /// ```
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
/// use anyfn_kit::{InvocationReport, Pricing};
///
/// let report = InvocationReport::new("req-1", Duration::from_micros(1_250), 128, Pricing::AWS_LAMBDA_X86);
/// assert_eq!(report.billed_duration(), Duration::from_millis(2));
/// assert_eq!(
///     report.to_string(),
///     "REPORT RequestId: req-1\tDuration: 1.25 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tEstimated Cost: $0.0000002042 USD"
/// );
/// ```
///
/// Priced on several providers ([`priced`](InvocationReport::priced)), the line names
/// the provider of its `Estimated Cost` and adds one `Cost <provider>`
/// field for each other one:
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::{InvocationReport, Provider, ProviderSet, Usage};
///
/// let usage = Usage::new(Duration::from_micros(1_250), 128).with_cpu_time(Duration::from_micros(800));
/// let providers = ProviderSet::only(Provider::CloudRun).with(Provider::CloudflareWorkers);
/// let report = InvocationReport::priced("req-1", usage, providers);
/// assert_eq!(report.billed_duration(), Duration::from_millis(100), "Cloud Run's 100 ms");
/// assert_eq!(
///     report.to_string(),
///     "REPORT RequestId: req-1\tDuration: 1.25 ms\tBilled Duration: 100 ms\tMemory Size: 128 MB\t\
///      Estimated Cost: $0.0000028313 USD (cloud-run)\tCost cloudflare-workers: $0.0000003200 USD"
/// );
/// assert_eq!(report.estimates().count(), 2);
/// ```
///
/// The report owns its request id (`Id` is `String`) unless made with
/// [`borrowing`](InvocationReport::borrowing) or
/// [`priced_borrowing`](InvocationReport::priced_borrowing), which keep the
/// caller's `&str`: a server writing one line per request need not copy
/// the id (an allocation) to write it.
#[derive(Debug, Clone, PartialEq)]
pub struct InvocationReport<Id = String> {
    request_id: Id,
    duration: Duration,
    billed_duration: Duration,
    memory_mb: u32,
    estimated_cost_usd: f64,
    /// Priced on these providers (none: at one [`Pricing`], as before),
    /// at these prices: held here, so that only [`priced`](Self::priced)
    /// reads the price list (a program that never prices on providers, a
    /// Worker, links no parser of it).
    priced: Option<(Usage, ProviderSet, Prices)>,
}

impl InvocationReport {
    /// The report of invocation `request_id`, which ran for `duration` with
    /// `memory_mb` configured, priced with `pricing`. Billing rounds the
    /// duration up to the next millisecond.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, Pricing};
    ///
    /// let report = InvocationReport::new(String::from("req-1"), Duration::from_micros(400), 256, Pricing::default());
    /// assert_eq!(report.request_id(), "req-1");
    /// assert_eq!(report.billed_duration(), Duration::from_millis(1));
    /// ```
    pub fn new(
        request_id: impl Into<String>,
        duration: Duration,
        memory_mb: u32,
        pricing: Pricing,
    ) -> Self {
        InvocationReport::at(request_id.into(), duration, memory_mb, pricing)
    }

    /// The report of invocation `request_id`, which used `usage`, priced on
    /// each of `providers` at the [published](PriceList::published) prices:
    /// its billed duration and estimated cost are those of
    /// [`providers.first()`](ProviderSet::first), the line lists the others
    /// too. The estimates are made when asked for (or the line written), so
    /// a report never logged costs no pricing.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, ProviderSet, Usage};
    ///
    /// let report = InvocationReport::priced("r", Usage::new(Duration::from_millis(3), 512), ProviderSet::ALL);
    /// assert_eq!(report.billed_duration(), Duration::from_millis(3), "Lambda x86's, listed first");
    /// assert_eq!(report.estimates().count(), 6);
    /// ```
    pub fn priced(request_id: impl Into<String>, usage: Usage, providers: ProviderSet) -> Self {
        InvocationReport::priced_at(request_id.into(), usage, providers)
    }
}

impl<'a> InvocationReport<&'a str> {
    /// [`new`](InvocationReport::new)'s report, keeping `request_id` as
    /// given rather than a copy of it.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, Pricing};
    ///
    /// let id = String::from("req-1");
    /// let report = InvocationReport::borrowing(&id, Duration::from_micros(1_250), 128, Pricing::AWS_LAMBDA_X86);
    /// assert_eq!(
    ///     report.to_string(),
    ///     InvocationReport::new("req-1", Duration::from_micros(1_250), 128, Pricing::AWS_LAMBDA_X86).to_string()
    /// );
    /// ```
    pub fn borrowing(
        request_id: &'a str,
        duration: Duration,
        memory_mb: u32,
        pricing: Pricing,
    ) -> Self {
        InvocationReport::at(request_id, duration, memory_mb, pricing)
    }

    /// [`priced`](InvocationReport::priced)'s report, keeping `request_id`
    /// as given rather than a copy of it.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, ProviderSet, Usage};
    ///
    /// let id = String::from("req-1");
    /// let usage = Usage::new(Duration::from_millis(3), 512);
    /// let report = InvocationReport::priced_borrowing(&id, usage, ProviderSet::ALL);
    /// assert_eq!(report.to_string(), InvocationReport::priced("req-1", usage, ProviderSet::ALL).to_string());
    /// ```
    pub fn priced_borrowing(request_id: &'a str, usage: Usage, providers: ProviderSet) -> Self {
        InvocationReport::priced_at(request_id, usage, providers)
    }
}

impl<Id: AsRef<str>> InvocationReport<Id> {
    fn at(request_id: Id, duration: Duration, memory_mb: u32, pricing: Pricing) -> Self {
        let billed_duration = round_up_to_millis(duration);
        Self {
            request_id,
            duration,
            billed_duration,
            memory_mb,
            estimated_cost_usd: pricing.cost_usd(billed_duration, memory_mb),
            priced: None,
        }
    }

    fn priced_at(request_id: Id, usage: Usage, providers: ProviderSet) -> Self {
        let prices = PriceList::published();
        let first = prices.estimate(providers.first(), &usage);
        let billed_duration = match first.billed_time() {
            BilledTime::Capacity => round_up_to_millis(usage.duration()),
            _ => first.billed(),
        };
        Self {
            request_id,
            duration: usage.duration(),
            billed_duration,
            memory_mb: usage.memory_mb(),
            estimated_cost_usd: first.usd(),
            priced: Some((usage, providers, Prices(prices))),
        }
    }

    /// Each provider's estimate, the first one first ([`priced`](InvocationReport::priced)
    /// reports; none for one made with a [`Pricing`]).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, Pricing};
    ///
    /// let report = InvocationReport::new("r", Duration::from_millis(3), 128, Pricing::default());
    /// assert_eq!(report.estimates().count(), 0);
    /// ```
    pub fn estimates(&self) -> impl Iterator<Item = Estimate> + '_ {
        self.priced
            .iter()
            .flat_map(|(usage, providers, Prices(prices))| {
                providers
                    .iter()
                    .map(move |provider| prices.estimate(provider, usage))
            })
    }

    /// What a [`priced`](InvocationReport::priced) report priced: the duration, the
    /// memory and, where measured, the CPU time.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, ProviderSet, Usage};
    ///
    /// let usage = Usage::new(Duration::from_millis(2), 128).with_cpu_time(Duration::from_micros(300));
    /// let report = InvocationReport::priced("r", usage, ProviderSet::ALL);
    /// assert_eq!(report.usage().and_then(|usage| usage.cpu_time()), Some(Duration::from_micros(300)));
    /// ```
    pub fn usage(&self) -> Option<Usage> {
        self.priced.map(|(usage, _, _)| usage)
    }

    /// The providers a [`priced`](InvocationReport::priced) report is priced on.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, ProviderSet, Usage};
    ///
    /// let report = InvocationReport::priced("r", Usage::new(Duration::ZERO, 128), ProviderSet::ALL);
    /// assert_eq!(report.providers(), Some(ProviderSet::ALL));
    /// ```
    pub fn providers(&self) -> Option<ProviderSet> {
        self.priced.map(|(_, providers, _)| providers)
    }

    /// The invocation's request id.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, Pricing};
    ///
    /// let report = InvocationReport::new("req-1", Duration::from_micros(1_250), 128, Pricing::AWS_LAMBDA_X86);
    /// assert_eq!(report.request_id(), "req-1");
    /// ```
    pub fn request_id(&self) -> &str {
        self.request_id.as_ref()
    }

    /// How long the invocation ran.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, Pricing};
    ///
    /// let report = InvocationReport::new("req-1", Duration::from_micros(1_250), 128, Pricing::AWS_LAMBDA_X86);
    /// assert_eq!(report.duration(), Duration::from_micros(1_250));
    /// ```
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The duration rounded up to the millisecond, as billed.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, Pricing};
    ///
    /// let report = InvocationReport::new("req-1", Duration::from_micros(1_250), 128, Pricing::AWS_LAMBDA_X86);
    /// assert_eq!(report.billed_duration(), Duration::from_millis(2));
    /// ```
    pub fn billed_duration(&self) -> Duration {
        self.billed_duration
    }

    /// The memory size configured, in MB.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, Pricing};
    ///
    /// let report = InvocationReport::new("req-1", Duration::from_micros(1_250), 128, Pricing::AWS_LAMBDA_X86);
    /// assert_eq!(report.memory_mb(), 128);
    /// ```
    pub fn memory_mb(&self) -> u32 {
        self.memory_mb
    }

    /// The estimated cost in USD: at one [`Pricing`], the billed GB-seconds
    /// plus the per-request price; for a report
    /// [`priced`](Self::priced) on providers, the first provider's estimate,
    /// by its own billing (CPU time on Workers; on Lambda Managed Instances
    /// the request fee alone, the instances' capacity being billed apart).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, Pricing};
    ///
    /// let report = InvocationReport::new("req-1", Duration::from_micros(1_250), 128, Pricing::AWS_LAMBDA_X86);
    /// let expected = Pricing::AWS_LAMBDA_X86.cost_usd(Duration::from_millis(2), 128);
    /// assert_eq!(report.estimated_cost_usd(), expected);
    /// ```
    pub fn estimated_cost_usd(&self) -> f64 {
        self.estimated_cost_usd
    }
}

impl<Id: AsRef<str>> fmt::Display for InvocationReport<Id> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_line(|line| f.write_str(line))
    }
}

impl<Id: AsRef<str>> InvocationReport<Id> {
    /// Calls `use_line` with the line's text, the same as
    /// [`Display`](fmt::Display) writes, for an adapter to log as a `&str`
    /// field: `report.with_line(|line| tracing::info!(target: "anyfn::report", message = line))`
    /// logs the same line as `tracing::info!(target: "anyfn::report", "{report}")`,
    /// without the two rounds of `format_args!` between the event's visitor
    /// and the text (`benches/instructions_vs_hyper.sh`). The line is made
    /// in this thread's buffer and lent, not given back: moving it out cost more than
    /// those rounds.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::{InvocationReport, Pricing};
    ///
    /// let report = InvocationReport::new("req-1", Duration::from_micros(1_250), 128, Pricing::AWS_LAMBDA_X86);
    /// assert_eq!(report.with_line(str::to_owned), report.to_string());
    /// ```
    pub fn with_line<R>(&self, use_line: impl FnOnce(&str) -> R) -> R {
        // One line writer for every `Id`, made here: written generic, it
        // was made again in each adapter, and formatted slower there.
        let report = InvocationReport {
            request_id: self.request_id.as_ref(),
            duration: self.duration,
            billed_duration: self.billed_duration,
            memory_mb: self.memory_mb,
            estimated_cost_usd: self.estimated_cost_usd,
            priced: self.priced,
        };
        let mut heap = String::new();
        LINE.with(|line| match line.try_borrow_mut() {
            Ok(mut text) => {
                text.clear();
                use_line(report.make_line(&mut LineBuffer::new(&mut text), &mut heap))
            }
            // A line made while this thread's is lent (`use_line` reporting
            // again): a string of its own.
            Err(_) => {
                let mut text = String::new();
                use_line(report.make_line(&mut LineBuffer::new(&mut text), &mut heap))
            }
        })
    }
}

impl InvocationReport<&str> {
    /// The line, made in `line`, or in `heap` where only the float
    /// formatting writes it exactly.
    fn make_line<'b>(&self, line: &'b mut LineBuffer<'_>, heap: &'b mut String) -> &'b str {
        // The line is written once per invocation, so it is made in this
        // thread's buffer, integers digit by digit, and handed over in one piece:
        // float formatting and `format_args!` were most of its cost.
        let hundredths_of_ms = hundredths_of_ms(self.duration);
        let billed_ms = u64::try_from(self.billed_duration.as_millis()).unwrap_or(u64::MAX);
        // The id is the platform's, written as it came unless it holds a
        // control character: a tab or a newline in it would forge a field
        // or a line.
        let request_id = anyfn::error::without_controls(self.request_id);
        line.text("REPORT RequestId: ");
        line.text(&request_id);
        line.text("\tDuration: ");
        match hundredths_of_ms {
            Some(hundredths_of_ms) => {
                line.decimal(hundredths_of_ms / 100, 1);
                line.text(".");
                line.two_digits(hundredths_of_ms % 100);
            }
            // A tie or a huge duration: the float's own text.
            None => line.overflowed = true,
        }
        line.text(" ms");
        // From the billed duration to the cost's " USD": the same text for
        // most of a process's invocations (a handler billed 1 ms, at one
        // memory size and price), so the last one made is kept per thread
        // and copied when it fits (formatting it was a third of the line).
        let tail_key = TailKey {
            billed_ms,
            memory_mb: self.memory_mb,
            cost_bits: self.estimated_cost_usd.to_bits(),
        };
        let copied = LAST_TAIL.with(|last| {
            last.try_borrow()
                .is_ok_and(|last| last.copy_if(tail_key, line))
        });
        if !copied {
            let tail_start = line.text.len();
            line.text("\tBilled Duration: ");
            line.decimal(billed_ms, 1);
            line.text(" ms\tMemory Size: ");
            line.decimal(u64::from(self.memory_mb), 1);
            line.text(" MB\tEstimated Cost: $");
            if !line.usd(self.estimated_cost_usd) {
                // Beyond what the buffer's integers hold: format the float.
                line.overflowed = true;
            }
            line.text(" USD");
            LAST_TAIL.with(|last| {
                if let Ok(mut last) = last.try_borrow_mut() {
                    last.keep(tail_key, line, tail_start);
                }
            });
        }
        // Only a priced report has estimates: asking the others for their
        // (empty) iterator cost a hundred and more instructions a line.
        if self.priced.is_some() {
            for (index, estimate) in self.estimates().enumerate() {
                if index == 0 {
                    line.text(capacity_suffix(&estimate));
                    line.text(" (");
                    line.text(estimate.provider().id());
                    line.text(")");
                } else {
                    line.text("\tCost ");
                    line.text(estimate.provider().id());
                    line.text(": $");
                    if !line.usd(estimate.usd()) {
                        line.overflowed = true;
                    }
                    line.text(" USD");
                    line.text(capacity_suffix(&estimate));
                }
            }
        }
        if let Some(text) = line.as_str() {
            return text;
        }
        // A long request id, or a figure whose integer text could differ
        // from the float's: the float formatting, the same text.
        let _ = self.write_formatted(heap, &request_id, billed_ms);
        heap
    }

    /// The line as the float formatting writes it (the reference the stack
    /// line's integers are checked against).
    fn write_formatted(
        &self,
        f: &mut impl fmt::Write,
        request_id: &str,
        billed_ms: u64,
    ) -> fmt::Result {
        write!(
            f,
            "REPORT RequestId: {}\tDuration: {:.2} ms\tBilled Duration: {billed_ms} ms\tMemory Size: {} MB\tEstimated Cost: ${:.10} USD",
            request_id,
            self.duration.as_secs_f64() * 1000.0,
            self.memory_mb,
            self.estimated_cost_usd,
        )?;
        for (index, estimate) in self.estimates().enumerate() {
            let suffix = capacity_suffix(&estimate);
            let id = estimate.provider().id();
            if index == 0 {
                write!(f, "{suffix} ({id})")?;
            } else {
                write!(f, "\tCost {id}: ${:.10} USD{suffix}", estimate.usd())?;
            }
        }
        Ok(())
    }
}

/// The price list a report was priced at, the published one: compared by
/// address, shown by name (not its every entry).
#[derive(Clone, Copy)]
struct Prices(&'static PriceList);

impl PartialEq for Prices {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl fmt::Debug for Prices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PriceList::published()")
    }
}

/// What follows a price that is not the whole cost: Lambda Managed
/// Instances' capacity, billed apart.
fn capacity_suffix(estimate: &Estimate) -> &'static str {
    if estimate.billed_time() == BilledTime::Capacity {
        " + capacity"
    } else {
        ""
    }
}

thread_local! {
    /// The tail of the last `REPORT` line this thread wrote ([`Tail`]).
    static LAST_TAIL: std::cell::RefCell<Tail> = const { std::cell::RefCell::new(Tail::NONE) };
}

/// What a `REPORT` line's tail (`\tBilled Duration: … USD`) is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TailKey {
    billed_ms: u64,
    memory_mb: u32,
    /// The estimated cost's bits: the same cost is the same text.
    cost_bits: u64,
}

/// A `REPORT` line's tail as written, and what it was made of.
struct Tail {
    key: Option<TailKey>,
    text: String,
}

impl Tail {
    /// Room for the longest tail of usual figures (about 80 bytes); a
    /// longer one is made every time.
    const ROOM: usize = 112;

    const NONE: Self = Self {
        key: None,
        text: String::new(),
    };

    /// Keeps the tail `line` holds from `start` as made of `key`, unless
    /// the line overflowed or the tail is too long (then none is kept).
    fn keep(&mut self, key: TailKey, line: &LineBuffer<'_>, start: usize) {
        self.key = None;
        self.text.clear();
        if let Some(written) = line.text.get(start..) {
            if !line.overflowed && written.len() <= Self::ROOM {
                self.key = Some(key);
                self.text.push_str(written);
            }
        }
    }

    /// Adds this tail to `line` if it was made of `key`.
    fn copy_if(&self, key: TailKey, line: &mut LineBuffer<'_>) -> bool {
        if self.key != Some(key) {
            return false;
        }
        line.text(&self.text);
        true
    }
}

thread_local! {
    /// The text of the `REPORT` line this thread is making, kept to make
    /// the next one without allocating: a line made on the stack was
    /// zeroed first, then checked to be UTF-8 to be lent as text.
    static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// A line of text being made; a figure whose integer text could differ
/// from the float's is flagged, not written.
struct LineBuffer<'t> {
    text: &'t mut String,
    overflowed: bool,
}

impl<'t> LineBuffer<'t> {
    fn new(text: &'t mut String) -> Self {
        Self {
            text,
            overflowed: false,
        }
    }

    fn text(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// `n` in decimal, zero-padded to at least `width` digits (at most 20).
    /// Two digits a step, from a table: the line has a dozen digits, and
    /// a division per digit was a third of its cost.
    fn decimal(&mut self, mut n: u64, width: usize) {
        if n < 10 && width <= 1 {
            // One digit (a duration's whole milliseconds, most often): no
            // digit buffer to fill and copy.
            self.text.push(char::from(b'0' + n as u8));
            return;
        }
        // Zeros already: padding is where the digits start.
        let mut digits = [b'0'; 20];
        let mut start = digits.len();
        while n >= 100 {
            let pair = usize::try_from(n % 100).unwrap_or_default() * 2;
            n /= 100;
            start -= 2;
            digits[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        }
        if n >= 10 {
            let pair = usize::try_from(n).unwrap_or_default() * 2;
            start -= 2;
            digits[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        } else if n > 0 || start == digits.len() {
            start -= 1;
            digits[start] = b'0' + n as u8;
        }
        let start = start.min(digits.len() - width.min(digits.len()));
        // ASCII digits only.
        match std::str::from_utf8(&digits[start..]) {
            Ok(digits) => self.text.push_str(digits),
            Err(_) => self.overflowed = true,
        }
    }

    /// `n` (below 100) as two digits, `05` for 5: the duration's hundredths.
    fn two_digits(&mut self, n: u64) {
        let pair = usize::try_from(n % 100).unwrap_or_default() * 2;
        match DIGIT_PAIRS_TEXT.get(pair..pair + 2) {
            Some(digits) => self.text.push_str(digits),
            None => self.overflowed = true,
        }
    }

    /// `usd` with ten decimals, as `{:.10}` writes it; `false` (nothing
    /// written) where the integers could write another text: `usd` is
    /// negative, not finite, too large, or its tenth decimal too close to
    /// a rounding tie.
    fn usd(&mut self, usd: f64) -> bool {
        const UNITS_PER_USD: u64 = 10_000_000_000;
        let Some(scaled) = units_of_1e10(usd) else {
            return false;
        };
        self.decimal(scaled / UNITS_PER_USD, 1);
        self.text(".");
        self.decimal(scaled % UNITS_PER_USD, 10);
        true
    }

    /// The line, unless a figure was flagged.
    fn as_str(&self) -> Option<&str> {
        (!self.overflowed).then_some(self.text.as_str())
    }
}

/// [`DIGIT_PAIRS`] as text, for two digits to be added as a `&str`.
const DIGIT_PAIRS_TEXT: &str = "0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// `00` to `99`, two bytes each.
const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// `duration` in milliseconds rounded to two decimals, in hundredths, as
/// `{:.2}` writes `duration.as_secs_f64() * 1000.0`; `None` where the
/// integers could round otherwise than the float: an exact tie (a
/// duration of `…5` µs tens, which the float may hold a little above or
/// below, or exactly, then rounded to even) or a duration of more than
/// 10^15 ns (about 11 days), where the float's error nears a nanosecond.
/// Elsewhere the float is within 4e-16 of the exact value, and the exact
/// value a nanosecond or more from a tie: both round alike.
fn hundredths_of_ms(duration: Duration) -> Option<u64> {
    let nanos = u64::try_from(duration.as_nanos()).ok()?;
    if nanos >= 1_000_000_000_000_000 || nanos % 10_000 == 5_000 {
        return None;
    }
    Some((nanos + 5_000) / 10_000)
}

/// `usd` in units of 1e-10 USD, rounded as `{:.10}` rounds it (to the
/// nearest, ties to even, from the float's exact value); `None` where
/// the product `usd * 1e10` could round otherwise: negative (`-0.0` too),
/// not finite,
/// 2^52 units or more, or within the product's error of a tie.
fn units_of_1e10(usd: f64) -> Option<u64> {
    /// 2^52: below it, a float's fraction is held exactly.
    const EXACT: f64 = 4_503_599_627_370_496.0;
    let scaled = usd * 1e10;
    // A negative zero too: `{:.10}` writes its sign.
    if usd.is_sign_negative() || !(0.0..EXACT).contains(&scaled) {
        return None;
    }
    // Below 2^52, truncating and subtracting are exact.
    let whole = scaled as u64;
    let fraction = scaled - whole as f64;
    // The product is within half an ulp (2^-53, relative) of the exact
    // one: away from a tie by more than that (with room), both round alike.
    if (fraction - 0.5).abs() <= scaled * (1.0 / 1_125_899_906_842_624.0) + f64::MIN_POSITIVE {
        return None;
    }
    Some(whole + u64::from(fraction > 0.5))
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

    /// A platform's id with a tab or a newline (an Azure host's invocation
    /// id header) forged fields and lines in the `REPORT` line.
    #[test]
    fn regression_control_characters_in_the_request_id_are_escaped() {
        for (id, shown) in [
            ("a\tDuration: 0.00 ms", "a\\tDuration: 0.00 ms"),
            ("a\nREPORT RequestId: b", "a\\nREPORT RequestId: b"),
            ("a\u{1b}[31m", "a\\u{1b}[31m"),
        ] {
            for id in [id.to_owned(), format!("{id}{}", "x".repeat(600))] {
                let line =
                    InvocationReport::new(id.as_str(), Duration::ZERO, 128, Pricing::default())
                        .to_string();
                assert_eq!(line.matches('\t').count(), 4, "{line:?}");
                assert!(!line.contains('\n'), "{line:?}");
                assert!(
                    line.starts_with(&format!("REPORT RequestId: {shown}")),
                    "{line:?}"
                );
            }
        }
        let plain = InvocationReport::new("req-1", Duration::ZERO, 128, Pricing::default());
        assert!(plain
            .to_string()
            .starts_with("REPORT RequestId: req-1\tDuration"));
        assert_eq!(plain.request_id(), "req-1");
    }

    #[test]
    fn one_gb_second_costs_the_listed_price_plus_the_request() {
        let report =
            InvocationReport::new("r", Duration::from_secs(1), 1024, Pricing::AWS_LAMBDA_X86);
        let expected = 0.000_016_666_7 + 0.000_000_2;
        assert!((report.estimated_cost_usd() - expected).abs() < 1e-15);
    }

    /// The line as float formatting wrote it (`{:.2}`, `{:.10}`): what
    /// the integer formatting must print, byte for byte.
    fn float_line(id: &str, report: &InvocationReport<&str>) -> String {
        format!(
            "REPORT RequestId: {id}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tEstimated Cost: ${:.10} USD",
            report.duration().as_secs_f64() * 1000.0,
            report.billed_duration().as_millis(),
            report.memory_mb(),
            report.estimated_cost_usd(),
        )
    }

    /// A pseudo-random sequence (an LCG's high bits), the same each run.
    fn lcg(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 11
    }

    /// The line used to be written with `{:.2}` and `{:.10}` on floats; the
    /// integer formatting must print the same text.
    #[test]
    fn regression_report_line_prints_what_float_formatting_printed() {
        let mut state: u64 = 1;
        for memory_mb in [128, 512, 1769, 10_240] {
            for _ in 0..5_000 {
                // A spread of durations from nanoseconds to days.
                let nanos = lcg(&mut state);
                let duration =
                    Duration::from_nanos((nanos % 1_000_000_000_000_000) >> (nanos % 50));
                let report =
                    InvocationReport::borrowing("r", duration, memory_mb, Pricing::AWS_LAMBDA_X86);
                assert_eq!(
                    report.to_string(),
                    float_line("r", &report),
                    "{duration:?} at {memory_mb} MB"
                );
            }
        }
    }

    /// The edges of the integer formatting: zero, under a microsecond,
    /// exact ties of the second decimal (which the float holds a little
    /// above, below or exactly, then rounds to even), the largest
    /// durations, odd prices: the same text as the float formatting.
    #[test]
    fn regression_report_line_edges_print_what_float_formatting_printed() {
        let mut durations = vec![
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::from_nanos(4_999),
            Duration::from_nanos(5_000),
            Duration::from_nanos(5_001),
            Duration::from_nanos(9_999),
            Duration::from_micros(999),
            Duration::from_millis(1),
            Duration::from_secs(1),
            Duration::from_nanos(999_999_999_999_999),
            Duration::from_nanos(1_000_000_000_000_000),
            Duration::from_nanos(u64::MAX),
            Duration::from_secs(u64::MAX),
            Duration::MAX,
        ];
        // Ties: every `…5` ten of microseconds, small and large.
        for hundredths in (0..2_000).chain((0..200).map(|k| k * 1_000_003 + 77)) {
            for offset in [4_999, 5_000, 5_001] {
                durations.push(Duration::from_nanos(hundredths * 10_000 + offset));
            }
        }
        let prices = [
            Pricing::AWS_LAMBDA_X86,
            Pricing::new(0.02e-6 * 1000.0 / 0.128, 0.30e-6),
            Pricing::new(0.0, 0.0),
            Pricing::new(0.0, 5e-11),
            Pricing::new(0.0, 1.5e-10),
            Pricing::new(0.0, 2.5e-10),
            Pricing::new(1e-3, 1e-3),
            Pricing::new(1e9, 0.0),
            Pricing::new(-0.5, 0.0),
            Pricing::new(f64::NAN, 0.0),
            Pricing::new(f64::INFINITY, 0.0),
        ];
        for duration in durations {
            for pricing in prices {
                for memory_mb in [0, 128, 3008, u32::MAX] {
                    let report = InvocationReport::borrowing("req-1", duration, memory_mb, pricing);
                    assert_eq!(
                        report.to_string(),
                        float_line("req-1", &report),
                        "{duration:?}, {pricing:?}, {memory_mb} MB"
                    );
                }
            }
        }
    }

    /// The two roundings on their own, against the float formatting, on
    /// many values and on every kind of tie.
    #[test]
    fn integer_roundings_agree_with_float_formatting() {
        let mut state: u64 = 7;
        let check_ms = |duration: Duration| {
            if let Some(hundredths) = hundredths_of_ms(duration) {
                assert_eq!(
                    format!("{}.{:02}", hundredths / 100, hundredths % 100),
                    format!("{:.2}", duration.as_secs_f64() * 1000.0),
                    "{duration:?}"
                );
            }
        };
        let check_usd = |usd: f64| {
            if let Some(units) = units_of_1e10(usd) {
                assert_eq!(
                    format!("{}.{:010}", units / 10_000_000_000, units % 10_000_000_000),
                    format!("{usd:.10}"),
                    "{usd:e}"
                );
            }
        };
        for _ in 0..200_000 {
            let bits = lcg(&mut state);
            check_ms(Duration::from_nanos(bits >> (bits % 40)));
            // Costs from 1e-14 to 1e5 USD, and the halves between two
            // tenth decimals.
            let usd = (bits % 1_000_000) as f64 * 10f64.powi((bits % 19) as i32 - 20);
            check_usd(usd);
            check_usd(((bits % 1_000_000_000) as f64 + 0.5) / 1e10);
            check_usd(f64::from_bits(bits));
        }
        for usd in [
            0.0,
            5e-11,
            1.5e-10,
            2.5e-10,
            0.5,
            1e5,
            4.5e5,
            4.6e5,
            f64::MAX,
            -0.0,
            -1e-12,
        ] {
            check_usd(usd);
        }
        // The integers take nearly every value.
        let taken = (0..10_000u64)
            .filter(|k| units_of_1e10((*k as f64) * 1.414_213_562_37e-10).is_some())
            .count();
        assert!(taken > 9_990, "{taken}");
    }

    /// The tail of the last line is kept and copied when the next line's
    /// is made of the same figures: lines made one after the other, with
    /// the same and with other figures, long ids and priced reports in
    /// between, print what float formatting printed.
    #[test]
    fn regression_a_kept_tail_is_copied_only_for_the_same_figures() {
        let long_id = "x".repeat(600);
        let cases = [
            ("a", 400_000, 128, Pricing::AWS_LAMBDA_X86),
            ("b", 700_000, 128, Pricing::AWS_LAMBDA_X86),
            ("c", 1_200_000, 128, Pricing::AWS_LAMBDA_X86),
            ("d", 1_200_000, 512, Pricing::AWS_LAMBDA_X86),
            ("e", 1_200_000, 512, Pricing::new(0.001, 0.0)),
            (long_id.as_str(), 1_200_000, 512, Pricing::new(0.002, 0.0)),
            ("f", 1_200_000, 512, Pricing::new(0.001, 0.0)),
            ("g", 900_000, 128, Pricing::AWS_LAMBDA_X86),
        ];
        for round in 0..3 {
            for &(id, nanos, memory_mb, pricing) in cases.iter().chain(cases.iter().rev()) {
                let duration = Duration::from_nanos(nanos);
                let report = InvocationReport::new(id, duration, memory_mb, pricing);
                let expected = format!(
                    "REPORT RequestId: {id}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tEstimated Cost: ${:.10} USD",
                    duration.as_secs_f64() * 1000.0,
                    report.billed_duration().as_millis(),
                    memory_mb,
                    report.estimated_cost_usd(),
                );
                assert_eq!(report.to_string(), expected, "round {round}, id {id:.8}");
                let priced =
                    InvocationReport::priced(id, Usage::new(duration, memory_mb), ProviderSet::ALL);
                assert!(priced.to_string().contains("\tCost "), "{priced}");
            }
        }
    }

    /// A report priced on every provider prints one field per provider
    /// after the first, each as its estimate says, with integers or
    /// (a long id) through the formatter alike.
    #[test]
    fn a_report_on_every_provider_lists_each_once() {
        let usage = Usage::new(Duration::from_micros(1_250), 128);
        for id in ["req-1".to_owned(), "x".repeat(600)] {
            let report = InvocationReport::priced(id.as_str(), usage, ProviderSet::ALL);
            let line = report.to_string();
            let mut expected = format!(
                "REPORT RequestId: {id}\tDuration: 1.25 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tEstimated Cost: ${:.10} USD (aws-lambda-x86)",
                report.estimated_cost_usd()
            );
            for estimate in report.estimates().skip(1) {
                expected.push_str(&format!(
                    "\tCost {}: ${:.10} USD",
                    estimate.provider().id(),
                    estimate.usd()
                ));
                if estimate.provider() == crate::Provider::AwsLambdaManagedInstances {
                    expected.push_str(" + capacity");
                }
            }
            assert_eq!(line, expected);
            assert_eq!(line.matches("\tCost ").count(), 5, "{line}");
        }
    }

    /// Long request ids, and costs the integers do not hold, give the
    /// same text as the formatter writes.
    #[test]
    fn long_request_ids_and_odd_prices_print_the_same_text() {
        let long_id = "x".repeat(600);
        for (id, pricing) in [
            (long_id.as_str(), Pricing::AWS_LAMBDA_X86),
            ("r", Pricing::new(-0.5, 0.0)),
            ("r", Pricing::new(1e12, 0.0)),
            ("r", Pricing::new(f64::NAN, 0.0)),
        ] {
            let duration = Duration::from_micros(1_234_567);
            let report = InvocationReport::new(id, duration, 1024, pricing);
            let float_text = format!(
                "REPORT RequestId: {id}\tDuration: {:.2} ms\tBilled Duration: 1235 ms\tMemory Size: 1024 MB\tEstimated Cost: ${:.10} USD",
                duration.as_secs_f64() * 1000.0,
                report.estimated_cost_usd(),
            );
            assert_eq!(report.to_string(), float_text);
        }
    }
}

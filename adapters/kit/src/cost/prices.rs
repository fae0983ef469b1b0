//! [`PriceList`]: the published prices of `adapters/kit/prices.json`, the
//! one file they are kept in, each with its source and the date it was read.

use std::sync::OnceLock;

use serde::Deserialize;

/// The price file, compiled in.
const PRICES_JSON: &str = include_str!("../../prices.json");

/// Where a provider's prices come from: the page, the day it was read, and
/// what of it could be confirmed there.
///
/// # Example
///
/// ```
/// let source = anyfn_kit::PriceList::published().cloud_run().source();
/// assert!(source.url().starts_with("https://cloud.google.com/run/pricing"));
/// assert_eq!(source.read().as_bytes()[4], b'-'); // YYYY-MM-DD
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceSource {
    url: String,
    read: String,
    confirmed: String,
    note: String,
}

impl PriceSource {
    /// The page (or pages) the prices were read on.
    ///
    /// # Example
    ///
    /// ```
    /// let lambda = anyfn_kit::PriceList::published().aws_lambda_x86();
    /// assert!(lambda.source().url().starts_with("https://aws.amazon.com/lambda/pricing"));
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The day it was read, `YYYY-MM-DD`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::PriceList::published().cloud_run().source().read().len(), 10);
    /// ```
    pub fn read(&self) -> &str {
        &self.read
    }

    /// What could be confirmed on the page, and what could not.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(!anyfn_kit::PriceList::published().cloudflare_workers().source().confirmed().is_empty());
    /// ```
    pub fn confirmed(&self) -> &str {
        &self.confirmed
    }

    /// How the provider bills, in a sentence or two.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn_kit::PriceList::published().aws_lambda_managed_instances().source().note().contains("capacity"));
    /// ```
    pub fn note(&self) -> &str {
        &self.note
    }
}

/// Prices billed by memory and time, per request (AWS Lambda).
///
/// # Example
///
/// ```
/// let lambda = anyfn_kit::PriceList::published().aws_lambda_x86();
/// assert_eq!(lambda.usd_per_request, 0.0000002);
/// assert_eq!((lambda.billing_granularity_ms, lambda.minimum_ms), (1, 1));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaPrices {
    source: PriceSource,
    /// USD per GB-second (memory MB / 1024 × billed seconds).
    pub usd_per_gb_second: f64,
    /// USD per request.
    pub usd_per_request: f64,
    /// Billed time is rounded up to a multiple of this.
    pub billing_granularity_ms: u64,
    /// The least time billed.
    pub minimum_ms: u64,
}

/// Lambda Managed Instances: capacity billed, an invocation only its request.
///
/// # Example
///
/// ```
/// let managed = anyfn_kit::PriceList::published().aws_lambda_managed_instances();
/// assert_eq!(managed.usd_per_request, 0.0000002);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedInstancesPrices {
    source: PriceSource,
    /// USD per request.
    pub usd_per_request: f64,
}

/// Cloud Run's request-based billing.
///
/// # Example
///
/// ```
/// let run = anyfn_kit::PriceList::published().cloud_run();
/// assert_eq!(run.billing_granularity_ms, 100);
/// assert_eq!(run.default_vcpus, 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudRunPrices {
    source: PriceSource,
    /// USD per vCPU-second of instance time.
    pub usd_per_vcpu_second: f64,
    /// USD per GiB-second of instance time.
    pub usd_per_gib_second: f64,
    /// USD per request.
    pub usd_per_request: f64,
    /// Instance time is rounded up to a multiple of this (100 ms).
    pub billing_granularity_ms: u64,
    /// The least instance time billed.
    pub minimum_ms: u64,
    /// vCPUs an instance has unless told otherwise (Cloud Run's default, 1).
    pub default_vcpus: f64,
}

/// Azure Functions Flex Consumption, on demand.
///
/// # Example
///
/// ```
/// let flex = anyfn_kit::PriceList::published().azure_flex_consumption();
/// assert_eq!(flex.minimum_ms, 1000);
/// assert_eq!(flex.instance_memory_mb, [512, 2048, 4096]);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureFlexPrices {
    source: PriceSource,
    /// USD per GB-second of the instance's memory while it executes.
    pub usd_per_gb_second: f64,
    /// USD per execution.
    pub usd_per_execution: f64,
    /// Billed time past the minimum is rounded up to a multiple of this.
    pub billing_granularity_ms: u64,
    /// The least time billed (1,000 ms).
    pub minimum_ms: u64,
    /// The instance memory sizes one can choose, MB, smallest first.
    pub instance_memory_mb: Vec<u32>,
}

/// Cloudflare Workers, Standard usage model.
///
/// # Example
///
/// ```
/// let workers = anyfn_kit::PriceList::published().cloudflare_workers();
/// assert_eq!(workers.usd_per_cpu_ms, 0.00000002);
/// assert_eq!(workers.usd_per_request, 0.0000003);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkersPrices {
    source: PriceSource,
    /// USD per request.
    pub usd_per_request: f64,
    /// USD per CPU millisecond.
    pub usd_per_cpu_ms: f64,
    /// CPU time is rounded up to a multiple of this.
    pub billing_granularity_ms: u64,
}

macro_rules! source_accessor {
    ($($ty:ty),*) => {$(
        impl $ty {
            /// Where these prices come from and when they were read
            /// ([`PriceSource`]: URL, date, what could not be confirmed).
            ///
            /// # Example
            ///
            /// ```
            /// let prices = anyfn_kit::PriceList::published();
            /// assert!(prices.aws_lambda_x86().source().url().starts_with("https://"));
            /// assert!(prices.aws_lambda_managed_instances().source().url().starts_with("https://"));
            /// assert!(prices.cloud_run().source().url().starts_with("https://"));
            /// assert!(prices.azure_flex_consumption().source().url().starts_with("https://"));
            /// assert!(prices.cloudflare_workers().source().url().starts_with("https://"));
            /// ```
            pub fn source(&self) -> &PriceSource {
                &self.source
            }
        }
    )*};
}
source_accessor!(
    LambdaPrices,
    ManagedInstancesPrices,
    CloudRunPrices,
    AzureFlexPrices,
    WorkersPrices
);

/// Every provider's published prices: [`published`](Self::published) reads
/// them from the price file (`adapters/kit/prices.json`), each with its
/// [`PriceSource`]. [`estimate`](Self::estimate) prices an invocation.
///
/// # Example
///
/// ```
/// use anyfn_kit::PriceList;
///
/// let prices = PriceList::published();
/// assert_eq!(prices.aws_lambda_x86().usd_per_gb_second, 0.0000166667);
/// assert_eq!(prices.azure_flex_consumption().minimum_ms, 1000);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceList {
    #[serde(rename = "about")]
    _about: String,
    aws_lambda_x86: LambdaPrices,
    aws_lambda_arm: LambdaPrices,
    aws_lambda_managed_instances: ManagedInstancesPrices,
    cloud_run: CloudRunPrices,
    azure_flex_consumption: AzureFlexPrices,
    cloudflare_workers: WorkersPrices,
}

impl PriceList {
    /// The prices of the price file compiled into the kit, parsed at first
    /// use (once per process; a load of one atomic after).
    ///
    /// # Panics
    ///
    /// Never in a released kit: the file is the crate's own, and its unit
    /// tests parse it (a malformed edit fails them, not a function).
    ///
    /// # Example
    ///
    /// ```
    /// let prices = anyfn_kit::PriceList::published();
    /// assert_eq!(prices.cloudflare_workers().usd_per_request, 0.0000003);
    /// ```
    pub fn published() -> &'static PriceList {
        static PUBLISHED: OnceLock<PriceList> = OnceLock::new();
        PUBLISHED.get_or_init(|| {
            #[allow(clippy::expect_used)]
            Self::from_json(PRICES_JSON).expect("adapters/kit/prices.json is checked by its tests")
        })
    }

    /// A price list in the price file's format (for prices of your own:
    /// another region, a negotiated rate).
    ///
    /// # Errors
    ///
    /// The JSON error when `json` is not in that format (a field missing, of
    /// the wrong type, or unknown).
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn_kit::PriceList::from_json("{}").is_err());
    /// ```
    pub fn from_json(json: &str) -> Result<PriceList, serde_json::Error> {
        let mut prices: PriceList = serde_json::from_str(json)?;
        prices
            .azure_flex_consumption
            .instance_memory_mb
            .sort_unstable();
        Ok(prices)
    }

    /// AWS Lambda on x86.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::PriceList::published().aws_lambda_x86().usd_per_request, 0.0000002);
    /// ```
    pub fn aws_lambda_x86(&self) -> &LambdaPrices {
        &self.aws_lambda_x86
    }

    /// AWS Lambda on Arm.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::PriceList::published().aws_lambda_arm().usd_per_gb_second, 0.0000133334);
    /// ```
    pub fn aws_lambda_arm(&self) -> &LambdaPrices {
        &self.aws_lambda_arm
    }

    /// AWS Lambda Managed Instances.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::PriceList::published().aws_lambda_managed_instances().usd_per_request, 0.0000002);
    /// ```
    pub fn aws_lambda_managed_instances(&self) -> &ManagedInstancesPrices {
        &self.aws_lambda_managed_instances
    }

    /// Google Cloud Run, request-based billing.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::PriceList::published().cloud_run().billing_granularity_ms, 100);
    /// ```
    pub fn cloud_run(&self) -> &CloudRunPrices {
        &self.cloud_run
    }

    /// Azure Functions Flex Consumption, on demand.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::PriceList::published().azure_flex_consumption().instance_memory_mb, vec![512, 2048, 4096]);
    /// ```
    pub fn azure_flex_consumption(&self) -> &AzureFlexPrices {
        &self.azure_flex_consumption
    }

    /// Cloudflare Workers, Standard.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::PriceList::published().cloudflare_workers().usd_per_cpu_ms, 0.00000002);
    /// ```
    pub fn cloudflare_workers(&self) -> &WorkersPrices {
        &self.cloudflare_workers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file compiled in must parse: `published` relies on it.
    #[test]
    fn the_price_file_parses_and_dates_every_entry() {
        let prices = PriceList::from_json(PRICES_JSON).expect("prices.json");
        let sources = [
            prices.aws_lambda_x86().source(),
            prices.aws_lambda_arm().source(),
            prices.aws_lambda_managed_instances().source(),
            prices.cloud_run().source(),
            prices.azure_flex_consumption().source(),
            prices.cloudflare_workers().source(),
        ];
        for source in sources {
            assert!(source.url().starts_with("https://"), "{source:?}");
            let date = source.read().as_bytes();
            assert!(
                date.len() == 10 && date[4] == b'-' && date[7] == b'-',
                "{source:?}"
            );
            assert!(!source.confirmed().is_empty() && !source.note().is_empty());
        }
        assert_eq!(&prices, PriceList::published());
    }
}

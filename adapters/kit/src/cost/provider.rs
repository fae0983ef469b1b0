//! [`Provider`]: the pay-per-use offers an invocation can be priced on, and
//! [`ProviderSet`], a choice of them (what `ANYFN_REPORT_COST` names).

use std::fmt;
use std::str::FromStr;

use anyfn::Platform;

/// A pay-per-use offer whose published prices are in the price file
/// (`adapters/kit/prices.json`, [`PriceList::published`](crate::PriceList::published)).
///
/// # Example
///
/// ```
/// use anyfn_kit::Provider;
///
/// assert_eq!("cloud-run".parse::<Provider>(), Ok(Provider::CloudRun));
/// assert_eq!(Provider::AwsLambdaArm.id(), "aws-lambda-arm");
/// assert_eq!(Provider::for_platform(anyfn::Platform::AzureFunctions), Provider::AzureFlexConsumption);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Provider {
    /// AWS Lambda on x86_64: GB-s at the configured memory, per 1 ms, and a
    /// fee per request.
    AwsLambdaX86,
    /// AWS Lambda on arm64 (Graviton): as x86, a lower GB-s price.
    AwsLambdaArm,
    /// AWS Lambda Managed Instances: the capacity (EC2 instances and a
    /// management fee) is billed, not milliseconds; an invocation costs its
    /// request fee on top of it.
    AwsLambdaManagedInstances,
    /// Google Cloud Run, request-based billing: vCPU-s and GiB-s while a
    /// request is active, per 100 ms, and a fee per request.
    CloudRun,
    /// Azure Functions Flex Consumption, on demand: GB-s of the instance's
    /// memory, at least 1,000 ms then per 100 ms, and a fee per execution.
    AzureFlexConsumption,
    /// Cloudflare Workers, Standard usage model: CPU milliseconds and a fee
    /// per request.
    CloudflareWorkers,
}

impl Provider {
    /// Every provider, in the order reports list them.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::Provider;
    ///
    /// assert_eq!(Provider::ALL.len(), 6);
    /// assert_eq!(Provider::ALL[0], Provider::AwsLambdaX86);
    /// assert!(Provider::ALL.iter().all(|provider| provider.id().parse() == Ok(*provider)));
    /// ```
    pub const ALL: [Provider; 6] = [
        Provider::AwsLambdaX86,
        Provider::AwsLambdaArm,
        Provider::AwsLambdaManagedInstances,
        Provider::CloudRun,
        Provider::AzureFlexConsumption,
        Provider::CloudflareWorkers,
    ];

    /// Its name in `ANYFN_REPORT_COST` and in the `REPORT` line.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Provider::CloudflareWorkers.id(), "cloudflare-workers");
    /// ```
    pub const fn id(self) -> &'static str {
        match self {
            Self::AwsLambdaX86 => "aws-lambda-x86",
            Self::AwsLambdaArm => "aws-lambda-arm",
            Self::AwsLambdaManagedInstances => "aws-lambda-managed-instances",
            Self::CloudRun => "cloud-run",
            Self::AzureFlexConsumption => "azure-flex-consumption",
            Self::CloudflareWorkers => "cloudflare-workers",
        }
    }

    /// The offer a function running on `platform` is billed by: Lambda on
    /// x86 for Lambda (and for the local server, the test harness and
    /// platforms anyfn does not know, as anyfn always priced them), Cloud
    /// Run's request-based billing on Cloud Run, Flex Consumption on Azure.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::Provider;
    ///
    /// assert_eq!(Provider::for_platform(anyfn::Platform::CloudRun), Provider::CloudRun);
    /// assert_eq!(Provider::for_platform(anyfn::Platform::LocalServer), Provider::AwsLambdaX86);
    /// ```
    pub const fn for_platform(platform: Platform) -> Provider {
        match platform {
            Platform::CloudRun => Self::CloudRun,
            Platform::AzureFunctions => Self::AzureFlexConsumption,
            _ => Self::AwsLambdaX86,
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A name that is no [`Provider`]'s [`id`](Provider::id).
///
/// # Example
///
/// ```
/// let err = "gcf".parse::<anyfn_kit::Provider>().unwrap_err();
/// assert_eq!(err.name(), "gcf");
/// assert!(err.to_string().starts_with("unknown provider \"gcf\": expected one of aws-lambda-x86, "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider {name:?}: expected one of {}", PROVIDER_IDS)]
pub struct UnknownProvider {
    name: String,
}

impl UnknownProvider {
    /// The name, as it was given.
    ///
    /// # Example
    ///
    /// ```
    /// let err = "lambda-on-mars".parse::<anyfn_kit::Provider>().unwrap_err();
    /// assert_eq!(err.name(), "lambda-on-mars");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Every provider's id, as error messages list them.
const PROVIDER_IDS: &str = "aws-lambda-x86, aws-lambda-arm, aws-lambda-managed-instances, \
                            cloud-run, azure-flex-consumption, cloudflare-workers";

impl FromStr for Provider {
    type Err = UnknownProvider;

    /// A provider by its [`id`](Provider::id), in any case, spaces around
    /// it ignored.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let trimmed = name.trim();
        Provider::ALL
            .into_iter()
            .find(|provider| provider.id().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| UnknownProvider {
                name: name.to_owned(),
            })
    }
}

/// One or more [`Provider`]s, never none: which prices a `REPORT` line
/// shows. Kept as bits (`Copy`, no allocation), listed in
/// [`Provider::ALL`]'s order with the one chosen first ([`first`](Self::first))
/// ahead.
///
/// # Example
///
/// ```
/// use anyfn_kit::{Provider, ProviderSet};
///
/// let chosen: ProviderSet = "cloud-run, aws-lambda-arm".parse()?;
/// assert_eq!(chosen.first(), Provider::CloudRun);
/// assert_eq!(chosen.iter().collect::<Vec<_>>(), [Provider::CloudRun, Provider::AwsLambdaArm]);
/// assert_eq!("all".parse::<ProviderSet>()?, ProviderSet::ALL);
/// # Ok::<(), anyfn_kit::UnknownProvider>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProviderSet {
    bits: u8,
    first: Provider,
}

impl ProviderSet {
    /// Every provider, Lambda x86 first.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::{Provider, ProviderSet};
    ///
    /// assert_eq!(ProviderSet::ALL.first(), Provider::AwsLambdaX86);
    /// assert_eq!(ProviderSet::ALL.iter().collect::<Vec<_>>(), Provider::ALL);
    /// ```
    pub const ALL: Self = Self {
        bits: (1 << Provider::ALL.len()) - 1,
        first: Provider::AwsLambdaX86,
    };

    /// `provider` alone.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::{Provider, ProviderSet};
    ///
    /// assert_eq!(ProviderSet::only(Provider::CloudRun).len(), 1);
    /// ```
    pub const fn only(provider: Provider) -> Self {
        Self {
            bits: provider.bit(),
            first: provider,
        }
    }

    /// These and `provider`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::{Provider, ProviderSet};
    ///
    /// let set = ProviderSet::only(Provider::CloudRun).with(Provider::CloudflareWorkers);
    /// assert!(set.contains(Provider::CloudflareWorkers));
    /// ```
    #[must_use]
    pub const fn with(self, provider: Provider) -> Self {
        Self {
            bits: self.bits | provider.bit(),
            first: self.first,
        }
    }

    /// Whether `provider` is one of them.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::{Provider, ProviderSet};
    ///
    /// assert!(!ProviderSet::only(Provider::CloudRun).contains(Provider::AwsLambdaX86));
    /// ```
    pub const fn contains(self, provider: Provider) -> bool {
        self.bits & provider.bit() != 0
    }

    /// The provider named first (the `Estimated Cost` of a `REPORT` line).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::ProviderSet::ALL.first(), anyfn_kit::Provider::AwsLambdaX86);
    /// ```
    pub const fn first(self) -> Provider {
        self.first
    }

    /// How many providers.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::ProviderSet::ALL.len(), anyfn_kit::Provider::ALL.len());
    /// ```
    pub const fn len(self) -> usize {
        self.bits.count_ones() as usize
    }

    /// Never: a set holds at least one provider.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(!anyfn_kit::ProviderSet::ALL.is_empty());
    /// ```
    pub const fn is_empty(self) -> bool {
        false
    }

    /// The providers, the first one first, then in [`Provider::ALL`]'s order.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::{Provider, ProviderSet};
    ///
    /// let set = ProviderSet::only(Provider::CloudflareWorkers).with(Provider::AwsLambdaX86);
    /// assert_eq!(set.iter().collect::<Vec<_>>(), [Provider::CloudflareWorkers, Provider::AwsLambdaX86]);
    /// ```
    pub fn iter(self) -> impl Iterator<Item = Provider> {
        std::iter::once(self.first).chain(
            Provider::ALL
                .into_iter()
                .filter(move |provider| *provider != self.first && self.contains(*provider)),
        )
    }
}

impl FromStr for ProviderSet {
    type Err = UnknownProvider;

    /// `all`, or a comma-separated list of [`Provider::id`]s (any case,
    /// spaces ignored; the first named is [`first`](ProviderSet::first)).
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        if list.trim().eq_ignore_ascii_case("all") {
            return Ok(Self::ALL);
        }
        let mut names = list.split(',');
        // `split` yields at least one item, maybe empty: an error then.
        let first: Provider = names.next().unwrap_or_default().parse()?;
        names.try_fold(Self::only(first), |set, name| Ok(set.with(name.parse()?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_parses_back_to_its_provider() {
        for provider in Provider::ALL {
            assert_eq!(provider.id().parse(), Ok(provider));
            assert_eq!(provider.id().to_uppercase().parse(), Ok(provider));
        }
    }

    #[test]
    fn a_list_keeps_its_first_and_skips_repeats() {
        let set: ProviderSet = " Cloudflare-Workers ,aws-lambda-x86,cloudflare-workers"
            .parse()
            .expect("a list");
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Provider::CloudflareWorkers, Provider::AwsLambdaX86]
        );
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn empty_names_and_unknown_names_are_refused() {
        for bad in ["", " ", "cloud-run,", "lambda", "all,cloud-run"] {
            assert!(bad.parse::<ProviderSet>().is_err(), "{bad:?}");
        }
        let err = "cloud-run,gcf".parse::<ProviderSet>().unwrap_err();
        assert_eq!(err.name(), "gcf");
        assert!(err.to_string().contains("azure-flex-consumption"), "{err}");
    }
}

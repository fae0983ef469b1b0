//! What an invocation would cost on every provider: the published prices
//! ([`PriceList`], from `adapters/kit/prices.json`, with source and date),
//! the [`Provider`]s and a choice of them ([`ProviderSet`], what
//! `ANYFN_REPORT_COST` names), an invocation's [`Usage`] priced into an
//! [`Estimate`] per provider, and [`measure_cpu_time`] for the providers
//! that bill CPU time.

mod cpu_time;
mod estimate;
mod prices;
mod provider;

pub use cpu_time::{measure_cpu_time, CpuMeter};
pub use estimate::{BilledTime, Estimate, Usage};
pub use prices::{
    AzureFlexPrices, CloudRunPrices, LambdaPrices, ManagedInstancesPrices, PriceList, PriceSource,
    WorkersPrices,
};
pub use provider::{Provider, ProviderSet, UnknownProvider};

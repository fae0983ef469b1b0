//! A plain anyfn handler failing each way, wrapped in a header-adding tower
//! layer ([`rest_api::layered_failures`]), on whatever runs it.

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(rest_api::layered_failures::handler()).await
}

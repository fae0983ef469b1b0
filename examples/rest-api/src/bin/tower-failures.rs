//! A tower service failing in every way the failure contract covers
//! ([`rest_api::failures`]), on whatever runs it.

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(anyfn_tower::service(rest_api::failures::service())).await
}

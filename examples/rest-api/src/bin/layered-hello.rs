//! A plain anyfn handler wrapped in tower-http's CORS layer
//! ([`rest_api::layered_hello`]), on whatever runs it.

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(rest_api::layered_hello()).await
}

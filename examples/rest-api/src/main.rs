//! The `rest-api` example's binary: the router of [`rest_api::router`] on
//! whatever runs it (see the library's docs).

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(anyfn_tower::service(rest_api::router())).await
}

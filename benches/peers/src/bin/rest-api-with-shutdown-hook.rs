//! The `rest-api` example's binary with one (empty) shutdown hook: on
//! Lambda a function with shutdown hooks registers an internal extension
//! before its first `next` and listens for SIGTERM. Next to `rest-api` in
//! `benches/lambda_http_vs_anyfn_tower.sh`, it shows what that costs each
//! invocation.

#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::Runner::new(anyfn_tower::service(rest_api::router()))
        .on_shutdown(|_time_left| async {})
        .run()
        .await
}

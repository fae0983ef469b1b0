//! What the bench peers share: the bench scripts' peers (bare hyper, axum,
//! lambda_runtime and lambda_http functions, the drivers) are binaries of
//! this package; anyfn's own side is measured from its examples.

/// The port from the `PORT` variable, else `default`.
///
/// # Errors
///
/// When `PORT` is set to something that is not a port number.
///
/// # Example
///
/// ```
/// if std::env::var_os("PORT").is_none() {
///     assert_eq!(anyfn_bench_peers::port_from_env(3002), Ok(3002));
/// }
/// ```
pub fn port_from_env(default: u16) -> Result<u16, String> {
    match std::env::var("PORT") {
        Ok(value) if !value.is_empty() => value
            .parse()
            .map_err(|_| format!("PORT must be a port number from 0 to 65535, not {value:?}")),
        _ => Ok(default),
    }
}

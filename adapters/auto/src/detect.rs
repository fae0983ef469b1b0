//! Which adapter runs here ([`detect`]), among this build's ([`ADAPTERS`]).

/// Which adapter [`run`](crate::run) picks in this process, among those of this build:
/// `AwsLambda` on Lambda, `AzureFunctions` under the Functions host, else
/// the server, as `anyfn_server::platform` names it (`CloudRun` when
/// `K_SERVICE` is set, `LocalServer` otherwise). `None` when no adapter of
/// this build runs here (a build without `server`, off Lambda and Azure).
///
/// # Example
///
/// ```
/// let runtime = anyfn_auto::detect();
/// assert_eq!(runtime == Some(anyfn::Platform::AwsLambda), anyfn_lambda::is_lambda());
/// ```
pub fn detect() -> Option<anyfn::Platform> {
    #[cfg(feature = "lambda")]
    if anyfn_lambda::is_lambda() {
        return Some(anyfn::Platform::AwsLambda);
    }
    #[cfg(feature = "azure")]
    if anyfn_azure::is_azure() {
        return Some(anyfn::Platform::AzureFunctions);
    }
    #[cfg(feature = "server")]
    return Some(anyfn_server::platform());
    #[cfg(not(feature = "server"))]
    None
}

/// The adapters this build has, by feature name.
pub(crate) const ADAPTERS: &[&str] = &[
    #[cfg(feature = "server")]
    "server",
    #[cfg(feature = "lambda")]
    "lambda",
    #[cfg(feature = "azure")]
    "azure",
];

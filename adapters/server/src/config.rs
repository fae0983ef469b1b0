//! The server's settings and where their defaults come from.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyfn::{ErrorDetails, Platform, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT};
use anyfn_kit::{Pricing, Provider, ProviderSet, Settings};

use crate::ServeError;

/// The default port, used when neither the builder nor `PORT` names one.
///
/// # Example
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
///
/// assert_eq!(anyfn_server::DEFAULT_PORT, 3000);
/// // Where `serve` listens on a laptop, `HOST` and `PORT` unset:
/// let local = SocketAddr::from((Ipv4Addr::LOCALHOST, anyfn_server::DEFAULT_PORT));
/// assert_eq!(local.to_string(), "127.0.0.1:3000");
/// ```
pub const DEFAULT_PORT: u16 = 3000;

/// The default port on Cloud Run and Knative (`K_SERVICE` set), as the
/// Functions Frameworks use: the platform sets `PORT`, normally to this.
///
/// # Example
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
///
/// assert_eq!(anyfn_server::CLOUD_RUN_DEFAULT_PORT, 8080);
/// // Where `serve` listens on Cloud Run, `HOST` and `PORT` unset:
/// let cloud_run = SocketAddr::from((Ipv4Addr::UNSPECIFIED, anyfn_server::CLOUD_RUN_DEFAULT_PORT));
/// assert_eq!(cloud_run.to_string(), "0.0.0.0:8080");
/// ```
pub const CLOUD_RUN_DEFAULT_PORT: u16 = 8080;

/// The variable Cloud Run and Knative set to the service's name.
const K_SERVICE: &str = "K_SERVICE";

/// The timeout on Cloud Run (and Knative: `K_SERVICE` set) when neither the
/// code nor `ANYFN_TIMEOUT_MS` sets one: Cloud Run's own default request
/// timeout. The container is not told the service's configured timeout
/// (`gcloud run deploy --timeout`), so a service deployed with another one
/// sets `ANYFN_TIMEOUT_MS` to match it.
pub(crate) const CLOUD_RUN_DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The variable Cloud Run and Knative set to the revision's name.
const K_REVISION: &str = "K_REVISION";

/// Where the server runs: [`Platform::CloudRun`] when `K_SERVICE` is set
/// (Cloud Run, Cloud Run functions, Knative), else
/// [`Platform::LocalServer`]. Every invocation's
/// [`Context::platform`](anyfn::Context::platform) says the same.
///
/// # Example
///
/// ```
/// let platform = anyfn_server::platform();
/// assert_eq!(
///     platform == anyfn::Platform::CloudRun,
///     std::env::var_os("K_SERVICE").is_some_and(|name| !name.is_empty()),
/// );
/// ```
pub fn platform() -> Platform {
    platform_from_env(|name| std::env::var(name).ok())
}

fn platform_from_env(lookup: impl Fn(&str) -> Option<String>) -> Platform {
    if lookup(K_SERVICE).is_some_and(|name| !name.is_empty()) {
        Platform::CloudRun
    } else {
        Platform::LocalServer
    }
}

/// The default body limit: 6 MiB, Lambda's limit for synchronous payloads.
///
/// # Example
///
/// ```
/// use anyfn_server::DEFAULT_BODY_LIMIT;
///
/// assert_eq!(DEFAULT_BODY_LIMIT, 6 * 1024 * 1024);
/// # let handler = anyfn::handler_fn(|_: anyfn::Request, _: anyfn::Context| async { Ok::<_, anyfn::Error>(()) });
/// // Uploads of up to twice as much:
/// let server = anyfn_server::Server::new(handler).body_limit(2 * DEFAULT_BODY_LIMIT);
/// # drop(server);
/// ```
pub const DEFAULT_BODY_LIMIT: usize = 6 * 1024 * 1024;

/// How long shutdown waits for in-flight requests by default (and what is
/// left of it, the shutdown hooks' time).
///
/// # Example
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(anyfn_server::DEFAULT_DRAIN_TIMEOUT, Duration::from_secs(30));
/// ```
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The drain timeout on Cloud Run (`K_SERVICE` set) by default: Cloud Run
/// kills an instance 10 s after its SIGTERM, so the drain and the shutdown
/// hooks end within 9 s, and a hook's time left is the time it really has.
///
/// # Example
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(anyfn_server::CLOUD_RUN_DRAIN_TIMEOUT, Duration::from_secs(9));
/// // Within Cloud Run's 10 s between SIGTERM and SIGKILL:
/// assert!(anyfn_server::CLOUD_RUN_DRAIN_TIMEOUT < Duration::from_secs(10));
/// ```
pub const CLOUD_RUN_DRAIN_TIMEOUT: Duration = Duration::from_secs(9);

/// The drain timeout by default where the server runs.
fn default_drain_timeout(platform: Platform) -> Duration {
    match platform {
        Platform::CloudRun => CLOUD_RUN_DRAIN_TIMEOUT,
        _ => DEFAULT_DRAIN_TIMEOUT,
    }
}

/// How long a client may take to send its request headers by default.
///
/// # Example
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(anyfn_server::DEFAULT_HEADER_READ_TIMEOUT, Duration::from_secs(30));
/// ```
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a client may take to send its request body by default.
///
/// # Example
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(anyfn_server::DEFAULT_BODY_READ_TIMEOUT, Duration::from_secs(30));
/// ```
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest request head (request line and headers) accepted by default:
/// 64 KiB, as an Application Load Balancer accepts; larger ones get 431.
///
/// # Example
///
/// ```
/// assert_eq!(anyfn_server::DEFAULT_MAX_HEADER_BYTES, 64 * 1024);
/// ```
pub const DEFAULT_MAX_HEADER_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) addr: Option<SocketAddr>,
    /// What the builder set; [`resolve`](Self::resolve) turns it, with the
    /// environment's, into the four fields after it.
    pub(crate) settings: Settings,
    pub(crate) timeout: Duration,
    pub(crate) body_limit: usize,
    pub(crate) memory_mb: u32,
    pub(crate) function_name: Arc<str>,
    pub(crate) function_version: Arc<str>,
    pub(crate) pricing: Pricing,
    /// The providers the REPORT line prices on: `ANYFN_REPORT_COST` (or the
    /// builder's), else Cloud Run's on Cloud Run; none (the one `pricing`,
    /// Lambda x86's unless set) elsewhere.
    pub(crate) report_cost: Option<ProviderSet>,
    /// Whether a price of the REPORT line bills CPU time (Cloudflare
    /// Workers): then each handler's polls are timed on the thread's CPU clock.
    pub(crate) measures_cpu: bool,
    /// Whether each invocation ends with a REPORT line: `ANYFN_REPORT_LINE`
    /// (or the builder's), else on.
    pub(crate) report_line: bool,
    pub(crate) drain_timeout: Duration,
    pub(crate) header_read_timeout: Duration,
    pub(crate) body_read_timeout: Duration,
    pub(crate) max_header_bytes: usize,
    pub(crate) error_details: ErrorDetails,
    pub(crate) default_subscriber: bool,
    pub(crate) platform: Platform,
}

impl Default for Config {
    fn default() -> Self {
        let platform = platform();
        Self {
            addr: None,
            settings: Settings::new(),
            timeout: DEFAULT_TIMEOUT,
            body_limit: DEFAULT_BODY_LIMIT,
            memory_mb: DEFAULT_MEMORY_MB,
            function_name: env_nonempty(K_SERVICE)
                .unwrap_or_else(default_function_name)
                .into(),
            function_version: env_nonempty(K_REVISION)
                .unwrap_or_else(|| "$LATEST".to_owned())
                .into(),
            pricing: Pricing::AWS_LAMBDA_X86,
            report_cost: None,
            measures_cpu: false,
            report_line: true,
            drain_timeout: default_drain_timeout(platform),
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            error_details: ErrorDetails::Hidden,
            default_subscriber: true,
            platform,
        }
    }
}

impl Config {
    /// Sets the timeout, memory size, error details, default subscriber and
    /// REPORT line each from the builder's [`Settings`], else `env`'s (the
    /// environment's), else the server's default: 3 s (300 s on Cloud Run,
    /// [`CLOUD_RUN_DEFAULT_TIMEOUT`]), 128 MB, hidden, the default
    /// subscriber installed, and a REPORT line for each invocation.
    pub(crate) fn resolve(&mut self, env: Settings) {
        let settings = self.settings.or(env);
        let default_timeout = match self.platform {
            Platform::CloudRun => CLOUD_RUN_DEFAULT_TIMEOUT,
            _ => DEFAULT_TIMEOUT,
        };
        self.timeout = settings.timeout().unwrap_or(default_timeout);
        self.memory_mb = settings.memory_mb().unwrap_or(DEFAULT_MEMORY_MB);
        self.error_details = settings.error_details().unwrap_or_default();
        self.default_subscriber = settings.installs_default_subscriber();
        self.report_line = settings.report_line().unwrap_or(true);
        self.report_cost = settings.report_cost().or(match self.platform {
            Platform::CloudRun => Some(ProviderSet::only(Provider::CloudRun)),
            _ => None,
        });
        self.measures_cpu = self
            .report_cost
            .is_some_and(|providers| providers.contains(Provider::CloudflareWorkers));
    }

    /// The address to bind: the builder's, else `HOST` and `PORT` from the
    /// environment (see [`addr_from_env`]).
    pub(crate) fn resolve_addr(&self) -> Result<SocketAddr, ServeError> {
        if let Some(addr) = self.addr {
            return Ok(addr);
        }
        addr_from_env(|name| std::env::var(name).ok())
    }
}

/// `HOST` and `PORT` as read by `lookup`. Their defaults: on Cloud Run and
/// Knative (`K_SERVICE` set), every interface and 8080, as the platform
/// requires and the Functions Frameworks do; elsewhere loopback and 3000, so
/// a function on a laptop is not reachable from the network.
pub(crate) fn addr_from_env(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<SocketAddr, ServeError> {
    let cloud_run = platform_from_env(&lookup) == Platform::CloudRun;
    let host = match lookup("HOST").filter(|v| !v.is_empty()) {
        None if cloud_run => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        None => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Some(value) => value.parse().map_err(|_| ServeError::InvalidEnv {
            name: "HOST",
            reason: "expected an IP address such as 127.0.0.1 or 0.0.0.0".to_owned(),
            value,
        })?,
    };
    let port = match lookup("PORT").filter(|v| !v.is_empty()) {
        None if cloud_run => CLOUD_RUN_DEFAULT_PORT,
        None => DEFAULT_PORT,
        Some(value) => value.parse().map_err(|_| ServeError::InvalidEnv {
            name: "PORT",
            reason: "expected a port number from 0 to 65535".to_owned(),
            value,
        })?,
    };
    Ok(SocketAddr::new(host, port))
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// The executable's name, the closest thing a local process has to a function name.
fn default_function_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "anyfn-function".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn defaults_to_loopback_3000() {
        let addr = addr_from_env(env(&[])).ok();
        assert_eq!(addr, Some(SocketAddr::from(([127, 0, 0, 1], 3000))));
    }

    #[test]
    fn port_and_host_override() {
        let addr = addr_from_env(env(&[("PORT", "8080"), ("HOST", "0.0.0.0")])).ok();
        assert_eq!(addr, Some(SocketAddr::from(([0, 0, 0, 0], 8080))));
    }

    #[test]
    fn on_cloud_run_binds_every_interface_on_8080() {
        let addr = addr_from_env(env(&[("K_SERVICE", "orders")])).ok();
        assert_eq!(addr, Some(SocketAddr::from(([0, 0, 0, 0], 8080))));
        let addr = addr_from_env(env(&[("K_SERVICE", "orders"), ("PORT", "9090")])).ok();
        assert_eq!(addr, Some(SocketAddr::from(([0, 0, 0, 0], 9090))));
        let addr = addr_from_env(env(&[("K_SERVICE", "orders"), ("HOST", "127.0.0.1")])).ok();
        assert_eq!(addr, Some(SocketAddr::from(([127, 0, 0, 1], 8080))));
    }

    #[test]
    fn an_empty_k_service_is_not_cloud_run() {
        let addr = addr_from_env(env(&[("K_SERVICE", "")])).ok();
        assert_eq!(addr, Some(SocketAddr::from(([127, 0, 0, 1], 3000))));
        assert_eq!(
            platform_from_env(env(&[("K_SERVICE", "")])),
            Platform::LocalServer
        );
        assert_eq!(
            platform_from_env(env(&[("K_SERVICE", "orders")])),
            Platform::CloudRun
        );
    }

    /// The settings the environment `pairs` give.
    fn env_settings(pairs: &[(&str, &str)]) -> Settings {
        Settings::from_lookup(env(pairs)).expect("valid settings")
    }

    #[test]
    fn on_cloud_run_the_drain_ends_before_cloud_runs_sigkill() {
        assert_eq!(
            default_drain_timeout(Platform::CloudRun),
            Duration::from_secs(9)
        );
        assert_eq!(
            default_drain_timeout(Platform::LocalServer),
            DEFAULT_DRAIN_TIMEOUT
        );
    }

    #[test]
    fn regression_on_cloud_run_the_default_timeout_is_cloud_runs_own() {
        let mut config = Config {
            platform: Platform::CloudRun,
            ..Config::default()
        };
        config.resolve(Settings::new());
        assert_eq!(config.timeout, CLOUD_RUN_DEFAULT_TIMEOUT);
        assert_eq!(CLOUD_RUN_DEFAULT_TIMEOUT, Duration::from_secs(300));
        config.resolve(env_settings(&[("ANYFN_TIMEOUT_MS", "4500")]));
        assert_eq!(
            config.timeout,
            Duration::from_millis(4500),
            "the variable still sets it"
        );
    }

    #[test]
    fn each_setting_is_the_builders_else_the_environments_else_the_default() {
        let mut config = Config {
            platform: Platform::LocalServer,
            ..Config::default()
        };
        config.resolve(Settings::new());
        assert_eq!(
            (
                config.timeout,
                config.memory_mb,
                config.error_details,
                config.default_subscriber
            ),
            (DEFAULT_TIMEOUT, 128, ErrorDetails::Hidden, true),
            "the server's defaults"
        );

        let env = env_settings(&[
            ("ANYFN_TIMEOUT_MS", "200"),
            ("ANYFN_MEMORY_MB", "512"),
            ("ANYFN_ERROR_DETAILS", "show"),
            ("ANYFN_DEFAULT_SUBSCRIBER", "off"),
        ]);
        config.resolve(env);
        assert_eq!(
            (
                config.timeout,
                config.memory_mb,
                config.error_details,
                config.default_subscriber
            ),
            (Duration::from_millis(200), 512, ErrorDetails::Shown, false),
            "the environment's over the defaults"
        );

        config.settings = Settings::new()
            .with_timeout(Duration::from_secs(10))
            .with_memory_mb(1024)
            .with_error_details(ErrorDetails::Hidden)
            .with_default_subscriber(true);
        config.resolve(env);
        assert_eq!(
            (
                config.timeout,
                config.memory_mb,
                config.error_details,
                config.default_subscriber
            ),
            (Duration::from_secs(10), 1024, ErrorDetails::Hidden, true),
            "the builder's over the environment's"
        );

        config.settings = Settings::new().with_memory_mb(256);
        config.resolve(env);
        assert_eq!(
            (config.timeout, config.memory_mb),
            (Duration::from_millis(200), 256),
            "one setting from each"
        );
    }

    #[test]
    fn bad_port_names_the_variable() {
        let err = addr_from_env(env(&[("PORT", "http")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable PORT=\"http\" is invalid: expected a port number from 0 to 65535"
        );
    }
}

//! [`Settings`]: what every adapter lets a function set the same way (its
//! timeout, its memory size, whether the default subscriber is installed,
//! how much of a server error HTTP clients see, and whether and on which
//! providers each invocation's `REPORT` line is written), from code or
//! from the environment, and [`SettingsError`] for a variable that holds a
//! bad value.

use std::fmt;
use std::time::Duration;

use anyfn::ErrorDetails;

use crate::cost::ProviderSet;
use crate::log::DEFAULT_SUBSCRIBER_ENV;

/// The variable that sets each invocation's timeout, in milliseconds:
/// `ANYFN_TIMEOUT_MS=10000`. See [`Settings::timeout`].
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::{Settings, TIMEOUT_ENV};
///
/// let settings = Settings::from_lookup(|name| (name == TIMEOUT_ENV).then(|| "2500".to_owned()))?;
/// assert_eq!(settings.timeout(), Some(Duration::from_millis(2500)));
/// # Ok::<(), anyfn_kit::SettingsError>(())
/// ```
pub const TIMEOUT_ENV: &str = "ANYFN_TIMEOUT_MS";

/// The variable that sets the memory size, in MB: `ANYFN_MEMORY_MB=512`.
/// See [`Settings::memory_mb`].
///
/// # Example
///
/// ```
/// use anyfn_kit::{Settings, MEMORY_ENV};
///
/// let settings = Settings::from_lookup(|name| (name == MEMORY_ENV).then(|| "512".to_owned()))?;
/// assert_eq!(settings.memory_mb(), Some(512));
/// # Ok::<(), anyfn_kit::SettingsError>(())
/// ```
pub const MEMORY_ENV: &str = "ANYFN_MEMORY_MB";

/// The variable that says how much of a server error HTTP clients see:
/// `ANYFN_ERROR_DETAILS=show`. See [`Settings::error_details`]; the same
/// name as [`ErrorDetails::ENV_VAR`].
///
/// # Example
///
/// ```
/// use anyfn_kit::{Settings, ERROR_DETAILS_ENV};
///
/// let settings = Settings::from_lookup(|name| (name == ERROR_DETAILS_ENV).then(|| "show".to_owned()))?;
/// assert_eq!(settings.error_details(), Some(anyfn::ErrorDetails::Shown));
/// assert_eq!(ERROR_DETAILS_ENV, anyfn::ErrorDetails::ENV_VAR);
/// # Ok::<(), anyfn_kit::SettingsError>(())
/// ```
pub const ERROR_DETAILS_ENV: &str = ErrorDetails::ENV_VAR;

/// The variable that picks the providers the `REPORT` line prices each
/// invocation on: `ANYFN_REPORT_COST=all`, or a list such as
/// `ANYFN_REPORT_COST=cloud-run,aws-lambda-arm`. See
/// [`Settings::report_cost`].
///
/// # Example
///
/// ```
/// use anyfn_kit::{Provider, Settings, REPORT_COST_ENV};
///
/// let settings = Settings::from_lookup(|name| (name == REPORT_COST_ENV).then(|| "cloud-run, aws-lambda-arm".to_owned()))?;
/// let providers = settings.report_cost().expect("set");
/// assert_eq!(providers.iter().collect::<Vec<_>>(), [Provider::CloudRun, Provider::AwsLambdaArm]);
/// # Ok::<(), anyfn_kit::SettingsError>(())
/// ```
pub const REPORT_COST_ENV: &str = "ANYFN_REPORT_COST";

/// The variable that says whether each invocation ends with a `REPORT`
/// line: `ANYFN_REPORT_LINE=off`. See [`Settings::report_line`].
///
/// # Example
///
/// ```
/// use anyfn_kit::{Settings, REPORT_LINE_ENV};
///
/// let settings = Settings::from_lookup(|name| (name == REPORT_LINE_ENV).then(|| "off".to_owned()))?;
/// assert_eq!(settings.report_line(), Some(false));
/// # Ok::<(), anyfn_kit::SettingsError>(())
/// ```
pub const REPORT_LINE_ENV: &str = "ANYFN_REPORT_LINE";

/// What [`REPORT_COST_ENV`] must hold.
const REPORT_COST_EXPECTED: &str = "all, or a comma-separated list of aws-lambda-x86, \
    aws-lambda-arm, aws-lambda-managed-instances, cloud-run, azure-flex-consumption, \
    cloudflare-workers";
/// What [`TIMEOUT_ENV`] must hold.
const TIMEOUT_EXPECTED: &str = "a positive whole number of milliseconds, such as 10000";
/// What [`MEMORY_ENV`] must hold.
const MEMORY_EXPECTED: &str = "a positive whole number of MB, such as 512";
/// What [`DEFAULT_SUBSCRIBER_ENV`] must hold.
const SUBSCRIBER_EXPECTED: &str = "on or off (or 1/0, true/false, yes/no)";
/// What [`REPORT_LINE_ENV`] must hold.
const REPORT_LINE_EXPECTED: &str = "on or off (or 1/0, true/false, yes/no)";
/// What [`ERROR_DETAILS_ENV`] must hold.
const ERROR_DETAILS_EXPECTED: &str = "show or hide (or on/off, 1/0, true/false, yes/no)";

/// The settings every adapter shares, each one either set or not set here.
///
/// | setting | builder method | variable |
/// |---|---|---|
/// | each invocation's timeout | `timeout` | `ANYFN_TIMEOUT_MS` ([`TIMEOUT_ENV`]) |
/// | memory size, MB | `memory_mb` | `ANYFN_MEMORY_MB` ([`MEMORY_ENV`]) |
/// | install the default `tracing` subscriber | `default_subscriber` | `ANYFN_DEFAULT_SUBSCRIBER` ([`DEFAULT_SUBSCRIBER_ENV`]) |
/// | what HTTP clients see of a server error | `error_details` | `ANYFN_ERROR_DETAILS` ([`ERROR_DETAILS_ENV`]) |
/// | the providers the `REPORT` line prices on | `report_cost` (the server), `settings` (every builder) | `ANYFN_REPORT_COST` ([`REPORT_COST_ENV`]) |
/// | write each invocation's `REPORT` line | `settings` (every builder) | `ANYFN_REPORT_LINE` ([`REPORT_LINE_ENV`]) |
///
/// Every adapter's builder (anyfn-server's `Server`, anyfn-lambda's
/// `Lambda`, anyfn-azure's `Azure`), anyfn-auto's `Runner` and
/// anyfn-functions' `Functions` take them with a `settings` method, and
/// each one with the method of the table. An adapter resolves each setting
/// in one order: what its builder set, else what the environment says
/// ([`from_env`](Self::from_env)), else the platform's default; that is
/// `builder.or(Settings::from_env()?)`, then the defaults. What each
/// platform makes of a setting (Lambda's deadline and memory size are
/// Lambda's own) is in each adapter's docs.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::ErrorDetails;
/// use anyfn_kit::Settings;
///
/// let in_code = Settings::new().with_timeout(Duration::from_secs(10));
/// let from_env = Settings::from_lookup(|name| match name {
///     "ANYFN_TIMEOUT_MS" => Some("250".to_owned()),
///     "ANYFN_ERROR_DETAILS" => Some("show".to_owned()),
///     _ => None,
/// })?;
/// let settings = in_code.or(from_env);
/// assert_eq!(settings.timeout(), Some(Duration::from_secs(10)), "the code's");
/// assert_eq!(settings.error_details(), Some(ErrorDetails::Shown), "the environment's");
/// assert_eq!(settings.memory_mb(), None, "the platform's default applies");
/// # Ok::<(), anyfn_kit::SettingsError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Settings {
    timeout: Option<Duration>,
    memory_mb: Option<u32>,
    default_subscriber: Option<bool>,
    error_details: Option<ErrorDetails>,
    report_cost: Option<ProviderSet>,
    report_line: Option<bool>,
}

impl Settings {
    /// Nothing set: every setting is the environment's or the platform's.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Settings::new(), anyfn_kit::Settings::default());
    /// assert_eq!(anyfn_kit::Settings::new().timeout(), None);
    /// ```
    pub const fn new() -> Self {
        Self {
            timeout: None,
            memory_mb: None,
            default_subscriber: None,
            error_details: None,
            report_cost: None,
            report_line: None,
        }
    }

    /// Sets how long each invocation may run: past it, the handler is
    /// stopped and the invocation fails with `Timeout` (`504` over HTTP).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let settings = anyfn_kit::Settings::new().with_timeout(Duration::from_secs(10));
    /// assert_eq!(settings.timeout(), Some(Duration::from_secs(10)));
    /// ```
    #[must_use]
    pub const fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the memory size in MB: what the context reports and what the
    /// `REPORT` line's cost is estimated at.
    ///
    /// # Example
    ///
    /// ```
    /// let settings = anyfn_kit::Settings::new().with_memory_mb(512);
    /// assert_eq!(settings.memory_mb(), Some(512));
    /// ```
    #[must_use]
    pub const fn with_memory_mb(mut self, memory_mb: u32) -> Self {
        self.memory_mb = Some(memory_mb);
        self
    }

    /// Sets whether the adapter installs its default `tracing` subscriber
    /// when the program has none.
    ///
    /// # Example
    ///
    /// ```
    /// let settings = anyfn_kit::Settings::new().with_default_subscriber(false);
    /// assert_eq!(settings.default_subscriber(), Some(false));
    /// ```
    #[must_use]
    pub const fn with_default_subscriber(mut self, install: bool) -> Self {
        self.default_subscriber = Some(install);
        self
    }

    /// Sets how much of a server error (5xx) HTTP clients see.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::ErrorDetails;
    ///
    /// let settings = anyfn_kit::Settings::new().with_error_details(ErrorDetails::Shown);
    /// assert_eq!(settings.error_details(), Some(ErrorDetails::Shown));
    /// ```
    #[must_use]
    pub const fn with_error_details(mut self, details: ErrorDetails) -> Self {
        self.error_details = Some(details);
        self
    }

    /// Sets the providers the `REPORT` line prices each invocation on (by
    /// default, the one of the platform it runs on:
    /// [`Provider::for_platform`](crate::Provider::for_platform)).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::{Provider, ProviderSet, Settings};
    ///
    /// let settings = Settings::new().with_report_cost(ProviderSet::only(Provider::CloudflareWorkers));
    /// assert_eq!(settings.report_cost().map(|set| set.first()), Some(Provider::CloudflareWorkers));
    /// ```
    #[must_use]
    pub const fn with_report_cost(mut self, providers: ProviderSet) -> Self {
        self.report_cost = Some(providers);
        self
    }

    /// Sets whether each invocation ends with a `REPORT` line (target
    /// `anyfn::report`, at `INFO`): its duration, billed duration, memory
    /// size and estimated cost. By default it is written by the local
    /// server, the Azure adapter and the test harness, and not on
    /// Cloudflare Workers, where the platform records each invocation's
    /// wall and CPU time itself and a Worker's clock stands still while it
    /// computes. Lambda writes its own `REPORT` line; anyfn-lambda writes
    /// none, whatever this says. A filter that drops `anyfn::report` at
    /// `INFO` (`RUST_LOG=anyfn::report=warn`) drops the line too.
    ///
    /// # Example
    ///
    /// ```
    /// let settings = anyfn_kit::Settings::new().with_report_line(false);
    /// assert_eq!(settings.report_line(), Some(false));
    /// ```
    #[must_use]
    pub const fn with_report_line(mut self, written: bool) -> Self {
        self.report_line = Some(written);
        self
    }

    /// The providers the `REPORT` line prices on, if set here.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Settings::new().report_cost(), None);
    /// ```
    pub const fn report_cost(&self) -> Option<ProviderSet> {
        self.report_cost
    }

    /// Whether each invocation ends with a `REPORT` line, if set here
    /// ([`with_report_line`](Self::with_report_line) says what each
    /// adapter does when it is not).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Settings::new().report_line(), None);
    /// ```
    pub const fn report_line(&self) -> Option<bool> {
        self.report_line
    }

    /// Each invocation's timeout, if set here.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Settings::new().timeout(), None);
    /// ```
    pub const fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The memory size in MB, if set here.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Settings::new().with_memory_mb(256).memory_mb(), Some(256));
    /// ```
    pub const fn memory_mb(&self) -> Option<u32> {
        self.memory_mb
    }

    /// Whether to install the default subscriber, if set here.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Settings::new().default_subscriber(), None);
    /// ```
    pub const fn default_subscriber(&self) -> Option<bool> {
        self.default_subscriber
    }

    /// Whether an adapter installs its default subscriber by these
    /// settings: unless they say off, as on every adapter. (The program's
    /// own subscriber and `ANYFN_DEFAULT_SUBSCRIBER=off` are checked when
    /// it is installed: [`default_subscriber_allowed`](crate::default_subscriber_allowed).)
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::Settings;
    ///
    /// assert!(Settings::new().installs_default_subscriber());
    /// assert!(!Settings::new().with_default_subscriber(false).installs_default_subscriber());
    /// ```
    pub const fn installs_default_subscriber(&self) -> bool {
        !matches!(self.default_subscriber, Some(false))
    }

    /// How much of a server error HTTP clients see, if set here.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Settings::new().error_details(), None);
    /// ```
    pub const fn error_details(&self) -> Option<anyfn::ErrorDetails> {
        self.error_details
    }

    /// These settings, and for each one not set here, `fallback`'s: the
    /// merge an adapter makes of its builder's settings and the
    /// environment's (`builder.or(env)`), as [`Option::or`] does for one.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::Settings;
    ///
    /// let builder = Settings::new().with_timeout(Duration::from_secs(1));
    /// let env = Settings::new().with_timeout(Duration::from_secs(9)).with_memory_mb(512);
    /// let merged = builder.or(env);
    /// assert_eq!(merged.timeout(), Some(Duration::from_secs(1)));
    /// assert_eq!(merged.memory_mb(), Some(512));
    /// ```
    #[must_use]
    pub const fn or(self, fallback: Settings) -> Settings {
        Settings {
            timeout: match self.timeout {
                Some(timeout) => Some(timeout),
                None => fallback.timeout,
            },
            memory_mb: match self.memory_mb {
                Some(memory_mb) => Some(memory_mb),
                None => fallback.memory_mb,
            },
            default_subscriber: match self.default_subscriber {
                Some(install) => Some(install),
                None => fallback.default_subscriber,
            },
            error_details: match self.error_details {
                Some(details) => Some(details),
                None => fallback.error_details,
            },
            report_cost: match self.report_cost {
                Some(providers) => Some(providers),
                None => fallback.report_cost,
            },
            report_line: match self.report_line {
                Some(written) => Some(written),
                None => fallback.report_line,
            },
        }
    }

    /// The settings the process environment sets, one variable each (a
    /// variable unset or empty sets nothing):
    ///
    /// - `ANYFN_TIMEOUT_MS`: a positive whole number of milliseconds;
    /// - `ANYFN_MEMORY_MB`: a positive whole number of MB;
    /// - `ANYFN_DEFAULT_SUBSCRIBER`: `off` (or `0`, `false`, `no`) or `on`
    ///   (`1`, `true`, `yes`);
    /// - `ANYFN_ERROR_DETAILS`: `show` (or `shown`, `1`, `true`, `on`,
    ///   `yes`) or `hide` (`hidden`, `0`, `false`, `off`, `no`);
    /// - `ANYFN_REPORT_COST`: `all`, or a comma-separated list of
    ///   [`Provider`](crate::Provider) ids (`cloud-run,aws-lambda-arm`);
    /// - `ANYFN_REPORT_LINE`: `off` (or `0`, `false`, `no`) or `on` (`1`,
    ///   `true`, `yes`).
    ///
    /// Case and surrounding spaces do not matter.
    ///
    /// # Errors
    ///
    /// [`SettingsError`] for the first variable (in the order above) that
    /// holds anything else, naming it, its value and what it must hold.
    ///
    /// # Example
    ///
    /// ```
    /// // Nothing is set in this test's environment.
    /// assert_eq!(anyfn_kit::Settings::from_env()?, anyfn_kit::Settings::new());
    /// # Ok::<(), anyfn_kit::SettingsError>(())
    /// ```
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`from_env`](Self::from_env), with each variable read through
    /// `lookup` (a test's own values, or a platform's settings kept
    /// elsewhere than the process environment).
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::Settings;
    ///
    /// let settings = Settings::from_lookup(|name| (name == "ANYFN_TIMEOUT_MS").then(|| "1500".to_owned()))?;
    /// assert_eq!(settings.timeout(), Some(Duration::from_millis(1500)));
    ///
    /// let err = Settings::from_lookup(|name| (name == "ANYFN_TIMEOUT_MS").then(|| "soon".to_owned()))
    ///     .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "environment variable ANYFN_TIMEOUT_MS=\"soon\" is invalid: \
    ///      expected a positive whole number of milliseconds, such as 10000"
    /// );
    /// # Ok::<(), anyfn_kit::SettingsError>(())
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let read = |name: &'static str, expected: &'static str| {
            lookup(name)
                .filter(|value| !value.trim().is_empty())
                .map(|value| Variable {
                    name,
                    value,
                    expected,
                })
        };
        let timeout = read(TIMEOUT_ENV, TIMEOUT_EXPECTED)
            .map(|variable| variable.parse(|ms| ms.parse::<u64>().ok().filter(|ms| *ms > 0)))
            .transpose()?
            .map(Duration::from_millis);
        let memory_mb = read(MEMORY_ENV, MEMORY_EXPECTED)
            .map(|variable| variable.parse(|mb| mb.parse::<u32>().ok().filter(|mb| *mb > 0)))
            .transpose()?;
        let default_subscriber = read(DEFAULT_SUBSCRIBER_ENV, SUBSCRIBER_EXPECTED)
            .map(|variable| variable.parse(|value| switch(value, &["on", "1", "true", "yes"])))
            .transpose()?;
        let error_details = read(ERROR_DETAILS_ENV, ERROR_DETAILS_EXPECTED)
            .map(|variable| variable.parse(error_details))
            .transpose()?;
        let report_cost = read(REPORT_COST_ENV, REPORT_COST_EXPECTED)
            .map(|variable| variable.parse(|list| list.parse::<ProviderSet>().ok()))
            .transpose()?;
        let report_line = read(REPORT_LINE_ENV, REPORT_LINE_EXPECTED)
            .map(|variable| variable.parse(|value| switch(value, &["on", "1", "true", "yes"])))
            .transpose()?;
        Ok(Self {
            timeout,
            memory_mb,
            default_subscriber,
            error_details,
            report_cost,
            report_line,
        })
    }
}

/// One variable that is set, to be parsed.
struct Variable {
    name: &'static str,
    value: String,
    expected: &'static str,
}

impl Variable {
    /// The value `parse` reads from the trimmed text, or the error naming
    /// the variable.
    fn parse<T>(self, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, SettingsError> {
        parse(&self.value.trim().to_ascii_lowercase()).ok_or(SettingsError {
            name: self.name,
            value: self.value,
            expected: self.expected,
        })
    }
}

/// `true` for one of `yes`, `false` for `off`, `0`, `false` or `no`;
/// `None` for anything else. `value` is in lower case.
fn switch(value: &str, yes: &[&str]) -> Option<bool> {
    if yes.contains(&value) {
        Some(true)
    } else if ["off", "0", "false", "no"].contains(&value) {
        Some(false)
    } else {
        None
    }
}

/// `ANYFN_ERROR_DETAILS`: the words [`ErrorDetails::from_env`] takes for
/// shown, and their opposites for hidden. `value` is in lower case.
fn error_details(value: &str) -> Option<ErrorDetails> {
    match value {
        "hide" | "hidden" => Some(ErrorDetails::Hidden),
        _ => switch(value, &["show", "shown", "1", "true", "on", "yes"]).map(|shown| {
            if shown {
                ErrorDetails::Shown
            } else {
                ErrorDetails::Hidden
            }
        }),
    }
}

/// A variable of [`Settings::from_env`] that holds a value it cannot use:
/// which variable, the value, and what it must hold. Each adapter turns it
/// into its own start-up error (`InvalidEnv`).
///
/// # Example
///
/// ```
/// let err = anyfn_kit::Settings::from_lookup(|name| {
///     (name == "ANYFN_MEMORY_MB").then(|| "lots".to_owned())
/// })
/// .unwrap_err();
/// assert_eq!(err.name(), "ANYFN_MEMORY_MB");
/// assert_eq!(err.value(), "lots");
/// assert_eq!(err.expected(), "a positive whole number of MB, such as 512");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    name: &'static str,
    value: String,
    expected: &'static str,
}

impl SettingsError {
    /// The variable's name, such as `ANYFN_TIMEOUT_MS`.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn_kit::Settings::from_lookup(|_| Some("x".to_owned())).unwrap_err();
    /// assert_eq!(err.name(), "ANYFN_TIMEOUT_MS");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The value it holds, as it was found.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn_kit::Settings::from_lookup(|_| Some(" -5 ".to_owned())).unwrap_err();
    /// assert_eq!(err.value(), " -5 ");
    /// ```
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What it must hold, such as `a positive whole number of
    /// milliseconds, such as 10000`.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn_kit::Settings::from_lookup(|_| Some("x".to_owned())).unwrap_err();
    /// assert!(err.expected().starts_with("a positive whole number of milliseconds"));
    /// ```
    pub fn expected(&self) -> &'static str {
        self.expected
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "environment variable {}={} is invalid: expected {}",
            self.name,
            anyfn::error::quoted(&self.value),
            self.expected
        )
    }
}

impl std::error::Error for SettingsError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings `pairs` of variables give.
    fn from(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        Settings::from_lookup(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn nothing_set_sets_nothing() {
        assert_eq!(from(&[]), Ok(Settings::new()));
        let empty = [
            (TIMEOUT_ENV, ""),
            (MEMORY_ENV, " "),
            (DEFAULT_SUBSCRIBER_ENV, ""),
            (ERROR_DETAILS_ENV, "\t"),
        ];
        assert_eq!(from(&empty), Ok(Settings::new()), "empty is unset");
    }

    #[test]
    fn the_variables_have_their_names() {
        assert_eq!(TIMEOUT_ENV, "ANYFN_TIMEOUT_MS");
        assert_eq!(MEMORY_ENV, "ANYFN_MEMORY_MB");
        assert_eq!(DEFAULT_SUBSCRIBER_ENV, "ANYFN_DEFAULT_SUBSCRIBER");
        assert_eq!(ERROR_DETAILS_ENV, "ANYFN_ERROR_DETAILS");
    }

    #[test]
    fn the_timeout_is_read_in_milliseconds() {
        let read = |value| from(&[(TIMEOUT_ENV, value)]).map(|settings| settings.timeout());
        assert_eq!(read("250"), Ok(Some(Duration::from_millis(250))));
        assert_eq!(read(" 10000 "), Ok(Some(Duration::from_secs(10))));
        assert_eq!(
            read("18446744073709551615"),
            Ok(Some(Duration::from_millis(u64::MAX)))
        );
        for bad in ["0", "-1", "1.5", "10s", "soon", "18446744073709551616"] {
            let err = read(bad).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "environment variable ANYFN_TIMEOUT_MS={bad:?} is invalid: \
                     expected a positive whole number of milliseconds, such as 10000"
                )
            );
            assert_eq!((err.name(), err.value()), (TIMEOUT_ENV, bad));
        }
    }

    #[test]
    fn the_memory_size_is_read_in_mb() {
        let read = |value| from(&[(MEMORY_ENV, value)]).map(|settings| settings.memory_mb());
        assert_eq!(read("512"), Ok(Some(512)));
        assert_eq!(read("4294967295"), Ok(Some(u32::MAX)));
        for bad in ["0", "-128", "1.5", "1GB", "4294967296"] {
            let err = read(bad).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "environment variable ANYFN_MEMORY_MB={bad:?} is invalid: \
                     expected a positive whole number of MB, such as 512"
                )
            );
        }
    }

    #[test]
    fn the_default_subscriber_is_on_or_off() {
        let read = |value| {
            from(&[(DEFAULT_SUBSCRIBER_ENV, value)]).map(|settings| settings.default_subscriber())
        };
        for off in ["off", "0", "false", "no", " OFF ", "False"] {
            assert_eq!(read(off), Ok(Some(false)), "{off}");
        }
        for on in ["on", "1", "true", "yes", "On", "YES"] {
            assert_eq!(read(on), Ok(Some(true)), "{on}");
        }
        let err = read("quiet").unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable ANYFN_DEFAULT_SUBSCRIBER=\"quiet\" is invalid: \
             expected on or off (or 1/0, true/false, yes/no)"
        );
    }

    #[test]
    fn error_details_are_shown_or_hidden() {
        let read =
            |value| from(&[(ERROR_DETAILS_ENV, value)]).map(|settings| settings.error_details());
        for shown in ["show", "shown", "1", "true", "on", "yes", " SHOW "] {
            assert_eq!(read(shown), Ok(Some(ErrorDetails::Shown)), "{shown}");
        }
        for hidden in ["hide", "hidden", "0", "false", "off", "no", "Hidden"] {
            assert_eq!(read(hidden), Ok(Some(ErrorDetails::Hidden)), "{hidden}");
        }
        let err = read("verbose").unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable ANYFN_ERROR_DETAILS=\"verbose\" is invalid: \
             expected show or hide (or on/off, 1/0, true/false, yes/no)"
        );
    }

    #[test]
    fn the_report_cost_names_providers_or_all() {
        use crate::Provider;
        let set = from(&[(REPORT_COST_ENV, "Cloud-Run, cloudflare-workers")])
            .expect("a list")
            .report_cost()
            .expect("set");
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Provider::CloudRun, Provider::CloudflareWorkers]
        );
        assert_eq!(
            from(&[(REPORT_COST_ENV, " ALL ")]).map(|s| s.report_cost()),
            Ok(Some(ProviderSet::ALL))
        );
        for bad in ["lambda", "cloud-run,,aws-lambda-x86", "none"] {
            let err = from(&[(REPORT_COST_ENV, bad)]).expect_err(bad);
            assert_eq!((err.name(), err.value()), (REPORT_COST_ENV, bad));
            assert!(err.expected().contains("cloudflare-workers"), "{err}");
        }
    }

    #[test]
    fn the_report_line_is_on_or_off() {
        let read = |value| from(&[(REPORT_LINE_ENV, value)]).map(|settings| settings.report_line());
        for off in ["off", "0", "false", "no", " OFF "] {
            assert_eq!(read(off), Ok(Some(false)), "{off}");
        }
        for on in ["on", "1", "true", "yes", "On"] {
            assert_eq!(read(on), Ok(Some(true)), "{on}");
        }
        assert_eq!(read("  "), Ok(None), "blank sets nothing");
        let err = read("sometimes").unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable ANYFN_REPORT_LINE=\"sometimes\" is invalid: \
             expected on or off (or 1/0, true/false, yes/no)"
        );
    }

    #[test]
    fn every_variable_is_read_at_once() {
        let settings = from(&[
            (TIMEOUT_ENV, "1500"),
            (MEMORY_ENV, "1024"),
            (DEFAULT_SUBSCRIBER_ENV, "off"),
            (ERROR_DETAILS_ENV, "show"),
            (REPORT_LINE_ENV, "off"),
        ]);
        assert_eq!(
            settings,
            Ok(Settings::new()
                .with_timeout(Duration::from_millis(1500))
                .with_memory_mb(1024)
                .with_default_subscriber(false)
                .with_error_details(ErrorDetails::Shown)
                .with_report_line(false))
        );
    }

    #[test]
    fn a_bad_value_is_refused_whatever_the_others_hold() {
        let err = from(&[(TIMEOUT_ENV, "250"), (ERROR_DETAILS_ENV, "loud")]).unwrap_err();
        assert_eq!(err.name(), ERROR_DETAILS_ENV);
        assert_eq!(err.value(), "loud");
    }

    #[test]
    fn a_long_or_hostile_value_is_quoted_bounded() {
        let long = format!("\n{}", "9x".repeat(1000));
        let message = from(&[(TIMEOUT_ENV, &long)]).unwrap_err().to_string();
        assert!(message.contains("\"\\n9x9x"), "{message}");
        assert!(message.contains("… (2001 bytes)"), "{message}");
        assert!(!message.contains('\n'), "one line: {message}");
    }

    #[test]
    fn or_keeps_each_setting_set_here_and_takes_the_others() {
        let all = Settings::new()
            .with_timeout(Duration::from_secs(1))
            .with_memory_mb(256)
            .with_default_subscriber(true)
            .with_error_details(ErrorDetails::Shown)
            .with_report_line(true);
        let others = Settings::new()
            .with_timeout(Duration::from_secs(9))
            .with_memory_mb(1024)
            .with_default_subscriber(false)
            .with_error_details(ErrorDetails::Hidden)
            .with_report_line(false);
        assert_eq!(all.or(others), all, "every one set here wins");
        assert_eq!(Settings::new().or(others), others, "none set here");
        assert_eq!(all.or(Settings::new()), all, "none to fall back on");

        let some = Settings::new()
            .with_memory_mb(256)
            .with_error_details(ErrorDetails::Shown);
        assert_eq!(
            some.or(others),
            Settings::new()
                .with_timeout(Duration::from_secs(9))
                .with_memory_mb(256)
                .with_default_subscriber(false)
                .with_error_details(ErrorDetails::Shown)
                .with_report_line(false),
        );
        let rest = Settings::new()
            .with_timeout(Duration::from_secs(1))
            .with_default_subscriber(true);
        assert_eq!(
            rest.or(others),
            Settings::new()
                .with_timeout(Duration::from_secs(1))
                .with_memory_mb(1024)
                .with_default_subscriber(true)
                .with_error_details(ErrorDetails::Hidden)
                .with_report_line(false),
        );
    }
}

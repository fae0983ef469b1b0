//! What Lambda tells a function through its environment.

use crate::LambdaError;

/// The Runtime API's address: set on Lambda, and by emulators.
pub(crate) const RUNTIME_API: &str = "AWS_LAMBDA_RUNTIME_API";
const FUNCTION_NAME: &str = "AWS_LAMBDA_FUNCTION_NAME";
const FUNCTION_VERSION: &str = "AWS_LAMBDA_FUNCTION_VERSION";
const FUNCTION_MEMORY_SIZE: &str = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE";
/// How many invocations a Lambda Managed Instance runs at once.
pub(crate) const MAX_CONCURRENCY: &str = "AWS_LAMBDA_MAX_CONCURRENCY";

/// The function's configuration, read and checked (lambda_runtime's
/// `Config::from_env` panics on a missing variable; this returns an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FunctionEnv {
    pub(crate) function_name: std::sync::Arc<str>,
    pub(crate) function_version: std::sync::Arc<str>,
    pub(crate) memory_mb: u32,
    /// `AWS_LAMBDA_MAX_CONCURRENCY`, read as lambda_runtime reads it (a
    /// whole number above 0; anything else is 1), so that the context says
    /// what the runtime does.
    pub(crate) max_concurrency: u32,
}

impl FunctionEnv {
    pub(crate) fn from_env() -> Result<Self, LambdaError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, LambdaError> {
        let require = |name: &'static str| {
            lookup(name)
                .filter(|value| !value.is_empty())
                .ok_or(LambdaError::MissingEnv { name })
        };
        require(RUNTIME_API)?;
        let memory = require(FUNCTION_MEMORY_SIZE)?;
        let memory_mb = match memory.parse::<u32>() {
            Ok(mb) if i32::try_from(mb).is_ok() => mb,
            _ => {
                return Err(LambdaError::InvalidEnv {
                    name: FUNCTION_MEMORY_SIZE,
                    value: memory,
                    reason: "the memory size in MB, a positive whole number",
                })
            }
        };
        Ok(Self {
            function_name: require(FUNCTION_NAME)?.into(),
            function_version: require(FUNCTION_VERSION)?.into(),
            memory_mb,
            max_concurrency: max_concurrency_from(lookup(MAX_CONCURRENCY).as_deref()),
        })
    }
}

/// The concurrency `AWS_LAMBDA_MAX_CONCURRENCY` gives, as lambda_runtime
/// reads it: a whole number above 0, else 1 (one invocation at a time), with
/// a warning when it is set to something else.
fn max_concurrency_from(value: Option<&str>) -> u32 {
    let Some(value) = value else {
        return 1;
    };
    match value.parse::<u32>() {
        Ok(n) if n > 0 => n,
        _ => {
            tracing::warn!(
                target: "anyfn::lambda",
                "{MAX_CONCURRENCY}={value:?} is not a whole number above 0: serving one invocation at a time"
            );
            1
        }
    }
}

/// Whether this process runs on AWS Lambda (or under a Runtime API emulator):
/// `AWS_LAMBDA_RUNTIME_API` is set.
///
/// # Example
///
/// ```
/// // In a test process, not on Lambda:
/// assert!(!anyfn_lambda::is_lambda() || std::env::var("AWS_LAMBDA_RUNTIME_API").is_ok());
/// ```
pub fn is_lambda() -> bool {
    std::env::var_os(RUNTIME_API).is_some_and(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    const FULL: [(&str, &str); 4] = [
        (RUNTIME_API, "127.0.0.1:9001"),
        (FUNCTION_NAME, "echo"),
        (FUNCTION_VERSION, "$LATEST"),
        (FUNCTION_MEMORY_SIZE, "256"),
    ];

    #[test]
    fn reads_the_function_configuration() {
        let env = FunctionEnv::from_lookup(lookup(&FULL)).unwrap();
        assert_eq!(&*env.function_name, "echo");
        assert_eq!(&*env.function_version, "$LATEST");
        assert_eq!(env.memory_mb, 256);
    }

    #[test]
    fn max_concurrency_is_read_as_lambda_runtime_reads_it() {
        assert_eq!(
            FunctionEnv::from_lookup(lookup(&FULL))
                .unwrap()
                .max_concurrency,
            1
        );
        let mut env = FULL.to_vec();
        env.push((MAX_CONCURRENCY, "8"));
        assert_eq!(
            FunctionEnv::from_lookup(lookup(&env))
                .unwrap()
                .max_concurrency,
            8
        );
        for bad in ["0", "-3", "many", "", " 8"] {
            assert_eq!(
                max_concurrency_from(Some(bad)),
                1,
                "{bad:?}: no panic, one at a time"
            );
        }
    }

    #[test]
    fn missing_variable_is_named() {
        let err = FunctionEnv::from_lookup(lookup(&FULL[1..])).unwrap_err();
        assert!(
            matches!(err, LambdaError::MissingEnv { name: RUNTIME_API }),
            "{err}"
        );
        assert!(err
            .to_string()
            .starts_with("environment variable AWS_LAMBDA_RUNTIME_API is not set"));
    }

    #[test]
    fn bad_memory_size_is_an_error_not_a_panic() {
        let mut env = FULL;
        env[3] = (FUNCTION_MEMORY_SIZE, "lots");
        let err = FunctionEnv::from_lookup(lookup(&env)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable AWS_LAMBDA_FUNCTION_MEMORY_SIZE=\"lots\" is invalid: expected the memory size in MB, a positive whole number"
        );
    }
}

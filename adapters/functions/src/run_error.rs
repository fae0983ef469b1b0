//! [`RunError`]: why an adapter stopped, whichever adapter it was.

use std::error::Error as StdError;
use std::fmt;

use crate::FunctionError;

/// Why an adapter stopped: [`Functions`](crate::Functions)' `run_lambda`,
/// `serve` and `run_azure`, and `anyfn_auto`'s `run` and `run_functions`
/// (which re-exports it).
///
/// Opaque, as the set of adapters is open (one per cargo feature, and
/// adapters outside this workspace): [`adapter`](Self::adapter) names the
/// adapter that failed, [`function_error`](Self::function_error) gives the
/// registry's own error, and [`downcast_ref`](Self::downcast_ref) the
/// adapter's. Its message is the adapter's error's message, so its
/// [source](std::error::Error::source) is that error's own source (not the
/// error again, which would print it twice). Its `Debug` output is the message
/// and its causes, so that `main` returning `Result<(), RunError>` prints a
/// readable reason on exit.
///
/// # Example
///
/// ```
/// use anyfn_functions::{FunctionError, RunError};
///
/// let error = RunError::from(FunctionError::NoneChosen { setting: "_HANDLER", available: vec![] });
/// assert!(error.function_error().is_some());
/// assert_eq!(error.adapter(), None);
///
/// let io = std::io::Error::other("the port is taken");
/// let error = RunError::from_adapter("my-edge", io);
/// assert_eq!(error.adapter(), Some("my-edge"));
/// assert_eq!(error.to_string(), "the port is taken");
/// assert!(error.downcast_ref::<std::io::Error>().is_some());
/// ```
pub struct RunError {
    kind: Kind,
}

enum Kind {
    Function(FunctionError),
    NoAdapter(&'static [&'static str]),
    Adapter {
        adapter: &'static str,
        source: Box<dyn StdError + Send + Sync + 'static>,
    },
}

impl RunError {
    /// The error of the adapter named `adapter` (`"lambda"`, `"server"`,
    /// `"azure"`, or one outside this workspace).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_functions::RunError;
    ///
    /// // An adapter of your own, failing to start:
    /// let error = RunError::from_adapter("my-edge", std::io::Error::other("the port is taken"));
    /// assert_eq!(error.adapter(), Some("my-edge"));
    /// assert_eq!(error.to_string(), "the port is taken");
    /// ```
    pub fn from_adapter<E>(adapter: &'static str, error: E) -> Self
    where
        E: StdError + Send + Sync + 'static,
    {
        Self {
            kind: Kind::Adapter {
                adapter,
                source: Box::new(error),
            },
        }
    }

    /// None of `adapters` (a build's adapters, by feature name) runs in
    /// this process: a binary built for Lambda alone, started on a laptop.
    ///
    /// # Example
    ///
    /// ```
    /// let error = anyfn_functions::RunError::no_adapter_here(&["lambda"]);
    /// assert!(error.is_no_adapter_here());
    /// assert_eq!(
    ///     error.to_string(),
    ///     "no adapter of this build runs here: it has lambda (its cargo features), and none \
    ///      finds its platform (AWS_LAMBDA_RUNTIME_API, FUNCTIONS_CUSTOMHANDLER_PORT); \
    ///      build with the `server` feature to serve HTTP anywhere"
    /// );
    /// ```
    pub fn no_adapter_here(adapters: &'static [&'static str]) -> Self {
        Self {
            kind: Kind::NoAdapter(adapters),
        }
    }

    /// Whether no adapter of the build runs in this process.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_functions::RunError;
    ///
    /// assert!(RunError::no_adapter_here(&["lambda", "azure"]).is_no_adapter_here());
    /// let io = std::io::Error::other("the port is taken");
    /// assert!(!RunError::from_adapter("server", io).is_no_adapter_here());
    /// ```
    pub fn is_no_adapter_here(&self) -> bool {
        matches!(self.kind, Kind::NoAdapter(_))
    }

    /// The adapter that stopped, when it was an adapter's failure and not
    /// the registry's.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_functions::{FunctionError, RunError};
    /// use anyfn_server::ServeError;
    ///
    /// let bad_port = ServeError::InvalidEnv { name: "PORT", value: "http".into(), reason: "expected a port number".into() };
    /// assert_eq!(RunError::from(bad_port).adapter(), Some("server"));
    /// let unknown = FunctionError::Unknown { name: "resize".into(), available: vec!["orders".into()] };
    /// assert_eq!(RunError::from(unknown).adapter(), None);
    /// ```
    pub fn adapter(&self) -> Option<&'static str> {
        match &self.kind {
            Kind::Adapter { adapter, .. } => Some(adapter),
            Kind::Function(_) | Kind::NoAdapter(_) => None,
        }
    }

    /// The registry's error: the function asked for is not there.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_functions::{FunctionError, Functions, RunError};
    ///
    /// let echo = |Json(v): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
    /// let functions = Functions::new().add("orders", handler_fn(echo));
    /// let unknown = functions.function("resize").unwrap_err();
    /// let error = RunError::from(unknown.clone());
    /// assert_eq!(error.function_error(), Some(&unknown));
    /// ```
    pub fn function_error(&self) -> Option<&FunctionError> {
        match &self.kind {
            Kind::Function(error) => Some(error),
            Kind::Adapter { .. } | Kind::NoAdapter(_) => None,
        }
    }

    /// The adapter's own error, when it is of type `E` (`LambdaError`,
    /// `ServeError`, `AzureError`).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_functions::RunError;
    /// use anyfn_server::ServeError;
    ///
    /// let bad_port = ServeError::InvalidEnv { name: "PORT", value: "http".into(), reason: "expected a port number".into() };
    /// let error = RunError::from(bad_port);
    /// assert!(matches!(error.downcast_ref::<ServeError>(), Some(ServeError::InvalidEnv { name: "PORT", .. })));
    /// assert!(error.downcast_ref::<std::io::Error>().is_none());
    /// ```
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        match &self.kind {
            Kind::Adapter { source, .. } => source.downcast_ref(),
            Kind::Function(_) | Kind::NoAdapter(_) => None,
        }
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Function(error) => fmt::Display::fmt(error, f),
            Kind::NoAdapter(adapters) => write!(
                f,
                "no adapter of this build runs here: it has {} (its cargo features), and none \
                 finds its platform (AWS_LAMBDA_RUNTIME_API, FUNCTIONS_CUSTOMHANDLER_PORT); \
                 build with the `server` feature to serve HTTP anywhere",
                match adapters {
                    [] => "none".to_owned(),
                    adapters => adapters.join(", "),
                }
            ),
            // The adapter's own message, as it says which adapter it is.
            Kind::Adapter { source, .. } => fmt::Display::fmt(source, f),
        }
    }
}

impl fmt::Debug for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")?;
        let mut source = StdError::source(self);
        while let Some(cause) = source {
            write!(f, "\n  caused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl StdError for RunError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            Kind::Function(_) | Kind::NoAdapter(_) => None,
            // The adapter's own error's causes: its message is in ours.
            Kind::Adapter { source, .. } => source.source(),
        }
    }
}

impl From<FunctionError> for RunError {
    fn from(error: FunctionError) -> Self {
        Self {
            kind: Kind::Function(error),
        }
    }
}

#[cfg(feature = "lambda")]
impl From<anyfn_lambda::LambdaError> for RunError {
    fn from(error: anyfn_lambda::LambdaError) -> Self {
        Self::from_adapter("lambda", error)
    }
}

#[cfg(feature = "server")]
impl From<anyfn_server::ServeError> for RunError {
    fn from(error: anyfn_server::ServeError) -> Self {
        Self::from_adapter("server", error)
    }
}

#[cfg(feature = "azure")]
impl From<anyfn_azure::AzureError> for RunError {
    fn from(error: anyfn_azure::AzureError) -> Self {
        Self::from_adapter("azure", error)
    }
}

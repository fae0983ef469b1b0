//! [`Functions`], the registry, and [`Function`], one entry of it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use anyfn::ErrorDetails;
use anyfn_kit::{Lifecycle, Settings};

use crate::erased::{Entry, ErasedFunction};
use crate::name::invalid_name_reason;
#[cfg(feature = "server")]
use crate::FunctionRouter;
#[cfg(any(feature = "server", feature = "lambda", feature = "azure"))]
use crate::RunError;
use crate::{FunctionError, NamedHandler, PortableHandler};

/// Several named functions, each an [`anyfn::Handler`] with event and output types
/// of its own, for one binary to run.
///
/// Which one runs is the platform's setting: `anyfn_auto::run_functions`
/// reads `_HANDLER` on Lambda and `FUNCTION_TARGET` on Cloud Run, and
/// otherwise serves each function under its own path (a
/// `FunctionRouter`). Tests take one back with its types
/// ([`handler`](Self::handler)) or invoke it through `anyfn_test::Harness`.
///
/// Adding a function asks of it the portability bound
/// ([`PortableHandler`]: what every adapter of the build needs of its event
/// and output), then forgets its types: the registry holds functions of any
/// types, and each adapter finds in it what it needs.
///
/// The registry's [`Settings`] (the settings every adapter shares: set with
/// [`settings`](Self::settings), [`timeout`](Self::timeout),
/// [`memory_mb`](Self::memory_mb), [`default_subscriber`](Self::default_subscriber),
/// [`error_details`](Self::error_details)) go to whichever adapter runs it,
/// as its builder's: each is the registry's, else the environment's
/// (`ANYFN_TIMEOUT_MS`, `ANYFN_MEMORY_MB`, `ANYFN_DEFAULT_SUBSCRIBER`,
/// `ANYFN_ERROR_DETAILS`), else that platform's default, except that the
/// default subscriber is on unless turned off. Each adapter's docs say what
/// it makes of them (on Lambda a timeout only shortens Lambda's deadline,
/// and the memory size is Lambda's).
///
/// Its hooks ([`on_shutdown`](Self::on_shutdown),
/// [`before_snapshot`](Self::before_snapshot),
/// [`after_restore`](Self::after_restore)) go to the adapter too: the
/// server and the Azure adapter run the shutdown hooks after their drain,
/// within what is left of it, and Lambda on the SIGTERM of its shutdown
/// phase; only Lambda with SnapStart runs the others.
///
/// # Example
///
/// ```
/// use anyfn::event::{ScheduleTick, StorageEvent};
/// use anyfn::{handler_fn, Context, Request, Response};
/// use anyfn_functions::Functions;
///
/// async fn orders(_request: Request, _context: Context) -> Result<Response, anyfn::Error> {
///     Ok(anyfn::response::text("no orders yet"))
/// }
///
/// async fn resize(event: StorageEvent, _context: Context) -> Result<(), anyfn::Error> {
///     Ok(())
/// }
///
/// async fn nightly(tick: ScheduleTick, _context: Context) -> Result<(), anyfn::Error> {
///     Ok(())
/// }
///
/// let functions = Functions::new()
///     .add("orders", handler_fn(orders))
///     .add("resize", handler_fn(resize))
///     .add("nightly", handler_fn(nightly));
/// assert_eq!(functions.names().collect::<Vec<_>>(), ["orders", "resize", "nightly"]);
/// ```
#[must_use]
pub struct Functions {
    entries: Vec<Function>,
    settings: Settings,
    lifecycle: Lifecycle,
}

impl Default for Functions {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Functions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Functions")
            .field("functions", &self.entries)
            .field("settings", &self.settings)
            .field("lifecycle", &self.lifecycle)
            .finish()
    }
}

impl Functions {
    /// No functions yet, and no settings: each is the environment's or
    /// the platform's, and adapters install their default subscriber.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_functions::{Functions, Settings};
    ///
    /// let functions = Functions::new();
    /// assert!(functions.is_empty());
    /// assert_eq!(functions.shared_settings(), Settings::new());
    /// ```
    pub fn new() -> Self {
        Self {
            entries: Vec::new(),
            settings: Settings::new(),
            lifecycle: Lifecycle::new(),
        }
    }

    /// Runs `hook` at shutdown on the server (and Cloud Run) and on Azure
    /// Functions: after the invocations in flight are answered, given what
    /// is left of the drain timeout; several run in the order they were
    /// added, and one overrunning the time left is cut (with a `WARN`
    /// line). On Lambda they run on the SIGTERM of its shutdown phase,
    /// within its grace period.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request, Response};
    /// use anyfn_functions::Functions;
    ///
    /// async fn orders(_request: Request, _context: Context) -> Result<Response, anyfn::Error> {
    ///     Ok(anyfn::response::text("no orders yet"))
    /// }
    ///
    /// let functions = Functions::new()
    ///     .add("orders", handler_fn(orders))
    ///     .on_shutdown(|time_left| async move {
    ///         println!("closing the pool, {} ms left", time_left.as_millis());
    ///     });
    /// # drop(functions);
    /// ```
    pub fn on_shutdown<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce(Duration) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.lifecycle = self.lifecycle.on_shutdown(hook);
        self
    }

    /// Adds a before-snapshot hook, run before Lambda SnapStart snapshots
    /// the function; [`Lifecycle::before_snapshot`] says in which order the
    /// hooks run and how a failure is reported. Called only on Lambda with SnapStart on; never on the other platforms.
    ///
    /// # Example
    ///
    /// ```
    ///
    /// let functions = anyfn_functions::Functions::new()
    ///     .before_snapshot(|| async { Ok(()) });
    /// # drop(functions);
    /// ```
    pub fn before_snapshot<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(), anyfn::Error>> + Send + 'static,
    {
        self.lifecycle = self.lifecycle.before_snapshot(hook);
        self
    }

    /// Adds an after-restore hook, run after Lambda SnapStart restores the
    /// function; [`Lifecycle::after_restore`] says in which order the hooks
    /// run and how a failure is reported. Called only on Lambda with SnapStart on; never on the other platforms.
    ///
    /// # Example
    ///
    /// ```
    ///
    /// let functions = anyfn_functions::Functions::new()
    ///     .after_restore(|| async { Ok(()) });
    /// # drop(functions);
    /// ```
    pub fn after_restore<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(), anyfn::Error>> + Send + 'static,
    {
        self.lifecycle = self.lifecycle.after_restore(hook);
        self
    }

    /// Adds every hook of `lifecycle` (shutdown and SnapStart) after those
    /// already added, as [`on_shutdown`](Self::on_shutdown),
    /// [`before_snapshot`](Self::before_snapshot) and
    /// [`after_restore`](Self::after_restore) do: for hooks built in one
    /// place for `main` and the tests, or gathered by a runner.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_functions::Lifecycle;
    ///
    /// let hooks = Lifecycle::new().on_shutdown(|_time_left| async {});
    /// let functions = anyfn_functions::Functions::new().lifecycle(hooks);
    /// # drop(functions);
    /// ```
    pub fn lifecycle(mut self, lifecycle: Lifecycle) -> Self {
        self.lifecycle.extend(lifecycle);
        self
    }

    /// Adds `handler` under `name`.
    ///
    /// # Panics
    ///
    /// When `name` is taken, or is not a valid name: an ASCII letter, then
    /// ASCII letters, digits, `-` and `_`, 127 characters at most (one URL
    /// path segment, and a name Lambda, Cloud Run and Azure all accept).
    /// Both are mistakes in the program, found on its first run.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json, Request, Response};
    /// use anyfn_functions::Functions;
    ///
    /// let functions = Functions::new()
    ///     .add("double", handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) }))
    ///     .add("hello", handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("Hello!")) }));
    /// assert_eq!(functions.len(), 2);
    /// // Each keeps its own types, to take it back with.
    /// assert!(functions.handler::<Json<u64>, Json<u64>>("double").is_ok());
    /// assert!(functions.handler::<Request, Response>("hello").is_ok());
    /// ```
    pub fn add<H: PortableHandler>(mut self, name: &str, handler: H) -> Self {
        if let Some(reason) = invalid_name_reason(name) {
            panic!("`{name}` cannot name a function: {reason}");
        }
        assert!(self.get(name).is_none(), "two functions are named `{name}`");
        let name: Arc<str> = Arc::from(name);
        let erased = Arc::new(Entry::new(&name, handler));
        self.entries.push(Function { name, erased });
        self
    }

    /// The settings every adapter shares, all at once, for whichever
    /// adapter runs the registry: each one `settings` sets replaces what the
    /// registry had for it (the others stay).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_functions::{Functions, Settings};
    ///
    /// let double = |Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) };
    /// let functions = Functions::new()
    ///     .add("double", handler_fn(double))
    ///     .settings(Settings::new().with_timeout(Duration::from_secs(10)).with_memory_mb(512))
    ///     .memory_mb(1024);
    /// let settings = functions.shared_settings();
    /// assert_eq!(settings.timeout(), Some(Duration::from_secs(10)));
    /// assert_eq!(settings.memory_mb(), Some(1024));
    /// ```
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings.or(self.settings);
        self
    }

    /// What the registry sets of the settings every adapter shares (nothing
    /// set: the environment's or the platform's).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_functions::Functions::new().shared_settings(), anyfn_functions::Settings::new());
    /// ```
    pub fn shared_settings(&self) -> Settings {
        self.settings
    }

    /// Each invocation's timeout, over `ANYFN_TIMEOUT_MS`; the platform's
    /// when neither says (on Lambda it only shortens Lambda's deadline).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let functions = anyfn_functions::Functions::new().timeout(Duration::from_secs(10));
    /// assert_eq!(functions.shared_settings().timeout(), Some(Duration::from_secs(10)));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.with_timeout(timeout);
        self
    }

    /// The memory size in MB, over `ANYFN_MEMORY_MB`, for the context and
    /// the `REPORT` line (on Lambda, Lambda's own memory size stays).
    ///
    /// # Example
    ///
    /// ```
    /// let functions = anyfn_functions::Functions::new().memory_mb(512);
    /// assert_eq!(functions.shared_settings().memory_mb(), Some(512));
    /// ```
    pub fn memory_mb(mut self, memory_mb: u32) -> Self {
        self.settings = self.settings.with_memory_mb(memory_mb);
        self
    }

    /// Whether adapters install their default `tracing` subscriber when the
    /// program has none (on by default; `ANYFN_DEFAULT_SUBSCRIBER=off`
    /// turns it off whatever this says).
    ///
    /// # Example
    ///
    /// ```
    /// let functions = anyfn_functions::Functions::new().default_subscriber(false);
    /// assert_eq!(functions.shared_settings().default_subscriber(), Some(false));
    /// ```
    pub fn default_subscriber(mut self, install: bool) -> Self {
        self.settings = self.settings.with_default_subscriber(install);
        self
    }

    /// How much of a server error (5xx) HTTP clients see, over what
    /// `ANYFN_ERROR_DETAILS` says.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::ErrorDetails;
    ///
    /// let functions = anyfn_functions::Functions::new().error_details(ErrorDetails::Shown);
    /// assert_eq!(functions.shared_settings().error_details(), Some(ErrorDetails::Shown));
    /// ```
    pub fn error_details(mut self, details: ErrorDetails) -> Self {
        self.settings = self.settings.with_error_details(details);
        self
    }

    /// The names, in the order the functions were added.
    ///
    /// # Example
    ///
    /// ```
    /// # use anyfn::{handler_fn, Context, Json};
    /// # let echo = |Json(v): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
    /// let functions = anyfn_functions::Functions::new()
    ///     .add("resize", handler_fn(echo))
    ///     .add("orders", handler_fn(echo));
    /// assert_eq!(functions.names().collect::<Vec<_>>(), ["resize", "orders"]);
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(Function::name)
    }

    /// How many functions there are.
    ///
    /// # Example
    ///
    /// ```
    /// # use anyfn::{handler_fn, Context, Json};
    /// # let echo = |Json(v): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
    /// let functions = anyfn_functions::Functions::new()
    ///     .add("resize", handler_fn(echo))
    ///     .add("orders", handler_fn(echo));
    /// assert_eq!(functions.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    ///
    /// # Example
    ///
    /// ```
    /// # use anyfn::{handler_fn, Context, Json};
    /// # let echo = |Json(v): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
    /// use anyfn_functions::Functions;
    ///
    /// assert!(Functions::new().is_empty());
    /// assert!(!Functions::new().add("orders", handler_fn(echo)).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The function named `name`, if any.
    ///
    /// # Example
    ///
    /// ```
    /// # use anyfn::{handler_fn, Context, Json};
    /// # let echo = |Json(v): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
    /// let functions = anyfn_functions::Functions::new().add("orders", handler_fn(echo));
    /// assert_eq!(functions.get("orders").map(|function| function.name()), Some("orders"));
    /// assert!(functions.get("resize").is_none());
    /// ```
    pub fn get(&self, name: &str) -> Option<&Function> {
        self.entries.iter().find(|entry| &*entry.name == name)
    }

    /// The function named `name`.
    ///
    /// # Errors
    ///
    /// [`FunctionError::Unknown`], listing the names there are.
    ///
    /// # Example
    ///
    /// ```
    /// # use anyfn::{handler_fn, Context, Json};
    /// # let echo = |Json(v): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
    /// use anyfn_functions::{FunctionError, Functions};
    ///
    /// let functions = Functions::new().add("orders", handler_fn(echo));
    /// assert_eq!(functions.function("orders")?.name(), "orders");
    /// let err = functions.function("resize").unwrap_err();
    /// assert!(matches!(err, FunctionError::Unknown { ref available, .. } if available == &["orders"]));
    /// # Ok::<(), FunctionError>(())
    /// ```
    pub fn function(&self, name: &str) -> Result<&Function, FunctionError> {
        self.get(name).ok_or_else(|| FunctionError::Unknown {
            name: name.to_owned(),
            available: self.names().map(str::to_owned).collect(),
        })
    }

    /// The function named `name`, with its event and output types: to call
    /// it directly or hand it to the test harness.
    ///
    /// # Errors
    ///
    /// [`FunctionError::Unknown`] when no function has the name;
    /// [`FunctionError::WrongTypes`] when it takes another event or answers
    /// another output than `E` and `O`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json, Request, Response};
    /// use anyfn_functions::{FunctionError, Functions};
    ///
    /// let functions = Functions::new().add(
    ///     "double",
    ///     handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) }),
    /// );
    /// assert!(functions.handler::<Json<u64>, Json<u64>>("double").is_ok());
    /// let err = functions.handler::<Request, Response>("double").unwrap_err();
    /// assert!(matches!(err, FunctionError::WrongTypes { .. }));
    /// ```
    pub fn handler<E, O>(&self, name: &str) -> Result<NamedHandler<E, O>, FunctionError>
    where
        E: Send + 'static,
        O: Send + 'static,
    {
        let function = self.function(name)?;
        function
            .erased
            .typed()
            .downcast_ref::<NamedHandler<E, O>>()
            .cloned()
            .ok_or_else(|| FunctionError::WrongTypes {
                name: name.to_owned(),
                event: function.erased.event_type(),
                output: function.erased.output_type(),
                asked_event: std::any::type_name::<E>(),
                asked_output: std::any::type_name::<O>(),
            })
    }

    /// Every function, each under its own path (`/{name}`), as one HTTP
    /// handler for the server (see [`FunctionRouter`]).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_functions::Functions;
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let hello = |_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("Hello!")) };
    /// let functions = Functions::new().add("hello", handler_fn(hello));
    /// let server = TestServer::start(functions.router()).await?;
    /// assert_eq!(server.client().get("/hello").await?.text(), "Hello!");
    /// server.client().get("/goodbye").await?.assert_status(404);
    /// # server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "server")]
    pub fn router(&self) -> FunctionRouter {
        FunctionRouter::new(self.entries.clone())
    }

    /// The function Lambda runs, given the function's handler setting
    /// (`_HANDLER`): the one it names; else, when there is only one, that
    /// one (Lambda always sets a handler, often `bootstrap` for a
    /// custom runtime).
    ///
    /// # Errors
    ///
    /// [`FunctionError::Unknown`] when the setting names no function and
    /// there are several; [`FunctionError::NoneChosen`] when there is no
    /// setting and several functions, or none at all.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_functions::{FunctionError, Functions};
    ///
    /// let echo = |Json(v): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
    /// let one = Functions::new().add("orders", handler_fn(echo));
    /// assert_eq!(one.lambda_function(Some("bootstrap"))?.name(), "orders");
    /// let two = one.add("resize", handler_fn(echo));
    /// assert_eq!(two.lambda_function(Some("resize"))?.name(), "resize");
    /// assert!(matches!(two.lambda_function(Some("bootstrap")), Err(FunctionError::Unknown { .. })));
    /// assert!(matches!(two.lambda_function(None), Err(FunctionError::NoneChosen { .. })));
    /// # Ok::<(), FunctionError>(())
    /// ```
    pub fn lambda_function(
        &self,
        handler_setting: Option<&str>,
    ) -> Result<&Function, FunctionError> {
        let named = handler_setting.and_then(|name| self.get(name));
        match (named, handler_setting, self.entries.as_slice()) {
            (Some(function), _, _) | (None, _, [function]) => Ok(function),
            (None, Some(name), [_, _, ..]) => Err(FunctionError::Unknown {
                name: name.to_owned(),
                available: self.names().map(str::to_owned).collect(),
            }),
            (None, _, _) => Err(FunctionError::NoneChosen {
                setting: "_HANDLER",
                available: self.names().map(str::to_owned).collect(),
            }),
        }
    }

    /// Runs on Lambda the function [`lambda_function`](Self::lambda_function)
    /// picks, alone, with this registry's settings.
    ///
    /// # Errors
    ///
    /// As [`lambda_function`](Self::lambda_function), in
    /// a [`RunError`] holding it; the Lambda adapter's error otherwise.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_functions::{Functions, RunError};
    ///
    /// #[tokio::main]
    /// async fn main() -> Result<(), RunError> {
    ///     let echo = |Json(v): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
    ///     let functions = Functions::new().add("orders", handler_fn(echo)).add("resize", handler_fn(echo));
    ///     // On Lambda: the function's handler setting picks one.
    ///     let handler = std::env::var("_HANDLER").ok();
    ///     functions.run_lambda(handler.as_deref()).await
    /// }
    /// ```
    #[cfg(feature = "lambda")]
    pub async fn run_lambda(mut self, handler_setting: Option<&str>) -> Result<(), RunError> {
        let lifecycle = std::mem::take(&mut self.lifecycle);
        let function = self.lambda_function(handler_setting)?;
        Ok(function.erased.run_lambda(self.settings, lifecycle).await?)
    }

    /// Serves on the local server, with this registry's settings, the
    /// function `target` names alone, at every path (as Cloud Run serves the
    /// one its `FUNCTION_TARGET` names); without a target, every function
    /// under its own path ([`router`](Self::router)).
    ///
    /// # Errors
    ///
    /// [`FunctionError::Unknown`] (in a [`RunError`]) when
    /// no function is named `target`; the server's error otherwise.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_functions::{Functions, RunError};
    ///
    /// #[tokio::main]
    /// async fn main() -> Result<(), RunError> {
    ///     let echo = |Json(v): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
    ///     let functions = Functions::new().add("orders", handler_fn(echo)).add("resize", handler_fn(echo));
    ///     // `FUNCTION_TARGET=orders`: `orders` at every path; unset: `/orders` and `/resize`.
    ///     let target = std::env::var("FUNCTION_TARGET").ok();
    ///     functions.serve(target.as_deref()).await
    /// }
    /// ```
    #[cfg(feature = "server")]
    pub async fn serve(mut self, target: Option<&str>) -> Result<(), RunError> {
        let lifecycle = std::mem::take(&mut self.lifecycle);
        if let Some(target) = target {
            let function = self.function(target)?;
            return Ok(function
                .erased
                .serve(target, self.settings, lifecycle)
                .await?);
        }
        let server = anyfn_server::Server::new(self.router())
            .settings(self.settings)
            .lifecycle(lifecycle);
        Ok(server.bind().await?.run().await?)
    }
}

#[cfg(feature = "azure")]
impl Functions {
    /// Serves every function on Azure Functions, each at `/{name}` as the
    /// host calls it (a custom handler on `FUNCTIONS_CUSTOMHANDLER_PORT`),
    /// with this registry's settings.
    ///
    /// # Errors
    ///
    /// The Azure adapter's error when it cannot start.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_functions::{Functions, RunError};
    ///
    /// #[tokio::main]
    /// async fn main() -> Result<(), RunError> {
    ///     let echo = |Json(v): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
    ///     let functions = Functions::new().add("orders", handler_fn(echo)).add("resize", handler_fn(echo));
    ///     // The Functions host calls `/orders` and `/resize`.
    ///     functions.run_azure().await
    /// }
    /// ```
    pub async fn run_azure(self) -> Result<(), RunError> {
        let functions = self
            .entries
            .iter()
            .map(|entry| (entry.name.to_string(), entry.erased.azure()))
            .collect();
        let azure = anyfn_azure::Azure::functions(functions)
            .settings(self.settings)
            .lifecycle(self.lifecycle);
        Ok(azure.bind().await?.run().await?)
    }
}

/// One function of a [`Functions`] registry: its name and its types' names.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_functions::Functions;
///
/// let double = |Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) };
/// let functions = Functions::new().add("double", handler_fn(double));
/// let function = functions.function("double")?;
/// assert_eq!(function.name(), "double");
/// assert_eq!(function.event_type(), std::any::type_name::<Json<u64>>());
/// # Ok::<(), anyfn_functions::FunctionError>(())
/// ```
#[derive(Clone)]
pub struct Function {
    name: Arc<str>,
    erased: Arc<dyn ErasedFunction>,
}

impl Function {
    /// Its name.
    ///
    /// # Example
    ///
    /// ```
    /// # use anyfn::{handler_fn, Context, Json};
    /// # let echo = |Json(v): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
    /// let functions = anyfn_functions::Functions::new().add("orders", handler_fn(echo));
    /// assert_eq!(functions.function("orders")?.name(), "orders");
    /// # Ok::<(), anyfn_functions::FunctionError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its event type's name (as [`std::any::type_name`] gives it).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::ScheduleTick;
    /// use anyfn::{handler_fn, Context};
    ///
    /// let nightly = |_: ScheduleTick, _: Context| async { Ok::<_, anyfn::Error>(()) };
    /// let functions = anyfn_functions::Functions::new().add("nightly", handler_fn(nightly));
    /// assert_eq!(functions.function("nightly")?.event_type(), std::any::type_name::<ScheduleTick>());
    /// # Ok::<(), anyfn_functions::FunctionError>(())
    /// ```
    pub fn event_type(&self) -> &'static str {
        self.erased.event_type()
    }

    /// Its output type's name (as [`std::any::type_name`] gives it).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::ScheduleTick;
    /// use anyfn::{handler_fn, Context};
    ///
    /// let nightly = |_: ScheduleTick, _: Context| async { Ok::<_, anyfn::Error>(()) };
    /// let functions = anyfn_functions::Functions::new().add("nightly", handler_fn(nightly));
    /// assert_eq!(functions.function("nightly")?.output_type(), std::any::type_name::<()>());
    /// # Ok::<(), anyfn_functions::FunctionError>(())
    /// ```
    pub fn output_type(&self) -> &'static str {
        self.erased.output_type()
    }

    #[cfg(feature = "server")]
    pub(crate) fn erased(&self) -> &dyn ErasedFunction {
        &*self.erased
    }

    #[cfg(feature = "server")]
    pub(crate) fn shared_name(&self) -> &Arc<str> {
        &self.name
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Function")
            .field("name", &self.name)
            .field("event", &self.event_type())
            .field("output", &self.output_type())
            .finish()
    }
}

//! Every hook a function gives its adapter: [`Lifecycle`].

use std::future::Future;
use std::time::Duration;

use anyfn::Error;

use crate::{ShutdownHooks, SnapStartHooks};

/// The code a function runs at the edges of its instance's life, apart from
/// its invocations: at shutdown ([`ShutdownHooks`]) and around a Lambda
/// SnapStart snapshot ([`SnapStartHooks`]).
///
/// Every adapter's builder takes the hooks one by one (`on_shutdown`,
/// `before_snapshot`, `after_restore` on anyfn-server's `Server`,
/// anyfn-azure's `Azure`, anyfn-lambda's `Lambda`, anyfn-auto's `Runner`,
/// anyfn-functions' `Functions`) or all at once with `lifecycle`, and
/// anyfn-test's `Harness` takes them the same way to run them in a test.
/// Build them in one function and hand its result to both:
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::Lifecycle;
///
/// /// The hooks of this function, for `main` and for its tests.
/// fn lifecycle() -> Lifecycle {
///     Lifecycle::new()
///         .on_shutdown(|time_left: Duration| async move {
///             println!("flushing within {} ms", time_left.as_millis());
///         })
///         .before_snapshot(|| async { Ok(()) })
///         .after_restore(|| async { Ok(()) })
/// }
///
/// let lifecycle = lifecycle();
/// assert_eq!(lifecycle.shutdown().len(), 1);
/// assert_eq!(lifecycle.snapstart().after_restore_len(), 1);
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct Lifecycle {
    shutdown: ShutdownHooks,
    snapstart: SnapStartHooks,
}

impl Lifecycle {
    /// No hooks.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn_kit::Lifecycle::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a shutdown hook, run after those already added and given the
    /// time left of the grace period; see [`ShutdownHooks`].
    ///
    /// # Example
    ///
    /// ```
    /// let lifecycle = anyfn_kit::Lifecycle::new().on_shutdown(|_time_left| async {});
    /// assert_eq!(lifecycle.shutdown().len(), 1);
    /// ```
    pub fn on_shutdown<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce(Duration) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.shutdown.push(hook);
        self
    }

    /// Adds a before-snapshot hook (Lambda SnapStart only), run before
    /// those already added; see [`SnapStartHooks`].
    ///
    /// # Example
    ///
    /// ```
    /// let lifecycle = anyfn_kit::Lifecycle::new().before_snapshot(|| async { Ok(()) });
    /// assert_eq!(lifecycle.snapstart().before_snapshot_len(), 1);
    /// ```
    pub fn before_snapshot<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.snapstart.push_before_snapshot(hook);
        self
    }

    /// Adds an after-restore hook (Lambda SnapStart only), run after those
    /// already added; see [`SnapStartHooks`].
    ///
    /// # Example
    ///
    /// ```
    /// let lifecycle = anyfn_kit::Lifecycle::new().after_restore(|| async { Ok(()) });
    /// assert_eq!(lifecycle.snapstart().after_restore_len(), 1);
    /// ```
    pub fn after_restore<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.snapstart.push_after_restore(hook);
        self
    }

    /// Adds every hook of `other` as if added after these.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::Lifecycle;
    ///
    /// let mut lifecycle = Lifecycle::new().on_shutdown(|_| async {});
    /// lifecycle.extend(Lifecycle::new().on_shutdown(|_| async {}));
    /// assert_eq!(lifecycle.shutdown().len(), 2);
    /// ```
    pub fn extend(&mut self, other: Lifecycle) {
        self.shutdown.extend(other.shutdown);
        self.snapstart.extend(other.snapstart);
    }

    /// The shutdown hooks.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn_kit::Lifecycle::new().shutdown().is_empty());
    /// ```
    pub fn shutdown(&self) -> &ShutdownHooks {
        &self.shutdown
    }

    /// The SnapStart hooks.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn_kit::Lifecycle::new().snapstart().is_empty());
    /// ```
    pub fn snapstart(&self) -> &SnapStartHooks {
        &self.snapstart
    }

    /// Whether there are no hooks at all.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(!anyfn_kit::Lifecycle::new().on_shutdown(|_| async {}).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.shutdown.is_empty() && self.snapstart.is_empty()
    }

    /// The shutdown hooks and the SnapStart hooks, for the adapter that runs
    /// them.
    ///
    /// # Example
    ///
    /// ```
    /// let (shutdown, snapstart) = anyfn_kit::Lifecycle::new().into_parts();
    /// assert!(shutdown.is_empty() && snapstart.is_empty());
    /// ```
    pub fn into_parts(self) -> (ShutdownHooks, SnapStartHooks) {
        (self.shutdown, self.snapstart)
    }
}

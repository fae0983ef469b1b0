//! Code that runs around a Lambda SnapStart snapshot: [`SnapStartHooks`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use anyfn::Error;

/// One hook: the future that does its work, failing with an [`Error`].
type Hook = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>> + Send>;

/// What a function runs around a Lambda SnapStart snapshot: before Lambda
/// snapshots the initialised environment (close connections, drop what
/// must not be shared), and after it restores one from the snapshot
/// (reconnect, refresh credentials, re-seed what must be unique).
///
/// As lambda_runtime and the managed runtimes order them, the
/// before-snapshot hooks run in **reverse** order of registration (the
/// last added tears down first) and the after-restore hooks in order of
/// registration (foundations rebuild first). A hook that fails stops the
/// ones after it, and its error, named by its index, is what the runtime
/// reports: to `/runtime/init/error` before the snapshot, to
/// `/runtime/restore/error` after the restore.
///
/// Only Lambda with SnapStart on (`AWS_LAMBDA_INITIALIZATION_TYPE` is
/// `snap-start`) calls them; every other platform, and Lambda without
/// SnapStart, never does. The adapters' builders take them one by one
/// (`before_snapshot`, `after_restore`), anyfn-test's `Harness` can run
/// them in a test.
///
/// # Example
///
/// ```
/// use anyfn_kit::SnapStartHooks;
///
/// let hooks = SnapStartHooks::new()
///     .with_before_snapshot(|| async { Ok(()) })
///     .with_after_restore(|| async { Ok(()) });
/// assert_eq!((hooks.before_snapshot_len(), hooks.after_restore_len()), (1, 1));
/// ```
#[derive(Default)]
pub struct SnapStartHooks {
    before_snapshot: Vec<Hook>,
    after_restore: Vec<Hook>,
}

impl fmt::Debug for SnapStartHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnapStartHooks")
            .field("before_snapshot", &self.before_snapshot.len())
            .field("after_restore", &self.after_restore.len())
            .finish()
    }
}

impl SnapStartHooks {
    /// No hooks.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn_kit::SnapStartHooks::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a before-snapshot hook: it runs before the ones already added.
    ///
    /// # Example
    ///
    /// ```
    /// let hooks = anyfn_kit::SnapStartHooks::new().with_before_snapshot(|| async { Ok(()) });
    /// assert_eq!(hooks.before_snapshot_len(), 1);
    /// ```
    pub fn with_before_snapshot<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.push_before_snapshot(hook);
        self
    }

    /// Adds an after-restore hook: it runs after the ones already added.
    ///
    /// # Example
    ///
    /// ```
    /// let hooks = anyfn_kit::SnapStartHooks::new().with_after_restore(|| async { Ok(()) });
    /// assert_eq!(hooks.after_restore_len(), 1);
    /// ```
    pub fn with_after_restore<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.push_after_restore(hook);
        self
    }

    /// Adds a before-snapshot hook in place, as
    /// [`with_before_snapshot`](Self::with_before_snapshot) does.
    ///
    /// # Example
    ///
    /// ```
    /// let mut hooks = anyfn_kit::SnapStartHooks::new();
    /// hooks.push_before_snapshot(|| async { Ok(()) });
    /// assert_eq!(hooks.before_snapshot_len(), 1);
    /// ```
    pub fn push_before_snapshot<F, Fut>(&mut self, hook: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.before_snapshot
            .push(Box::new(move || Box::pin(hook())));
    }

    /// Adds an after-restore hook in place, as
    /// [`with_after_restore`](Self::with_after_restore) does.
    ///
    /// # Example
    ///
    /// ```
    /// let mut hooks = anyfn_kit::SnapStartHooks::new();
    /// hooks.push_after_restore(|| async { Ok(()) });
    /// assert_eq!(hooks.after_restore_len(), 1);
    /// ```
    pub fn push_after_restore<F, Fut>(&mut self, hook: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.after_restore.push(Box::new(move || Box::pin(hook())));
    }

    /// Adds every hook of `other` as if added after these.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::SnapStartHooks;
    ///
    /// let mut hooks = SnapStartHooks::new().with_after_restore(|| async { Ok(()) });
    /// hooks.extend(SnapStartHooks::new().with_before_snapshot(|| async { Ok(()) }));
    /// assert_eq!((hooks.before_snapshot_len(), hooks.after_restore_len()), (1, 1));
    /// ```
    pub fn extend(&mut self, other: SnapStartHooks) {
        self.before_snapshot.extend(other.before_snapshot);
        self.after_restore.extend(other.after_restore);
    }

    /// How many before-snapshot hooks there are (not yet run).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::SnapStartHooks::new().before_snapshot_len(), 0);
    /// ```
    pub fn before_snapshot_len(&self) -> usize {
        self.before_snapshot.len()
    }

    /// How many after-restore hooks there are (not yet run).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::SnapStartHooks::new().after_restore_len(), 0);
    /// ```
    pub fn after_restore_len(&self) -> usize {
        self.after_restore.len()
    }

    /// Whether there are none of either.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn_kit::SnapStartHooks::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.before_snapshot.is_empty() && self.after_restore.is_empty()
    }

    /// Runs the before-snapshot hooks, last added first, and forgets them
    /// (a second call runs nothing). The first to fail stops the rest.
    ///
    /// # Errors
    ///
    /// The failing hook's error, its message prefixed with the hook's
    /// index in order of registration: `before-snapshot hook 1 failed: …`
    /// (its kind and error type kept).
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use anyfn_kit::SnapStartHooks;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let order = Arc::new(Mutex::new(Vec::new()));
    /// let (first, second) = (Arc::clone(&order), Arc::clone(&order));
    /// let mut hooks = SnapStartHooks::new()
    ///     .with_before_snapshot(move || async move { Ok(first.lock().unwrap().push("pool")) })
    ///     .with_before_snapshot(move || async move { Ok(second.lock().unwrap().push("cache")) });
    /// hooks.run_before_snapshot().await.unwrap();
    /// assert_eq!(*order.lock().unwrap(), ["cache", "pool"]);
    /// # }
    /// ```
    pub async fn run_before_snapshot(&mut self) -> Result<(), Error> {
        let hooks = std::mem::take(&mut self.before_snapshot);
        for (index, hook) in hooks.into_iter().enumerate().rev() {
            hook()
                .await
                .map_err(|err| named(err, "before-snapshot", index))?;
        }
        Ok(())
    }

    /// Runs the after-restore hooks in order of registration, and forgets
    /// them (a second call runs nothing). The first to fail stops the rest.
    ///
    /// # Errors
    ///
    /// The failing hook's error, its message prefixed with the hook's
    /// index: `after-restore hook 0 failed: …` (its kind and error type
    /// kept).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::SnapStartHooks;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mut hooks = SnapStartHooks::new()
    ///     .with_after_restore(|| async { Ok(()) })
    ///     .with_after_restore(|| async { Err(anyfn::Error::unavailable("no database")) });
    /// let err = hooks.run_after_restore().await.unwrap_err();
    /// assert_eq!(err.message(), "after-restore hook 1 failed: no database");
    /// # }
    /// ```
    pub async fn run_after_restore(&mut self) -> Result<(), Error> {
        let hooks = std::mem::take(&mut self.after_restore);
        for (index, hook) in hooks.into_iter().enumerate() {
            hook()
                .await
                .map_err(|err| named(err, "after-restore", index))?;
        }
        Ok(())
    }
}

/// `err` with its message saying which hook failed (and its causes, as
/// `{:#}` shows them).
fn named(err: Error, phase: &str, index: usize) -> Error {
    let message = format!("{phase} hook {index} failed: {err:#}");
    let error_type = err.error_type().to_owned();
    let mut named = Error::new(err.kind(), message).with_error_type(error_type);
    *named.headers_mut() = err.headers().clone();
    named
}

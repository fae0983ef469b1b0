//! Code that runs when a host shuts down: [`ShutdownHooks`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// One hook: given the time left, the future that does its work.
type Hook = Box<dyn FnOnce(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// What a function runs when its instance shuts down (flushing a buffer,
/// closing a pool, saying goodbye to a peer), after the invocations in
/// flight are answered or the grace period for them ended.
///
/// Each hook is an async closure given the time left of the grace period
/// (the drain timeout, less what the drain took). The hooks run one after
/// the other, in the order they were added, each within what is left: a
/// hook still running when the time is up is cut (its future dropped) and a
/// `WARN` line (target `anyfn::host`) names it by its index and the time it
/// had; the hooks after it are not run. So the process exits in time
/// whatever a hook does, short of blocking its thread.
///
/// The adapters' builders take hooks one by one (`on_shutdown` on the
/// server's `Server`, Azure's `Azure`, Lambda's `Lambda`, anyfn-auto's
/// `Runner`, anyfn-functions' `Functions`), or in a [`Lifecycle`](crate::Lifecycle)
/// with the SnapStart hooks; the HTTP adapters hand them to the kit's HTTP
/// host, which runs them after its drain, and Lambda runs them on the
/// SIGTERM its internal extension makes Lambda send.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::ShutdownHooks;
///
/// let hooks = ShutdownHooks::new()
///     .with(|time_left: Duration| async move {
///         println!("flushing, {} ms left", time_left.as_millis());
///     })
///     .with(|_time_left| async { println!("closing the pool") });
/// assert_eq!(hooks.len(), 2);
/// ```
#[derive(Default)]
pub struct ShutdownHooks {
    hooks: Vec<Hook>,
}

impl fmt::Debug for ShutdownHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownHooks")
            .field("len", &self.hooks.len())
            .finish()
    }
}

impl ShutdownHooks {
    /// No hooks.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn_kit::ShutdownHooks::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `hook`, to run after the hooks already added; it is given the
    /// time left, and is cut when it overruns it.
    ///
    /// # Example
    ///
    /// ```
    /// let hooks = anyfn_kit::ShutdownHooks::new().with(|_time_left| async {});
    /// assert_eq!(hooks.len(), 1);
    /// ```
    pub fn with<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce(Duration) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.push(hook);
        self
    }

    /// Adds `hook` in place, as [`with`](Self::with) does.
    ///
    /// # Example
    ///
    /// ```
    /// let mut hooks = anyfn_kit::ShutdownHooks::new();
    /// hooks.push(|_time_left| async {});
    /// assert_eq!(hooks.len(), 1);
    /// ```
    pub fn push<F, Fut>(&mut self, hook: F)
    where
        F: FnOnce(Duration) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.hooks
            .push(Box::new(move |time_left| Box::pin(hook(time_left))));
    }

    /// Adds every hook of `other` after these.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::ShutdownHooks;
    ///
    /// let mut hooks = ShutdownHooks::new().with(|_| async {});
    /// hooks.extend(ShutdownHooks::new().with(|_| async {}));
    /// assert_eq!(hooks.len(), 2);
    /// ```
    pub fn extend(&mut self, other: ShutdownHooks) {
        self.hooks.extend(other.hooks);
    }

    /// How many hooks there are.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::ShutdownHooks::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.hooks.len()
    }

    /// Whether there are none.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn_kit::ShutdownHooks::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.hooks.is_empty()
    }

    /// Runs the hooks in order within `budget`: each is given what is left
    /// of it, and the one still running when it is spent is cut (`WARN`,
    /// target `anyfn::host`, naming its index and the time it had), the
    /// ones after it not run. Returns how many hooks ran to their end.
    /// (With the kit's `hooks-tokio` feature, which `http-host` turns on:
    /// it keeps time with tokio's.)
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::ShutdownHooks;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let hooks = ShutdownHooks::new()
    ///     .with(|_time_left| async {})
    ///     // Past its time even when the budget is spent before it starts.
    ///     .with(|time_left| async move { tokio::time::sleep(time_left + Duration::from_secs(1)).await })
    ///     .with(|_time_left| async { unreachable!("not run: the one before was cut") });
    /// assert_eq!(hooks.run(Duration::from_millis(20)).await, 1);
    /// # }
    /// ```
    #[cfg(feature = "hooks-tokio")]
    pub async fn run(self, budget: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + budget;
        let count = self.hooks.len();
        for (index, hook) in self.hooks.into_iter().enumerate() {
            let time_left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let future = hook(time_left);
            if tokio::time::timeout_at(deadline, future).await.is_err() {
                let skipped = count - index - 1;
                tracing::warn!(
                    target: "anyfn::host",
                    hook = index,
                    "shutdown hook {index} cut: still running after the {} ms it had left{}",
                    time_left.as_millis(),
                    if skipped > 0 {
                        format!("; {skipped} hook(s) after it not run")
                    } else {
                        String::new()
                    }
                );
                return index;
            }
        }
        count
    }
}

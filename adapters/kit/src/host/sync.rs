//! [`lock`]: a mutex's guard, whether or not a thread panicked holding it.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`; a poisoned one (a thread panicked holding it) is used as
/// it is: the watchdog's state stays consistent between its statements.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

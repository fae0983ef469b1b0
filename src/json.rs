//! Any serde type as an event or an output: [`Json`].

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

/// Any serde type as a handler's event or output, passed as JSON.
///
/// On the local server a `Json<T>` event is the POSTed JSON body and a
/// `Json<T>` output is the JSON response; on Lambda it is the raw payload.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Deserialize)]
/// struct Order { id: u32 }
///
/// #[derive(Serialize)]
/// struct Receipt { id: u32, accepted: bool }
///
/// let handler = handler_fn(|Json(order): Json<Order>, _context: Context| async move {
///     Ok::<_, anyfn::Error>(Json(Receipt { id: order.id, accepted: true }))
/// });
/// # let _ = handler;
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The value inside.
    ///
    /// # Example
    ///
    /// ```
    /// let json = anyfn::Json(vec![1, 2, 3]);
    /// assert_eq!(json.len(), 3); // through `Deref`
    /// assert_eq!(json.into_inner(), [1, 2, 3]);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Json<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

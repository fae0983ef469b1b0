//! A registered function taken back with its own event and output types:
//! [`NamedHandler`].

use std::fmt;
use std::sync::Arc;

use anyfn::{async_trait, Context, Error, Handler, IntoError};

/// One function of a [`Functions`](crate::Functions) registry, with the
/// event and output types it was added with and its errors as
/// [`anyfn::Error`]: a [`Handler`] any adapter or the test harness can run.
///
/// Made by [`Functions::handler`](crate::Functions::handler). Cloning it is
/// cheap; every clone calls the same handler value.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Handler, Json};
/// use anyfn_functions::Functions;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let functions = Functions::new().add(
///     "double",
///     handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) }),
/// );
/// let double = functions.handler::<Json<u64>, Json<u64>>("double")?;
/// assert_eq!(double.name(), "double");
/// assert_eq!(double.call(Json(21), Context::builder().build()).await?, Json(42));
/// # Ok(())
/// # }
/// ```
pub struct NamedHandler<E, O> {
    name: Arc<str>,
    handler: Arc<dyn Handler<Event = E, Output = O, Error = Error>>,
}

impl<E, O> NamedHandler<E, O> {
    pub(crate) fn new(
        name: Arc<str>,
        handler: Arc<dyn Handler<Event = E, Output = O, Error = Error>>,
    ) -> Self {
        Self { name, handler }
    }

    /// The name the function was added under.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_functions::Functions;
    ///
    /// let double = |Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) };
    /// let functions = Functions::new().add("double", handler_fn(double));
    /// let handler = functions.handler::<Json<u64>, Json<u64>>("double")?;
    /// assert_eq!(handler.name(), "double");
    /// # Ok::<(), anyfn_functions::FunctionError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<E, O> Clone for NamedHandler<E, O> {
    fn clone(&self) -> Self {
        Self {
            name: Arc::clone(&self.name),
            handler: Arc::clone(&self.handler),
        }
    }
}

impl<E, O> fmt::Debug for NamedHandler<E, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NamedHandler")
            .field("name", &self.name)
            .field("event", &std::any::type_name::<E>())
            .field("output", &std::any::type_name::<O>())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl<E: Send + 'static, O: Send + 'static> Handler for NamedHandler<E, O> {
    type Event = E;
    type Output = O;
    type Error = Error;

    async fn call(&self, event: E, context: Context) -> Result<O, Error> {
        self.handler.call(event, context).await
    }
}

/// A handler whose errors become [`anyfn::Error`] through [`IntoError`], as
/// every adapter would convert them: so that handlers with different error
/// types share one trait-object type per event and output.
pub(crate) struct ErrorsInto<H>(pub(crate) Arc<H>);

#[async_trait]
impl<H: Handler> Handler for ErrorsInto<H> {
    type Event = H::Event;
    type Output = H::Output;
    type Error = Error;

    async fn call(&self, event: H::Event, context: Context) -> Result<H::Output, Error> {
        self.0
            .call(event, context)
            .await
            .map_err(IntoError::into_error)
    }
}

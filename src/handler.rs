//! The one trait a function implements: [`Handler`], and [`handler_fn`].

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;

use crate::{Context, IntoError};

/// A serverless function: takes an event and its [`Context`], returns an output.
///
/// Write a function once against this trait and run it with any adapter:
/// `anyfn-lambda` on AWS Lambda, `anyfn-server` over HTTP (locally and in any
/// container), `anyfn-auto` picking one of those from the environment, and
/// `anyfn-test` in-process, in tests.
/// The adapter decides which events it can decode into [`Handler::Event`]
/// (an [`http::Request`](crate::Request), [`Json<T>`](crate::Json), …).
///
/// State that should be built once, before the first invocation (clients,
/// connection pools, configuration), lives in the handler value itself: every
/// invocation borrows the same handler.
///
/// The trait is object safe: `Box<dyn Handler<Event = E, Output = O, Error = Er>>`
/// is a handler too.
///
/// # Example
///
/// ```
/// use anyfn::{async_trait, Context, Handler, Json};
///
/// struct Counter {
///     greeting: String, // built once, reused by every invocation
/// }
///
/// #[async_trait]
/// impl Handler for Counter {
///     type Event = Json<String>;
///     type Output = Json<String>;
///     type Error = anyfn::Error;
///
///     async fn call(&self, event: Json<String>, _context: Context) -> Result<Json<String>, anyfn::Error> {
///         Ok(Json(format!("{}, {}!", self.greeting, event.0)))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let handler = Counter { greeting: "Hello".into() };
/// let out = handler.call(Json("Ada".into()), anyfn::Context::builder().build()).await?;
/// assert_eq!(out.0, "Hello, Ada!");
/// # Ok(())
/// # }
/// ```
#[async_trait]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an anyfn handler",
    note = "make one from an async fn or closure taking the event and a `Context` with `anyfn::handler_fn`, or implement `anyfn::Handler`"
)]
pub trait Handler: Send + Sync + 'static {
    /// What the function is invoked with.
    type Event: Send + 'static;
    /// What the function answers with.
    type Output: Send + 'static;
    /// What the function fails with: [`anyfn::Error`](crate::Error), or a
    /// type of your own that says which status each of its values answers
    /// with ([`IntoError`]).
    type Error: IntoError + Send + 'static;

    /// Handles one invocation.
    ///
    /// # Errors
    ///
    /// Whatever the function decides; the adapter reports it with the
    /// status and error type its [`IntoError`] conversion gives.
    async fn call(&self, event: Self::Event, context: Context)
        -> Result<Self::Output, Self::Error>;
}

#[async_trait]
impl<H: Handler + ?Sized> Handler for Arc<H> {
    type Event = H::Event;
    type Output = H::Output;
    type Error = H::Error;

    async fn call(
        &self,
        event: Self::Event,
        context: Context,
    ) -> Result<Self::Output, Self::Error> {
        (**self).call(event, context).await
    }
}

#[async_trait]
impl<H: Handler + ?Sized> Handler for Box<H> {
    type Event = H::Event;
    type Output = H::Output;
    type Error = H::Error;

    async fn call(
        &self,
        event: Self::Event,
        context: Context,
    ) -> Result<Self::Output, Self::Error> {
        (**self).call(event, context).await
    }
}

/// Turns an async function or closure `(event, context) -> Result<output, error>`
/// into a [`Handler`].
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Handler, Json};
///
/// async fn double(event: Json<u64>, _context: Context) -> Result<Json<u64>, anyfn::Error> {
///     Ok(Json(event.0 * 2))
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let handler = handler_fn(double);
/// let out = handler.call(Json(21), Context::builder().build()).await?;
/// assert_eq!(out, Json(42));
/// # Ok(())
/// # }
/// ```
///
/// State built once goes in an `Arc` that the closure clones into each call:
///
/// ```
/// use std::sync::Arc;
/// use anyfn::{handler_fn, Context, Json};
///
/// let prefix = Arc::new(String::from("order-"));
/// let handler = handler_fn(move |event: Json<u32>, _context: Context| {
///     let prefix = Arc::clone(&prefix);
///     async move { Ok::<_, anyfn::Error>(Json(format!("{prefix}{}", event.0))) }
/// });
/// # let _ = handler;
/// ```
pub fn handler_fn<F, Fut, E, O, Er>(function: F) -> HandlerFn<F, E>
where
    F: Fn(E, Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, Er>> + Send + 'static,
    E: Send + 'static,
    O: Send + 'static,
    Er: IntoError + Send + 'static,
{
    HandlerFn {
        function,
        event: PhantomData,
    }
}

/// A [`Handler`] made from a function by [`handler_fn`].
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Handler, HandlerFn, Json};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let greet: HandlerFn<_, Json<String>> =
///     handler_fn(|Json(name): Json<String>, _context: Context| async move {
///         Ok::<_, anyfn::Error>(format!("hello, {name}"))
///     });
/// let copy = greet.clone();
/// let out = copy.call(Json("Ada".to_owned()), Context::builder().build()).await?;
/// assert_eq!(out, "hello, Ada");
/// # Ok(())
/// # }
/// ```
pub struct HandlerFn<F, E> {
    function: F,
    event: PhantomData<fn(E)>,
}

impl<F: Clone, E> Clone for HandlerFn<F, E> {
    fn clone(&self) -> Self {
        Self {
            function: self.function.clone(),
            event: PhantomData,
        }
    }
}

impl<F, E> fmt::Debug for HandlerFn<F, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerFn")
            .field("event", &std::any::type_name::<E>())
            .finish_non_exhaustive()
    }
}

impl<F, Fut, E, O, Er> Handler for HandlerFn<F, E>
where
    F: Fn(E, Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, Er>> + Send + 'static,
    E: Send + 'static,
    O: Send + 'static,
    Er: IntoError + Send + 'static,
{
    type Event = E;
    type Output = O;
    type Error = Er;

    // What `#[async_trait]` makes of `async fn call`, written out without
    // its block around the function's future: the block held the event and
    // the context (hundreds of bytes) and moved them into the function on
    // its first poll, two more copies of each on every invocation. The
    // function's own future is boxed as it is, which takes it to be
    // `'static` (any function's future is, unless it borrows what the
    // function does not own).
    fn call<'life0, 'async_trait>(
        &'life0 self,
        event: E,
        context: Context,
    ) -> Pin<Box<dyn Future<Output = Result<O, Er>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin((self.function)(event, context))
    }
}

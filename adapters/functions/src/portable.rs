//! The portability bound, defined once: [`PortableEvent`],
//! [`PortableOutput`] and [`PortableHandler`], what a handler must take and
//! give to run on every adapter this build has.
//!
//! Each adapter has its own conversion traits (the local server's
//! `FromHttp`/`IntoHttp`, Lambda's `FromLambda`/`IntoLambda`, Azure's
//! `FromAzure`/`IntoAzure`); these traits gather the ones of the adapters
//! whose cargo features are on, so that an entry point names one bound and
//! a mistake gets one message naming the portable types, not one per
//! adapter trait.
//!
//! # What a feature does to the bound
//!
//! Every portable type (those listed on the traits) implements every
//! adapter's traits, so code that takes and gives portable types compiles
//! whatever features are on, and turning a feature on anywhere in the
//! dependency graph (cargo unifies them) never breaks it: the features stay
//! additive. A type of your own that implements [`PortableEvent`] or
//! [`PortableOutput`] must implement the traits of every adapter whose
//! feature is on in the final build; turning one more on may ask for one
//! more impl.

use anyfn::event::{BatchResult, CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::stream::StreamResponse;
use anyfn::{Handler, Json, Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use self::adapters::{
    OnAzureEvent, OnAzureOutput, OnLambdaEvent, OnLambdaOutput, OnServerEvent, OnServerOutput,
};

/// An event a handler can take on every adapter of this build.
///
/// Implemented for the portable events: [`Request`], [`Json<T>`] (any
/// serde type, the payload as it came), and the [`anyfn::event`] families
/// ([`StorageEvent`], [`QueueBatch`], [`ScheduleTick`], [`CloudEvent`]).
///
/// # Example
///
/// ```
/// use anyfn::event::QueueBatch;
/// use anyfn_functions::PortableEvent;
///
/// fn takes<E: PortableEvent>() {}
/// takes::<QueueBatch>();
/// takes::<anyfn::Json<serde_json::Value>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event anyfn can deliver on every platform",
    label = "this handler takes `{Self}`",
    note = "a handler takes `anyfn::Request` (an HTTP request), `anyfn::Json<T>` (any serde type, the payload as it came), or an event of `anyfn::event`: `StorageEvent`, `QueueBatch`, `ScheduleTick`, `CloudEvent`"
)]
pub trait PortableEvent:
    OnServerEvent + OnLambdaEvent + OnAzureEvent + Send + Sized + 'static
{
}

impl PortableEvent for Request {}
impl<T: DeserializeOwned + Send + 'static> PortableEvent for Json<T> {}
impl PortableEvent for StorageEvent {}
impl PortableEvent for QueueBatch {}
impl PortableEvent for ScheduleTick {}
impl PortableEvent for CloudEvent {}

/// An output a handler can answer with on every adapter of this build.
///
/// Implemented for [`Response`], [`StreamResponse`], [`Json<T>`] (any serde
/// type, sent as JSON), `()` (no content), [`BatchResult`] (the messages
/// that failed) and [`CloudEvent`].
///
/// # Example
///
/// ```
/// use anyfn_functions::PortableOutput;
///
/// fn gives<O: PortableOutput>() {}
/// gives::<anyfn::Response>();
/// gives::<anyfn::Json<String>>();
/// gives::<()>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an output anyfn can answer with on every platform",
    label = "this handler answers `{Self}`",
    note = "return `anyfn::Json<{Self}>` to send it as JSON, `anyfn::Response` (`anyfn::response::text(…)` for text), `anyfn::stream::StreamResponse`, `()` for no content, or `anyfn::event::BatchResult`"
)]
pub trait PortableOutput:
    OnServerOutput + OnLambdaOutput + OnAzureOutput + Send + Sized + 'static
{
}

impl PortableOutput for Response {}
impl PortableOutput for StreamResponse {}
impl<T: Serialize + Send + 'static> PortableOutput for Json<T> {}
impl PortableOutput for () {}
impl PortableOutput for BatchResult {}
impl PortableOutput for CloudEvent {}

/// A [`Handler`] that runs on every adapter of this build: its event is a
/// [`PortableEvent`] and its output a [`PortableOutput`]. The one bound of
/// `anyfn_auto::run` and [`Functions::add`](crate::Functions::add).
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_functions::PortableHandler;
///
/// fn runs_anywhere(_handler: impl PortableHandler) {}
/// runs_anywhere(handler_fn(|Json(n): Json<u64>, _: Context| async move {
///     Ok::<_, anyfn::Error>(Json(n + 1))
/// }));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an anyfn handler",
    label = "expected a handler",
    note = "make one from an async fn or closure with `anyfn::handler_fn(|event, context: anyfn::Context| async move {{ … }})`, or implement `anyfn::Handler`"
)]
pub trait PortableHandler: Handler<Event: PortableEvent, Output: PortableOutput> {}

impl<H> PortableHandler for H
where
    H: Handler,
    H::Event: PortableEvent,
    H::Output: PortableOutput,
{
}

/// Each adapter's part of the bound: its conversion traits when its
/// feature is on, nothing when it is off.
mod adapters {
    /// What the local server needs of an event (`anyfn_server::FromHttp`),
    /// when the `server` feature is on.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Body, Context, Json, Request};
    /// use anyfn_functions::portable::OnServerEvent;
    /// use anyfn_server::FromHttp;
    ///
    /// fn decode<E: OnServerEvent>(request: Request) -> Result<E, anyfn::Error> {
    ///     E::from_http(request, &mut Context::builder().build())
    /// }
    /// let request = anyfn::http::Request::post("/")
    ///     .header("content-type", "application/json")
    ///     .body(Body::from("21"))?;
    /// assert_eq!(decode::<Json<u64>>(request)?, Json(21));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    #[cfg(feature = "server")]
    pub trait OnServerEvent: anyfn_server::FromHttp {}
    #[cfg(feature = "server")]
    impl<T: anyfn_server::FromHttp> OnServerEvent for T {}
    /// What the local server needs of an output (`anyfn_server::IntoHttp`),
    /// when the `server` feature is on.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_functions::portable::OnServerOutput;
    /// use anyfn_server::{HttpAnswer, IntoHttp};
    ///
    /// fn encode<O: OnServerOutput>(output: O) -> Result<HttpAnswer, anyfn::Error> {
    ///     output.into_http()
    /// }
    /// assert_eq!(encode(())?.status(), 204);
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    #[cfg(feature = "server")]
    pub trait OnServerOutput: anyfn_server::IntoHttp {}
    #[cfg(feature = "server")]
    impl<T: anyfn_server::IntoHttp> OnServerOutput for T {}

    /// Nothing: the `server` feature is off.
    #[cfg(not(feature = "server"))]
    pub trait OnServerEvent {}
    #[cfg(not(feature = "server"))]
    impl<T> OnServerEvent for T {}
    /// Nothing: the `server` feature is off.
    #[cfg(not(feature = "server"))]
    pub trait OnServerOutput {}
    #[cfg(not(feature = "server"))]
    impl<T> OnServerOutput for T {}

    /// What AWS Lambda needs of an event (`anyfn_lambda::FromLambda`),
    /// when the `lambda` feature is on.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Context, Json};
    /// use anyfn_functions::portable::OnLambdaEvent;
    /// use anyfn_lambda::FromLambda;
    ///
    /// fn decode<E: OnLambdaEvent>(payload: &[u8]) -> Result<E, anyfn::Error> {
    ///     E::from_lambda(payload, &mut Context::builder().build())
    /// }
    /// assert_eq!(decode::<Json<u64>>(b"21")?, Json(21));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    #[cfg(feature = "lambda")]
    pub trait OnLambdaEvent: anyfn_lambda::FromLambda {}
    #[cfg(feature = "lambda")]
    impl<T: anyfn_lambda::FromLambda> OnLambdaEvent for T {}
    /// What AWS Lambda needs of an output (`anyfn_lambda::IntoLambda`),
    /// when the `lambda` feature is on.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::Json;
    /// use anyfn_functions::portable::OnLambdaOutput;
    /// use anyfn_lambda::{EventSource, IntoLambda, LambdaAnswer};
    ///
    /// fn encode<O: OnLambdaOutput>(output: O) -> Result<LambdaAnswer, anyfn::Error> {
    ///     output.into_lambda(EventSource::Raw)
    /// }
    /// assert_eq!(encode(Json(42))?.into_payload().as_deref(), Some("42"));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    #[cfg(feature = "lambda")]
    pub trait OnLambdaOutput: anyfn_lambda::IntoLambda {}
    #[cfg(feature = "lambda")]
    impl<T: anyfn_lambda::IntoLambda> OnLambdaOutput for T {}

    /// Nothing: the `lambda` feature is off.
    #[cfg(not(feature = "lambda"))]
    pub trait OnLambdaEvent {}
    #[cfg(not(feature = "lambda"))]
    impl<T> OnLambdaEvent for T {}
    /// Nothing: the `lambda` feature is off.
    #[cfg(not(feature = "lambda"))]
    pub trait OnLambdaOutput {}
    #[cfg(not(feature = "lambda"))]
    impl<T> OnLambdaOutput for T {}

    /// What Azure Functions needs of an event (`anyfn_azure::FromAzure`),
    /// when the `azure` feature is on.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Context, Json};
    /// use anyfn_azure::{AzureInput, AzureTrigger, FromAzure};
    /// use anyfn_functions::portable::OnAzureEvent;
    ///
    /// fn decode<E: OnAzureEvent>(input: AzureInput) -> Result<E, anyfn::Error> {
    ///     E::from_azure(input, &mut Context::builder().build())
    /// }
    /// let input = AzureInput::Envelope(AzureTrigger::new("n", serde_json::json!(21)));
    /// assert_eq!(decode::<Json<u64>>(input)?, Json(21));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    #[cfg(feature = "azure")]
    pub trait OnAzureEvent: anyfn_azure::FromAzure {}
    #[cfg(feature = "azure")]
    impl<T: anyfn_azure::FromAzure> OnAzureEvent for T {}
    /// What Azure Functions needs of an output (`anyfn_azure::IntoAzure`),
    /// when the `azure` feature is on.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_azure::{AzureAnswer, IntoAzure};
    /// use anyfn_functions::portable::OnAzureOutput;
    ///
    /// fn encode<O: OnAzureOutput>(output: O) -> Result<AzureAnswer, anyfn::Error> {
    ///     output.into_azure()
    /// }
    /// assert!(matches!(encode(())?, AzureAnswer::Empty));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    #[cfg(feature = "azure")]
    pub trait OnAzureOutput: anyfn_azure::IntoAzure {}
    #[cfg(feature = "azure")]
    impl<T: anyfn_azure::IntoAzure> OnAzureOutput for T {}

    /// Nothing: the `azure` feature is off.
    #[cfg(not(feature = "azure"))]
    pub trait OnAzureEvent {}
    #[cfg(not(feature = "azure"))]
    impl<T> OnAzureEvent for T {}
    /// Nothing: the `azure` feature is off.
    #[cfg(not(feature = "azure"))]
    pub trait OnAzureOutput {}
    #[cfg(not(feature = "azure"))]
    impl<T> OnAzureOutput for T {}
}

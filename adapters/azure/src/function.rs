//! Functions of different types behind one object-safe trait:
//! [`AzureFunction`], made by [`function`].

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;

use anyfn::{Context, Error, ErrorKind, Handler};

use crate::codec::{AzureAnswer, AzureInput, FromAzure, IntoAzure};

/// The future an [`AzureFunction`] returns.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_azure::{AzureAnswer, AzureFuture, AzureInput, AzureTrigger};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let double = anyfn_azure::function(handler_fn(|Json(n): Json<u64>, _: Context| async move {
///     Ok::<_, anyfn::Error>(Json(n * 2))
/// }));
/// let input = AzureInput::Envelope(AzureTrigger::new("n", serde_json::json!(21)));
/// let future: AzureFuture = double.call(input, Context::builder().build());
/// assert!(matches!(future.await?, AzureAnswer::Value(value) if value == 42));
/// # Ok(()) }
/// ```
pub type AzureFuture = Pin<Box<dyn Future<Output = Result<AzureAnswer, Error>> + Send + 'static>>;

/// A function the adapter can serve, its event and output types erased:
/// what [`Azure::functions`](crate::Azure::functions) holds, one per name.
///
/// Made by [`function`]; implement it yourself only to serve something
/// that is not a [`Handler`].
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use anyfn::Context;
/// use anyfn_azure::{AzureAnswer, AzureFunction, AzureFuture, AzureInput};
///
/// /// Answers every invocation with the same value, whatever it is sent.
/// struct Health;
///
/// impl AzureFunction for Health {
///     fn call(&self, _input: AzureInput, _context: Context) -> AzureFuture {
///         Box::pin(async { Ok(AzureAnswer::Value(serde_json::json!({"healthy": true}))) })
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let input = AzureInput::Envelope(anyfn_azure::AzureTrigger::new("req", serde_json::json!({})));
/// let answer = Health.call(input, Context::builder().build()).await?;
/// assert!(matches!(answer, AzureAnswer::Value(value) if value["healthy"] == true));
/// // Served at `/Health`, beside other functions:
/// let health: Arc<dyn AzureFunction> = Arc::new(Health);
/// let azure = anyfn_azure::Azure::functions(vec![("Health".to_owned(), health)]);
/// # drop(azure);
/// # Ok(()) }
/// ```
pub trait AzureFunction: Send + Sync + 'static {
    /// Decodes `input` into the function's event (which may add details to
    /// `context`), runs it, and encodes its output.
    ///
    /// The adapter enforces the deadline and logs the failure: this only
    /// settles the outcome (panics caught, the handler's error converted).
    /// [`function`]'s catches a panic while decoding or encoding too: it
    /// fails that one invocation with [`ErrorKind::Panic`].
    ///
    /// # Errors
    ///
    /// The decoding error, the handler's error or panic, or the encoding
    /// error.
    fn call(&self, input: AzureInput, context: Context) -> AzureFuture;
}

struct HandlerFunction<H>(Arc<H>);

impl<H> AzureFunction for HandlerFunction<H>
where
    H: Handler,
    H::Event: FromAzure,
    H::Output: IntoAzure,
{
    fn call(&self, input: AzureInput, context: Context) -> AzureFuture {
        let handler = Arc::clone(&self.0);
        // The input and the context are boxed on their own rather than
        // held by the future: what an `async` block captures stays in its
        // state for as long as it runs, beside the invocation's future
        // that holds them again (the state was 1,624 bytes for an HTTP
        // handler, past the largest size the allocator serves from its
        // per-thread cache; 880 without them).
        let start = Box::new((input, context));
        Box::pin(async move {
            // Made in a block of its own: the event, the input and the
            // context it ends with are no part of the state kept while
            // the invocation runs.
            let invocation = {
                let (input, mut context) = *start;
                // Decoding and encoding are guarded as the handler is
                // (inside `anyfn_kit::invoke`): a panic on the host's
                // input fails this invocation alone, not the connection
                // and what follows on it.
                let event = guarded("decoding the event", || {
                    H::Event::from_azure(input, &mut context)
                })?;
                // An installed telemetry (anyfn-otel) gets an HTTP
                // request's method and path, in the invocation's span
                // (current here).
                if anyfn_kit::telemetry_installed() {
                    let event = &event as &dyn std::any::Any;
                    if let Some(request) = event.downcast_ref::<anyfn::Request>() {
                        anyfn_kit::record_http_request(
                            &tracing::Span::current(),
                            anyfn_kit::HttpRequestLine::of(request),
                        );
                    }
                }
                // `invoke` itself, without its call moving the event and
                // the context once more on their way into this.
                anyfn_kit::invoke_started_at(
                    handler.as_ref(),
                    event,
                    context,
                    std::future::pending(),
                    std::time::Instant::now(),
                )
            };
            let output = invocation.await?;
            guarded("encoding the output", || output.into_azure())
        })
    }
}

/// Runs `step`, a panic in it becoming an [`ErrorKind::Panic`] error that
/// names the step.
fn guarded<T>(step: &str, run: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|payload| {
        Err(Error::new(
            ErrorKind::Panic,
            format!(
                "{step} panicked: {}",
                anyfn_kit::panic_message(payload.as_ref())
            ),
        ))
    })
}

/// `handler` as an [`AzureFunction`], to serve among others by name.
///
/// # Example
///
/// ```no_run
/// use anyfn::event::QueueBatch;
/// use anyfn::{handler_fn, Context, Request, Response};
///
/// # async fn main_() -> Result<(), anyfn_azure::AzureError> {
/// let hello = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
/// let orders = handler_fn(|_: QueueBatch, _: Context| async { Ok::<_, anyfn::Error>(()) });
/// anyfn_azure::serve_functions(vec![
///     ("Hello".to_owned(), anyfn_azure::function(hello)),
///     ("Orders".to_owned(), anyfn_azure::function(orders)),
/// ])
/// .await
/// # }
/// ```
pub fn function<H>(handler: H) -> Arc<dyn AzureFunction>
where
    H: Handler,
    H::Event: FromAzure,
    H::Output: IntoAzure,
{
    Arc::new(HandlerFunction(Arc::new(handler)))
}

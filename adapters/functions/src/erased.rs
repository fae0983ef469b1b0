//! One registered function with every adapter's trait bounds erased: what
//! each adapter needs of it, decided when it was added, while its types were
//! known.

use std::any::Any;
#[cfg(any(feature = "server", feature = "lambda"))]
use std::future::Future;
#[cfg(any(feature = "server", feature = "lambda"))]
use std::pin::Pin;
use std::sync::Arc;

use anyfn::Handler;
#[cfg(feature = "azure")]
use anyfn_azure::AzureFunction;
#[cfg(any(feature = "server", feature = "lambda"))]
use anyfn_kit::{Lifecycle, Settings};
#[cfg(feature = "lambda")]
use anyfn_lambda::LambdaError;
#[cfg(feature = "server")]
use anyfn_server::{FromHttp, HttpAnswer, IntoHttp, ServeError};

use crate::portable::PortableHandler;
use crate::typed::{ErrorsInto, NamedHandler};

/// A boxed future, `Send` so that a caller may spawn it.
#[cfg(any(feature = "server", feature = "lambda"))]
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What each adapter can do with a function whose types it no longer knows.
///
/// Adding an adapter adds a method here, behind its feature, and its traits
/// to the portability bound ([`PortableHandler`]).
pub(crate) trait ErasedFunction: Send + Sync + 'static {
    /// The event type's name, for messages.
    fn event_type(&self) -> &'static str;
    /// The output type's name, for messages.
    fn output_type(&self) -> &'static str;
    /// The handler as a [`NamedHandler`] of its own event and output types,
    /// for [`Functions::handler`](crate::Functions::handler) to downcast.
    fn typed(&self) -> &(dyn Any + Send + Sync);
    /// One invocation over HTTP: decode as the server does, call, encode.
    #[cfg(feature = "server")]
    fn call_http(
        &self,
        request: anyfn::Request,
        context: anyfn::Context,
    ) -> BoxFuture<'_, Result<HttpAnswer, anyfn::Error>>;
    /// Runs this function alone on Lambda.
    #[cfg(feature = "lambda")]
    fn run_lambda(
        &self,
        settings: Settings,
        lifecycle: Lifecycle,
    ) -> BoxFuture<'static, Result<(), LambdaError>>;
    /// This function for the Azure adapter, which serves every function of
    /// the registry at `/{FunctionName}`.
    #[cfg(feature = "azure")]
    fn azure(&self) -> Arc<dyn AzureFunction>;
    /// Serves this function alone on the server, at every path.
    #[cfg(feature = "server")]
    fn serve(
        &self,
        name: &str,
        settings: Settings,
        lifecycle: Lifecycle,
    ) -> BoxFuture<'static, Result<(), ServeError>>;
}

/// A handler with the types it was added with.
pub(crate) struct Entry<H: Handler> {
    #[cfg_attr(
        not(any(feature = "server", feature = "lambda", feature = "azure")),
        allow(dead_code)
    )]
    handler: Arc<H>,
    typed: NamedHandler<H::Event, H::Output>,
}

impl<H: Handler> Entry<H> {
    pub(crate) fn new(name: &Arc<str>, handler: H) -> Self {
        let handler = Arc::new(handler);
        let typed = NamedHandler::new(Arc::clone(name), Arc::new(ErrorsInto(Arc::clone(&handler))));
        Self { handler, typed }
    }
}

impl<H: PortableHandler> ErasedFunction for Entry<H> {
    fn event_type(&self) -> &'static str {
        std::any::type_name::<H::Event>()
    }

    fn output_type(&self) -> &'static str {
        std::any::type_name::<H::Output>()
    }

    fn typed(&self) -> &(dyn Any + Send + Sync) {
        &self.typed
    }

    #[cfg(feature = "server")]
    fn call_http(
        &self,
        request: anyfn::Request,
        mut context: anyfn::Context,
    ) -> BoxFuture<'_, Result<HttpAnswer, anyfn::Error>> {
        Box::pin(async move {
            let event = H::Event::from_http(request, &mut context)?;
            let output = self
                .handler
                .call(event, context)
                .await
                .map_err(anyfn::IntoError::into_error)?;
            output.into_http()
        })
    }

    #[cfg(feature = "azure")]
    fn azure(&self) -> Arc<dyn AzureFunction> {
        anyfn_azure::function(Arc::clone(&self.handler))
    }

    #[cfg(feature = "lambda")]
    fn run_lambda(
        &self,
        settings: Settings,
        lifecycle: Lifecycle,
    ) -> BoxFuture<'static, Result<(), LambdaError>> {
        let lambda = anyfn_lambda::Lambda::new(Arc::clone(&self.handler))
            .settings(settings)
            .lifecycle(lifecycle);
        Box::pin(lambda.run())
    }

    #[cfg(feature = "server")]
    fn serve(
        &self,
        name: &str,
        settings: Settings,
        lifecycle: Lifecycle,
    ) -> BoxFuture<'static, Result<(), ServeError>> {
        let mut server = anyfn_server::Server::new(Arc::clone(&self.handler))
            .settings(settings)
            .lifecycle(lifecycle);
        // Cloud Run names the service (`K_SERVICE`); elsewhere the function's
        // own name is closer than the executable's, the server's default.
        if anyfn_server::platform() != anyfn::Platform::CloudRun {
            server = server.function_name(name);
        }
        Box::pin(async move { server.bind().await?.run().await })
    }
}

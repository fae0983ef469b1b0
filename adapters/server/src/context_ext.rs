//! What only the local server knows about an invocation: [`ServerContextExt`].

use std::net::SocketAddr;

use anyfn::Context;

/// The client's socket address, stored in the context's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientAddr(pub(crate) SocketAddr);

/// Reads the local server's details from a [`Context`].
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Request, Response};
/// use anyfn_server::ServerContextExt;
///
/// let handler = handler_fn(|_request: Request, context: Context| async move {
///     let client = context.client_addr().map(|addr| addr.to_string());
///     Ok::<_, anyfn::Error>(anyfn::response::text(client.unwrap_or_default()))
/// });
/// # let _ = handler;
/// ```
pub trait ServerContextExt {
    /// The address of the client that sent the request, when the local server
    /// runs the invocation.
    fn client_addr(&self) -> Option<SocketAddr>;
}

impl ServerContextExt for Context {
    fn client_addr(&self) -> Option<SocketAddr> {
        self.extensions().get::<ClientAddr>().map(|addr| addr.0)
    }
}

//! What only Azure Functions knows about an invocation: [`AzureContextExt`].

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::lenient;
use crate::{AzureTrigger, Mode};

/// The host's `sys` metadata of an envelope invocation.
///
/// # Example
///
/// ```
/// use std::sync::OnceLock;
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_azure::{AzureContextExt, AzureInvocation, SysMetadata};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
/// let handler = handler_fn(|_: Json<serde_json::Value>, context: Context| async move {
///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
///     Ok::<_, anyfn::Error>(())
/// });
/// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
/// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
/// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
/// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
/// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
/// #     let mut answer = String::new();
/// #     stream.read_to_string(&mut answer).await?;
/// #     Ok(answer)
/// # }
/// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// # let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
/// # let addr = bound.local_addr();
/// # tokio::spawn(bound.run_until(std::future::pending()));
/// // The host posts a queue message to `/Orders`, `sys` in its metadata:
/// # post(addr, "/Orders", r#"{"Data": {"order": {"id": 7}}, "Metadata": {"sys": {"MethodName": "Orders", "UtcNow": "2024-05-01T10:00:00Z", "RandGuid": "9b1deb4d"}}}"#).await?;
/// let azure = SEEN.get().expect("invoked");
/// let sys: SysMetadata = azure.sys().expect("sys was sent");
/// assert_eq!(sys.method_name.as_deref(), Some("Orders"));
/// assert_eq!(sys.rand_guid.as_deref(), Some("9b1deb4d"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SysMetadata {
    /// `MethodName`: the function's name.
    pub method_name: Option<String>,
    /// `UtcNow`: when the host made the invocation, as it wrote it.
    pub utc_now: Option<String>,
    /// `RandGuid`: a fresh GUID per invocation.
    pub rand_guid: Option<String>,
}

impl SysMetadata {
    /// Reads `sys` from an envelope's metadata (`None` when absent).
    pub(crate) fn from_metadata(metadata: &Map<String, Value>) -> Option<Self> {
        let sys = lenient::object(lenient::get(metadata, "sys")?)?;
        let field = |key: &str| {
            lenient::get(&sys, key)
                .and_then(lenient::text)
                .map(std::borrow::Cow::into_owned)
        };
        Some(Self {
            method_name: field("MethodName"),
            utc_now: field("UtcNow"),
            rand_guid: field("RandGuid"),
        })
    }
}

/// The longest invocation id held in place: the host's are GUIDs (36
/// bytes), as are the adapter's own (`anyfn-…`, at most 35).
const INLINE_ID: usize = 40;

/// An invocation's id: one of the usual length held in place, without the
/// allocation (and its free) a shared string costs per invocation; a
/// longer one shared.
#[derive(Clone)]
pub(crate) enum InvocationId {
    /// An id of at most [`INLINE_ID`] bytes.
    Inline { len: u8, bytes: IdBytes },
    /// A longer one.
    Shared(Arc<str>),
}

/// The bytes of an [`InvocationId`] held in place, on a word boundary:
/// `str::from_utf8` checks ASCII two words at a time only from an aligned
/// address.
#[derive(Clone, Copy)]
#[repr(align(8))]
pub(crate) struct IdBytes([u8; INLINE_ID]);

impl InvocationId {
    /// The id as text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // The bytes are a whole `&str`'s, so they are UTF-8; an empty
            // id stands for the impossible error rather than a panic.
            Self::Inline { len, bytes } => bytes
                .0
                .get(..usize::from(*len))
                .and_then(|id| std::str::from_utf8(id).ok())
                .unwrap_or_default(),
            Self::Shared(id) => id,
        }
    }
}

impl InvocationId {
    /// The id whose text is `id`, bytes of visible ASCII (told by the
    /// caller): held in place without a UTF-8 check here, as the text of
    /// a `&str` is (a byte past ASCII would read back as the empty id,
    /// never as other text).
    pub(crate) fn from_visible_ascii(id: &[u8]) -> Self {
        debug_assert!(id.is_ascii());
        match Self::inline(id) {
            Some(inline) => inline,
            None => Self::Shared(Arc::from(String::from_utf8_lossy(id))),
        }
    }

    /// `id` held in place, if it is short enough.
    fn inline(id: &[u8]) -> Option<Self> {
        let len = u8::try_from(id.len())
            .ok()
            .filter(|_| id.len() <= INLINE_ID)?;
        let mut bytes = IdBytes([0; INLINE_ID]);
        bytes.0.get_mut(..id.len())?.copy_from_slice(id);
        Some(Self::Inline { len, bytes })
    }
}

impl From<&str> for InvocationId {
    fn from(id: &str) -> Self {
        Self::inline(id.as_bytes()).unwrap_or_else(|| Self::Shared(Arc::from(id)))
    }
}

impl Default for InvocationId {
    fn default() -> Self {
        Self::from("")
    }
}

impl PartialEq for InvocationId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for InvocationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Azure's details of one invocation, in the context's extensions.
///
/// What comes from the envelope is read from the host's JSON when asked.
///
/// # Example
///
/// ```
/// use std::sync::OnceLock;
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_azure::{AzureContextExt, AzureInvocation, Mode};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
/// let handler = handler_fn(|_: Json<serde_json::Value>, context: Context| async move {
///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
///     Ok::<_, anyfn::Error>(())
/// });
/// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
/// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
/// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
/// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
/// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
/// #     let mut answer = String::new();
/// #     stream.read_to_string(&mut answer).await?;
/// #     Ok(answer)
/// # }
/// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// # let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
/// # let addr = bound.local_addr();
/// # tokio::spawn(bound.run_until(std::future::pending()));
/// // The host posts a queue message to `/Orders`, invocation `inv-1`:
/// # post(addr, "/Orders", r#"{"Data": {"order": {"id": 7}}, "Metadata": {"Id": "m-1", "DequeueCount": "1"}}"#).await?;
/// let azure = SEEN.get().expect("invoked");
/// assert_eq!((azure.function_name(), azure.invocation_id()), ("Orders", "inv-1"));
/// assert_eq!(azure.mode(), Mode::Envelope);
/// assert_eq!(azure.trigger().map(|trigger| trigger.binding()), Some("order"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AzureInvocation {
    invocation_id: InvocationId,
    // Shared with the adapter and the context: no copy per invocation.
    function_name: Arc<str>,
    mode: Mode,
    trigger: Option<AzureTrigger>,
}

impl AzureInvocation {
    pub(crate) fn new(
        invocation_id: InvocationId,
        function_name: Arc<str>,
        mode: Mode,
        trigger: Option<AzureTrigger>,
    ) -> Self {
        Self {
            invocation_id,
            function_name,
            mode,
            trigger,
        }
    }

    /// The host's invocation id (`X-Azure-Functions-InvocationId`); also
    /// the context's request id.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::OnceLock;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::{AzureContextExt, AzureInvocation};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
    /// let handler = handler_fn(|_: Json<serde_json::Value>, context: Context| async move {
    ///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
    ///     Ok::<_, anyfn::Error>(())
    /// });
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // The host posts a queue message to `/Orders`, invocation `inv-1`:
    /// # post(addr, "/Orders", r#"{"Data": {"order": {"id": 7}}, "Metadata": {"Id": "m-1", "DequeueCount": "1"}}"#).await?;
    /// let azure = SEEN.get().expect("invoked");
    /// assert_eq!(azure.invocation_id(), "inv-1");
    /// # Ok(()) }
    /// ```
    pub fn invocation_id(&self) -> &str {
        self.invocation_id.as_str()
    }

    /// The function's name, as the host called it.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::OnceLock;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::{AzureContextExt, AzureInvocation};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
    /// let handler = handler_fn(|_: Json<serde_json::Value>, context: Context| async move {
    ///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
    ///     Ok::<_, anyfn::Error>(())
    /// });
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // The host posts a queue message to `/Orders`:
    /// # post(addr, "/Orders", r#"{"Data": {"order": {"id": 7}}, "Metadata": {"Id": "m-1", "DequeueCount": "1"}}"#).await?;
    /// let azure = SEEN.get().expect("invoked");
    /// assert_eq!(azure.function_name(), "Orders");
    /// # Ok(()) }
    /// ```
    pub fn function_name(&self) -> &str {
        &self.function_name
    }

    /// The function's name, shared.
    pub(crate) fn shared_function_name(&self) -> Arc<str> {
        Arc::clone(&self.function_name)
    }

    /// The function's name, as it is shared.
    pub(crate) fn function_name_shared(&self) -> &Arc<str> {
        &self.function_name
    }

    /// How the host reached the handler.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::OnceLock;
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_azure::{AzureContextExt, AzureInvocation, Mode};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
    /// let handler = handler_fn(|_: Request, context: Context| async move {
    ///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
    ///     Ok::<_, anyfn::Error>(())
    /// });
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = anyfn_azure::Azure::new(handler).mode(Mode::Forwarding).bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // Forwarding: the host sends the HTTP request as it came, at its own path.
    /// # post(addr, "/api/Orders", r#"an order"#).await?;
    /// let azure = SEEN.get().expect("invoked");
    /// assert_eq!(azure.mode(), Mode::Forwarding);
    /// assert!(azure.trigger().is_none());
    /// # Ok(()) }
    /// ```
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The trigger (envelope mode): its binding, value and metadata.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::OnceLock;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::{AzureContextExt, AzureInvocation};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
    /// let handler = handler_fn(|_: Json<serde_json::Value>, context: Context| async move {
    ///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
    ///     Ok::<_, anyfn::Error>(())
    /// });
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // The host posts a queue message to `/Orders`:
    /// # post(addr, "/Orders", r#"{"Data": {"order": {"id": 7}}, "Metadata": {"Id": "m-1", "DequeueCount": "1"}}"#).await?;
    /// let azure = SEEN.get().expect("invoked");
    /// let trigger = azure.trigger().expect("an envelope invocation");
    /// assert_eq!(trigger.binding(), "order");
    /// assert_eq!(trigger.value()["id"], 7);
    /// # Ok(()) }
    /// ```
    pub fn trigger(&self) -> Option<&AzureTrigger> {
        self.trigger.as_ref()
    }

    /// The trigger's metadata (envelope mode), `sys` included; empty
    /// otherwise.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::OnceLock;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::{AzureContextExt, AzureInvocation};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
    /// let handler = handler_fn(|_: Json<serde_json::Value>, context: Context| async move {
    ///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
    ///     Ok::<_, anyfn::Error>(())
    /// });
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // The host posts a queue message to `/Orders`, its metadata with it:
    /// # post(addr, "/Orders", r#"{"Data": {"order": {"id": 7}}, "Metadata": {"Id": "m-1", "DequeueCount": "1"}}"#).await?;
    /// let azure = SEEN.get().expect("invoked");
    /// assert_eq!(azure.metadata()["Id"], "m-1");
    /// assert_eq!(azure.metadata()["DequeueCount"], "1");
    /// # Ok(()) }
    /// ```
    pub fn metadata(&self) -> &Map<String, Value> {
        self.trigger
            .as_ref()
            .map_or_else(|| empty_map(), AzureTrigger::all_metadata)
    }

    /// `sys` (envelope mode).
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::OnceLock;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::{AzureContextExt, AzureInvocation};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
    /// let handler = handler_fn(|_: Json<serde_json::Value>, context: Context| async move {
    ///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
    ///     Ok::<_, anyfn::Error>(())
    /// });
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // The host posts a queue message to `/Orders`, `sys` in its metadata:
    /// # post(addr, "/Orders", r#"{"Data": {"order": {"id": 7}}, "Metadata": {"sys": {"MethodName": "Orders", "UtcNow": "2024-05-01T10:00:00Z", "RandGuid": "9b1deb4d"}}}"#).await?;
    /// let azure = SEEN.get().expect("invoked");
    /// let sys = azure.sys().expect("sys was sent");
    /// assert_eq!(sys.method_name.as_deref(), Some("Orders"));
    /// assert_eq!(sys.utc_now.as_deref(), Some("2024-05-01T10:00:00Z"));
    /// # Ok(()) }
    /// ```
    pub fn sys(&self) -> Option<SysMetadata> {
        SysMetadata::from_metadata(self.metadata())
    }

    /// Every input binding's value under `Data` (envelope mode), the
    /// trigger's included; empty otherwise.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::OnceLock;
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_azure::{AzureContextExt, AzureInvocation};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
    /// let handler = handler_fn(|_: Request, context: Context| async move {
    ///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
    ///     Ok::<_, anyfn::Error>(())
    /// });
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // An HTTP trigger `req`, with a blob input binding `quota`:
    /// # post(addr, "/Orders", r#"{"Data": {"req": {"Url": "http://localhost:7071/api/orders", "Method": "GET", "Headers": {}}, "quota": "{\"max\": 10}"}, "Metadata": {}}"#).await?;
    /// let azure = SEEN.get().expect("invoked");
    /// assert_eq!(azure.data().len(), 2);
    /// assert_eq!(azure.data()["quota"], r#"{"max": 10}"#);
    /// # Ok(()) }
    /// ```
    pub fn data(&self) -> &Map<String, Value> {
        self.trigger
            .as_ref()
            .map_or_else(|| empty_map(), AzureTrigger::data)
    }

    /// An HTTP trigger's route parameters (`Params`), by name, as the host
    /// sent them (envelope mode; empty otherwise). The request carries them
    /// as text too: [`RequestExt::path_params`](anyfn::RequestExt::path_params).
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::OnceLock;
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_azure::{AzureContextExt, AzureInvocation};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
    /// let handler = handler_fn(|_: Request, context: Context| async move {
    ///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
    ///     Ok::<_, anyfn::Error>(())
    /// });
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // An HTTP trigger on the route `orders/{id}`, called with `id` 7:
    /// # post(addr, "/Orders", r#"{"Data": {"req": {"Url": "http://localhost:7071/api/orders/7", "Method": "GET", "Headers": {}, "Params": {"id": "7"}, "Identities": [{"AuthenticationType": "aad"}]}}, "Metadata": {}}"#).await?;
    /// let azure = SEEN.get().expect("invoked");
    /// assert_eq!(azure.params()["id"], "7");
    /// # Ok(()) }
    /// ```
    pub fn params(&self) -> Map<String, Value> {
        self.request_field("Params")
            .and_then(|params| lenient::object(params).map(Cow::into_owned))
            .unwrap_or_default()
    }

    /// An HTTP trigger's `Identities` (the caller's claims identities, as
    /// the host serialized them), when it sent any.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::OnceLock;
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_azure::{AzureContextExt, AzureInvocation};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
    /// let handler = handler_fn(|_: Request, context: Context| async move {
    ///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
    ///     Ok::<_, anyfn::Error>(())
    /// });
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // An HTTP trigger whose caller signed in with Entra ID:
    /// # post(addr, "/Orders", r#"{"Data": {"req": {"Url": "http://localhost:7071/api/orders/7", "Method": "GET", "Headers": {}, "Params": {"id": "7"}, "Identities": [{"AuthenticationType": "aad"}]}}, "Metadata": {}}"#).await?;
    /// let azure = SEEN.get().expect("invoked");
    /// let identities = azure.identities().expect("the host sent some");
    /// assert_eq!(identities[0]["AuthenticationType"], "aad");
    /// # Ok(()) }
    /// ```
    pub fn identities(&self) -> Option<Value> {
        self.request_field("Identities")
            .filter(|value| !value.is_null())
            .cloned()
    }

    fn request_field(&self, key: &str) -> Option<&Value> {
        let value = self.trigger.as_ref()?.value();
        match value {
            Value::Object(request) => lenient::get(request, key),
            _ => None,
        }
    }

    /// A timer trigger's `IsPastDue`: whether this tick runs late (the app
    /// was down when it was due). `None` when no input is a timer's.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::OnceLock;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::{AzureContextExt, AzureInvocation};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// static SEEN: OnceLock<AzureInvocation> = OnceLock::new();
    /// let handler = handler_fn(|_: Json<serde_json::Value>, context: Context| async move {
    ///     SEEN.set(context.azure().cloned().unwrap_or_default()).ok();
    ///     Ok::<_, anyfn::Error>(())
    /// });
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = anyfn_azure::Azure::new(handler).bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // A timer trigger whose tick comes late:
    /// # post(addr, "/Cleanup", r#"{"Data": {"timer": {"Schedule": {"AdjustForDST": true}, "IsPastDue": true}}, "Metadata": {}}"#).await?;
    /// let azure = SEEN.get().expect("invoked");
    /// assert_eq!(azure.timer_is_past_due(), Some(true));
    /// # Ok(()) }
    /// ```
    pub fn timer_is_past_due(&self) -> Option<bool> {
        self.data().values().find_map(|value| {
            lenient::object(value)
                .and_then(|timer| lenient::get(&timer, "IsPastDue").and_then(lenient::boolean))
        })
    }
}

fn empty_map() -> &'static Map<String, Value> {
    static EMPTY: OnceLock<Map<String, Value>> = OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

/// Reads Azure's details from a [`Context`](anyfn::Context).
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_azure::AzureContextExt;
///
/// let handler = handler_fn(|_event: Json<serde_json::Value>, context: Context| async move {
///     let dequeue_count = context
///         .azure()
///         .and_then(|azure| azure.metadata().get("DequeueCount").cloned());
///     Ok::<_, anyfn::Error>(Json(dequeue_count))
/// });
/// # let _ = handler;
/// ```
pub trait AzureContextExt {
    /// Azure's details, when running as a custom handler.
    fn azure(&self) -> Option<&AzureInvocation>;
}

impl AzureContextExt for anyfn::Context {
    fn azure(&self) -> Option<&AzureInvocation> {
        self.extensions().get::<AzureInvocation>()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// An invocation id gives back the text it was made from, held in
    /// place or shared, of every length around the inline limit and of
    /// characters past ASCII; ids of the same text are equal however held,
    /// and show as their text.
    #[test]
    fn invocation_ids_give_back_their_text() {
        let mut texts: Vec<String> = (0..=90).map(|len| "g".repeat(len)).collect();
        texts.push("0f8fad5b-d9cb-469f-a165-70867728950e".to_owned());
        texts.push("é".repeat(20));
        texts.push("é".repeat(21));
        texts.push("a\\tb".to_owned());
        for text in &texts {
            let id = InvocationId::from(text.as_str());
            assert_eq!(id.as_str(), text);
            assert_eq!(id.clone().as_str(), text);
            assert_eq!(
                matches!(id, InvocationId::Inline { .. }),
                text.len() <= INLINE_ID
            );
            assert_eq!(id, InvocationId::Shared(Arc::from(text.as_str())));
            assert_eq!(format!("{id:?}"), format!("{text:?}"));
            if text.is_ascii() {
                let ascii = InvocationId::from_visible_ascii(text.as_bytes());
                assert_eq!((ascii.as_str(), &ascii), (text.as_str(), &id));
            }
            let invocation = AzureInvocation::new(id, "f".into(), Mode::Forwarding, None);
            assert_eq!(invocation.invocation_id(), text);
        }
        assert_eq!(InvocationId::default().as_str(), "");
        assert_eq!(AzureInvocation::default().invocation_id(), "");
        assert_ne!(InvocationId::from("a"), InvocationId::from("b"));
    }

    #[test]
    fn sys_from_metadata() {
        let metadata = json!({"sys": {"MethodName": "QueueTrigger", "UtcNow": "2019-10-09T17:58:32.2205399Z", "RandGuid": "24ad4c06"}});
        let sys = SysMetadata::from_metadata(metadata.as_object().expect("object"));
        assert_eq!(
            sys,
            Some(SysMetadata {
                method_name: Some("QueueTrigger".into()),
                utc_now: Some("2019-10-09T17:58:32.2205399Z".into()),
                rand_guid: Some("24ad4c06".into()),
            })
        );
        assert_eq!(SysMetadata::from_metadata(&Map::new()), None);
        let invocation = AzureInvocation::default();
        assert_eq!(invocation.timer_is_past_due(), None);
        let timer = AzureTrigger::new("timer", json!({"IsPastDue": "True"}));
        let invocation =
            AzureInvocation::new("i".into(), "tick".into(), Mode::Envelope, Some(timer));
        assert_eq!(invocation.timer_is_past_due(), Some(true));
        let request = AzureTrigger::new(
            "req",
            json!({"Params": {"id": "7"}, "Identities": [{"AuthenticationType": null}]}),
        );
        let invocation =
            AzureInvocation::new("i".into(), "get".into(), Mode::Envelope, Some(request));
        assert_eq!(invocation.params()["id"], "7");
        assert_eq!(
            invocation.identities(),
            Some(json!([{"AuthenticationType": null}]))
        );
    }
}

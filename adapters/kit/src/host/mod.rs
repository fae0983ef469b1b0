//! The HTTP host every HTTP adapter is built on (the local server, the
//! Azure Functions custom handler): the accept loop, each connection's
//! hyper settings, the watchdog that keeps request deadlines, the `INIT`
//! line, the shutdown signals and the graceful drain. An adapter keeps only
//! what is its own: the service that answers each request.
//!
//! - [`HttpHost`]: serves connections from a bound listener until a
//!   shutdown future completes, then drains and runs the
//!   [`ShutdownHooks`](crate::ShutdownHooks) within what is left.
//! - [`Watchdog`]: one thread keeping the deadlines of every request in
//!   flight. A handler awaiting past its deadline has its task woken to
//!   answer `504`; a handler blocking its thread past it is answered `504`
//!   by the watchdog itself, on the connection's socket.
//!   It also closes a connection that has waited longer than the
//!   header-read timeout for a request head.
//! - [`HeaderSleep`]: a connection's header-read deadline, kept by the
//!   same thread, which the host gives hyper as its timer where the
//!   watchdog has no handle on the connection's socket.
//! - [`RequestIds`]: UUID-shaped request ids, unique within the process.
//! - [`InitLine`]: the `INIT` line an HTTP adapter logs once it listens.
//! - [`shutdown_signal`]: SIGINT or SIGTERM.
//!
//! Only with the kit's `http-host` feature (hyper's server, tokio's
//! sockets and signals); function code never uses it.
//!
//! # Example
//!
//! ```
//! use std::pin::pin;
//! use std::sync::Arc;
//! use std::time::{Duration, Instant};
//!
//! use anyfn_kit::host::{RequestIds, Settled, Watchdog};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let ids = Arc::new(RequestIds::new());
//! let timeout = Duration::from_millis(50);
//! let watchdog = Watchdog::start(timeout, None, Arc::clone(&ids), anyfn::ErrorDetails::Hidden)?;
//! let connection = watchdog.register(None); // no socket: a blocked handler is answered when it returns
//!
//! let (n, _id) = ids.next_id();
//! let handler = pin!(async { Ok::<_, anyfn::Error>("in time") });
//! let span = tracing::Span::none();
//! match connection.watch().run(n, Instant::now() + timeout, &span, handler).await {
//!     Settled::InTime(answer) => assert_eq!(answer.ok(), Some("in time")),
//!     Settled::Late { .. } => unreachable!("it answered at once"),
//! }
//!
//! let (n, _id) = ids.next_id();
//! let slow = pin!(async {
//!     tokio::time::sleep(Duration::from_secs(60)).await;
//!     Ok::<_, anyfn::Error>("too late")
//! });
//! let settled = connection.watch().run(n, Instant::now() + timeout, &span, slow).await;
//! assert!(matches!(settled, Settled::Late { answered: false, .. }));
//! # Ok(())
//! # }
//! ```

mod drain;
mod head_watch;
mod header_deadline;
mod header_timer;
mod http_host;
mod init_line;
mod request_id;
mod signal;
mod sync;
mod watchdog;

pub use header_deadline::HeaderSleep;
pub use http_host::{HostSettings, HttpHost};
pub use init_line::InitLine;
pub use request_id::{RequestId, RequestIds};
pub use signal::shutdown_signal;
pub use watchdog::{ConnectionWatch, LateAnswer, Registration, Settled, Watchdog};

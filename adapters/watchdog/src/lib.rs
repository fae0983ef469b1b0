//! Internal to anyfn's HTTP adapters ([anyfn-server] and [anyfn-azure]):
//! what both need to keep a request's deadline while its handler runs on
//! the connection's own task.
//!
//! - [`Watchdog`]: one thread keeping the deadlines of every request in
//!   flight. A handler awaiting past its deadline has its task woken to
//!   answer `504`; a handler blocking its thread past it is answered `504`
//!   by the watchdog itself, on the connection's socket.
//! - [`HeaderSleep`]: a connection's header-read deadline, kept by the same
//!   thread, for an HTTP server's timer.
//! - [`RequestIds`]: UUID-shaped request ids, unique within the process.
//!
//! Function code never uses this crate; its API may change with any
//! release of the adapters.
//!
//! # Example
//!
//! ```
//! use std::pin::pin;
//! use std::sync::Arc;
//! use std::time::{Duration, Instant};
//!
//! use anyfn_watchdog::{RequestIds, Settled, Watchdog};
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
//!
//! [anyfn-server]: https://docs.rs/anyfn-server
//! [anyfn-azure]: https://docs.rs/anyfn-azure

mod header;
mod request_id;
mod sync;
mod watchdog;

pub use header::HeaderSleep;
pub use request_id::{RequestId, RequestIds};
pub use watchdog::{ConnectionWatch, LateAnswer, Registration, Settled, Watchdog};

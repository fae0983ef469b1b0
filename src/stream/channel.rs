//! [`channel`]: a sender that produces a [`BodyStream`] chunk by chunk.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context as TaskContext, Poll, Waker};

use bytes::Bytes;
use futures_core::Stream;

use super::BodyStream;
use crate::{Error, IntoError};

/// A [`ChunkSender`] and the [`BodyStream`] it feeds, holding at most
/// `capacity` chunks (at least one) that the client has not taken yet:
/// [`send`](ChunkSender::send) waits while that many are waiting, so a
/// producer goes no faster than the client reads.
///
/// The body ends when the sender is dropped, or is cut short by
/// [`fail`](ChunkSender::fail). When the body is dropped (the client went
/// away, the deadline passed), `send` fails with [`Closed`], and the
/// producer should stop.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let (mut sender, body) = anyfn::stream::channel(2);
/// let producer = tokio::spawn(async move {
///     sender.send("first ").await?;
///     sender.send("second").await
/// });
/// assert_eq!(body.collect().await?, "first second");
/// assert!(producer.await.is_ok());
/// # Ok(())
/// # }
/// ```
pub fn channel(capacity: usize) -> (ChunkSender, BodyStream) {
    let shared = Arc::new(Mutex::new(State {
        queue: VecDeque::new(),
        capacity: capacity.max(1),
        receiver: None,
        sender: None,
        body_dropped: false,
        sender_done: false,
    }));
    (
        ChunkSender {
            shared: Arc::clone(&shared),
        },
        BodyStream::new(Receiver { shared }),
    )
}

struct State {
    queue: VecDeque<Result<Bytes, Error>>,
    capacity: usize,
    receiver: Option<Waker>,
    sender: Option<Waker>,
    body_dropped: bool,
    sender_done: bool,
}

fn lock(shared: &Mutex<State>) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The body a [`ChunkSender`] fed was dropped: the client went away, or the
/// invocation ended (its deadline passed). Stop producing.
///
/// # Example
///
/// ```
/// use anyfn::stream::{channel, Closed};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let (mut sender, body) = channel(1);
/// drop(body); // the client went away
/// assert_eq!(sender.send("late").await, Err(Closed));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the response body was dropped: the client went away or the invocation ended")]
pub struct Closed;

/// The sending half of a [`channel`].
///
/// # Example
///
/// ```
/// use anyfn::stream::{channel, ChunkSender};
///
/// async fn produce(mut sender: ChunkSender) {
///     for word in ["one ", "two"] {
///         if sender.send(word).await.is_err() {
///             return; // the body was dropped
///         }
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let (sender, body) = channel(1);
/// tokio::spawn(produce(sender));
/// assert_eq!(body.collect().await?, "one two");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ChunkSender {
    shared: Arc<Mutex<State>>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("waiting", &self.queue.len())
            .field("capacity", &self.capacity)
            .field("body_dropped", &self.body_dropped)
            .finish_non_exhaustive()
    }
}

impl ChunkSender {
    /// Sends a chunk, waiting while `capacity` chunks wait for the client.
    ///
    /// # Errors
    ///
    /// [`Closed`] when the body was dropped.
    ///
    /// # Example
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn::Error> {
    /// let (mut sender, body) = anyfn::stream::channel(4);
    /// sender.send("a").await?; // room for 4: no wait
    /// sender.send(String::from("b")).await?;
    /// drop(sender); // the body ends
    /// assert_eq!(body.collect().await?, "ab");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send(&mut self, chunk: impl Into<Bytes>) -> Result<(), Closed> {
        let mut chunk = Some(chunk.into());
        poll_fn(|cx| {
            let mut state = lock(&self.shared);
            if state.body_dropped {
                return Poll::Ready(Err(Closed));
            }
            if state.queue.len() >= state.capacity {
                state.sender = Some(cx.waker().clone());
                return Poll::Pending;
            }
            if let Some(chunk) = chunk.take() {
                state.queue.push_back(Ok(chunk));
            }
            let receiver = state.receiver.take();
            drop(state);
            if let Some(receiver) = receiver {
                receiver.wake();
            }
            Poll::Ready(Ok(()))
        })
        .await
    }

    /// Cuts the body short with `error`: the client sees an incomplete
    /// response (and, for server-sent events, an `error` event), and the log
    /// says why.
    ///
    /// # Example
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn::Error> {
    /// let (mut sender, body) = anyfn::stream::channel(4);
    /// sender.send("partial").await?;
    /// sender.fail(anyfn::Error::unavailable("upstream went away"));
    /// let err = body.collect().await.unwrap_err();
    /// assert_eq!(err.to_string(), "upstream went away");
    /// # Ok(())
    /// # }
    /// ```
    pub fn fail(self, error: impl IntoError) {
        let receiver = {
            let mut state = lock(&self.shared);
            state.queue.push_back(Err(error.into_error()));
            state.receiver.take()
        };
        if let Some(receiver) = receiver {
            receiver.wake();
        }
    }

    /// Whether the body was dropped, so that nothing sent would be read.
    ///
    /// # Example
    ///
    /// ```
    /// let (sender, body) = anyfn::stream::channel(1);
    /// assert!(!sender.is_closed());
    /// drop(body);
    /// assert!(sender.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        lock(&self.shared).body_dropped
    }
}

impl Drop for ChunkSender {
    fn drop(&mut self) {
        let receiver = {
            let mut state = lock(&self.shared);
            state.sender_done = true;
            state.receiver.take()
        };
        if let Some(receiver) = receiver {
            receiver.wake();
        }
    }
}

/// The receiving half, inside the [`BodyStream`].
struct Receiver {
    shared: Arc<Mutex<State>>,
}

impl Stream for Receiver {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let mut state = lock(&self.shared);
        if let Some(item) = state.queue.pop_front() {
            let sender = state.sender.take();
            drop(state);
            if let Some(sender) = sender {
                sender.wake();
            }
            return Poll::Ready(Some(item));
        }
        if state.sender_done {
            return Poll::Ready(None);
        }
        state.receiver = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let sender = {
            let mut state = lock(&self.shared);
            state.body_dropped = true;
            state.queue.clear();
            state.sender.take()
        };
        if let Some(sender) = sender {
            sender.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_channel_holds_the_producer_back() {
        let (mut sender, mut body) = channel(1);
        sender.send("a").await.unwrap();
        let second = tokio::spawn(async move {
            sender.send("b").await.unwrap();
            sender
        });
        tokio::task::yield_now().await;
        assert!(!second.is_finished(), "waits while one chunk waits");
        assert_eq!(body.next_chunk().await.unwrap().unwrap(), "a");
        let sender = second.await.unwrap();
        drop(sender);
        assert_eq!(body.collect().await.unwrap(), "b");
    }

    #[tokio::test]
    async fn dropping_the_body_stops_the_producer() {
        let (mut sender, body) = channel(4);
        drop(body);
        assert_eq!(sender.send("x").await, Err(Closed));
        assert!(sender.is_closed());
    }

    #[tokio::test]
    async fn fail_cuts_the_body_short() {
        let (mut sender, mut body) = channel(4);
        sender.send("part").await.unwrap();
        sender.fail(Error::unavailable("the upstream went away"));
        assert_eq!(body.next_chunk().await.unwrap().unwrap(), "part");
        let err = body.next_chunk().await.unwrap().unwrap_err();
        assert_eq!(err.status(), 503);
        assert!(body.next_chunk().await.is_none());
    }
}

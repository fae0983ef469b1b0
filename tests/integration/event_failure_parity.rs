//! The failure table's rows for events, held to on every adapter of the one
//! list (`adapters.rs`): an event whose handler fails (an error of a 4xx
//! kind, `?` on an I/O error and on the function's own error with a cause,
//! a panic, the deadline passed while awaiting) fails its invocation on
//! every platform and every way it delivers the event, and the platform is
//! told the harness's error type and message wherever its protocol carries
//! them (in an invocation error the message whole, with its causes; in an
//! HTTP answer a server error's hidden). An event handled is a success.
//! Each failed invocation logs the harness's failure line once (level,
//! message with its cause chain, `error_type`, `status`, the adapter's
//! request id), and a successful one none.
//!
//! Two families, each with its example:
//!
//! - queue batches (`queue-failures`): a JSON POST and Pub/Sub pushes to
//!   the local server; SQS and SNS on Lambda and on Lambda Managed
//!   Instances; Azure's queue trigger, in envelope mode and with forwarding
//!   on; a JSON POST over `fetch` and workerd's `queue()` on Workers. A
//!   failed batch is delivered again whole.
//! - storage events (`storage-failures`): a JSON POST and Cloud Storage
//!   CloudEvents to the local server; S3 notifications on Lambda and on
//!   Lambda Managed Instances; Azure's blob trigger (one blob an
//!   invocation), in envelope mode and with forwarding on; a JSON POST over
//!   `fetch` on Workers (which have no storage trigger). A failed event is
//!   notified again.
//! - schedule ticks (`schedule-failures`): a JSON POST and a Cloud
//!   Scheduler CloudEvent to the local server; EventBridge on Lambda; an
//!   Azure timer (one function per schedule, as a timer's schedule is its
//!   function's name); a JSON POST over `fetch` and workerd's `scheduled()`
//!   on Workers, which cannot tell the runtime of a failure (the Workers
//!   entry's [`Difference::FailureUntold`]), so there only the log line
//!   says it.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, UNIX_EPOCH};

use anyfn::event::{Message, ObjectChange, ObjectEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::{handler_fn, ErrorDetails, Handler};
use anyfn_test::Harness;

use crate::adapters::{self, Delivered, Difference, Running, Settled, Setup};
use crate::example_code::{queue_failures, schedule_failures, storage_failures};
use crate::failure_lines::FailureLine;
use crate::failure_parity::{assert_log_parity, lines_once, Logged};

/// The deadline the function must meet, on every adapter.
const TIMEOUT: Duration = Duration::from_millis(400);

/// The error types of the outcomes, in the order each family's cases are
/// made: the failure table's rows, as the harness gives them.
const ROWS: [(&str, Option<&str>); 6] = [
    ("handled", None),
    ("bad", Some("BadRequest")),
    ("io", Some("HandlerError")),
    ("store", Some("HandlerError")),
    ("panic", Some("Panic")),
    ("sleep", Some("Timeout")),
];

/// What the harness says of one delivered event.
struct Expected {
    /// The error type, `None` when the event was handled.
    error_type: Option<String>,
    /// The error's `errorMessage` in an HTTP answer (a server error's
    /// hidden), and in an invocation error (whole, with its causes).
    messages: Option<(String, String)>,
    line: Option<FailureLine>,
}

impl Expected {
    /// What the harness gives for `event`.
    async fn of<E, H>(harness: &Harness<H>, event: E) -> Self
    where
        H: Handler<Event = E, Error = anyfn::Error>,
        E: Send + 'static,
    {
        let invocation = harness.invoke(event).await;
        let line = FailureLine::of_harness(invocation.logs());
        let error = invocation.error();
        assert_eq!(
            line.is_some(),
            error.is_some(),
            "the harness logs a failure line exactly when the invocation fails: {:?}",
            invocation.logs()
        );
        Self {
            error_type: error.map(|error| error.error_type().to_owned()),
            messages: error.map(|error| {
                (
                    error.answer_message(ErrorDetails::Hidden).into_owned(),
                    error.answer_message(ErrorDetails::Shown).into_owned(),
                )
            }),
            line,
        }
    }

    /// The `errorMessage` a platform told as `got` was must have been.
    fn message_for(&self, got: &Settled) -> Option<&str> {
        let (hidden, shown) = self.messages.as_ref()?;
        Some(if got.over_http { hidden } else { shown })
    }
}

/// The adapters running one example, and what their deliveries must still
/// show in their logs once every case has been delivered.
struct Suite {
    running: Vec<(&'static adapters::Adapter, Box<dyn Running>)>,
    /// Failure lines looked up by the adapter's request id.
    logged: Vec<Logged>,
    /// Per adapter: the failure lines of failed deliveries whose request id
    /// the platform does not tell (workerd's `queue()` and `scheduled()`),
    /// in order.
    unnamed: Vec<Vec<(String, FailureLine)>>,
}

impl Suite {
    /// `example` on every available adapter, with the suite's deadline.
    async fn start(example: &str) -> Self {
        let setup = Setup {
            timeout: Some(TIMEOUT),
        };
        let mut running = Vec::new();
        for adapter in adapters::available() {
            running.push((adapter, adapter.start(example, setup).await));
        }
        let unnamed = vec![Vec::new(); running.len()];
        Self {
            running,
            logged: Vec::new(),
            unnamed,
        }
    }

    /// Holds adapter `index`'s `deliveries` of the case `what` to the
    /// harness's answer for each event as delivered.
    async fn check<E, H>(
        &mut self,
        harness: &Harness<H>,
        index: usize,
        what: &str,
        deliveries: Vec<Delivered<E, Settled>>,
    ) where
        H: Handler<Event = E, Error = anyfn::Error>,
        E: Send + 'static,
    {
        let adapter = self.running[index].0;
        assert!(!deliveries.is_empty(), "{what}: {}", adapter.name);
        for delivery in deliveries {
            let seen_on = format!("{} {}", adapter.name, delivery.how);
            let want = Expected::of(harness, delivery.event).await;
            let got = delivery.answer;
            if got.told {
                assert_eq!(
                    got.failed,
                    want.error_type.is_some(),
                    "{what}: {seen_on} counts the invocation otherwise than the harness"
                );
            } else {
                let why = adapter
                    .differs(Difference::FailureUntold)
                    .unwrap_or_else(|| {
                        panic!(
                            "{what}: {seen_on} cannot tell a failure, which its entry does not say"
                        )
                    });
                assert!(!got.failed, "{what}: {seen_on}: {why}");
            }
            // A platform told only "failed" (workerd's `queue()`) or
            // nothing (`scheduled()`) has no error to compare; its log
            // line has, below.
            if got.request_id.is_some() || got.error_type.is_some() {
                assert_eq!(
                    got.error_type, want.error_type,
                    "{what}: {seen_on} was told another error type than the harness's"
                );
                assert_eq!(
                    got.error_message.as_deref(),
                    want.message_for(&got),
                    "{what}: {seen_on} was told another message than the failure table says \
                     (a server error's hidden in an HTTP answer, whole with its causes in an \
                     invocation error)"
                );
            }
            match got.request_id {
                Some(request_id) => self.logged.push(Logged {
                    running: index,
                    seen_on,
                    what: what.to_owned(),
                    expected: want.line.map(|line| FailureLine {
                        request_id: Some(request_id.clone()),
                        ..line
                    }),
                    request_id,
                }),
                None => {
                    if let Some(line) = want.line {
                        self.unnamed[index].push((format!("{what}: {seen_on}"), line));
                    }
                }
            }
        }
    }

    /// Checks every adapter's log: each failed delivery's failure line
    /// once, none for a success, and the REPORT lines the table says.
    async fn assert_logs(mut self) {
        // Failures first: once each is seen, every line written before it is.
        self.logged.sort_by_key(|entry| entry.expected.is_none());
        assert_log_parity(&self.running, &self.logged).await;
        for (index, (adapter, running)) in self.running.iter().enumerate() {
            let expected = &self.unnamed[index];
            if expected.is_empty() {
                continue;
            }
            let named: Vec<&str> = self
                .logged
                .iter()
                .filter(|entry| entry.running == index)
                .map(|entry| entry.request_id.as_str())
                .collect();
            // The failure lines of invocations no delivery named, in order.
            let unnamed_lines = |lines: &[String]| -> Vec<(String, FailureLine)> {
                lines
                    .iter()
                    .filter_map(|line| Some((line.clone(), FailureLine::parse(line)?)))
                    .filter(|(_, failure)| {
                        failure
                            .request_id
                            .as_deref()
                            .is_none_or(|id| !named.contains(&id))
                    })
                    .collect()
            };
            let lines = lines_once(
                running.as_ref(),
                &format!("{}'s failure lines of unnamed invocations", adapter.name),
                |lines| unnamed_lines(lines).len() >= expected.len(),
            )
            .await;
            let found = unnamed_lines(&lines);
            assert_eq!(
                found.len(),
                expected.len(),
                "{}: a failure line for each failed delivery that named no request id: \
                 {found:#?}",
                adapter.name
            );
            for ((line, failure), (what, want)) in found.iter().zip(expected) {
                assert!(
                    failure
                        .request_id
                        .as_deref()
                        .is_some_and(|id| !id.is_empty()),
                    "{what}: the failure line names the invocation: {line}"
                );
                assert_eq!(
                    FailureLine {
                        request_id: None,
                        ..failure.clone()
                    },
                    FailureLine {
                        request_id: None,
                        ..want.clone()
                    },
                    "{what}: the failure line against the harness's: {line}"
                );
            }
        }
    }
}

/// A [`Running`] method delivering one event in each way its platform
/// has, and telling how each delivery was settled.
type Deliver<E> =
    for<'a> fn(
        &'a dyn Running,
        &'a E,
    ) -> Pin<Box<dyn Future<Output = Vec<Delivered<E, Settled>>> + Send + 'a>>;

/// Holds `example`'s `cases` (named as [`ROWS`]; each "the {name} {noun}"
/// in messages) to the harness's answers on every adapter, each delivered
/// with `deliver`, and then every adapter's log to the harness's lines.
async fn hold_every_adapter<E, H>(
    example: &str,
    harness: &Harness<H>,
    cases: &[(&str, E)],
    noun: &str,
    deliver: Deliver<E>,
) where
    H: Handler<Event = E, Error = anyfn::Error>,
    E: Clone + Send + 'static,
{
    assert_rows(harness, cases).await;
    let mut suite = Suite::start(example).await;
    for (name, event) in cases {
        for index in 0..suite.running.len() {
            let deliveries = deliver(suite.running[index].1.as_ref(), event).await;
            suite
                .check(harness, index, &format!("the {name} {noun}"), deliveries)
                .await;
        }
    }
    suite.assert_logs().await;
}

/// Checks that the harness answers `cases` (named as [`ROWS`]) with the
/// rows' error types.
async fn assert_rows<E, H>(harness: &Harness<H>, cases: &[(&str, E)])
where
    H: Handler<Event = E, Error = anyfn::Error>,
    E: Clone + Send + 'static,
{
    let mut rows = Vec::new();
    for (name, event) in cases {
        let expected = Expected::of(harness, event.clone()).await;
        rows.push((*name, expected.error_type));
    }
    let table: Vec<(&str, Option<String>)> = ROWS
        .iter()
        .map(|(name, error_type)| (*name, error_type.map(str::to_owned)))
        .collect();
    assert_eq!(rows, table);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_failing_queue_batch_is_retried_whole_and_logged_alike_on_every_adapter() {
    let harness = Harness::new(handler_fn(queue_failures::consume)).timeout(TIMEOUT);
    // The message that decides each row, after one that would not fail:
    // each batch's messages' ids its own.
    let cases: Vec<(&str, QueueBatch)> = ROWS
        .iter()
        .map(|(name, _)| {
            let body = if *name == "handled" { "fine" } else { *name };
            let messages = vec![
                Message::new(format!("{name}-1"), "ok"),
                Message::new(format!("{name}-2"), body),
            ];
            (*name, QueueBatch::new(messages))
        })
        .collect();
    hold_every_adapter(
        "queue-failures",
        &harness,
        &cases,
        "batch",
        |running, batch| running.queue_settled(batch),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_failing_scheduled_run_fails_and_is_logged_alike_on_every_adapter() {
    let harness = Harness::new(handler_fn(schedule_failures::run)).timeout(TIMEOUT);
    // The schedule names the row (`job-runs` for the handled one), as the
    // example's Azure app names its timer functions.
    let cases: Vec<(&str, ScheduleTick)> = ROWS
        .iter()
        .enumerate()
        .map(|(at, (name, _))| {
            let schedule = if *name == "handled" { "runs" } else { *name };
            let time = UNIX_EPOCH + Duration::from_secs(1_714_528_800 + at as u64);
            let tick = ScheduleTick::new(format!("tick-{name}"), time)
                .with_schedule(format!("job-{schedule}"));
            (*name, tick)
        })
        .collect();
    hold_every_adapter(
        "schedule-failures",
        &harness,
        &cases,
        "run",
        |running, tick| running.schedule_settled(tick),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_failing_storage_event_is_notified_again_and_logged_alike_on_every_adapter() {
    let harness = Harness::new(handler_fn(storage_failures::process)).timeout(TIMEOUT);
    // The object that decides each row, after one that would not fail:
    // each event's keys its own (a blob trigger fires once a blob).
    let cases: Vec<(&str, StorageEvent)> = ROWS
        .iter()
        .map(|(name, _)| {
            let last = if *name == "handled" { "fine" } else { *name };
            let object =
                |key: String| ObjectEvent::new(ObjectChange::Created, "photos", key).with_size(4);
            let objects = vec![
                object(format!("{name}/ok.jpg")),
                object(format!("{name}/{last}.jpg")),
            ];
            (*name, StorageEvent::new(objects))
        })
        .collect();
    hold_every_adapter(
        "storage-failures",
        &harness,
        &cases,
        "event",
        |running, event| running.storage_settled(event),
    )
    .await;
}

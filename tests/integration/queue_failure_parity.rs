//! The failure table's rows for events, held to on every adapter of the one
//! list (`adapters.rs`), with the `queue-failures` example: a queue batch
//! whose handler fails (an error of a 4xx kind, `?` on an I/O error and on
//! the function's own error with a cause, a panic, the deadline passed while
//! awaiting) is delivered again whole, by
//! every platform and every way it delivers (a JSON POST and Pub/Sub pushes
//! to the local server; SQS and SNS on Lambda and on Lambda Managed
//! Instances; Azure's queue trigger, in envelope mode and with forwarding
//! on; a JSON POST over `fetch` and workerd's `queue()` on Workers), and
//! the platform is told the harness's error type and message wherever its
//! protocol carries them (in an invocation error the message whole, with
//! its causes; in an HTTP answer a server error's hidden). A batch that
//! succeeds is acknowledged. Each failed
//! invocation logs the harness's failure line once (level, message with
//! its cause chain, `error_type`, `status`, the adapter's request id), and
//! a successful one none.

use std::time::Duration;

use anyfn::event::{Message, QueueBatch};
use anyfn::{handler_fn, ErrorDetails};
use anyfn_test::Harness;

use crate::adapters::{self, Settled, Setup};
use crate::example_code::queue_failures;
use crate::failure_lines::FailureLine;
use crate::failure_parity::{assert_log_parity, lines_once, Logged};

/// The deadline the function must meet, on every adapter.
const TIMEOUT: Duration = Duration::from_millis(400);

/// One batch per outcome: its name, and the batch (its messages' ids made
/// from the name, so that each delivery's are its own).
fn batches() -> Vec<(&'static str, QueueBatch)> {
    let batch = |name: &str, bodies: &[&str]| {
        QueueBatch::new(
            bodies
                .iter()
                .enumerate()
                .map(|(at, body)| Message::new(format!("{name}-{}", at + 1), body.to_string()))
                .collect(),
        )
    };
    vec![
        ("consumed", batch("consumed", &["ok", "fine"])),
        ("4xx", batch("4xx", &["ok", "bad"])),
        ("io", batch("io", &["io", "ok"])),
        ("store", batch("store", &["ok", "store"])),
        ("panic", batch("panic", &["ok", "panic"])),
        ("timeout", batch("timeout", &["sleep"])),
    ]
}

/// What the harness says of a delivery of a batch: how every adapter must
/// settle it, and the failure line it must log.
struct Expected {
    /// The messages retried, and the error type (no message, no request id:
    /// those depend on how the platform is told, below).
    settled: Settled,
    /// The error's `errorMessage` in an HTTP answer (a server error's
    /// hidden), and in an invocation error (whole, with its causes).
    messages: Option<(String, String)>,
    line: Option<FailureLine>,
}

impl Expected {
    /// What the harness gives for `batch`.
    async fn of(
        harness: &Harness<
            impl anyfn::Handler<Event = QueueBatch, Output = (), Error = anyfn::Error>,
        >,
        batch: &QueueBatch,
    ) -> Self {
        let invocation = harness.invoke(batch.clone()).await;
        let line = FailureLine::of_harness(invocation.logs());
        let error = invocation.error();
        let settled = Settled {
            retried: match error {
                None => Vec::new(),
                Some(_) => batch.messages.iter().map(|m| m.id.clone()).collect(),
            },
            error_type: error.map(|error| error.error_type().to_owned()),
            error_message: None,
            over_http: false,
            request_id: None,
        };
        let messages = error.map(|error| {
            (
                error.answer_message(ErrorDetails::Hidden).into_owned(),
                error.answer_message(ErrorDetails::Shown).into_owned(),
            )
        });
        assert_eq!(
            line.is_some(),
            error.is_some(),
            "the harness logs a failure line exactly when the batch fails: {:?}",
            invocation.logs()
        );
        Self {
            settled,
            messages,
            line,
        }
    }

    /// The `errorMessage` a platform told as `got` was must have been.
    fn message_for(&self, got: &Settled) -> Option<&str> {
        let (hidden, shown) = self.messages.as_ref()?;
        Some(if got.over_http { hidden } else { shown })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_failing_queue_batch_is_retried_whole_and_logged_alike_on_every_adapter() {
    let harness = Harness::new(handler_fn(queue_failures::consume)).timeout(TIMEOUT);
    let setup = Setup {
        timeout: Some(TIMEOUT),
    };
    let mut running = Vec::new();
    for adapter in adapters::available() {
        running.push((adapter, adapter.start("queue-failures", setup).await));
    }

    // The harness's own answers, first: the table's rows.
    let mut rows = Vec::new();
    for (name, batch) in batches() {
        let expected = Expected::of(&harness, &batch).await;
        rows.push((name, expected.settled.error_type));
    }
    assert_eq!(
        rows,
        [
            ("consumed", None),
            ("4xx", Some("BadRequest".to_owned())),
            ("io", Some("HandlerError".to_owned())),
            ("store", Some("HandlerError".to_owned())),
            ("panic", Some("Panic".to_owned())),
            ("timeout", Some("Timeout".to_owned())),
        ]
    );

    let mut logged = Vec::new();
    // Per adapter: the failure lines of deliveries whose request id the
    // platform does not tell (workerd's `queue()`), compared once all are in.
    let mut unnamed: Vec<Vec<(String, FailureLine)>> = vec![Vec::new(); running.len()];
    for (name, batch) in batches() {
        for (index, (adapter, adapter_running)) in running.iter().enumerate() {
            let deliveries = adapter_running.queue_settled(&batch).await;
            assert!(!deliveries.is_empty(), "{}", adapter.name);
            for delivery in deliveries {
                let seen_on = format!("{} {}", adapter.name, delivery.how);
                let what = format!("the {name} batch");
                let want = Expected::of(&harness, &delivery.event).await;
                let line = want.line.clone();
                let got = delivery.answer;
                assert_eq!(
                    got.retried, want.settled.retried,
                    "{what}: {seen_on} retries other messages than the harness fails"
                );
                // A platform told only "retry" (workerd's `queue()`) has no
                // error to compare; its log line has, below.
                if got.request_id.is_some() || got.error_type.is_some() {
                    assert_eq!(
                        got.error_type, want.settled.error_type,
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
                    Some(request_id) => logged.push(Logged {
                        running: index,
                        seen_on,
                        what,
                        expected: line.map(|line| FailureLine {
                            request_id: Some(request_id.clone()),
                            ..line
                        }),
                        request_id,
                    }),
                    None => {
                        if let Some(line) = line {
                            unnamed[index].push((format!("{what}: {seen_on}"), line));
                        }
                    }
                }
            }
        }
    }
    // Failures first: once each is seen, every line written before it is.
    logged.sort_by_key(|entry| entry.expected.is_none());
    assert_log_parity(&running, &logged).await;

    for (index, (adapter, adapter_running)) in running.iter().enumerate() {
        let expected = &unnamed[index];
        if expected.is_empty() {
            continue;
        }
        let named: Vec<&str> = logged
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
            adapter_running.as_ref(),
            &format!("{}'s failure lines of unnamed invocations", adapter.name),
            |lines| unnamed_lines(lines).len() >= expected.len(),
        )
        .await;
        let found = unnamed_lines(&lines);
        assert_eq!(
            found.len(),
            expected.len(),
            "{}: a failure line for each failed delivery that named no request id: {found:#?}",
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

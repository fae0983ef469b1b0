//! The one list of adapters the parity suites run ([`ADAPTERS`]): each
//! entry starts an example the way its platform runs it and delivers HTTP
//! requests and each event family the way that platform does. The suites
//! (`parity.rs`, `failure_parity.rs`) hold every entry to the harness's
//! result, so a new adapter joins both by adding its entry here: an
//! in-process handle, a process driven over HTTP, a platform's emulator, or
//! the platform's own runtime (the Workers entry: the example's Worker
//! under workerd, when [`WORKERD_DIR_VAR`] names the Workers that
//! `.ci/workers.sh` builds; without it, the entry is skipped with one
//! line, as `cargo test` cannot build WebAssembly with Debian's compiler).
//!
//! Each delivery reports the event as the platform delivered it (a blob
//! trigger carries one object; an Azure timer names the function as its
//! schedule: the failure contract's "What differs"), so that the suites
//! compare its answer with the harness's answer to that same event.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use anyfn::event::{BatchResult, CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::Request;
use anyfn_test::fixtures::lambda_http::LambdaHttpSource;
use anyfn_test::fixtures::{aws, cloud_events, google};
use anyfn_test::{AzureEmulator, FunctionProcess, LambdaEmulator, TestClient, TestRequest};
use serde_json::Value;

use crate::lambda::example;
use crate::support::ExampleServer;

/// Every adapter the parity suites run, by name.
pub(crate) const ADAPTERS: &[Adapter] = &[
    Adapter {
        name: "server",
        start: |example, setup| Box::pin(Server::start(example, setup)),
        unavailable: always_available,
        differences: &[],
    },
    Adapter {
        name: "lambda",
        start: |example, setup| Box::pin(Lambda::start(example, setup, 1)),
        unavailable: always_available,
        differences: &[LAMBDA_REPORTS],
    },
    // Lambda Managed Instances: eight invocations at once per environment
    // (`AWS_LAMBDA_MAX_CONCURRENCY=8`, lambda_runtime's `run_concurrent`).
    Adapter {
        name: "lambda managed instances",
        start: |example, setup| Box::pin(Lambda::start(example, setup, 8)),
        unavailable: always_available,
        differences: &[LAMBDA_REPORTS],
    },
    Adapter {
        name: "azure",
        start: |example, setup| Box::pin(Azure::start(example, setup, false)),
        unavailable: always_available,
        differences: &[],
    },
    Adapter {
        name: "azure forwarding",
        start: |example, setup| Box::pin(Azure::start(example, setup, true)),
        unavailable: always_available,
        differences: &[],
    },
    // Cloudflare Workers: the example's Worker (wasm32, anyfn-cloudflare)
    // under workerd, the Workers runtime.
    Adapter {
        name: "workers",
        start: |example, setup| Box::pin(Workers::start(example, setup)),
        unavailable: workerd_unavailable,
        differences: &[
            (
                Difference::BlockedAnsweredAtDeadline,
                "an isolate has one thread: a handler blocking it is answered (504) when it \
                 returns, not at the deadline (the failure table's Workers column)",
            ),
            (
                Difference::ReportLine,
                "Workers Logs record each invocation themselves: no REPORT line unless \
                 ANYFN_REPORT_LINE=on",
            ),
            (
                Difference::FailureUntold,
                "a cron trigger's failure is logged, not told to the runtime: workers-rs's \
                 scheduled entry point has none to return, and Workers do not retry cron \
                 triggers (the failure table's Workers column)",
            ),
        ],
    },
];

/// The adapters of [`ADAPTERS`] that can run here; each one that cannot
/// says why, once per process.
pub(crate) fn available() -> impl Iterator<Item = &'static Adapter> {
    static SAID: std::sync::Once = std::sync::Once::new();
    let skipped: Vec<String> = ADAPTERS
        .iter()
        .filter_map(|adapter| Some(format!("{}: {}", adapter.name, (adapter.unavailable)()?)))
        .collect();
    SAID.call_once(|| {
        for line in &skipped {
            eprintln!("parity suites: skipping the {line}");
        }
    });
    ADAPTERS
        .iter()
        .filter(|adapter| (adapter.unavailable)().is_none())
}

fn always_available() -> Option<String> {
    None
}

/// A way a platform cannot meet a case's terms, which the failure table
/// states in its column: a suite skips that part of the case on that
/// adapter, saying why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Difference {
    /// A handler blocking its thread past the deadline is answered at the
    /// deadline (the suites' timing bound).
    BlockedAnsweredAtDeadline,
    /// Each invocation ends with anyfn's `REPORT` line (target
    /// `anyfn::report`, the invocation's request id).
    ReportLine,
    /// Every way the platform delivers an event can tell it the
    /// invocation failed.
    FailureUntold,
}

/// Why Lambda writes no `REPORT` line of anyfn's (the failure table's "Logs").
const LAMBDA_REPORTS: (Difference, &str) = (
    Difference::ReportLine,
    "Lambda's platform writes its own REPORT line, so anyfn-lambda writes none",
);

/// A future of a started adapter.
type Starting<'a> = Pin<Box<dyn Future<Output = Box<dyn Running>> + Send + 'a>>;

/// Set for every adapter's process: a panicking handler's backtrace is not
/// what the suites compare, and printing it (`RUST_BACKTRACE=1`, as CI sets,
/// a debug binary reading its own debug info at its first panic) took long
/// enough on a loaded machine for the `/panic` row to meet its 400 ms
/// deadline first and answer `Timeout`.
const NO_BACKTRACE: (&str, &str) = ("RUST_BACKTRACE", "0");

/// One entry of [`ADAPTERS`].
pub(crate) struct Adapter {
    /// Its name, in failure messages.
    pub(crate) name: &'static str,
    start: for<'a> fn(&'a str, Setup) -> Starting<'a>,
    /// Why it cannot run here, or `None`.
    unavailable: fn() -> Option<String>,
    /// What its platform cannot do as the suites ask, and why.
    differences: &'static [(Difference, &'static str)],
}

impl Adapter {
    /// Why this adapter's platform cannot hold to `difference`'s part of a
    /// case, or `None` when it holds to it.
    pub(crate) fn differs(&self, difference: Difference) -> Option<&'static str> {
        self.differences
            .iter()
            .find(|(which, _)| *which == difference)
            .map(|(_, why)| *why)
    }

    /// Starts the example `example` (its binary; on Azure with its app
    /// folder `examples/azure/<example>`) with `setup`.
    pub(crate) async fn start(&self, example: &str, setup: Setup) -> Box<dyn Running> {
        (self.start)(example, setup).await
    }
}

/// How an example is started, on every adapter alike.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Setup {
    /// The deadline the function must meet (each platform's default
    /// otherwise).
    pub(crate) timeout: Option<Duration>,
}

/// What an adapter answered, and how (the delivery, in messages), for the
/// event as its platform delivered it.
#[derive(Debug)]
pub(crate) struct Delivered<E, A> {
    pub(crate) how: String,
    pub(crate) event: E,
    pub(crate) answer: A,
}

/// An HTTP answer as a caller sees it.
#[derive(Debug)]
pub(crate) struct HttpAnswer {
    pub(crate) status: u16,
    pub(crate) headers: anyfn::http::HeaderMap,
    pub(crate) body: bytes::Bytes,
    /// The request id the adapter gave the invocation.
    pub(crate) request_id: String,
    /// How long it took, from the request's sending to the whole answer.
    pub(crate) took: Duration,
}

impl HttpAnswer {
    /// `response` as an adapter answered it, with the request id it gave
    /// the invocation and how long it took.
    fn of(response: anyfn::Response, request_id: String, took: Duration) -> Self {
        let (parts, body) = response.into_parts();
        Self {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: body.into_bytes(),
            request_id,
            took,
        }
    }
}

/// An example running on an adapter.
#[anyfn::async_trait]
pub(crate) trait Running: Send + Sync {
    /// `request`, as the platform delivers HTTP (each way it has: Lambda's
    /// four sources).
    async fn http(&self, request: TestRequest) -> Vec<Delivered<Request, HttpAnswer>>;

    /// A storage event, as the platform notifies it: the handler's JSON
    /// answer to each notification.
    async fn storage(&self, event: &StorageEvent) -> Vec<Delivered<StorageEvent, Value>>;

    /// A queue batch, as the platform delivers it: the ids of the messages
    /// each delivery says failed (and that the platform would retry).
    async fn queue(&self, batch: &QueueBatch) -> Vec<Delivered<QueueBatch, Vec<String>>>;

    /// A queue batch to a handler that may fail it whole, as the platform
    /// delivers it: how each delivery was settled ([`Settled`]; a failed
    /// one is delivered again whole).
    async fn queue_settled(&self, batch: &QueueBatch) -> Vec<Delivered<QueueBatch, Settled>>;

    /// A schedule tick to a handler that may fail the run, as the platform
    /// fires it: how each firing was settled ([`Settled`]).
    async fn schedule_settled(&self, tick: &ScheduleTick) -> Vec<Delivered<ScheduleTick, Settled>>;

    /// A storage event to a handler that may fail it, as the platform
    /// notifies it: how each notification was settled ([`Settled`]; a
    /// failed one is notified again).
    async fn storage_settled(&self, event: &StorageEvent) -> Vec<Delivered<StorageEvent, Settled>>;

    /// A schedule tick, as the platform fires it: the handler's JSON answer.
    async fn schedule(&self, tick: &ScheduleTick) -> Vec<Delivered<ScheduleTick, Value>>;

    /// A CloudEvent, as the platform delivers events: the event the
    /// handler answered.
    async fn cloud_event(&self, event: &CloudEvent) -> Vec<Delivered<CloudEvent, CloudEvent>>;

    /// Every line the function wrote to its log so far, each source's in
    /// the order written: the process's stderr or stdout, an Azure envelope
    /// answer's `Logs[]`, or the Worker's console. A line can come in after
    /// the answer it belongs to: poll with a bound.
    fn log_lines(&self) -> Vec<String>;
}

/// How a platform saw an event's invocation end: whether it failed, and
/// the error it was told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settled {
    /// Whether the platform counts the invocation failed (a queue delivers
    /// the batch again; a schedule's run is recorded failed).
    pub(crate) failed: bool,
    /// Whether the platform can be told of a failure at all this way: not
    /// a Worker's cron trigger (the failure table's Workers column).
    pub(crate) told: bool,
    /// The error type the platform was told (`errorType`), `None` when the
    /// invocation succeeded, or when the platform learns only that it
    /// failed (workerd's `queue()`: `retryAll`).
    pub(crate) error_type: Option<String>,
    /// The error message the platform was told (`errorMessage`), where it
    /// is told one.
    pub(crate) error_message: Option<String>,
    /// Whether it was told in an HTTP answer (a server error's message
    /// hidden there, as from any HTTP client), not in an invocation error.
    pub(crate) over_http: bool,
    /// The invocation's request id, where the delivery tells it (not
    /// compared: each adapter's own).
    pub(crate) request_id: Option<String>,
}

impl Settled {
    /// A delivery answered over HTTP (a JSON POST, a Pub/Sub push, a Cloud
    /// Scheduler job): a `2xx` succeeded; anything else failed, the error
    /// answer's `errorType` and `errorMessage` saying why.
    fn of_http(response: &anyfn_test::TestResponse) -> Self {
        let request_id = response.header("x-request-id").map(str::to_owned);
        let settled = if response.status().is_success() {
            Self::succeeded(request_id)
        } else {
            Self::failed(&response.json(), request_id)
        };
        Self {
            over_http: true,
            ..settled
        }
    }

    /// An invocation the platform counts a success.
    fn succeeded(request_id: Option<String>) -> Self {
        Self {
            failed: false,
            told: true,
            error_type: None,
            error_message: None,
            over_http: false,
            request_id,
        }
    }

    /// An invocation the platform counts failed, told `error` (a document
    /// with `errorType` and `errorMessage`, or `null` when the platform is
    /// told no more than that).
    fn failed(error: &Value, request_id: Option<String>) -> Self {
        let text = |name: &str| error[name].as_str().map(str::to_owned);
        Self {
            failed: true,
            told: true,
            error_type: text("errorType"),
            error_message: text("errorMessage"),
            over_http: false,
            request_id,
        }
    }

    /// A Lambda invocation's outcome.
    fn of_lambda(outcome: anyfn_test::LambdaOutcome) -> Self {
        let request_id = Some(outcome.request_id().to_owned());
        match outcome {
            anyfn_test::LambdaOutcome::Response { .. } => Self::succeeded(request_id),
            anyfn_test::LambdaOutcome::Error { error, .. } => Self::failed(
                &serde_json::json!({
                    "errorType": error.error_type,
                    "errorMessage": error.error_message,
                }),
                request_id,
            ),
            other => panic!("lambda: an invocation neither answered nor failed: {other:?}"),
        }
    }

    /// An Azure invocation's outcome (an envelope answer: a failure's body
    /// is the error).
    fn of_azure(outcome: &anyfn_test::AzureOutcome) -> Self {
        let request_id = Some(outcome.invocation_id().to_owned());
        if outcome.succeeded() {
            Self::succeeded(request_id)
        } else {
            let answer = outcome.answer().expect("an answer from the handler");
            Self::failed(&answer.json(), request_id)
        }
    }
}

fn delivered<E, A>(how: impl Into<String>, event: E, answer: A) -> Delivered<E, A> {
    Delivered {
        how: how.into(),
        event,
        answer,
    }
}

/// A copy of `request` (method, URI, headers, body, extensions but for the
/// `http` crate's own, which do not clone).
fn copy_of(request: &Request) -> Request {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// `request` with one value per query key and header, the last one: what a
/// platform with single-value headers and query strings delivers.
fn last_values(request: &Request) -> Request {
    let mut copy = copy_of(request);
    let mut query = anyfn::Query::default();
    if let Some(text) = request.uri().query() {
        let parsed = anyfn::Query::parse(text);
        for (key, _) in parsed.iter() {
            if query.get(key).is_none() {
                if let Some(last) = parsed.get_all(key).last() {
                    query.append(key, last);
                }
            }
        }
    }
    let path = request.uri().path();
    let uri = if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    };
    *copy.uri_mut() = uri.parse().expect("a URI");
    let mut headers = anyfn::http::HeaderMap::new();
    for name in request.headers().keys() {
        if let Some(last) = request.headers().get_all(name).iter().next_back() {
            headers.insert(name.clone(), last.clone());
        }
    }
    *copy.headers_mut() = headers;
    copy
}

/// `request` with each repeated query key's values joined by commas.
fn joined_values(request: &Request) -> Request {
    let mut copy = copy_of(request);
    let parsed = anyfn::Query::parse(request.uri().query().unwrap_or(""));
    let mut query = anyfn::Query::default();
    for (key, _) in parsed.iter() {
        if query.get(key).is_none() {
            query.append(key, parsed.get_all(key).collect::<Vec<_>>().join(","));
        }
    }
    let path = request.uri().path();
    let uri = if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    };
    *copy.uri_mut() = uri.parse().expect("a URI");
    copy
}

/// The failed ids of a batch response document.
fn failed_ids(document: &Value) -> Vec<String> {
    let result: BatchResult =
        serde_json::from_value(document.clone()).expect("a batch response document");
    result.failed
}

// ---------------------------------------------------------------------------
// The local server: the example's binary, over HTTP.

struct Server {
    /// Held for its lifetime (it kills the process when dropped); a mutex
    /// makes it `Sync` (its log reader is not). With the lines read from
    /// it so far.
    process: std::sync::Mutex<(ExampleServer, Vec<String>)>,
    addr: std::net::SocketAddr,
}

impl Server {
    async fn start(name: &str, setup: Setup) -> Box<dyn Running> {
        let timeout = setup.timeout.map(|timeout| timeout.as_millis().to_string());
        let name = name.to_owned();
        let process = tokio::task::spawn_blocking(move || {
            let mut env: Vec<(&str, &str)> = timeout
                .as_deref()
                .map(|ms| ("ANYFN_TIMEOUT_MS", ms))
                .into_iter()
                .collect();
            env.push(NO_BACKTRACE);
            ExampleServer::start_with_env(&name, &env)
        })
        .await
        .expect("the example starts");
        Box::new(Self {
            addr: process.addr,
            process: std::sync::Mutex::new((process, Vec::new())),
        })
    }

    fn client(&self) -> TestClient {
        TestClient::new(self.addr)
    }

    /// `batch` as the local server receives one: the answer to a JSON POST
    /// of it, and to each message's Pub/Sub push (one message a request).
    async fn deliver(
        &self,
        batch: &QueueBatch,
    ) -> (anyfn_test::TestResponse, Vec<anyfn_test::TestResponse>) {
        let posted = self
            .client()
            .send(TestRequest::post("/").json(batch))
            .await
            .expect("an answer");
        let mut pushed = Vec::new();
        for message in &batch.messages {
            let push = cloud_events::structured(&google::pubsub_message_event(message));
            pushed.push(self.client().send(push).await.expect("an answer"));
        }
        (posted, pushed)
    }

    /// `event` as the local server receives one, each answer named by how,
    /// with the event it carried: a JSON POST of it, and each object's
    /// Cloud Storage CloudEvent (one object an event, of the kinds Cloud
    /// Storage has: created and deleted).
    async fn notify(
        &self,
        event: &StorageEvent,
    ) -> Vec<(String, StorageEvent, anyfn_test::TestResponse)> {
        let posted = self
            .client()
            .send(TestRequest::post("/").json(event))
            .await
            .expect("an answer");
        let mut answers = vec![("JSON POST".to_owned(), event.clone(), posted)];
        for (index, object) in event.objects.iter().enumerate() {
            // An id of its own per object: it is the invocation's request id.
            let id = format!("gcs-{index}-{}", object.key);
            let cloud_event = google::storage_object_event(&id, object);
            let response = self
                .client()
                .send(cloud_events::binary(&cloud_event))
                .await
                .expect("an answer");
            answers.push((
                format!("GCS CloudEvent {index}"),
                StorageEvent::new(vec![object.clone()]),
                response,
            ));
        }
        answers
    }

    /// `tick` as the local server receives one, each answer named by how:
    /// a JSON POST, and a Cloud Scheduler job's CloudEvent.
    async fn fire(&self, tick: &ScheduleTick) -> [(&'static str, anyfn_test::TestResponse); 2] {
        let posted = self
            .client()
            .send(TestRequest::post("/").json(tick))
            .await
            .expect("an answer");
        let scheduler = self
            .client()
            .send(cloud_events::binary(&google::scheduler_job_event(tick)))
            .await
            .expect("an answer");
        [
            ("JSON POST", posted),
            ("Cloud Scheduler CloudEvent", scheduler),
        ]
    }
}

#[anyfn::async_trait]
impl Running for Server {
    fn log_lines(&self) -> Vec<String> {
        let mut process = self
            .process
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (server, lines) = &mut *process;
        lines.extend(server.lines.try_iter());
        lines.clone()
    }

    async fn http(&self, request: TestRequest) -> Vec<Delivered<Request, HttpAnswer>> {
        let as_sent = request.clone().build();
        let sent = std::time::Instant::now();
        let response = self.client().send(request).await.expect("an answer");
        let took = sent.elapsed();
        let request_id = response
            .header("x-request-id")
            .unwrap_or_default()
            .to_owned();
        let response = response.into_inner();
        vec![delivered(
            "HTTP",
            as_sent,
            HttpAnswer::of(response, request_id, took),
        )]
    }

    async fn storage(&self, event: &StorageEvent) -> Vec<Delivered<StorageEvent, Value>> {
        self.notify(event)
            .await
            .into_iter()
            .map(|(how, event, answer)| {
                answer.assert_status(200);
                delivered(how, event, answer.json())
            })
            .collect()
    }

    async fn storage_settled(&self, event: &StorageEvent) -> Vec<Delivered<StorageEvent, Settled>> {
        self.notify(event)
            .await
            .into_iter()
            .map(|(how, event, answer)| delivered(how, event, Settled::of_http(&answer)))
            .collect()
    }

    async fn queue(&self, batch: &QueueBatch) -> Vec<Delivered<QueueBatch, Vec<String>>> {
        let (posted, pushed) = self.deliver(batch).await;
        let failed = failed_ids(&posted.json());
        posted.assert_status(if failed.is_empty() { 200 } else { 500 });
        let mut deliveries = vec![delivered("JSON POST", batch.clone(), failed)];
        // Anything but a 2xx to a push is redelivered.
        for (message, response) in batch.messages.iter().zip(pushed) {
            let failed = if response.status().is_success() {
                Vec::new()
            } else {
                vec![message.id.clone()]
            };
            deliveries.push(delivered(
                format!("Pub/Sub {}", message.id),
                QueueBatch::new(vec![message.clone()]),
                failed,
            ));
        }
        deliveries
    }

    async fn queue_settled(&self, batch: &QueueBatch) -> Vec<Delivered<QueueBatch, Settled>> {
        let (posted, pushed) = self.deliver(batch).await;
        let mut deliveries = vec![delivered(
            "JSON POST",
            batch.clone(),
            Settled::of_http(&posted),
        )];
        for (message, response) in batch.messages.iter().zip(pushed) {
            deliveries.push(delivered(
                format!("Pub/Sub {}", message.id),
                QueueBatch::new(vec![message.clone()]),
                Settled::of_http(&response),
            ));
        }
        deliveries
    }

    async fn schedule_settled(&self, tick: &ScheduleTick) -> Vec<Delivered<ScheduleTick, Settled>> {
        self.fire(tick)
            .await
            .into_iter()
            .map(|(how, answer)| delivered(how, tick.clone(), Settled::of_http(&answer)))
            .collect()
    }

    async fn schedule(&self, tick: &ScheduleTick) -> Vec<Delivered<ScheduleTick, Value>> {
        self.fire(tick)
            .await
            .into_iter()
            .map(|(how, answer)| delivered(how, tick.clone(), answer.json()))
            .collect()
    }

    async fn cloud_event(&self, event: &CloudEvent) -> Vec<Delivered<CloudEvent, CloudEvent>> {
        let mut deliveries = Vec::new();
        for (mode, request) in [
            ("binary mode", cloud_events::binary(event)),
            ("structured mode", cloud_events::structured(event)),
        ] {
            let response = self.client().send(request).await.expect("an answer");
            response.assert_status(200);
            assert_eq!(
                response.header("content-type"),
                Some("application/cloudevents+json"),
                "{mode}"
            );
            let echoed = CloudEvent::from_json(response.body().as_bytes()).expect("a CloudEvent");
            deliveries.push(delivered(mode, event.clone(), echoed));
        }
        deliveries
    }
}

// ---------------------------------------------------------------------------
// AWS Lambda: the example's binary on the Runtime API emulator.

struct Lambda {
    emulator: LambdaEmulator,
    _function: FunctionProcess,
}

impl Lambda {
    async fn start(name: &str, setup: Setup, max_concurrency: u32) -> Box<dyn Running> {
        let mut builder = LambdaEmulator::builder()
            .function_name(name)
            // Enough workers that a handler blocking one of them leaves
            // others free, whatever the machine's core count.
            .env("TOKIO_WORKER_THREADS", "4")
            .env(NO_BACKTRACE.0, NO_BACKTRACE.1);
        if max_concurrency > 1 {
            builder = builder.max_concurrency(max_concurrency);
        }
        if let Some(timeout) = setup.timeout {
            // Lambda's own timeout: the adapter's deadline is that minus
            // its default margin (100 ms).
            builder = builder.timeout(timeout + Duration::from_millis(100));
        }
        let emulator = builder.start().await.expect("the emulator starts");
        let function = emulator
            .spawn(example(name))
            .unwrap_or_else(|err| panic!("{name} starts on Lambda: {err}"));
        Box::new(Self {
            emulator,
            _function: function,
        })
    }
}

#[anyfn::async_trait]
impl Running for Lambda {
    fn log_lines(&self) -> Vec<String> {
        self.emulator.output()
    }

    async fn http(&self, request: TestRequest) -> Vec<Delivered<Request, HttpAnswer>> {
        let request = request.build();
        let mut deliveries = Vec::new();
        for source in LambdaHttpSource::ALL {
            let sent = std::time::Instant::now();
            let outcome = self
                .emulator
                .invoke(source.event(&request).to_string())
                .await;
            let took = sent.elapsed();
            let request_id = outcome.request_id().to_owned();
            let payload = outcome.expect_json();
            let response = source
                .response(&payload)
                .unwrap_or_else(|err| panic!("{}: {err}", source.name()));
            // An ALB without multi-value headers (the target group's
            // default) passes one value per query key and header: the last.
            let as_delivered = if source == LambdaHttpSource::Alb {
                last_values(&request)
            } else {
                copy_of(&request)
            };
            deliveries.push(delivered(
                source.name(),
                as_delivered,
                HttpAnswer::of(response, request_id, took),
            ));
        }
        deliveries
    }

    async fn storage(&self, event: &StorageEvent) -> Vec<Delivered<StorageEvent, Value>> {
        let answer = self
            .emulator
            .invoke(aws::s3_notification(&event.objects).to_string())
            .await
            .expect_json();
        vec![delivered("S3 notification", event.clone(), answer)]
    }

    async fn storage_settled(&self, event: &StorageEvent) -> Vec<Delivered<StorageEvent, Settled>> {
        let outcome = self
            .emulator
            .invoke(aws::s3_notification(&event.objects).to_string())
            .await;
        vec![delivered(
            "S3 notification",
            event.clone(),
            Settled::of_lambda(outcome),
        )]
    }

    async fn queue(&self, batch: &QueueBatch) -> Vec<Delivered<QueueBatch, Vec<String>>> {
        let sqs = self
            .emulator
            .invoke(aws::sqs_batch(&batch.messages).to_string())
            .await
            .expect_json();
        let mut deliveries = vec![delivered("SQS", batch.clone(), failed_ids(&sqs))];
        // SNS cannot retry one message: a failure fails the delivery, which
        // SNS retries; one message per delivery here.
        for message in &batch.messages {
            let outcome = self
                .emulator
                .invoke(aws::sns_delivery(std::slice::from_ref(message)).to_string())
                .await;
            let failed = match outcome {
                anyfn_test::LambdaOutcome::Response { .. } => Vec::new(),
                _ => vec![message.id.clone()],
            };
            deliveries.push(delivered(
                format!("SNS {}", message.id),
                QueueBatch::new(vec![message.clone()]),
                failed,
            ));
        }
        deliveries
    }

    async fn queue_settled(&self, batch: &QueueBatch) -> Vec<Delivered<QueueBatch, Settled>> {
        let sqs = self
            .emulator
            .invoke(aws::sqs_batch(&batch.messages).to_string())
            .await;
        let mut deliveries = vec![delivered("SQS", batch.clone(), Settled::of_lambda(sqs))];
        for message in &batch.messages {
            let one = QueueBatch::new(vec![message.clone()]);
            let sns = self
                .emulator
                .invoke(aws::sns_delivery(&one.messages).to_string())
                .await;
            deliveries.push(delivered(
                format!("SNS {}", message.id),
                one,
                Settled::of_lambda(sns),
            ));
        }
        deliveries
    }

    async fn schedule_settled(&self, tick: &ScheduleTick) -> Vec<Delivered<ScheduleTick, Settled>> {
        let outcome = self
            .emulator
            .invoke(aws::scheduled_event(tick).to_string())
            .await;
        vec![delivered(
            "EventBridge scheduled event",
            aws::scheduled_tick(tick),
            Settled::of_lambda(outcome),
        )]
    }

    async fn schedule(&self, tick: &ScheduleTick) -> Vec<Delivered<ScheduleTick, Value>> {
        let answer = self
            .emulator
            .invoke(aws::scheduled_event(tick).to_string())
            .await
            .expect_json();
        vec![delivered(
            "EventBridge scheduled event",
            aws::scheduled_tick(tick),
            answer,
        )]
    }

    async fn cloud_event(&self, event: &CloudEvent) -> Vec<Delivered<CloudEvent, CloudEvent>> {
        let answer = self
            .emulator
            .invoke(aws::eventbridge_event(event).to_string())
            .await
            .expect_response();
        let echoed = CloudEvent::from_json(&answer).expect("a CloudEvent");
        vec![delivered("EventBridge", event.clone(), echoed)]
    }
}

// ---------------------------------------------------------------------------
// Azure Functions: the example's binary under the host emulator, with its
// app folder; HTTP in the host's envelope, or forwarded.

struct Azure {
    emulator: AzureEmulator,
    _function: FunctionProcess,
    function: String,
    forwarding: bool,
    /// The lines of every envelope answer's `Logs[]` so far (the host
    /// writes them to its log).
    answered_logs: std::sync::Mutex<Vec<String>>,
}

impl Azure {
    async fn start(name: &str, setup: Setup, forwarding: bool) -> Box<dyn Running> {
        let app = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("examples/azure")
            .join(name);
        let mut builder = AzureEmulator::builder()
            .app_dir(app)
            .forwarding_http_request(forwarding)
            .env("TOKIO_WORKER_THREADS", "4")
            .env(NO_BACKTRACE.0, NO_BACKTRACE.1);
        if let Some(timeout) = setup.timeout {
            builder = builder.env("ANYFN_TIMEOUT_MS", timeout.as_millis().to_string());
        }
        let emulator = builder.build().expect("the app folder reads");
        let function = emulator
            .spawn(example(name))
            .await
            .unwrap_or_else(|err| panic!("{name} starts on Azure: {err}"));
        Box::new(Self {
            emulator,
            _function: function,
            function: name.to_owned(),
            forwarding,
            answered_logs: std::sync::Mutex::new(Vec::new()),
        })
    }
}

impl Azure {
    /// `outcome` as the host counts it, its envelope's `Logs[]` kept with
    /// the function's other lines.
    fn settled(&self, outcome: &anyfn_test::AzureOutcome) -> Settled {
        self.answered_logs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(outcome.logs());
        Settled::of_azure(outcome)
    }
}

#[anyfn::async_trait]
impl Running for Azure {
    fn log_lines(&self) -> Vec<String> {
        let mut lines = self.emulator.output();
        lines.extend(
            self.answered_logs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .iter()
                .cloned(),
        );
        lines
    }

    async fn http(&self, request: TestRequest) -> Vec<Delivered<Request, HttpAnswer>> {
        // A forwarded request's query is rebuilt by the host, each repeated
        // key's values joined by commas (the Azure adapter's docs).
        let as_delivered = if self.forwarding {
            joined_values(&request.clone().build())
        } else {
            request.clone().build()
        };
        let sent = std::time::Instant::now();
        let outcome = self.emulator.http(&self.function, request).await;
        let took = sent.elapsed();
        let request_id = outcome.invocation_id().to_owned();
        self.answered_logs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(outcome.logs());
        let response = outcome.http_response().into_inner();
        vec![delivered(
            "HTTP trigger",
            as_delivered,
            HttpAnswer::of(response, request_id, took),
        )]
    }

    async fn storage(&self, event: &StorageEvent) -> Vec<Delivered<StorageEvent, Value>> {
        // A blob trigger fires once per blob created; deletions fire none.
        let mut deliveries = Vec::new();
        for object in &event.objects {
            if object.change != anyfn::event::ObjectChange::Created {
                continue;
            }
            let outcome = self.emulator.blob(&self.function, object, b"jpeg").await;
            assert!(outcome.succeeded(), "{:?}", outcome.answer());
            deliveries.push(delivered(
                format!("blob trigger {}", object.key),
                StorageEvent::new(vec![object.clone()]),
                outcome.return_value().cloned().unwrap_or(Value::Null),
            ));
        }
        deliveries
    }

    async fn storage_settled(&self, event: &StorageEvent) -> Vec<Delivered<StorageEvent, Settled>> {
        // One blob per invocation; a failed invocation's answer is the
        // error (status 500), and the host runs the trigger again.
        let mut deliveries = Vec::new();
        for object in &event.objects {
            let outcome = self.emulator.blob(&self.function, object, b"jpeg").await;
            assert_eq!(
                outcome.would_retry(),
                !outcome.succeeded(),
                "a blob trigger retries"
            );
            deliveries.push(delivered(
                format!("blob trigger {}", object.key),
                StorageEvent::new(vec![object.clone()]),
                self.settled(&outcome),
            ));
        }
        deliveries
    }

    async fn queue(&self, batch: &QueueBatch) -> Vec<Delivered<QueueBatch, Vec<String>>> {
        // A Storage queue trigger delivers one message per invocation; a
        // failed one is retried by the host.
        let mut deliveries = Vec::new();
        for message in &batch.messages {
            let outcome = self.emulator.queue(&self.function, message).await;
            let failed = if outcome.would_retry() {
                vec![message.id.clone()]
            } else {
                Vec::new()
            };
            deliveries.push(delivered(
                format!("Storage queue {}", message.id),
                QueueBatch::new(vec![message.clone()]),
                failed,
            ));
        }
        deliveries
    }

    async fn queue_settled(&self, batch: &QueueBatch) -> Vec<Delivered<QueueBatch, Settled>> {
        // One message per invocation; a failed invocation's answer is the
        // error (status 500), and the host delivers the message again.
        let mut deliveries = Vec::new();
        for message in &batch.messages {
            let outcome = self.emulator.queue(&self.function, message).await;
            assert_eq!(
                outcome.would_retry(),
                !outcome.succeeded(),
                "a queue retries"
            );
            deliveries.push(delivered(
                format!("Storage queue {}", message.id),
                QueueBatch::new(vec![message.clone()]),
                self.settled(&outcome),
            ));
        }
        deliveries
    }

    async fn schedule_settled(&self, tick: &ScheduleTick) -> Vec<Delivered<ScheduleTick, Settled>> {
        // A timer names no schedule: its function's name is the tick's
        // (the app has one timer function per schedule the suite fires).
        let function = tick
            .schedule
            .clone()
            .expect("a schedule: the function's name");
        let outcome = self.emulator.timer(&function, tick, false).await;
        assert!(!outcome.would_retry(), "the host does not retry a timer");
        vec![delivered(
            "timer trigger",
            tick.clone(),
            self.settled(&outcome),
        )]
    }

    async fn schedule(&self, tick: &ScheduleTick) -> Vec<Delivered<ScheduleTick, Value>> {
        // A timer names no schedule: the tick's schedule is the function's
        // name (the failure contract's "What differs").
        let outcome = self.emulator.timer(&self.function, tick, false).await;
        assert!(outcome.succeeded(), "{:?}", outcome.answer());
        let as_delivered = tick.clone().with_schedule(self.function.clone());
        vec![delivered(
            "timer trigger",
            as_delivered,
            outcome.return_value().cloned().unwrap_or(Value::Null),
        )]
    }

    async fn cloud_event(&self, event: &CloudEvent) -> Vec<Delivered<CloudEvent, CloudEvent>> {
        let outcome = self
            .emulator
            .event_grid_cloud_event(&self.function, event)
            .await;
        let echoed = outcome.return_value().cloned().expect("a return value");
        let echoed = CloudEvent::from_json(echoed.to_string().as_bytes()).expect("a CloudEvent");
        vec![delivered(
            "Event Grid, CloudEvents schema",
            event.clone(),
            echoed,
        )]
    }
}

// ---------------------------------------------------------------------------
// Cloudflare Workers: the example's Worker (built for wasm32 by
// `.ci/workers.sh`) under workerd, the Workers runtime; HTTP over `fetch`,
// queue batches through workerd's `queue()` as well, the other families as
// their portable JSON over `fetch` (a Worker's only way to receive them).

/// The directory of the bound Workers and the `workerd` binary that
/// `.ci/workers.sh` writes: `<dir>/<example>/` (its `shim.mjs`,
/// `index_bg.js`, `index_bg.wasm`, `snippets/`), `<dir>/driver/driver.mjs`
/// (workerd's `queue()` and `scheduled()` over HTTP) and `<dir>/workerd`.
/// Unset, the Workers entry is skipped.
pub(crate) const WORKERD_DIR_VAR: &str = "ANYFN_WORKERD_DIR";

fn workerd_unavailable() -> Option<String> {
    match std::env::var_os(WORKERD_DIR_VAR) {
        Some(dir) if !dir.is_empty() => None,
        _ => Some(format!(
            "{WORKERD_DIR_VAR} is not set (.ci/workers.sh builds the Workers and runs these suites under workerd)"
        )),
    }
}

/// A workerd process serving one example's Worker and the driver; killed
/// when dropped.
struct Workerd {
    child: std::process::Child,
    config: PathBuf,
    log: PathBuf,
}

impl Drop for Workerd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.config);
        let _ = std::fs::remove_file(&self.log);
    }
}

struct Workers {
    /// Held for its lifetime; a mutex makes it `Sync`.
    workerd: std::sync::Mutex<Workerd>,
    worker: std::net::SocketAddr,
    driver: std::net::SocketAddr,
    /// The last `cf-ray` sent: each request's own, so that its request id
    /// is known.
    rays: std::sync::atomic::AtomicU64,
}

/// A free port on 127.0.0.1 (bound, then let go for workerd to bind).
fn free_port() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
}

/// The `modules` of a Worker bound by wasm-bindgen in `folder` (under the
/// config's directory): the entry shim, the glue, the module, each snippet.
fn worker_modules(dir: &std::path::Path, folder: &str) -> String {
    fn snippets(root: &std::path::Path, under: &std::path::Path, found: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(under) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                snippets(root, &path, found);
            } else if path.extension().is_some_and(|ext| ext == "js") {
                let relative = path.strip_prefix(root).expect("under the folder");
                found.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    let root = dir.join(folder);
    let mut found = Vec::new();
    snippets(&root, &root.join("snippets"), &mut found);
    found.sort();
    let mut modules = format!(
        "(name = \"shim.mjs\", esModule = embed \"{folder}/shim.mjs\"),\n\
         (name = \"index_bg.js\", esModule = embed \"{folder}/index_bg.js\"),\n\
         (name = \"index_bg.wasm\", wasm = embed \"{folder}/index_bg.wasm\"),\n"
    );
    for snippet in found {
        modules.push_str(&format!(
            "(name = \"{snippet}\", esModule = embed \"{folder}/{snippet}\"),\n"
        ));
    }
    modules
}

impl Workers {
    async fn start(name: &str, setup: Setup) -> Box<dyn Running> {
        static STARTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = PathBuf::from(
            std::env::var_os(WORKERD_DIR_VAR).expect("the Workers entry runs only when it is set"),
        );
        assert!(
            dir.join(name).join("index_bg.wasm").is_file(),
            "{name} was not built as a Worker in {} ({WORKERD_DIR_VAR}): .ci/workers.sh builds \
             every example the parity suites run",
            dir.display()
        );
        let (worker, driver) = (free_port(), free_port());
        let bindings = setup
            .timeout
            .map(|timeout| {
                format!(
                    "(name = \"ANYFN_TIMEOUT_MS\", text = \"{}\")",
                    timeout.as_millis()
                )
            })
            .unwrap_or_default();
        let config = format!(
            "using Workerd = import \"/workerd/workerd.capnp\";\n\
             const config :Workerd.Config = (\n\
             services = [(name = \"example\", worker = .example), (name = \"driver\", worker = .driver)],\n\
             sockets = [(name = \"example\", address = \"{worker}\", http = (), service = \"example\"),\n\
                        (name = \"driver\", address = \"{driver}\", http = (), service = \"driver\")],\n\
             );\n\
             const example :Workerd.Worker = (\n\
             modules = [\n{modules}],\n\
             bindings = [{bindings}],\n\
             compatibilityDate = \"2025-01-01\",\n\
             );\n\
             const driver :Workerd.Worker = (\n\
             modules = [(name = \"driver.mjs\", esModule = embed \"driver/driver.mjs\")],\n\
             bindings = [(name = \"example\", service = \"example\")],\n\
             compatibilityDate = \"2025-01-01\",\n\
             compatibilityFlags = [\"service_binding_extra_handlers\"],\n\
             );\n",
            modules = worker_modules(&dir, name),
        );
        // In the Workers' directory, as `embed` paths are the config's.
        let stem = format!(
            "parity-{name}-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let config_path = dir.join(format!("{stem}.capnp"));
        let log_path = dir.join(format!("{stem}.log"));
        std::fs::write(&config_path, config).expect("the workerd config is written");
        let log = std::fs::File::create(&log_path).expect("the workerd log is created");
        // --experimental: the driver's service_binding_extra_handlers.
        let child = std::process::Command::new(dir.join("workerd"))
            .arg("serve")
            .arg("--experimental")
            .arg(&config_path)
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().expect("the log file"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|err| {
                panic!("workerd ({}) starts: {err}", dir.join("workerd").display())
            });
        let workerd = std::sync::Mutex::new(Workerd {
            child,
            config: config_path,
            log: log_path.clone(),
        });
        crate::support::poll_until(
            &format!("workerd to serve {name}"),
            Duration::from_secs(30),
            || {
                let exited = workerd
                    .lock()
                    .expect("workerd")
                    .child
                    .try_wait()
                    .expect("workerd's status");
                if let Some(status) = exited {
                    panic!(
                        "workerd serving {name} exited ({status}):\n{}",
                        std::fs::read_to_string(&log_path).unwrap_or_default()
                    );
                }
                async move {
                    let worker = tokio::net::TcpStream::connect(worker).await.ok()?;
                    let driver = tokio::net::TcpStream::connect(driver).await.ok()?;
                    Some((worker, driver))
                }
            },
        )
        .await;
        Box::new(Self {
            workerd,
            worker,
            driver,
            rays: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// A new Ray ID, as Cloudflare's edge puts on a request.
    fn ray(&self) -> String {
        let n = self.rays.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        format!("{n:016x}-PAR")
    }

    /// `request` to the Worker's `fetch`, with a Ray ID of its own.
    async fn fetch(
        &self,
        request: impl Into<Request>,
    ) -> (Request, anyfn_test::TestResponse, String) {
        let ray = self.ray();
        let mut request: Request = request.into();
        request.headers_mut().insert(
            "cf-ray",
            anyfn::http::HeaderValue::from_str(&ray).expect("a header value"),
        );
        let as_sent = copy_of(&request);
        let response = TestClient::new(self.worker)
            .send(request)
            .await
            .expect("an answer from the Worker");
        (as_sent, response, ray)
    }

    /// `request` to the driver Worker, which hands the event to the
    /// example's `handler` (`queue()`, `scheduled()`): workerd's report of
    /// the outcome, which must be `ok` (the handler ran to its end).
    async fn drive(&self, handler: &str, request: TestRequest) -> Value {
        let answer = TestClient::new(self.driver)
            .send(request)
            .await
            .expect("an answer from the driver");
        answer.assert_status(200);
        let outcome: Value = answer.json();
        assert_eq!(
            outcome["outcome"], "ok",
            "workerd's {handler} outcome: {outcome}"
        );
        outcome
    }

    /// `batch` through workerd's `queue()` (the driver Worker): its report
    /// of the outcome, and the batch as the Worker received it.
    async fn queue_through_driver(&self, batch: &QueueBatch) -> (Value, QueueBatch) {
        // A queue consumer's batch, through workerd's `queue()`: each
        // message its id, body, sent time (the epoch here) and the queue's
        // name; Cloudflare Queues have no attributes, and the adapter does
        // not read the attempts (workers-rs 0.8 has no accessor).
        let messages: Vec<Value> = batch
            .messages
            .iter()
            .map(|message| {
                serde_json::json!({
                    "id": message.id,
                    "body": String::from_utf8_lossy(&message.body),
                    "timestamp": 0,
                    "attempts": message.delivery_attempt.unwrap_or(1),
                })
            })
            .collect();
        let outcome = self
            .drive(
                "queue()",
                TestRequest::post("/queue/example")
                    .json(&serde_json::json!({"queue": "jobs", "messages": messages})),
            )
            .await;
        let as_delivered = QueueBatch::new(
            batch
                .messages
                .iter()
                .map(|message| {
                    anyfn::event::Message::new(message.id.clone(), message.body.clone())
                        .with_sent_time(std::time::UNIX_EPOCH)
                        .with_source("jobs")
                })
                .collect(),
        );
        (outcome, as_delivered)
    }

    /// A JSON POST of `value` to the Worker's `fetch`.
    async fn post_json<T: serde::Serialize + ?Sized>(&self, value: &T) -> anyfn_test::TestResponse {
        self.fetch(TestRequest::post("/").json(value)).await.1
    }
}

#[anyfn::async_trait]
impl Running for Workers {
    fn log_lines(&self) -> Vec<String> {
        let workerd = self
            .workerd
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::fs::read_to_string(&workerd.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    async fn http(&self, request: TestRequest) -> Vec<Delivered<Request, HttpAnswer>> {
        let sent = std::time::Instant::now();
        let (as_sent, response, ray) = self.fetch(request).await;
        let took = sent.elapsed();
        vec![delivered(
            "fetch",
            as_sent,
            HttpAnswer::of(response.into_inner(), ray, took),
        )]
    }

    async fn storage(&self, event: &StorageEvent) -> Vec<Delivered<StorageEvent, Value>> {
        // Workers have no storage trigger (R2 notifies through a queue):
        // the portable JSON over `fetch`.
        let posted = self.post_json(event).await;
        posted.assert_status(200);
        vec![delivered(
            "JSON POST over fetch",
            event.clone(),
            posted.json(),
        )]
    }

    async fn storage_settled(&self, event: &StorageEvent) -> Vec<Delivered<StorageEvent, Settled>> {
        // The portable JSON over `fetch` (Workers have no storage trigger).
        let (_, posted, ray) = self.fetch(TestRequest::post("/").json(event)).await;
        vec![delivered(
            "JSON POST over fetch",
            event.clone(),
            Settled {
                request_id: Some(ray),
                ..Settled::of_http(&posted)
            },
        )]
    }

    async fn queue(&self, batch: &QueueBatch) -> Vec<Delivered<QueueBatch, Vec<String>>> {
        let posted = self.post_json(batch).await;
        let failed = failed_ids(&posted.json());
        posted.assert_status(if failed.is_empty() { 200 } else { 500 });
        let mut deliveries = vec![delivered("JSON POST over fetch", batch.clone(), failed)];
        let (outcome, as_delivered) = self.queue_through_driver(batch).await;
        let ids = |key: &str, field: Option<&str>| -> Vec<String> {
            let mut ids: Vec<String> = outcome[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| field.map_or(item, |field| &item[field]).as_str())
                .map(str::to_owned)
                .collect();
            ids.sort();
            ids
        };
        let retried = ids("retryMessages", Some("msgId"));
        let acknowledged = ids("explicitAcks", None);
        // Every message settled one way or the other, none twice.
        let mut settled: Vec<String> = retried.iter().chain(&acknowledged).cloned().collect();
        settled.sort();
        let mut all: Vec<String> = batch.messages.iter().map(|m| m.id.clone()).collect();
        all.sort();
        assert_eq!(
            settled, all,
            "workerd's queue(): each message acked or retried: {outcome}"
        );
        deliveries.push(delivered("queue()", as_delivered, retried));
        deliveries
    }

    async fn queue_settled(&self, batch: &QueueBatch) -> Vec<Delivered<QueueBatch, Settled>> {
        let (_, posted, ray) = self.fetch(TestRequest::post("/").json(batch)).await;
        let over_fetch = Settled {
            request_id: Some(ray),
            ..Settled::of_http(&posted)
        };
        // workerd's `queue()` tells the Worker's outcome only as which
        // messages it retries: no error, and the request id is one the
        // adapter made (a queue batch has no `cf-ray`).
        let (outcome, as_delivered) = self.queue_through_driver(batch).await;
        let through_queue = if outcome["retryBatch"]["retry"] == true {
            Settled::failed(&Value::Null, None)
        } else {
            let retried = outcome["retryMessages"].as_array().map_or(0, Vec::len);
            assert_eq!(
                retried, 0,
                "workerd's queue(): no message retried alone: {outcome}"
            );
            Settled::succeeded(None)
        };
        vec![
            delivered("JSON POST over fetch", batch.clone(), over_fetch),
            delivered("queue()", as_delivered, through_queue),
        ]
    }

    async fn schedule_settled(&self, tick: &ScheduleTick) -> Vec<Delivered<ScheduleTick, Settled>> {
        let (_, posted, ray) = self.fetch(TestRequest::post("/").json(tick)).await;
        let over_fetch = Settled {
            request_id: Some(ray),
            ..Settled::of_http(&posted)
        };
        // workerd's `scheduled()`: the tick's schedule is the cron
        // expression, its id the expression and the time; the outcome
        // cannot tell a failure (workers-rs's `scheduled` entry point has
        // none to return), and the request id is one the adapter made.
        let schedule = tick.schedule.clone().unwrap_or_default();
        let millis = tick
            .time
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a time after the epoch")
            .as_millis();
        self.drive(
            "scheduled()",
            TestRequest::get(format!("/scheduled/example?cron={schedule}&time={millis}")),
        )
        .await;
        let as_fired =
            ScheduleTick::new(format!("{schedule}@{millis}"), tick.time).with_schedule(schedule);
        vec![
            delivered("JSON POST over fetch", tick.clone(), over_fetch),
            delivered(
                "scheduled()",
                as_fired,
                Settled {
                    told: false,
                    ..Settled::succeeded(None)
                },
            ),
        ]
    }

    async fn schedule(&self, tick: &ScheduleTick) -> Vec<Delivered<ScheduleTick, Value>> {
        // A cron trigger's output goes nowhere (workerd reports only its
        // outcome; .ci/workers.sh checks it): the tick's JSON over `fetch`.
        let posted = self.post_json(tick).await;
        posted.assert_status(200);
        vec![delivered(
            "JSON POST over fetch",
            tick.clone(),
            posted.json(),
        )]
    }

    async fn cloud_event(&self, event: &CloudEvent) -> Vec<Delivered<CloudEvent, CloudEvent>> {
        // Structured mode only (the failure table's Workers column).
        let (_, response, _) = self.fetch(cloud_events::structured(event)).await;
        response.assert_status(200);
        assert_eq!(
            response.header("content-type"),
            Some("application/cloudevents+json"),
            "workers"
        );
        let echoed = CloudEvent::from_json(response.body().as_bytes()).expect("a CloudEvent");
        vec![delivered(
            "structured mode over fetch",
            event.clone(),
            echoed,
        )]
    }
}

//! What the host records for an invocation: [`AzureOutcome`], and an HTTP
//! output binding's value read as the host reads it: [`AzureHttpOutput`].

use anyfn::http::{HeaderName, HeaderValue, StatusCode};
use anyfn::{Body, Response};
use bytes::Bytes;
use serde_json::{Map, Value};

use super::app::AzureTriggerType;
use crate::TestResponse;

/// How the host delivered an invocation.
///
/// # Example
///
/// ```
/// use anyfn_test::{AzureDelivery, AzureEmulator, AzureTriggerType, TestRequest};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let emulator = AzureEmulator::builder()
///     .function("hello", AzureTriggerType::Http, "req")
///     .forwarding_http_request(true)
///     .build()?;
/// let outcome = emulator.http("hello", TestRequest::get("/api/hello")).await;
/// assert_eq!(outcome.delivery(), AzureDelivery::Forwarded);
/// assert_eq!(outcome.sent()["path"], "/api/hello");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AzureDelivery {
    /// The invocation envelope POSTed to `/{FunctionName}`.
    Envelope,
    /// The caller's HTTP request passed on as it came
    /// (`enableForwardingHttpRequest` or `enableProxyingHttpRequest`).
    Forwarded,
}

/// What the host would record for one invocation: the custom handler's
/// answer and, in envelope mode, the result document it holds
/// (`{"Outputs", "Logs", "ReturnValue"}`).
///
/// The host counts an envelope invocation a success when the handler
/// answers 2xx with a result document (or no body); any other answer fails
/// the invocation, and a queue, Service Bus, blob or Event Grid trigger is
/// delivered again ([`would_retry`](Self::would_retry)). A forwarded HTTP
/// request succeeds with whatever the handler answers.
///
/// # Example
///
/// ```
/// use anyfn::event::Message;
/// use anyfn_test::{AzureEmulator, AzureTriggerType};
/// use serde_json::json;
/// # async fn serve(port: u16, answer: serde_json::Value) -> Result<(), anyfn_server::ServeError> {
/// #     let handler = anyfn::handler_fn(move |_: anyfn::Request, _: anyfn::Context| {
/// #         let answer = answer.clone();
/// #         async move { anyfn::response::json(&answer) }
/// #     });
/// #     let server = anyfn_server::Server::new(handler).addr(([127, 0, 0, 1], port).into());
/// #     let bound = server.default_subscriber(false).bind().await?;
/// #     tokio::spawn(bound.run_until(std::future::pending()));
/// #     Ok(())
/// # }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = AzureEmulator::builder()
///     .function("work", AzureTriggerType::Queue, "message")
///     .build()?;
/// // The custom handler answers every invocation with this result document:
/// let answer = json!({"Outputs": {"outbox": "m-1 done"}, "Logs": ["took 7 ms"], "ReturnValue": null});
/// # serve(emulator.port(), answer).await?;
/// let outcome = emulator.queue("work", &Message::new("m-1", "hello")).await;
/// assert!(outcome.succeeded());
/// assert_eq!(outcome.output("outbox"), Some(&json!("m-1 done")));
/// assert_eq!(outcome.logs(), ["took 7 ms"]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AzureOutcome {
    pub(crate) function: String,
    pub(crate) trigger: AzureTriggerType,
    pub(crate) invocation_id: String,
    pub(crate) delivery: AzureDelivery,
    pub(crate) sent: Value,
    pub(crate) answer: Result<TestResponse, String>,
    pub(crate) result: Option<Value>,
    pub(crate) http_output: Option<String>,
}

impl AzureOutcome {
    /// The function invoked.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// let outcome = emulator.queue("work", &Message::new("m-1", "hello")).await;
    /// assert_eq!(outcome.function(), "work");
    /// # Ok(())
    /// # }
    /// ```
    pub fn function(&self) -> &str {
        &self.function
    }

    /// Its trigger.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// let outcome = emulator.queue("work", &Message::new("m-1", "hello")).await;
    /// assert_eq!(outcome.trigger(), &AzureTriggerType::Queue);
    /// # Ok(())
    /// # }
    /// ```
    pub fn trigger(&self) -> &AzureTriggerType {
        &self.trigger
    }

    /// The `X-Azure-Functions-InvocationId` sent.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// let first = emulator.queue("work", &Message::new("m-1", "one")).await;
    /// let second = emulator.queue("work", &Message::new("m-2", "two")).await;
    /// assert_eq!(first.invocation_id(), "00000000-0000-4000-8000-000000000001");
    /// assert_eq!(second.invocation_id(), "00000000-0000-4000-8000-000000000002");
    /// # Ok(())
    /// # }
    /// ```
    pub fn invocation_id(&self) -> &str {
        &self.invocation_id
    }

    /// How the invocation was delivered.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureDelivery, AzureEmulator, AzureTriggerType, TestRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// // Forwarding off: an HTTP trigger is sent in the envelope.
    /// let emulator = AzureEmulator::builder()
    ///     .function("hello", AzureTriggerType::Http, "req")
    ///     .build()?;
    /// let outcome = emulator.http("hello", TestRequest::get("/api/hello")).await;
    /// assert_eq!(outcome.delivery(), AzureDelivery::Envelope);
    /// # Ok(())
    /// # }
    /// ```
    pub fn delivery(&self) -> AzureDelivery {
        self.delivery
    }

    /// What was sent: the envelope (`{"Data", "Metadata"}`), or for a
    /// forwarded request `{"method", "path", "headers", "body"}`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType, TestRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("hello", AzureTriggerType::Http, "req")
    ///     .build()?;
    /// let outcome = emulator.http("hello", TestRequest::get("/api/hello?name=Ada")).await;
    /// let request = &outcome.sent()["Data"]["req"];
    /// assert_eq!(request["Url"], "http://localhost:7071/api/hello?name=Ada");
    /// assert_eq!(request["Method"], "GET");
    /// # Ok(())
    /// # }
    /// ```
    pub fn sent(&self) -> &Value {
        &self.sent
    }

    /// The handler's answer; `Err` with the reason when none came
    /// (connection refused or closed, timeout).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// // No handler listens on its port:
    /// let outcome = emulator.queue("work", &Message::new("m-1", "hello")).await;
    /// let reason = outcome.answer().expect_err("no answer");
    /// assert!(reason.starts_with("could not connect"), "{reason}");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Why no answer came, as text: the client's error (the connection
    /// refused or cut, the answer not HTTP), or none within the function's
    /// timeout.
    pub fn answer(&self) -> Result<&TestResponse, &str> {
        self.answer.as_ref().map_err(String::as_str)
    }

    /// The status of the handler's answer; `None` when none came.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    /// # use serde_json::json;
    /// # async fn serve(port: u16, answer: serde_json::Value) -> Result<(), anyfn_server::ServeError> {
    /// #     let handler = anyfn::handler_fn(move |_: anyfn::Request, _: anyfn::Context| {
    /// #         let answer = answer.clone();
    /// #         async move { anyfn::response::json(&answer) }
    /// #     });
    /// #     let server = anyfn_server::Server::new(handler).addr(([127, 0, 0, 1], port).into());
    /// #     let bound = server.default_subscriber(false).bind().await?;
    /// #     tokio::spawn(bound.run_until(std::future::pending()));
    /// #     Ok(())
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// let message = Message::new("m-1", "hello");
    /// assert_eq!(emulator.queue("work", &message).await.status(), None, "no handler yet");
    /// // A handler starts, answering a result document:
    /// # serve(emulator.port(), json!({"Outputs": {}, "Logs": []})).await?;
    /// assert_eq!(emulator.queue("work", &message).await.status(), Some(200));
    /// # Ok(())
    /// # }
    /// ```
    pub fn status(&self) -> Option<u16> {
        self.answer.as_ref().ok().map(|r| r.status().as_u16())
    }

    /// Whether the host counts the invocation a success.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    /// # use serde_json::json;
    /// # async fn serve(port: u16, answer: serde_json::Value) -> Result<(), anyfn_server::ServeError> {
    /// #     let handler = anyfn::handler_fn(move |_: anyfn::Request, _: anyfn::Context| {
    /// #         let answer = answer.clone();
    /// #         async move { anyfn::response::json(&answer) }
    /// #     });
    /// #     let server = anyfn_server::Server::new(handler).addr(([127, 0, 0, 1], port).into());
    /// #     let bound = server.default_subscriber(false).bind().await?;
    /// #     tokio::spawn(bound.run_until(std::future::pending()));
    /// #     Ok(())
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// let message = Message::new("m-1", "hello");
    /// assert!(!emulator.queue("work", &message).await.succeeded(), "no handler yet");
    /// // A handler starts, answering a result document:
    /// # serve(emulator.port(), json!({"Outputs": {}, "Logs": []})).await?;
    /// assert!(emulator.queue("work", &message).await.succeeded());
    /// # Ok(())
    /// # }
    /// ```
    pub fn succeeded(&self) -> bool {
        match (&self.answer, self.delivery) {
            (Ok(_), AzureDelivery::Forwarded) => true,
            (Ok(response), AzureDelivery::Envelope) => {
                response.status().is_success()
                    && (response.body().as_bytes().is_empty() || self.result.is_some())
            }
            (Err(_), _) => false,
        }
    }

    /// Whether the host would deliver the event again: the invocation
    /// failed and its trigger retries ([`AzureTriggerType::retries`]).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// use anyfn::event::{Message, ScheduleTick};
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .function("nightly", AzureTriggerType::Timer, "timer")
    ///     .build()?;
    /// // No handler listens: both fail, and only the queue message comes again.
    /// assert!(emulator.queue("work", &Message::new("m-1", "hello")).await.would_retry());
    /// let tick = ScheduleTick::new("tick-1", UNIX_EPOCH);
    /// assert!(!emulator.timer("nightly", &tick, false).await.would_retry());
    /// # Ok(())
    /// # }
    /// ```
    pub fn would_retry(&self) -> bool {
        !self.succeeded() && self.trigger.retries()
    }

    /// The result document the handler answered, when it is a JSON object.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    /// use serde_json::json;
    /// # async fn serve(port: u16, answer: serde_json::Value) -> Result<(), anyfn_server::ServeError> {
    /// #     let handler = anyfn::handler_fn(move |_: anyfn::Request, _: anyfn::Context| {
    /// #         let answer = answer.clone();
    /// #         async move { anyfn::response::json(&answer) }
    /// #     });
    /// #     let server = anyfn_server::Server::new(handler).addr(([127, 0, 0, 1], port).into());
    /// #     let bound = server.default_subscriber(false).bind().await?;
    /// #     tokio::spawn(bound.run_until(std::future::pending()));
    /// #     Ok(())
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// // The custom handler answers every invocation with this result document:
    /// let answer = json!({"Outputs": {}, "Logs": [], "ReturnValue": "done"});
    /// # serve(emulator.port(), answer.clone()).await?;
    /// let outcome = emulator.queue("work", &Message::new("m-1", "hello")).await;
    /// assert_eq!(outcome.result(), Some(&answer));
    /// # Ok(())
    /// # }
    /// ```
    pub fn result(&self) -> Option<&Value> {
        self.result.as_ref()
    }

    /// `Outputs`: output binding name → value.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    /// use serde_json::json;
    /// # async fn serve(port: u16, answer: serde_json::Value) -> Result<(), anyfn_server::ServeError> {
    /// #     let handler = anyfn::handler_fn(move |_: anyfn::Request, _: anyfn::Context| {
    /// #         let answer = answer.clone();
    /// #         async move { anyfn::response::json(&answer) }
    /// #     });
    /// #     let server = anyfn_server::Server::new(handler).addr(([127, 0, 0, 1], port).into());
    /// #     let bound = server.default_subscriber(false).bind().await?;
    /// #     tokio::spawn(bound.run_until(std::future::pending()));
    /// #     Ok(())
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// // The custom handler answers every invocation with this result document:
    /// let answer = json!({"Outputs": {"outbox": "m-1 done", "audit": {"id": "m-1"}}, "Logs": []});
    /// # serve(emulator.port(), answer).await?;
    /// let outcome = emulator.queue("work", &Message::new("m-1", "hello")).await;
    /// let names: Vec<&String> = outcome.outputs().expect("outputs").keys().collect();
    /// assert_eq!(names, ["audit", "outbox"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn outputs(&self) -> Option<&Map<String, Value>> {
        self.result.as_ref()?.get("Outputs")?.as_object()
    }

    /// One output binding's value.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    /// use serde_json::json;
    /// # async fn serve(port: u16, answer: serde_json::Value) -> Result<(), anyfn_server::ServeError> {
    /// #     let handler = anyfn::handler_fn(move |_: anyfn::Request, _: anyfn::Context| {
    /// #         let answer = answer.clone();
    /// #         async move { anyfn::response::json(&answer) }
    /// #     });
    /// #     let server = anyfn_server::Server::new(handler).addr(([127, 0, 0, 1], port).into());
    /// #     let bound = server.default_subscriber(false).bind().await?;
    /// #     tokio::spawn(bound.run_until(std::future::pending()));
    /// #     Ok(())
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// // The custom handler answers every invocation with this result document:
    /// let answer = json!({"Outputs": {"outbox": "m-1 done"}, "Logs": []});
    /// # serve(emulator.port(), answer).await?;
    /// let outcome = emulator.queue("work", &Message::new("m-1", "hello")).await;
    /// assert_eq!(outcome.output("outbox"), Some(&json!("m-1 done")));
    /// assert_eq!(outcome.output("audit"), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn output(&self, name: &str) -> Option<&Value> {
        self.outputs()?.get(name)
    }

    /// `Logs`: the lines the host writes to the invocation's log.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    /// use serde_json::json;
    /// # async fn serve(port: u16, answer: serde_json::Value) -> Result<(), anyfn_server::ServeError> {
    /// #     let handler = anyfn::handler_fn(move |_: anyfn::Request, _: anyfn::Context| {
    /// #         let answer = answer.clone();
    /// #         async move { anyfn::response::json(&answer) }
    /// #     });
    /// #     let server = anyfn_server::Server::new(handler).addr(([127, 0, 0, 1], port).into());
    /// #     let bound = server.default_subscriber(false).bind().await?;
    /// #     tokio::spawn(bound.run_until(std::future::pending()));
    /// #     Ok(())
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// // The custom handler answers every invocation with this result document:
    /// let answer = json!({"Outputs": {}, "Logs": ["took 7 ms", {"level": "warn"}]});
    /// # serve(emulator.port(), answer).await?;
    /// let outcome = emulator.queue("work", &Message::new("m-1", "hello")).await;
    /// assert_eq!(outcome.logs(), ["took 7 ms", r#"{"level":"warn"}"#]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn logs(&self) -> Vec<String> {
        self.result
            .as_ref()
            .and_then(|r| r.get("Logs"))
            .and_then(Value::as_array)
            .map(|logs| {
                logs.iter()
                    .map(|line| match line {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `ReturnValue`, unless absent or null.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    /// use serde_json::json;
    /// # async fn serve(port: u16, answer: serde_json::Value) -> Result<(), anyfn_server::ServeError> {
    /// #     let handler = anyfn::handler_fn(move |_: anyfn::Request, _: anyfn::Context| {
    /// #         let answer = answer.clone();
    /// #         async move { anyfn::response::json(&answer) }
    /// #     });
    /// #     let server = anyfn_server::Server::new(handler).addr(([127, 0, 0, 1], port).into());
    /// #     let bound = server.default_subscriber(false).bind().await?;
    /// #     tokio::spawn(bound.run_until(std::future::pending()));
    /// #     Ok(())
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// // The custom handler answers every invocation with this result document:
    /// let answer = json!({"Outputs": {}, "Logs": [], "ReturnValue": {"id": 7}});
    /// # serve(emulator.port(), answer).await?;
    /// let outcome = emulator.queue("work", &Message::new("m-1", "hello")).await;
    /// assert_eq!(outcome.return_value(), Some(&json!({"id": 7})));
    /// # Ok(())
    /// # }
    /// ```
    pub fn return_value(&self) -> Option<&Value> {
        self.result
            .as_ref()?
            .get("ReturnValue")
            .filter(|v| !v.is_null())
    }

    /// The HTTP output binding's value (`res`, or `$return` when that is
    /// the `http` output) read as the host reads it.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType, TestRequest};
    /// use serde_json::json;
    /// # async fn serve(port: u16, answer: serde_json::Value) -> Result<(), anyfn_server::ServeError> {
    /// #     let handler = anyfn::handler_fn(move |_: anyfn::Request, _: anyfn::Context| {
    /// #         let answer = answer.clone();
    /// #         async move { anyfn::response::json(&answer) }
    /// #     });
    /// #     let server = anyfn_server::Server::new(handler).addr(([127, 0, 0, 1], port).into());
    /// #     let bound = server.default_subscriber(false).bind().await?;
    /// #     tokio::spawn(bound.run_until(std::future::pending()));
    /// #     Ok(())
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("orders", AzureTriggerType::Http, "req")
    ///     .build()?;
    /// // The custom handler answers every invocation with this result document:
    /// let answer = json!({"Outputs": {"res": {"statusCode": "201", "body": "made"}}, "Logs": []});
    /// # serve(emulator.port(), answer).await?;
    /// let outcome = emulator.http("orders", TestRequest::post("/api/orders")).await;
    /// let res = outcome.res().expect("an HTTP output");
    /// assert_eq!(res.status, 201);
    /// assert_eq!(res.body, "made");
    /// # Ok(())
    /// # }
    /// ```
    pub fn res(&self) -> Option<AzureHttpOutput> {
        let name = self.http_output.as_deref()?;
        let value = if name == "$return" {
            self.return_value()?
        } else {
            self.output(name)?
        };
        Some(AzureHttpOutput::from_value(value))
    }

    /// The response the caller of an HTTP trigger would see: a forwarded
    /// request's answer as it came; in envelope mode the HTTP output
    /// ([`res`](Self::res)), `200` with no body when the function set none,
    /// and `500` with no body when the invocation failed.
    ///
    /// # Panics
    ///
    /// When the function is not HTTP-triggered.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType, TestRequest};
    /// use serde_json::json;
    /// # async fn serve(port: u16, answer: serde_json::Value) -> Result<(), anyfn_server::ServeError> {
    /// #     let handler = anyfn::handler_fn(move |_: anyfn::Request, _: anyfn::Context| {
    /// #         let answer = answer.clone();
    /// #         async move { anyfn::response::json(&answer) }
    /// #     });
    /// #     let server = anyfn_server::Server::new(handler).addr(([127, 0, 0, 1], port).into());
    /// #     let bound = server.default_subscriber(false).bind().await?;
    /// #     tokio::spawn(bound.run_until(std::future::pending()));
    /// #     Ok(())
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("orders", AzureTriggerType::Http, "req")
    ///     .build()?;
    /// let failed = emulator.http("orders", TestRequest::post("/api/orders")).await;
    /// assert_eq!(failed.http_response().status(), 500, "no handler yet");
    /// // A handler starts, answering this result document:
    /// let answer = json!({"Outputs": {"res": {"statusCode": 201, "body": "made"}}, "Logs": []});
    /// # serve(emulator.port(), answer).await?;
    /// let response = emulator.http("orders", TestRequest::post("/api/orders")).await.http_response();
    /// assert_eq!((response.status().as_u16(), response.text()), (201, "made"));
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn http_response(&self) -> TestResponse {
        assert_eq!(
            self.trigger,
            AzureTriggerType::Http,
            "{} is not HTTP-triggered",
            self.function
        );
        if let (AzureDelivery::Forwarded, Ok(response)) = (self.delivery, &self.answer) {
            return response.clone();
        }
        if !self.succeeded() {
            return status_only(StatusCode::INTERNAL_SERVER_ERROR);
        }
        match self.res() {
            Some(output) => output.into_response(),
            None => status_only(StatusCode::OK),
        }
    }
}

fn status_only(status: StatusCode) -> TestResponse {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    TestResponse::from(response)
}

/// An HTTP output binding's value (`Outputs.res`), read as the host reads
/// it (`GetHttpOutputBindingResponse`, `HttpBinding`): keys compare
/// case-insensitively; the status is `statusCode` (a number or numeric
/// string), `200` otherwise — a lone `status` is ignored, as the host
/// ignores it; a string body is sent as is, any other JSON as its text.
///
/// # Example
///
/// ```
/// use anyfn_test::AzureHttpOutput;
///
/// // Keys compare case-insensitively; a JSON body is sent as its text.
/// let res = AzureHttpOutput::from_value(&serde_json::json!({
///     "StatusCode": 404, "Body": {"error": "no order 7"}
/// }));
/// let expected = AzureHttpOutput { status: 404, headers: vec![], body: r#"{"error":"no order 7"}"#.into() };
/// assert_eq!(res, expected);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AzureHttpOutput {
    /// The status the caller gets.
    pub status: u16,
    /// The headers, in order, values as text.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl AzureHttpOutput {
    /// Reads an output value.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::AzureHttpOutput;
    ///
    /// let res = AzureHttpOutput::from_value(&serde_json::json!({
    ///     "statusCode": "201", "headers": {"Content-Type": "text/plain"}, "body": "made"
    /// }));
    /// assert_eq!(res.status, 201);
    /// assert_eq!(res.headers, [("Content-Type".to_owned(), "text/plain".to_owned())]);
    /// assert_eq!(res.body, "made");
    ///
    /// let ignored = AzureHttpOutput::from_value(&serde_json::json!({"status": 404, "body": {"a": 1}}));
    /// assert_eq!(ignored.status, 200);
    /// assert_eq!(ignored.body, r#"{"a":1}"#);
    /// ```
    pub fn from_value(value: &Value) -> Self {
        let get = |key: &str| {
            value
                .as_object()
                .and_then(|map| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
                .map(|(_, v)| v)
        };
        let status = match get("statusCode") {
            Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Some(Value::String(text)) => text.trim().parse().ok(),
            _ => None,
        }
        .unwrap_or(200);
        let headers = get("headers")
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .map(|(name, value)| (name.clone(), text_of(value)))
                    .collect()
            })
            .unwrap_or_default();
        let body = match get("body") {
            None | Some(Value::Null) => Bytes::new(),
            Some(Value::String(text)) => Bytes::from(text.clone()),
            Some(other) => Bytes::from(other.to_string()),
        };
        Self {
            status,
            headers,
            body,
        }
    }

    /// The response the caller gets.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::AzureHttpOutput;
    ///
    /// let res = AzureHttpOutput {
    ///     status: 201,
    ///     headers: vec![("Location".to_owned(), "/orders/7".to_owned())],
    ///     body: "made".into(),
    /// };
    /// let response = res.into_response();
    /// assert_eq!(response.status(), 201);
    /// assert_eq!(response.header("location"), Some("/orders/7"));
    /// assert_eq!(response.text(), "made");
    /// ```
    pub fn into_response(self) -> TestResponse {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::try_from(name.as_str()),
                HeaderValue::from_bytes(value.as_bytes()),
            ) {
                response.headers_mut().append(name, value);
            }
        }
        TestResponse::from(response)
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

//! A test OTLP receiver: a tiny HTTP/1.1 server on 127.0.0.1 that accepts
//! `POST /v1/traces` (protobuf), decodes each body as an
//! `ExportTraceServiceRequest` and keeps the spans with their resource.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, KeyValue};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A span as received, with its resource's attributes and when it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub span: Span,
    pub resource: HashMap<String, String>,
    /// When its export request was read whole, before it was answered.
    #[allow(dead_code)] // Each test binary uses some.
    pub arrived: Instant,
}

#[allow(dead_code)] // Each test binary uses some.
impl Received {
    /// The span's attribute `key`, as text.
    pub fn attribute(&self, key: &str) -> Option<String> {
        text_of(&self.span.attributes, key)
    }

    /// The span's trace id, as hex.
    pub fn trace_id(&self) -> String {
        hex(&self.span.trace_id)
    }

    /// The span's parent's id, as hex (empty for a root).
    pub fn parent_span_id(&self) -> String {
        hex(&self.span.parent_span_id)
    }
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The receiver: where it listens and what it got.
pub struct Receiver {
    addr: SocketAddr,
    spans: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Listens on 127.0.0.1, on a port of the system's choosing.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let spans = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&spans);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&kept)));
            }
        });
        Self { addr, spans }
    }

    /// The traces endpoint, `/v1/traces` included.
    pub fn url(&self) -> String {
        format!("http://{}/v1/traces", self.addr)
    }

    /// The spans received so far.
    pub fn spans(&self) -> Vec<Received> {
        self.spans.lock().expect("not poisoned").clone()
    }

    /// The spans received once `done` says they are all there, polled
    /// every 10 ms up to `bound`; what was received by then otherwise.
    #[allow(dead_code)] // Each test binary uses some.
    pub async fn spans_until(
        &self,
        bound: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let spans = self.spans();
            if done(&spans) || started.elapsed() > bound {
                return spans;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Serves one connection's requests (the exporter keeps it alive).
async fn serve(stream: TcpStream, spans: Arc<Mutex<Vec<Received>>>) {
    let mut stream = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if stream.read_line(&mut request_line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        let mut protobuf = false;
        loop {
            let mut line = String::new();
            if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("content-type") {
                protobuf = value.trim() == "application/x-protobuf";
            }
        }
        let mut body = vec![0; length];
        if stream.read_exact(&mut body).await.is_err() {
            return;
        }
        let accepted = request_line.starts_with("POST /v1/traces ") && protobuf;
        let status = match ExportTraceServiceRequest::decode(body.as_slice()) {
            Ok(export) if accepted => {
                keep(export, &spans);
                "200 OK"
            }
            _ => "400 Bad Request",
        };
        let answer = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n"
        );
        if stream.get_mut().write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn keep(export: ExportTraceServiceRequest, spans: &Mutex<Vec<Received>>) {
    let arrived = Instant::now();
    let mut spans = spans.lock().expect("not poisoned");
    for resource_spans in export.resource_spans {
        let attributes = resource_spans
            .resource
            .map(|resource| resource.attributes)
            .unwrap_or_default();
        let resource: HashMap<String, String> = attributes
            .iter()
            .filter_map(|kv| Some((kv.key.clone(), text(kv)?)))
            .collect();
        for scope in resource_spans.scope_spans {
            for span in scope.spans {
                spans.push(Received {
                    span,
                    resource: resource.clone(),
                    arrived,
                });
            }
        }
    }
}

fn text_of(attributes: &[KeyValue], key: &str) -> Option<String> {
    attributes.iter().find(|kv| kv.key == key).and_then(text)
}

fn text(kv: &KeyValue) -> Option<String> {
    match kv.value.as_ref()?.value.as_ref()? {
        any_value::Value::StringValue(s) => Some(s.clone()),
        any_value::Value::BoolValue(b) => Some(b.to_string()),
        any_value::Value::IntValue(i) => Some(i.to_string()),
        any_value::Value::DoubleValue(d) => Some(d.to_string()),
        _ => None,
    }
}

//! A test OTLP receiver: a tiny HTTP/1.1 server on 127.0.0.1 (over TLS
//! too, [`Receiver::start_tls`]) that accepts `POST /v1/traces` and
//! `POST /v1/metrics` (protobuf, gzipped or not: `Content-Encoding`),
//! decodes each body as an `ExportTraceServiceRequest` or
//! `ExportMetricsServiceRequest` and keeps the spans and the metrics' data
//! points with their resource, and each request's path and encoding. A
//! silent one ([`Receiver::start_silent`]) keeps what it reads and never
//! answers.

use std::collections::HashMap;
use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use tokio::io::{
    AsyncBufReadExt as _, AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, BufReader,
};
use tokio::net::TcpListener;

/// A span as received, with its resource's attributes and when it arrived.
#[derive(Debug, Clone)]
#[allow(dead_code)] // Each test binary uses some.
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

/// One data point of a metric, as received: a sum's value, or a
/// histogram's count and sum.
#[derive(Debug, Clone)]
#[allow(dead_code)] // Each test binary uses some.
pub struct Point {
    pub name: String,
    pub unit: String,
    pub attributes: HashMap<String, String>,
    /// A sum's value, or a histogram's sum.
    pub sum: f64,
    /// A histogram's count; `None` for a sum.
    pub count: Option<u64>,
    pub resource: HashMap<String, String>,
    /// When its export request was read whole, before it was answered.
    pub arrived: Instant,
}

#[allow(dead_code)] // Each test binary uses some.
impl Point {
    /// Whether its attributes are exactly `attributes`.
    pub fn has_attributes(&self, attributes: &[(&str, &str)]) -> bool {
        self.attributes.len() == attributes.len()
            && attributes
                .iter()
                .all(|(key, value)| self.attributes.get(*key).map(String::as_str) == Some(*value))
    }
}

/// The last point received of metric `name` with exactly `attributes`.
#[allow(dead_code)] // Each test binary uses some.
pub fn last_point<'a>(
    points: &'a [Point],
    name: &str,
    attributes: &[(&str, &str)],
) -> Option<&'a Point> {
    points
        .iter()
        .rev()
        .find(|point| point.name == name && point.has_attributes(attributes))
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The receiver: where it listens and what it got.
pub struct Receiver {
    addr: SocketAddr,
    scheme: &'static str,
    kept: Arc<Kept>,
}

/// What the receiver got.
#[derive(Default)]
struct Kept {
    spans: Mutex<Vec<Received>>,
    points: Mutex<Vec<Point>>,
    /// Every request's headers, names in lower case.
    headers: Mutex<Vec<(String, String)>>,
    /// Every request's path and `Content-Encoding`, if any.
    encodings: Mutex<Vec<(String, Option<String>)>>,
}

/// Whether the receiver answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answers {
    Yes,
    Never,
}

/// A self-signed certificate for `127.0.0.1` and `localhost`, made now:
/// the TLS receiver's configuration that presents it, and the certificate
/// as PEM, for a client to trust.
#[allow(dead_code)] // Each test binary uses some.
pub fn self_signed() -> (Arc<tokio_rustls::rustls::ServerConfig>, String) {
    use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("a self-signed certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.key_pair.serialize_der()));
    // rustls deprecates ring's provider for its lack of post-quantum key
    // exchange; the client (anyfn-otel) uses ring.
    #[allow(deprecated)]
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![made.cert.der().clone()], key)
        .expect("certificate and key");
    (Arc::new(config), made.cert.pem())
}

#[allow(dead_code)] // Each test binary uses some.
impl Receiver {
    /// Listens on 127.0.0.1, on a port of the system's choosing.
    pub async fn start() -> Self {
        Self::listen(None, Answers::Yes).await
    }

    /// The same, over TLS with `config` (its certificate and key).
    pub async fn start_tls(config: Arc<tokio_rustls::rustls::ServerConfig>) -> Self {
        Self::listen(Some(tokio_rustls::TlsAcceptor::from(config)), Answers::Yes).await
    }

    /// One that reads and keeps each request, and never answers (nor
    /// closes the connection).
    pub async fn start_silent() -> Self {
        Self::listen(None, Answers::Never).await
    }

    async fn listen(tls: Option<tokio_rustls::TlsAcceptor>, answers: Answers) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let kept = Arc::new(Kept::default());
        let scheme = if tls.is_some() { "https" } else { "http" };
        let shared = Arc::clone(&kept);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = Arc::clone(&shared);
                match &tls {
                    None => {
                        tokio::spawn(serve(stream, kept, answers));
                    }
                    Some(acceptor) => {
                        let accepting = acceptor.accept(stream);
                        tokio::spawn(async move {
                            // A handshake the client refused: nothing to serve.
                            if let Ok(stream) = accepting.await {
                                serve(stream, kept, answers).await;
                            }
                        });
                    }
                }
            }
        });
        Self { addr, scheme, kept }
    }

    /// The traces endpoint, `/v1/traces` included.
    pub fn url(&self) -> String {
        format!("{}://{}/v1/traces", self.scheme, self.addr)
    }

    /// The metrics endpoint, `/v1/metrics` included.
    pub fn metrics_url(&self) -> String {
        format!("{}://{}/v1/metrics", self.scheme, self.addr)
    }

    /// The spans received so far.
    pub fn spans(&self) -> Vec<Received> {
        self.kept.spans.lock().expect("not poisoned").clone()
    }

    /// Every header of every request received so far (names in lower case).
    pub fn headers(&self) -> Vec<(String, String)> {
        self.kept.headers.lock().expect("not poisoned").clone()
    }

    /// Every request's path and `Content-Encoding` (if any), in order of
    /// arrival.
    pub fn encodings(&self) -> Vec<(String, Option<String>)> {
        self.kept.encodings.lock().expect("not poisoned").clone()
    }

    /// The metrics' data points received so far, in order of arrival.
    pub fn points(&self) -> Vec<Point> {
        self.kept.points.lock().expect("not poisoned").clone()
    }

    /// The points received once `done` says they are all there, polled
    /// every 10 ms up to `bound`; what was received by then otherwise.
    pub async fn points_until(
        &self,
        bound: Duration,
        done: impl Fn(&[Point]) -> bool,
    ) -> Vec<Point> {
        let started = Instant::now();
        loop {
            let points = self.points();
            if done(&points) || started.elapsed() > bound {
                return points;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
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
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(stream: S, kept: Arc<Kept>, answers: Answers) {
    let mut stream = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if stream.read_line(&mut request_line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        let mut protobuf = false;
        let mut encoding = None;
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
            kept.headers
                .lock()
                .expect("not poisoned")
                .push((name.to_ascii_lowercase(), value.trim().to_owned()));
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("content-type") {
                protobuf = value.trim() == "application/x-protobuf";
            } else if name.eq_ignore_ascii_case("content-encoding") {
                encoding = Some(value.trim().to_owned());
            }
        }
        let mut body = vec![0; length];
        if stream.read_exact(&mut body).await.is_err() {
            return;
        }
        let path = request_line
            .split(' ')
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        kept.encodings
            .lock()
            .expect("not poisoned")
            .push((path, encoding.clone()));
        let body = match encoding.as_deref() {
            None => Some(body),
            Some("gzip") => {
                let mut plain = Vec::new();
                flate2::read::GzDecoder::new(body.as_slice())
                    .read_to_end(&mut plain)
                    .ok()
                    .map(|_| plain)
            }
            Some(_) => None,
        };
        let status = if !protobuf {
            "400 Bad Request"
        } else if body.is_none() {
            "415 Unsupported Media Type"
        } else if request_line.starts_with("POST /v1/traces ") {
            match ExportTraceServiceRequest::decode(body.as_deref().unwrap_or_default()) {
                Ok(export) => {
                    keep(export, &kept.spans);
                    "200 OK"
                }
                Err(_) => "400 Bad Request",
            }
        } else if request_line.starts_with("POST /v1/metrics ") {
            match ExportMetricsServiceRequest::decode(body.as_deref().unwrap_or_default()) {
                Ok(export) => {
                    keep_points(export, &kept.points);
                    "200 OK"
                }
                Err(_) => "400 Bad Request",
            }
        } else {
            "404 Not Found"
        };
        if answers == Answers::Never {
            // Holds the connection, unanswered, until the client gives up.
            let mut rest = Vec::new();
            let _ = stream.read_to_end(&mut rest).await;
            return;
        }
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

fn texts(attributes: &[KeyValue]) -> HashMap<String, String> {
    attributes
        .iter()
        .filter_map(|kv| Some((kv.key.clone(), text(kv)?)))
        .collect()
}

fn keep_points(export: ExportMetricsServiceRequest, points: &Mutex<Vec<Point>>) {
    let arrived = Instant::now();
    let mut points = points.lock().expect("not poisoned");
    for resource_metrics in export.resource_metrics {
        let resource = texts(
            &resource_metrics
                .resource
                .map(|resource| resource.attributes)
                .unwrap_or_default(),
        );
        for scope in resource_metrics.scope_metrics {
            for metric in scope.metrics {
                let point = |attributes: &[KeyValue], sum: f64, count: Option<u64>| Point {
                    name: metric.name.clone(),
                    unit: metric.unit.clone(),
                    attributes: texts(attributes),
                    sum,
                    count,
                    resource: resource.clone(),
                    arrived,
                };
                match &metric.data {
                    Some(metric::Data::Sum(sum)) => {
                        for number in &sum.data_points {
                            let value = match number.value {
                                Some(number_data_point::Value::AsDouble(value)) => value,
                                #[allow(clippy::cast_precision_loss)]
                                Some(number_data_point::Value::AsInt(value)) => value as f64,
                                None => continue,
                            };
                            points.push(point(&number.attributes, value, None));
                        }
                    }
                    Some(metric::Data::Histogram(histogram)) => {
                        for data in &histogram.data_points {
                            points.push(point(
                                &data.attributes,
                                data.sum.unwrap_or_default(),
                                Some(data.count),
                            ));
                        }
                    }
                    _ => {}
                }
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

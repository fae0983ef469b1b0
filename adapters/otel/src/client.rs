//! The exporter's HTTP client: ureq, synchronous and runtime-free. The
//! SDK's batch processor and periodic reader export on threads of their
//! own, so a request blocks that thread only, never the function's async
//! runtime. HTTPS through rustls (ring), trusting the system's CA
//! certificates, or only those of `OTEL_EXPORTER_OTLP_CERTIFICATE`'s file.
//! Each exporter's client has its own timeout (`OTEL_EXPORTER_OTLP_TIMEOUT`
//! or the signal's own); a body the exporter gzipped goes with its
//! `Content-Encoding: gzip`, as the exporter set it.

use std::io::Read as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_ENCODING;
use http::{Request, Response};
use opentelemetry_http::{HttpClient, HttpError};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};

use crate::error::OtelError;

/// The CAs a client trusts.
#[derive(Debug)]
enum Roots {
    /// Those of a PEM file, read at install (so that a bad file is
    /// install's error).
    File(Arc<Vec<Certificate<'static>>>),
    /// The system's, read at the first export, on the exporter's thread
    /// (not during the function's init).
    System,
    /// None: plain HTTP.
    Plain,
}

/// The system's CA certificates, read once for both exporters.
static SYSTEM_ROOTS: OnceLock<Arc<Vec<Certificate<'static>>>> = OnceLock::new();

/// An [`HttpClient`] over a ureq agent, which logs the first of a run of
/// failed exports (`WARN anyfn::otel`) and the export that ends it: the
/// SDK's own diagnostics are not built in.
#[derive(Debug)]
pub(crate) struct UreqClient {
    roots: Roots,
    /// How long one export may take, connection included.
    timeout: Duration,
    /// Whether a gzipped body is sent as it was before: the exporter was
    /// told gzip only because opentelemetry-otlp, told nothing, reads the
    /// compression variables itself, and they said gzip where the
    /// configuration did not.
    uncompress: bool,
    /// Made at the first export.
    agent: OnceLock<ureq::Agent>,
    /// Whether the last export failed.
    failing: AtomicBool,
}

impl UreqClient {
    /// A client for `endpoint`, trusting the CA certificates of PEM file
    /// `certificate` if given, else (for an `https://` endpoint) the
    /// system's; an export given up after `timeout`.
    pub(crate) fn new(
        endpoint: &str,
        certificate: Option<&Path>,
        timeout: Duration,
    ) -> Result<Self, OtelError> {
        let roots = match certificate {
            Some(path) => Roots::File(Arc::new(read_certificates(path)?)),
            None if is_https(endpoint) => Roots::System,
            None => Roots::Plain,
        };
        Ok(Self {
            roots,
            timeout,
            uncompress: false,
            agent: OnceLock::new(),
            failing: AtomicBool::new(false),
        })
    }

    /// The same, sending a body the exporter gzipped as it was before, with
    /// no `Content-Encoding`: for an exporter told gzip only so that it
    /// builds where a compression variable says `none`.
    pub(crate) fn uncompressed(mut self) -> Self {
        self.uncompress = true;
        self
    }

    /// The agent, made at the first export with the roots it trusts.
    fn agent(&self) -> &ureq::Agent {
        self.agent.get_or_init(|| {
            let roots = match &self.roots {
                Roots::File(certificates) => Arc::clone(certificates),
                Roots::System => {
                    Arc::clone(SYSTEM_ROOTS.get_or_init(|| Arc::new(system_certificates())))
                }
                Roots::Plain => Arc::new(Vec::new()),
            };
            let tls = TlsConfig::builder()
                .provider(TlsProvider::Rustls)
                .root_certs(RootCerts::Specific(roots))
                .unversioned_rustls_crypto_provider(ring_provider())
                .build();
            let config = ureq::Agent::config_builder()
                // The exporter reads the status itself.
                .http_status_as_error(false)
                .timeout_global(Some(self.timeout))
                // No redirect: plain HTTP never turns into TLS without roots.
                .max_redirects(0)
                .tls_config(tls)
                .build();
            ureq::Agent::new_with_config(config)
        })
    }

    fn failed(&self, uri: &http::Uri, what: &dyn std::fmt::Display) {
        if !self.failing.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                target: "anyfn::otel",
                "OTLP export to {uri} failed: {what} (further failures are not logged until an export succeeds)"
            );
        }
    }
}

/// rustls's provider on ring. rustls 0.23.48 deprecates it as it has no
/// post-quantum key exchange (X25519MLKEM768 is aws-lc-rs's alone); ring is
/// kept on purpose: aws-lc-rs builds a C library with cmake and adds the
/// OpenSSL license to the tree, for a hybrid exchange that protects an
/// export's telemetry against decryption decades from now.
#[allow(deprecated)]
fn ring_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn is_https(endpoint: &str) -> bool {
    endpoint
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

/// Whether `err` is TLS's: rustls's own, or rustls's within the I/O error
/// the handshake gives.
fn is_tls_failure(err: &ureq::Error) -> bool {
    match err {
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) => true,
        ureq::Error::Io(io) => io
            .get_ref()
            .is_some_and(|inner| inner.is::<rustls::Error>()),
        _ => false,
    }
}

/// The certificates of PEM file `path`.
fn read_certificates(path: &Path) -> Result<Vec<Certificate<'static>>, OtelError> {
    let unusable = |reason: String| OtelError::Certificate {
        path: path.to_owned(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|err| unusable(err.to_string()))?;
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(certificate)) => certificates.push(certificate),
            Ok(_) => {}
            Err(err) => return Err(unusable(err.to_string())),
        }
    }
    if certificates.is_empty() {
        return Err(unusable("it holds no PEM certificate".to_owned()));
    }
    Ok(certificates)
}

/// The system's CA certificates; those that cannot be read are logged.
fn system_certificates() -> Vec<Certificate<'static>> {
    let found = rustls_native_certs::load_native_certs();
    for err in &found.errors {
        tracing::warn!(target: "anyfn::otel", "a system CA certificate could not be read: {err}");
    }
    if found.certs.is_empty() {
        tracing::warn!(
            target: "anyfn::otel",
            "no system CA certificate found: HTTPS exports will fail unless OTEL_EXPORTER_OTLP_CERTIFICATE names the collector's CA"
        );
    }
    found
        .certs
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect()
}

/// `request` with its gzipped body as it was before compression, and no
/// `Content-Encoding`; as it is when not gzipped.
fn gunzipped(request: Request<Bytes>) -> Result<Request<Bytes>, std::io::Error> {
    let gzipped = request
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(|encoding| encoding.as_bytes().eq_ignore_ascii_case(b"gzip"));
    if !gzipped {
        return Ok(request);
    }
    let (mut parts, body) = request.into_parts();
    let mut plain = Vec::with_capacity(body.len() * 4);
    flate2::read::GzDecoder::new(body.as_ref()).read_to_end(&mut plain)?;
    parts.headers.remove(CONTENT_ENCODING);
    Ok(Request::from_parts(parts, Bytes::from(plain)))
}

#[async_trait::async_trait]
impl HttpClient for UreqClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let uri = request.uri().clone();
        let request = if self.uncompress {
            match gunzipped(request) {
                Ok(request) => request,
                Err(err) => {
                    self.failed(&uri, &err);
                    return Err(err.into());
                }
            }
        } else {
            request
        };
        let response = match self.agent().run(request.map(|body| body.to_vec())) {
            Ok(response) => response,
            Err(err) => {
                let hint = if is_tls_failure(&err) {
                    " (is the collector's certificate issued by a trusted CA? OTEL_EXPORTER_OTLP_CERTIFICATE names a PEM file of the CAs to trust)"
                } else {
                    ""
                };
                self.failed(&uri, &format_args!("{err}{hint}"));
                return Err(err.into());
            }
        };
        let (parts, mut body) = response.into_parts();
        let body = match body.read_to_vec() {
            Ok(body) => body,
            Err(err) => {
                self.failed(&uri, &err);
                return Err(err.into());
            }
        };
        if parts.status.is_success() {
            if self.failing.swap(false, Ordering::Relaxed) {
                tracing::info!(target: "anyfn::otel", "OTLP exports to {uri} succeed again");
            }
        } else {
            self.failed(
                &uri,
                &format_args!("the collector answered {}", parts.status),
            );
        }
        Ok(Response::from_parts(parts, Bytes::from(body)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_file_without_certificates_is_a_typed_error() {
        let missing = UreqClient::new(
            "https://collector",
            Some(Path::new("/nonexistent/ca.pem")),
            Duration::from_secs(1),
        );
        assert!(matches!(missing, Err(OtelError::Certificate { .. })));
        let dir = std::env::temp_dir().join(format!("anyfn-otel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").expect("written");
        let err = UreqClient::new("https://collector", Some(&empty), Duration::from_secs(1))
            .expect_err("no certificate");
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }

    fn post(body: &[u8], encoding: Option<&str>) -> Request<Bytes> {
        let mut request = Request::post("http://collector/v1/traces")
            .header(http::header::CONTENT_TYPE, "application/x-protobuf");
        if let Some(encoding) = encoding {
            request = request.header(CONTENT_ENCODING, encoding);
        }
        request.body(Bytes::copy_from_slice(body)).expect("request")
    }

    #[test]
    fn a_body_gzipped_only_for_the_exporters_sake_is_sent_as_it_was() {
        use std::io::Write as _;

        let plain = b"spans, spans, spans, spans".repeat(8);
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&plain).expect("compressed");
        let gzipped = encoder.finish().expect("compressed");
        assert_ne!(gzipped, plain);

        let sent = gunzipped(post(&gzipped, Some("gzip"))).expect("a gzip body");
        assert_eq!(sent.body().as_ref(), plain.as_slice());
        assert!(sent.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(
            sent.headers()
                .get(http::header::CONTENT_TYPE)
                .map(|v| v.as_bytes()),
            Some(b"application/x-protobuf".as_slice())
        );

        let untouched = gunzipped(post(&plain, None)).expect("no encoding");
        assert_eq!(untouched.body().as_ref(), plain.as_slice());
        assert!(
            gunzipped(post(b"not gzip", Some("gzip"))).is_err(),
            "an error, not a panic"
        );
    }

    #[tokio::test]
    async fn an_export_is_given_up_after_the_clients_timeout() {
        // A listener that never accepts: the system completes the
        // connection, the request is written, no answer ever comes.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bound");
        let endpoint = format!("http://{}/v1/traces", silent.local_addr().expect("address"));
        let timeout = Duration::from_millis(300);
        let client = UreqClient::new(&endpoint, None, timeout).expect("plain HTTP");
        let started = std::time::Instant::now();
        let request = Request::post(endpoint.as_str())
            .body(Bytes::from_static(b"spans"))
            .expect("request");
        let err = client.send_bytes(request).await.expect_err("no answer");
        let waited = started.elapsed();
        assert!(
            waited >= timeout && waited < Duration::from_secs(5),
            "gave up after {waited:?} ({err})"
        );
        drop(silent);
    }

    #[test]
    fn only_https_reads_the_system_roots() {
        assert!(is_https("HTTPS://collector:4318/v1/traces"));
        assert!(!is_https("http://localhost:4318/v1/traces"));
        assert!(!is_https("https"));
    }
}

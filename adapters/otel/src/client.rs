//! The exporter's HTTP client: ureq, synchronous and runtime-free. The
//! SDK's batch processor exports on a thread of its own, so the request
//! blocks that thread only, never the function's async runtime.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use opentelemetry_http::{HttpClient, HttpError};

/// How long one export may take, connection included.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// An [`HttpClient`] over a ureq agent.
#[derive(Debug)]
pub(crate) struct UreqClient(ureq::Agent);

impl UreqClient {
    pub(crate) fn new() -> Self {
        let config = ureq::Agent::config_builder()
            // The exporter reads the status itself.
            .http_status_as_error(false)
            .timeout_global(Some(EXPORT_TIMEOUT))
            .build();
        Self(ureq::Agent::new_with_config(config))
    }
}

#[async_trait::async_trait]
impl HttpClient for UreqClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let response = self.0.run(request.map(|body| body.to_vec()))?;
        let (parts, mut body) = response.into_parts();
        let body = body.read_to_vec()?;
        Ok(Response::from_parts(parts, Bytes::from(body)))
    }
}

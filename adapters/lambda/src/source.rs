//! Where an invocation's payload came from: [`EventSource`].

use std::fmt;

/// The shape of the payload an invocation came with, remembered so that the
/// output goes back in the shape the service expects. Open to event types
/// outside anyfn through [`EventSource::Custom`]. Also stored in the
/// context's extensions ([`LambdaContextExt::event_source`](crate::LambdaContextExt::event_source)).
///
/// # Example
///
/// ```
/// use anyfn_lambda::EventSource;
///
/// assert_eq!(EventSource::ApiGatewayHttp.to_string(), "API Gateway HTTP API (v2)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventSource {
    /// Any JSON payload, passed to a `Json<T>` handler as it is.
    Raw,
    /// API Gateway REST API (payload format 1.0).
    ApiGatewayRest,
    /// API Gateway HTTP API (payload format 2.0).
    ApiGatewayHttp,
    /// Application Load Balancer, single-value headers.
    Alb,
    /// Application Load Balancer with multi-value headers enabled.
    AlbMultiValue,
    /// Lambda Function URL (payload format 2.0).
    FunctionUrl,
    /// S3 event notification.
    S3,
    /// SQS batch.
    Sqs,
    /// SNS delivery.
    Sns,
    /// EventBridge event (scheduled or other).
    EventBridge,
    /// A source named by a decoder outside anyfn: a [`FromLambda`](crate::FromLambda)
    /// impl for an event type of your own returns it, and the matching
    /// [`IntoLambda`](crate::IntoLambda) impl gets it back to answer in that
    /// source's shape. anyfn's own decoders never return it.
    ///
    /// ```
    /// use anyfn_lambda::EventSource;
    ///
    /// let kinesis = EventSource::Custom("Kinesis stream");
    /// assert_eq!(kinesis.to_string(), "Kinesis stream");
    /// assert!(!kinesis.is_http());
    /// ```
    Custom(&'static str),
}

impl EventSource {
    /// Whether the payload is an HTTP request (API Gateway, ALB, Function
    /// URL): its answer, errors included, is an HTTP response.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_lambda::EventSource;
    ///
    /// assert!(EventSource::FunctionUrl.is_http());
    /// assert!(!EventSource::Sqs.is_http());
    /// ```
    pub const fn is_http(self) -> bool {
        matches!(
            self,
            Self::ApiGatewayRest
                | Self::ApiGatewayHttp
                | Self::Alb
                | Self::AlbMultiValue
                | Self::FunctionUrl
        )
    }
}

impl EventSource {
    /// Whether Lambda can stream a response to this source: a Function URL
    /// (with `InvokeMode: RESPONSE_STREAM`) or an API Gateway REST API (with
    /// `responseTransferMode: STREAM`). HTTP APIs and ALBs cannot.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_lambda::EventSource;
    ///
    /// assert!(EventSource::FunctionUrl.can_stream());
    /// assert!(!EventSource::ApiGatewayHttp.can_stream());
    /// ```
    pub const fn can_stream(self) -> bool {
        matches!(self, Self::FunctionUrl | Self::ApiGatewayRest)
    }
}

impl fmt::Display for EventSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Raw => "raw JSON payload",
            Self::ApiGatewayRest => "API Gateway REST API (v1)",
            Self::ApiGatewayHttp => "API Gateway HTTP API (v2)",
            Self::Alb => "Application Load Balancer",
            Self::AlbMultiValue => "Application Load Balancer (multi-value headers)",
            Self::FunctionUrl => "Lambda Function URL",
            Self::S3 => "S3 notification",
            Self::Sqs => "SQS batch",
            Self::Sns => "SNS delivery",
            Self::EventBridge => "EventBridge event",
            Self::Custom(name) => name,
        })
    }
}

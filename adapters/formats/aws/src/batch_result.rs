//! A [`BatchResult`] answered in the shape its batch came in.

use anyfn::event::BatchResult;
use anyfn::{Error, ErrorKind};

use crate::AwsShape;

/// The answer to a batch that came in `shape`, as the JSON payload the
/// source reads.
///
/// SQS (and a batch of no known AWS shape, `None`: a raw payload a handler
/// decoded itself) gets Lambda's partial batch response,
/// `{"batchItemFailures":[{"itemIdentifier":"…"}]}`, naming the failed
/// messages, so that only they are retried. SNS cannot retry single
/// messages: a result naming any is an error, so the whole delivery fails
/// and SNS retries it; with none it is the same empty document.
///
/// # Errors
///
/// [`ErrorKind::Handler`] when an SNS delivery has failed messages (the
/// message counts and names them); [`ErrorKind::Internal`] if the result
/// cannot be encoded.
///
/// # Example
///
/// ```
/// use anyfn::event::BatchResult;
/// use anyfn_formats_aws::{encode_batch_result, AwsShape};
///
/// let result = BatchResult::failed_ids(["m-2"]);
/// assert_eq!(
///     encode_batch_result(&result, Some(AwsShape::Sqs))?,
///     r#"{"batchItemFailures":[{"itemIdentifier":"m-2"}]}"#
/// );
/// let err = encode_batch_result(&result, Some(AwsShape::Sns)).err().expect("SNS retries all");
/// assert_eq!(err.message(), "1 SNS message(s) failed (m-2); SNS retries the whole delivery");
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn encode_batch_result(result: &BatchResult, shape: Option<AwsShape>) -> Result<String, Error> {
    if shape == Some(AwsShape::Sns) && !result.failed.is_empty() {
        return Err(Error::new(
            ErrorKind::Handler,
            format!(
                "{} SNS message(s) failed ({}); SNS retries the whole delivery",
                result.failed.len(),
                result.failed.join(", ")
            ),
        ));
    }
    serde_json::to_string(result).map_err(|err| {
        Error::with_source(
            ErrorKind::Internal,
            "could not encode the batch result",
            err,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_but_sns_names_the_failed_messages() {
        let result = BatchResult::failed_ids(["a", "b"]);
        for shape in [
            None,
            Some(AwsShape::Sqs),
            Some(AwsShape::S3),
            Some(AwsShape::EventBridge),
        ] {
            assert_eq!(
                encode_batch_result(&result, shape).unwrap(),
                r#"{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"b"}]}"#,
                "{shape:?}"
            );
        }
    }

    #[test]
    fn sns_fails_the_delivery_for_any_failed_message() {
        let err = encode_batch_result(&BatchResult::failed_ids(["a", "b"]), Some(AwsShape::Sns))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Handler);
        assert_eq!(
            err.message(),
            "2 SNS message(s) failed (a, b); SNS retries the whole delivery"
        );
        assert_eq!(
            encode_batch_result(&BatchResult::all_succeeded(), Some(AwsShape::Sns)).unwrap(),
            r#"{"batchItemFailures":[]}"#
        );
    }

    /// aws_lambda_events' `example-sqs-batch-response.json` (left out of
    /// tests/fixtures/aws, being a response): what SQS reads back.
    #[test]
    fn the_sqs_answer_is_aws_lambda_events_batch_response_example() {
        let example: serde_json::Value = serde_json::from_str(
            r#"{
  "batchItemFailures": [
    {
      "itemIdentifier": "id2"
    },
    {
      "itemIdentifier": "id4"
    }
  ]
}"#,
        )
        .unwrap();
        let result = BatchResult::failed_ids(["id2", "id4"]);
        let answer = encode_batch_result(&result, Some(AwsShape::Sqs)).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&answer).unwrap(),
            example
        );
    }
}

//! A Kinesis stream consumer with partial batch failures: an event anyfn has
//! no portable type for, taken as `Json<T>` of `aws_lambda_events`' types.
//!
//! Each record's data arrives decoded (`aws_lambda_events` reads the base64).
//! Records are handled in order, one `info` log line each; the first whose
//! data contains `fail` is reported by its sequence number in
//! `batchItemFailures`, and the records after it are left alone: Lambda
//! retries the shard from the lowest sequence number reported, so they come
//! again (handling them now would handle them twice). A batch with no
//! failure answers `{"batchItemFailures":[]}`.
//!
//! On Lambda: a Kinesis event source mapping with `ReportBatchItemFailures`
//! in its `FunctionResponseTypes`. Kinesis (like DynamoDB Streams or Cognito
//! triggers) is AWS-only, so anyfn maps it to no portable type: the payload
//! is the event, as AWS sends it. Off Lambda the local server takes the same
//! JSON as a POST and answers with the same JSON:
//!
//! ```text
//! cargo run --example kinesis
//! curl -s http://127.0.0.1:3000/ --json '{"Records":[
//!   {"kinesis":{"sequenceNumber":"1","data":"aGVsbG8=","approximateArrivalTimestamp":1480641523.477}},
//!   {"kinesis":{"sequenceNumber":"2","data":"cGxlYXNlIGZhaWw=","approximateArrivalTimestamp":1480641523.477}}]}'
//! {"batchItemFailures":[{"itemIdentifier":"2"}]}
//! ```
//!
//! The types come from the function's own dependency on `aws_lambda_events`,
//! with only the event families it uses: `default-features = false,
//! features = ["kinesis", "streams"]`. `Json<T>` needs nothing but serde, so
//! any version of that crate works, whichever one anyfn-lambda was built
//! with.

use anyfn::{handler_fn, Context, Json};
use aws_lambda_events::kinesis::KinesisEvent;
use aws_lambda_events::streams::KinesisEventResponse;

/// Handles the records in order and reports the first whose data contains
/// `fail`; the records after it are left for Lambda's retry.
pub async fn consume(
    Json(event): Json<KinesisEvent>,
    _context: Context,
) -> Result<Json<KinesisEventResponse>, anyfn::Error> {
    let mut response = KinesisEventResponse::default();
    let mut records = event.records.iter();
    for record in records.by_ref() {
        let kinesis = &record.kinesis;
        let data = String::from_utf8_lossy(&kinesis.data);
        if kinesis.data.windows(4).any(|window| window == b"fail") {
            tracing::info!(
                sequence_number = %kinesis.sequence_number,
                partition_key = %kinesis.partition_key,
                %data,
                "record failed; Lambda retries from it"
            );
            response.add_failure(kinesis.sequence_number.clone());
            break;
        }
        tracing::info!(
            sequence_number = %kinesis.sequence_number,
            partition_key = %kinesis.partition_key,
            %data,
            "record processed"
        );
    }
    for record in records {
        tracing::info!(
            sequence_number = %record.kinesis.sequence_number,
            "record left for the retry"
        );
    }
    Ok(Json(response))
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server.
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(consume)).await
}

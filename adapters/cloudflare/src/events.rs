//! Cron triggers and queue batches: workers-rs's events as the portable
//! [`ScheduleTick`] and [`QueueBatch`], and a [`BatchResult`] back as each
//! message's `ack()` or `retry()`.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyfn::event::{BatchResult, Message, QueueBatch, ScheduleTick};
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use worker::{MessageBatch, MessageExt, RawMessage, ScheduledEvent};

/// A cron trigger's firing: its id is the cron expression and the
/// scheduled time (unique per firing), its time the scheduled time, its
/// schedule the cron expression.
pub(crate) fn schedule_tick(event: &ScheduledEvent) -> ScheduleTick {
    let millis = event.schedule();
    let time = system_time(millis);
    let cron = event.cron();
    ScheduleTick::new(format!("{cron}@{millis}"), time).with_schedule(cron)
}

/// The instant `millis` after the epoch, as JavaScript counts time (a
/// negative or non-finite value is the epoch).
fn system_time(millis: f64) -> SystemTime {
    let millis = if millis.is_finite() && millis > 0.0 {
        millis
    } else {
        0.0
    };
    UNIX_EPOCH + Duration::from_secs_f64(millis / 1000.0)
}

/// The batch's messages, with their ids, bodies, sent times and the queue's
/// name as their source; the raw messages, to settle them afterwards.
pub(crate) fn queue_batch<T>(batch: &MessageBatch<T>) -> (QueueBatch, Vec<RawMessage>) {
    let queue = batch.queue();
    let raw: Vec<RawMessage> = batch.raw_iter().collect();
    let messages = raw
        .iter()
        .map(|message| {
            let sent = system_time(message.timestamp().as_millis() as f64);
            Message::new(message.id(), body_bytes(&message.body()))
                .with_sent_time(sent)
                .with_source(queue.clone())
        })
        .collect();
    (QueueBatch::new(messages), raw)
}

/// A message body's bytes: a string's UTF-8, an `ArrayBuffer`'s or a typed
/// array's bytes as they are, any other value as its JSON (a producer's
/// `send({...})`); `undefined` and `null` as nothing.
fn body_bytes(body: &JsValue) -> Vec<u8> {
    if let Some(text) = body.as_string() {
        return text.into_bytes();
    }
    if let Some(buffer) = body.dyn_ref::<ArrayBuffer>() {
        return Uint8Array::new(buffer).to_vec();
    }
    if let Some(array) = body.dyn_ref::<Uint8Array>() {
        return array.to_vec();
    }
    if body.is_undefined() || body.is_null() {
        return Vec::new();
    }
    js_sys::JSON::stringify(body)
        .ok()
        .and_then(|json| json.as_string())
        .unwrap_or_default()
        .into_bytes()
}

/// Each failed message retried, every other acknowledged.
pub(crate) fn settle(messages: &[RawMessage], result: &BatchResult) {
    let failed: HashSet<&str> = result.failed.iter().map(String::as_str).collect();
    for message in messages {
        if failed.contains(message.id().as_str()) {
            message.retry();
        } else {
            message.ack();
        }
    }
}

//! Saying what a payload was, when it is not what a handler expects: the
//! HTTP decoder reads and refuses payloads as the event decoders of
//! `anyfn_formats_aws` do, with the same functions (their docs and tests
//! are there).

pub(crate) use anyfn_formats_aws::{read_payload as read, unexpected_payload as unexpected};

//! The trace id a request carries: W3C `traceparent`, or Google's
//! `X-Cloud-Trace-Context`, as Cloud Run's front end and Cloud Trace send
//! them.

use anyfn::http::{HeaderMap, HeaderName};
use anyfn_kit::CallerTrace;

/// W3C's `traceparent`. A constant, as `X-Cloud-Trace-Context` is: compared
/// with each of a request's header names, a constant's length and bytes are
/// known where a static's were loaded for every comparison
/// (`trace_id_of` 76 -> 34 instructions for three standard headers).
const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// W3C's `tracestate`, read only after a well-formed `traceparent`.
static TRACESTATE: HeaderName = HeaderName::from_static("tracestate");

/// Google's `X-Cloud-Trace-Context`.
const CLOUD_TRACE_CONTEXT: HeaderName = HeaderName::from_static("x-cloud-trace-context");

/// The 32-hex-digit trace id of the request's trace context: from
/// `traceparent` (`00-<trace id>-<span id>-<flags>`) when it is well formed,
/// else from `X-Cloud-Trace-Context` (`<trace id>/<span id>;o=<0|1>`). A
/// malformed or all-zero id is no id.
#[cfg(test)]
pub(crate) fn trace_id(headers: &HeaderMap) -> Option<String> {
    find(headers).trace_id()
}

/// Where a request's trace context is: its `traceparent` and
/// `X-Cloud-Trace-Context` values, found in one pass over its headers.
pub(crate) struct TraceHeaders<'a> {
    headers: &'a HeaderMap,
    traceparent: Option<&'a str>,
    cloud_trace_context: Option<&'a str>,
}

/// The trace id of a request with `headers`, as [`TraceHeaders::trace_id`]
/// reads it: the same, without making the [`TraceHeaders`] of a request
/// that carries neither header, as most do (`benches/axum_vs_anyfn_server.sh`).
pub(crate) fn trace_id_of(headers: &HeaderMap) -> Option<String> {
    if headers
        .keys()
        .any(|name| *name == TRACEPARENT || *name == CLOUD_TRACE_CONTEXT)
    {
        find(headers).trace_id()
    } else {
        None
    }
}

/// The request's trace headers (see [`TraceHeaders`]).
pub(crate) fn find(headers: &HeaderMap) -> TraceHeaders<'_> {
    // One pass over the names, rather than a lookup of each: a lookup hashes
    // the name, and most requests carry neither header, so comparing a few
    // names (of which the standard ones differ at once) costs less
    // (`benches/axum_vs_anyfn_server.sh`). The names only (each once, however
    // many values it has): walking the values too cost more than the
    // comparisons. A header found is then looked up for its first value,
    // the one the walk met first.
    let (mut has_traceparent, mut has_cloud_trace_context) = (false, false);
    for name in headers.keys() {
        has_traceparent |= *name == TRACEPARENT;
        has_cloud_trace_context |= *name == CLOUD_TRACE_CONTEXT;
    }
    let first = |found: bool, name: &HeaderName| {
        found
            .then(|| headers.get(name))
            .flatten()
            .and_then(|value| value.to_str().ok())
    };
    TraceHeaders {
        headers,
        traceparent: first(has_traceparent, &TRACEPARENT),
        cloud_trace_context: first(has_cloud_trace_context, &CLOUD_TRACE_CONTEXT),
    }
}

impl TraceHeaders<'_> {
    /// The trace id, as [`trace_id`] reads it.
    pub(crate) fn trace_id(&self) -> Option<String> {
        self.traceparent
            .and_then(from_traceparent)
            .or_else(|| self.cloud_trace_context.and_then(from_cloud_trace_context))
    }

    /// The caller's context for a telemetry hook to parent the invocation
    /// span on ([`CallerTrace`]): its W3C trace context when its
    /// `traceparent` is well formed, else its `X-Cloud-Trace-Context` (whose
    /// decimal span id the hook reads). The server asks only with telemetry
    /// installed: without, no copy of the headers, no context extension,
    /// and (as the kit's `telemetry` feature is off) no code of it at all.
    pub(crate) fn caller(&self) -> Option<CallerTrace> {
        if let Some(traceparent) = self
            .traceparent
            .filter(|value| from_traceparent(value).is_some())
        {
            let mut caller = CallerTrace::new(traceparent.trim());
            if let Some(state) = self
                .headers
                .get(&TRACESTATE)
                .and_then(|value| value.to_str().ok())
            {
                caller = caller.with_tracestate(state);
            }
            return Some(caller);
        }
        self.cloud_trace_context
            .filter(|value| from_cloud_trace_context(value).is_some())
            .map(CallerTrace::cloud_trace)
    }
}

/// `traceparent`: `version-traceid-parentid-flags`, lower-case hex. A future
/// version may add fields after the flags; version `ff` is invalid.
fn from_traceparent(value: &str) -> Option<String> {
    let mut fields = value.trim().split('-');
    let version = fields.next()?;
    let trace_id = fields.next()?;
    let parent_id = fields.next()?;
    let flags = fields.next()?;
    let well_formed = is_hex(version, 2)
        && version != "ff"
        && is_hex(parent_id, 16)
        && is_hex(flags, 2)
        && (version != "00" || fields.next().is_none());
    (well_formed && is_trace_id(trace_id)).then(|| trace_id.to_owned())
}

/// `X-Cloud-Trace-Context`: `TRACE_ID/SPAN_ID;o=OPTIONS`, the span and the
/// options optional.
fn from_cloud_trace_context(value: &str) -> Option<String> {
    let trace_id = value.trim().split(['/', ';']).next()?;
    let trace_id = trace_id.to_ascii_lowercase();
    is_trace_id(&trace_id).then_some(trace_id)
}

fn is_trace_id(id: &str) -> bool {
    is_hex(id, 32) && id.bytes().any(|digit| digit != b'0')
}

/// `len` lower-case hex digits.
fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyfn::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    #[test]
    fn traceparent_gives_its_trace_id() {
        let map = headers(&[(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )]);
        assert_eq!(trace_id(&map).as_deref(), Some(TRACE));
    }

    #[test]
    fn traceparent_wins_over_the_cloud_trace_context() {
        let map = headers(&[
            (
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ),
            (
                "x-cloud-trace-context",
                "105445aa7843bc8bf206b12000100000/1;o=1",
            ),
        ]);
        assert_eq!(trace_id(&map).as_deref(), Some(TRACE));
    }

    #[test]
    fn the_cloud_trace_context_gives_its_trace_id_with_or_without_span_and_options() {
        for value in [
            "105445AA7843BC8BF206B12000100000/1;o=1",
            "105445aa7843bc8bf206b12000100000/12345",
            "105445aa7843bc8bf206b12000100000;o=0",
            "105445aa7843bc8bf206b12000100000",
        ] {
            let mut map = HeaderMap::new();
            map.insert("x-cloud-trace-context", HeaderValue::from_static(value));
            assert_eq!(
                trace_id(&map).as_deref(),
                Some("105445aa7843bc8bf206b12000100000"),
                "{value}"
            );
        }
    }

    #[test]
    fn malformed_or_zero_ids_are_no_id() {
        for (name, value) in [
            (
                "traceparent",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            ),
            (
                "traceparent",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ),
            (
                "traceparent",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            ),
            ("traceparent", "00-4bf92f35-00f067aa0ba902b7-01"),
            (
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            ),
            ("x-cloud-trace-context", "not-a-trace/1;o=1"),
            (
                "x-cloud-trace-context",
                "00000000000000000000000000000000/1",
            ),
        ] {
            assert_eq!(trace_id(&headers(&[(name, value)])), None, "{value}");
        }
    }

    #[test]
    fn a_repeated_header_counts_by_its_first_value() {
        let mut map = HeaderMap::new();
        for value in [
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-105445aa7843bc8bf206b12000100000-00f067aa0ba902b7-01",
        ] {
            map.append("traceparent", HeaderValue::from_static(value));
        }
        assert_eq!(trace_id(&map).as_deref(), Some(TRACE));
    }

    #[test]
    fn a_later_traceparent_version_may_add_fields() {
        let map = headers(&[(
            "traceparent",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future",
        )]);
        assert_eq!(trace_id(&map).as_deref(), Some(TRACE));
    }

    /// The headers as `find` found them before it walked the names only:
    /// every value, in order, the first of each name kept.
    fn found_by_walking_values(headers: &HeaderMap) -> (Option<&str>, Option<&str>) {
        let mut traceparent = None;
        let mut cloud_trace_context = None;
        for (name, value) in headers {
            if traceparent.is_none() && *name == TRACEPARENT {
                traceparent = Some(value);
            } else if cloud_trace_context.is_none() && *name == CLOUD_TRACE_CONTEXT {
                cloud_trace_context = Some(value);
            }
        }
        (
            traceparent.and_then(|value| value.to_str().ok()),
            cloud_trace_context.and_then(|value| value.to_str().ok()),
        )
    }

    /// `find` finds what walking every value found: the first value of each
    /// header, whatever else the request carries, repeated or not, valid
    /// text or not.
    #[test]
    fn regression_names_only_find_what_walking_the_values_found() {
        let values: [&[u8]; 4] = [
            b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            b"105445aa7843bc8bf206b12000100000/1;o=1",
            b"caf\xc3\xa9",
            b"",
        ];
        let names = [
            "traceparent",
            "x-cloud-trace-context",
            "host",
            "tracestate",
            "x-other",
        ];
        let mut checked = 0;
        // Every sequence of up to four (name, value) pairs, appended.
        for len in 0..=4u32 {
            let count = (names.len() * values.len()).pow(len);
            for mut code in 0..count {
                let mut map = HeaderMap::new();
                for _ in 0..len {
                    let pick = code % (names.len() * values.len());
                    code /= names.len() * values.len();
                    let value = HeaderValue::from_bytes(values[pick % values.len()]).unwrap();
                    map.append(names[pick / values.len()], value);
                }
                let found = find(&map);
                assert_eq!(trace_id_of(&map), found.trace_id(), "{map:?}");
                assert_eq!(
                    (found.traceparent, found.cloud_trace_context),
                    found_by_walking_values(&map),
                    "{map:?}"
                );
                checked += 1;
            }
        }
        assert!(checked > 100_000);
    }
}

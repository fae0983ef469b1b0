//! Reading the lines an adapter logs for an invocation, whatever the
//! format its platform takes (text or JSON): its failure line
//! (`anyfn_kit::log_failure`'s, [`FailureLine`]) and its `REPORT` lines.
//! What `failure_parity.rs` compares across adapters.

use serde_json::Value;

/// What is compared of a failed invocation's log line (`log_failure`'s),
/// read from a text or a JSON line, or from a harness's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FailureLine {
    /// `WARN` (Cloud Logging's `WARNING` read as it).
    pub(crate) level: String,
    /// `invocation failed: …`, every run of digits as `#`: a timeout's
    /// message says how long the invocation took.
    pub(crate) message: String,
    pub(crate) error_type: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) request_id: Option<String>,
}

/// What every failure line starts its message with.
const FAILED: &str = "invocation failed: ";

/// The levels a text line can start with (after a timestamp, or not).
const LEVELS: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARN", "WARNING", "ERROR"];

/// `text` with every run of digits as one `#`.
fn digits_masked(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !masked.ends_with('#') {
                masked.push('#');
            }
        } else {
            masked.push(c);
        }
    }
    masked
}

/// A level's name, Cloud Logging's `WARNING` as `WARN`.
fn level_named(name: &str) -> String {
    if name == "WARNING" { "WARN" } else { name }.to_owned()
}

impl FailureLine {
    /// The harness's failure record of an invocation, if it logged one.
    pub(crate) fn of_harness(logs: &[anyfn_test::LogRecord]) -> Option<Self> {
        let mut failures = logs
            .iter()
            .filter(|record| record.message().starts_with(FAILED));
        let record = failures.next()?;
        assert!(
            failures.next().is_none(),
            "the harness logged two failure lines: {logs:?}"
        );
        assert_eq!(record.target(), "anyfn::invocation", "{record}");
        Some(Self {
            level: record.level().to_string(),
            message: digits_masked(record.message()),
            error_type: record.field("error_type").map(str::to_owned),
            status: record.field("status").map(str::to_owned),
            request_id: record.field("request_id").map(str::to_owned),
        })
    }

    /// A line an adapter wrote, text or JSON; `None` unless it is a
    /// failure line. A line that names its target must name
    /// `anyfn::invocation`.
    pub(crate) fn parse(line: &str) -> Option<Self> {
        match line.trim_start() {
            json if json.starts_with('{') => Self::from_json(line, json),
            _ => Self::from_text(line),
        }
    }

    /// A JSON line: the fields at the top level or under `fields`, the
    /// level as `level` or Cloud Logging's `severity`.
    fn from_json(line: &str, json: &str) -> Option<Self> {
        let record: Value = serde_json::from_str(json).ok()?;
        let fields = record.get("fields").unwrap_or(&record);
        let text = |name: &str| {
            fields
                .get(name)
                .or_else(|| record.get(name))
                .map(|value| match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
        };
        let message = text("message")?;
        if !message.starts_with(FAILED) {
            return None;
        }
        if let Some(target) = record.get("target") {
            assert_eq!(target, "anyfn::invocation", "{line}");
        }
        let level = text("level")
            .or_else(|| text("severity"))
            .unwrap_or_default();
        Some(Self {
            level: level_named(&level),
            message: digits_masked(&message),
            error_type: text("error_type"),
            status: text("status"),
            request_id: text("request_id"),
        })
    }

    /// A text line: `[timestamp] LEVEL [span{…}: ][target: ]message
    /// fields`, the fields `name=value` or `name="value"` after the
    /// message.
    fn from_text(line: &str) -> Option<Self> {
        let at = line.find(FAILED)?;
        let (head, rest) = line.split_at(at);
        let level = head.split_whitespace().find(|word| LEVELS.contains(word))?;
        if let Some(target) = head
            .trim_end()
            .strip_suffix(':')
            .and_then(|head| head.rsplit(' ').next())
        {
            if !target.contains('}') && target.contains("::") {
                assert_eq!(target, "anyfn::invocation", "{line}");
            }
        }
        let fields_at = rest.find(" request_id=").unwrap_or(rest.len());
        let (message, mut fields) = rest.split_at(fields_at);
        let (mut error_type, mut status, mut request_id) = (None, None, None);
        while let Some(name_end) = fields.find('=') {
            let name = fields[..name_end].trim();
            let (value, after) = field_value(&fields[name_end + 1..]);
            match name {
                "error_type" => error_type = Some(value),
                "status" => status = Some(value),
                "request_id" => request_id = Some(value),
                _ => {}
            }
            fields = after;
        }
        Some(Self {
            level: level_named(level),
            message: digits_masked(message),
            error_type,
            status,
            request_id,
        })
    }
}

/// A text line's field value, quoted or bare, and the text after it.
fn field_value(text: &str) -> (String, &str) {
    if let Some(quoted) = text.strip_prefix('"') {
        let end = quoted.find('"').unwrap_or(quoted.len());
        (
            quoted[..end].to_owned(),
            quoted.get(end + 1..).unwrap_or(""),
        )
    } else {
        let end = text.find(' ').unwrap_or(text.len());
        (text[..end].to_owned(), &text[end..])
    }
}

/// The `REPORT` lines in `lines` of the invocation `request_id`.
pub(crate) fn report_lines_of<'a>(lines: &'a [String], request_id: &str) -> Vec<&'a String> {
    let needle = format!("REPORT RequestId: {request_id}\t");
    let escaped = format!("REPORT RequestId: {request_id}\\t");
    lines
        .iter()
        .filter(|line| line.contains(&needle) || line.contains(&escaped))
        .collect()
}

/// The failure lines in `lines` of the invocation `request_id`.
pub(crate) fn failure_lines_of(lines: &[String], request_id: &str) -> Vec<(String, FailureLine)> {
    lines
        .iter()
        .filter(|line| line.contains(request_id))
        .filter_map(|line| Some((line.clone(), FailureLine::parse(line)?)))
        .filter(|(_, failure)| failure.request_id.as_deref() == Some(request_id))
        .collect()
}

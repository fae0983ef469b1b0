//! A log line's time: [`UtcMicros`], RFC 3339 in UTC with microseconds.

use std::cell::Cell;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// The time as tracing-subscriber's default timer writes it
/// (`2026-11-26T17:07:20.295661Z`), with the date and time of day formatted
/// once a second per thread rather than for every line.
///
/// # Example
///
/// ```
/// let subscriber = tracing_subscriber::fmt()
///     .with_timer(anyfn_kit::logging::UtcMicros)
///     .with_writer(std::io::stderr)
///     .finish();
/// tracing::subscriber::with_default(subscriber, || tracing::info!("at a time"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct UtcMicros;

impl FormatTime for UtcMicros {
    fn format_time(&self, writer: &mut Writer<'_>) -> fmt::Result {
        writer.write_str(as_text(&timestamp(SystemTime::now())))
    }
}

/// ASCII bytes as text (what the formatters put in their buffers).
pub(super) fn as_text(ascii: &[u8]) -> &str {
    std::str::from_utf8(ascii).unwrap_or("?")
}

/// `00` to `99`, two bytes each.
const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

thread_local! {
    /// The last second this thread wrote, and its `YYYY-MM-DDTHH:MM:SS`.
    static SECOND: Cell<(u64, [u8; 19])> = const { Cell::new((u64::MAX, [0; 19])) };
}

/// `time` in UTC as `2026-11-26T17:07:20.295661Z`, the date and time of
/// day formatted once a second per thread.
pub(super) fn timestamp(time: SystemTime) -> [u8; 27] {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let (cached, mut prefix) = SECOND.get();
    if cached != seconds {
        let text = anyfn::time::format_rfc3339(UNIX_EPOCH + Duration::from_secs(seconds));
        prefix.copy_from_slice(&text.as_bytes()[..19]);
        SECOND.set((seconds, prefix));
    }
    let mut stamp = [0u8; 27];
    stamp[..19].copy_from_slice(&prefix);
    stamp[19] = b'.';
    // Two digits a step, from a table: a division per digit was a fifth
    // of the stamp's cost.
    let micros = since_epoch.subsec_micros() % 1_000_000;
    for (slot, pair) in
        stamp[20..26]
            .chunks_exact_mut(2)
            .zip([micros / 10_000, micros / 100 % 100, micros % 100])
    {
        let pair = usize::try_from(pair).unwrap_or_default() * 2;
        slot.copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    stamp[26] = b'Z';
    stamp
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The microseconds, from the pairs table, as `{:06}` writes them.
    #[test]
    fn microseconds_are_written_as_six_digits() {
        let base = UNIX_EPOCH + Duration::from_secs(1_764_177_440);
        for micros in (0..1_000_000)
            .step_by(7)
            .chain([1, 9, 10, 99, 100, 999_999])
        {
            let stamp = timestamp(base + Duration::from_micros(micros) + Duration::from_nanos(999));
            assert_eq!(as_text(&stamp[20..26]), format!("{micros:06}"));
            assert_eq!(&stamp[..20], b"2025-11-26T17:17:20.");
        }
    }

    #[test]
    fn timestamps_have_microseconds_and_follow_the_second() {
        let time = UNIX_EPOCH + Duration::from_micros(1_764_177_440_295_661);
        let stamps = [
            timestamp(time),
            timestamp(time + Duration::from_micros(1_000_001)),
            timestamp(UNIX_EPOCH),
        ];
        let texts: Vec<&str> = stamps.iter().map(|stamp| as_text(stamp)).collect();
        assert_eq!(
            texts,
            [
                "2025-11-26T17:17:20.295661Z",
                "2025-11-26T17:17:21.295662Z",
                "1970-01-01T00:00:00.000000Z"
            ]
        );
    }
}

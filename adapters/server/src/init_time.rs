//! How long the process took from start to ready: the cold-start figure.

use std::time::Duration;

/// The time since this process started, on Linux from `/proc` (10 ms
/// resolution: the kernel counts process start in clock ticks), elsewhere `None`.
pub(crate) fn since_process_start() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    parse(&stat, &uptime)
}

/// Milliseconds per clock tick on Linux (`USER_HZ` is 100 on every
/// architecture Rust targets).
const MILLIS_PER_TICK: u64 = 10;

fn parse(stat: &str, uptime: &str) -> Option<Duration> {
    // Field 2 (the command) may hold spaces and parentheses; fields after the
    // last ')' are space-separated, and `starttime` is field 22 overall.
    let after_command = &stat[stat.rfind(')')? + 1..];
    let start_ticks: u64 = after_command.split_whitespace().nth(19)?.parse().ok()?;
    let uptime_secs: f64 = uptime.split_whitespace().next()?.parse().ok()?;
    // /proc/uptime has two decimals: hundredths of a second, i.e. ticks.
    let uptime_ticks = (uptime_secs * 100.0).round() as u64;
    let elapsed_ticks = uptime_ticks.saturating_sub(start_ticks);
    Some(Duration::from_millis(elapsed_ticks * MILLIS_PER_TICK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_command_with_spaces_and_parens() {
        let stat = "4242 (my (odd) fn) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12345 1000 100";
        let elapsed = parse(stat, "124.00 200.00");
        assert_eq!(elapsed, Some(Duration::from_millis(550)));
    }

    #[test]
    fn garbage_is_none_not_a_panic() {
        assert_eq!(parse("no parens here", "1.0 1.0"), None);
        assert_eq!(parse("1 (x) S", "1.0"), None);
    }
}

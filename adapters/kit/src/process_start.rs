//! How long the process took from its start to ready: the cold-start
//! figure, [`since_process_start`].

use std::time::Duration;

/// The time since this process started: on Linux from `/proc`, to 10 ms
/// (the kernel counts a process's start in clock ticks); elsewhere, or
/// when `/proc` cannot be read, `None`.
///
/// Adapters call it once they are ready to take invocations and report it
/// as the init duration on their `INIT` line, as Lambda reports its own.
///
/// # Example
///
/// ```
/// match anyfn_kit::since_process_start() {
///     Some(init) => println!("Init Duration: {} ms", init.as_millis()),
///     None => println!("Init Duration: unknown"),
/// }
/// ```
pub fn since_process_start() -> Option<Duration> {
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

    #[cfg(target_os = "linux")]
    #[test]
    fn a_running_process_has_started_and_not_long_ago() {
        let since = since_process_start().expect("/proc is read on Linux");
        // The test binary started before this test, and within the day.
        assert!(since < Duration::from_secs(24 * 60 * 60), "{since:?}");
    }

    #[test]
    fn garbage_is_none_not_a_panic() {
        assert_eq!(parse("no parens here", "1.0 1.0"), None);
        assert_eq!(parse("1 (x) S", "1.0"), None);
    }
}

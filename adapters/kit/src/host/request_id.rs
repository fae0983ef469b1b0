//! Unique request ids for invocations the server runs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Hands out request ids shaped like UUIDs (as Lambda's are), unique within
/// the process and, with high probability, across processes.
#[derive(Debug)]
pub struct RequestIds {
    seed: u64,
    counter: AtomicU64,
}

impl RequestIds {
    /// A generator seeded from the time and the process id.
    pub fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Self {
            seed: splitmix64(nanos ^ u64::from(std::process::id()).rotate_left(32)),
            counter: AtomicU64::new(0),
        }
    }

    /// The next id: `hhhhhhhh-hhhh-4hhh-shhh-cccccccccccc`, a UUID version 4
    /// layout whose last group is the counter (so ids never repeat within the
    /// process) and whose other groups mix the counter with the seed. Also
    /// returns the counter, from which [`id_of`](Self::id_of) makes the id
    /// again.
    ///
    /// # Example
    ///
    /// ```
    /// let ids = anyfn_kit::host::RequestIds::new();
    /// let (n, id) = ids.next_id();
    /// assert_eq!(id.as_str().len(), 36);
    /// assert_eq!(id.as_str().as_bytes()[14], b'4'); // UUID version 4
    /// assert_eq!(ids.id_of(n).as_str(), id.as_str());
    /// assert_ne!(ids.next_id().1.as_str(), id.as_str());
    /// ```
    pub fn next_id(&self) -> (u64, RequestId) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        (n, self.id_of(n))
    }

    /// The id handed out as number `n`.
    pub fn id_of(&self, n: u64) -> RequestId {
        let high = splitmix64(self.seed.wrapping_add(n));
        // Written into a fixed buffer: `format!` with padded hex fields cost
        // more than the rest of a small invocation.
        let mut id = [b'-'; 36];
        write_hex(&mut id[0..8], high >> 32);
        write_hex(&mut id[9..13], high >> 16);
        write_hex(&mut id[14..18], (high & 0x0fff) | 0x4000);
        write_hex(&mut id[19..23], (self.seed & 0x3fff) | 0x8000);
        write_hex(&mut id[24..36], n);
        RequestId(id)
    }
}

impl Default for RequestIds {
    fn default() -> Self {
        Self::new()
    }
}

/// One request id, kept inline: the server needs it as text three times (the
/// context, the `x-request-id` header, the `REPORT` line) and copies it only
/// where it must.
#[derive(Debug, Clone, Copy)]
pub struct RequestId([u8; 36]);

impl RequestId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits and dashes are ever written into it.
        std::str::from_utf8(&self.0).unwrap_or("invalid-request-id")
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Fills `out` with the low `4 * out.len()` bits of `value` in lower-case hex.
fn write_hex(out: &mut [u8], mut value: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(value & 0xf) as usize];
        value >>= 4;
    }
}

/// SplitMix64: a bijective mixer, so distinct inputs give distinct outputs.
fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_shaped_and_distinct() {
        let ids = RequestIds::new();
        let a = ids.next_id().1.to_string();
        let b = ids.next_id().1.to_string();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }

    /// The ids were written with `format!`; the fixed buffer must give the
    /// same text.
    #[test]
    fn regression_ids_match_the_formatted_layout() {
        let ids = RequestIds::new();
        for n in 0..1_000u64 {
            let high = splitmix64(ids.seed.wrapping_add(n));
            let formatted = format!(
                "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                (high >> 32) as u32,
                (high >> 16) as u16,
                high as u16 & 0x0fff,
                (ids.seed as u16 & 0x3fff) | 0x8000,
                n & 0xffff_ffff_ffff,
            );
            assert_eq!(ids.next_id().1.as_str(), formatted);
            assert_eq!(ids.id_of(n).as_str(), formatted);
        }
    }
}

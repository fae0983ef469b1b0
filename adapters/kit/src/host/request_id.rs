//! Unique request ids for invocations the server runs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Hands out request ids shaped like UUIDs (as Lambda's are), unique within
/// the process and, with high probability, across processes.
///
/// # Example
///
/// ```
/// let ids = anyfn_kit::host::RequestIds::new();
/// let (_, first) = ids.next_id();
/// let (_, second) = ids.next_id();
/// assert_ne!(first.as_str(), second.as_str());
/// assert!(second.as_str().ends_with("-000000000001"), "the last group counts");
/// ```
#[derive(Debug)]
pub struct RequestIds {
    seed: u64,
    counter: AtomicU64,
}

impl RequestIds {
    /// A generator seeded from the time and the process id.
    ///
    /// # Example
    ///
    /// ```
    /// let ids = anyfn_kit::host::RequestIds::new();
    /// let (n, id) = ids.next_id();
    /// assert_eq!(n, 0, "the counter starts at zero");
    /// assert!(id.as_str().ends_with("-000000000000"));
    /// ```
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
    #[inline]
    pub fn next_id(&self) -> (u64, RequestId) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        (n, self.id_of(n))
    }

    /// The id handed out as number `n`.
    ///
    /// # Example
    ///
    /// ```
    /// let ids = anyfn_kit::host::RequestIds::new();
    /// let (n, id) = ids.next_id();
    /// assert_eq!(ids.id_of(n).as_str(), id.as_str());
    /// assert!(ids.id_of(255).as_str().ends_with("-0000000000ff"));
    /// ```
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
///
/// # Example
///
/// ```
/// let (_, id) = anyfn_kit::host::RequestIds::new().next_id();
/// assert_eq!(id.to_string(), id.as_str());
/// assert_eq!(id.as_str().matches('-').count(), 4);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RequestId([u8; 36]);

impl RequestId {
    /// The id as text.
    ///
    /// # Example
    ///
    /// ```
    /// let (_, id) = anyfn_kit::host::RequestIds::new().next_id();
    /// assert_eq!(id.as_str().len(), 36);
    /// assert_eq!(id.as_str().as_bytes()[14], b'4'); // UUID version 4
    /// ```
    #[inline]
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

/// Fills `out` with the low `4 * out.len()` bits of `value` in lower-case hex:
/// two digits a step, from a table (a digit a step was most of an id's cost).
fn write_hex(out: &mut [u8], mut value: u64) {
    let mut slots = out.rchunks_exact_mut(2);
    for pair in &mut slots {
        let at = usize::from(value as u8) * 2;
        pair.copy_from_slice(&HEX_PAIRS[at..at + 2]);
        value >>= 8;
    }
    if let [last] = slots.into_remainder() {
        *last = HEX_PAIRS[usize::from(value as u8 & 0xf) * 2 + 1];
    }
}

/// `00` to `ff`, two bytes each.
static HEX_PAIRS: [u8; 512] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut table = [0; 512];
    let mut byte = 0;
    while byte < 256 {
        table[byte * 2] = DIGITS[byte >> 4];
        table[byte * 2 + 1] = DIGITS[byte & 0xf];
        byte += 1;
    }
    table
};

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

    /// Id number `n` of `ids` as `format!` wrote it.
    fn formatted(ids: &RequestIds, n: u64) -> String {
        let high = splitmix64(ids.seed.wrapping_add(n));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            (high >> 32) as u32,
            (high >> 16) as u16,
            high as u16 & 0x0fff,
            (ids.seed as u16 & 0x3fff) | 0x8000,
            n & 0xffff_ffff_ffff,
        )
    }

    /// The ids were written with `format!`; the fixed buffer must give the
    /// same text.
    #[test]
    fn regression_ids_match_the_formatted_layout() {
        let ids = RequestIds::new();
        for n in 0..1_000u64 {
            let formatted = formatted(&ids, n);
            assert_eq!(ids.next_id().1.as_str(), formatted);
            assert_eq!(ids.id_of(n).as_str(), formatted);
        }
        // Every digit of the last field, past the first thousand.
        for n in [0xfedc_ba98_7654, 0xffff_ffff_ffff, 0x1_0000_0000_0001] {
            assert_eq!(ids.id_of(n).as_str(), formatted(&ids, n));
        }
    }

    #[test]
    fn hex_digits_fill_odd_and_even_widths() {
        let mut out = [0u8; 5];
        write_hex(&mut out, 0xabcde);
        assert_eq!(&out, b"abcde");
        let mut out = [0u8; 4];
        write_hex(&mut out, 0x1_09af);
        assert_eq!(&out, b"09af");
    }
}

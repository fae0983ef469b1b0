//! An invocation's id, kept without an allocation when short:
//! [`RequestIdText`].

use std::fmt;

/// The longest id kept inline. Providers' ids are UUIDs (36 bytes), as are
/// the local server's.
const INLINE: usize = 40;

/// An invocation's id: building a [`Context`](super::Context) for one of
/// the usual length copies it rather than allocating a `String`
/// (`benches/axum_vs_anyfn_server.sh`).
#[derive(Clone)]
pub(super) enum RequestIdText {
    /// An id of at most [`INLINE`] bytes.
    Inline { len: u8, bytes: Aligned },
    /// A longer one.
    Heap(Box<str>),
}

/// The inline bytes, on a word boundary: `str::from_utf8` checks ASCII
/// two words at a time only from an aligned address, and after the
/// one-byte `len` it went byte by byte over most of a UUID (182
/// instructions for each `Context::request_id`, against 73 aligned).
#[derive(Clone, Copy)]
#[repr(align(8))]
pub(super) struct Aligned([u8; INLINE]);

impl RequestIdText {
    pub(super) fn new(id: &str) -> Self {
        match u8::try_from(id.len()) {
            Ok(len) if id.len() <= INLINE => {
                let mut bytes = Aligned([0; INLINE]);
                bytes.0[..id.len()].copy_from_slice(id.as_bytes());
                Self::Inline { len, bytes }
            }
            _ => Self::Heap(id.into()),
        }
    }

    pub(super) fn as_str(&self) -> &str {
        match self {
            // The bytes are a whole `&str`'s, so they are UTF-8; an empty id
            // stands for the impossible error rather than a panic.
            Self::Inline { len, bytes } => {
                std::str::from_utf8(&bytes.0[..usize::from(*len)]).unwrap_or_default()
            }
            Self::Heap(id) => id,
        }
    }
}

impl fmt::Debug for RequestIdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_every_length_read_back_as_given() {
        let long = "x".repeat(INLINE + 1);
        for id in [
            "",
            "req-1",
            "8f3c1a52-7c1e-4a4b-9d3e-0c8d2f1b6a77",
            "é-non-ascii-ünïcode",
            &"y".repeat(INLINE),
            &long,
        ] {
            let text = RequestIdText::new(id);
            assert_eq!(text.as_str(), id);
            assert_eq!(text.clone().as_str(), id);
            assert_eq!(format!("{text:?}"), format!("{id:?}"));
        }
        assert!(matches!(RequestIdText::new(&long), RequestIdText::Heap(_)));
        assert!(matches!(
            RequestIdText::new("8f3c1a52-7c1e-4a4b-9d3e-0c8d2f1b6a77"),
            RequestIdText::Inline { .. }
        ));
    }
}

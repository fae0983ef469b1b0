//! Base64 as anyfn reads and writes it, everywhere: one engine of the
//! `base64` crate.
//!
//! What the providers send, each with the standard alphabet and padding
//! (RFC 4648 §4): AWS in HTTP bodies marked `isBase64Encoded`, SQS binary
//! attributes and Kinesis data; Google Pub/Sub in `message.data`; CloudEvents
//! in `data_base64`. anyfn writes the same. It reads the standard alphabet
//! with or without padding (protobuf's JSON mapping, which Pub/Sub follows,
//! allows a reader to meet either) and nothing looser: no URL-safe alphabet,
//! no whitespace, no excess padding, no non-zero trailing bits, so one text
//! always means one sequence of bytes.

use base64::alphabet::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// The one engine: standard alphabet, padded output, padding optional on
/// input, canonical input only.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(false),
);

/// Standard base64 with padding.
pub(crate) fn encode(bytes: &[u8]) -> String {
    ENGINE.encode(bytes)
}

/// Decodes standard base64, padded or not; says what is wrong otherwise.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, String> {
    ENGINE.decode(text).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(decode("3q2+7w==").unwrap(), [0xde, 0xad, 0xbe, 0xef]);
    }

    #[test]
    fn unpadded_input_is_read_as_padded() {
        assert_eq!(decode("Zg").unwrap(), b"f");
        assert_eq!(decode("Zm8").unwrap(), b"fo");
    }

    #[test]
    fn invalid_input_is_an_error() {
        assert!(decode("a").is_err());
        assert!(decode("ab$d").is_err());
        assert!(decode("ab===").is_err());
        assert!(decode("é").is_err());
        assert!(decode("Zm9v\n").is_err(), "no whitespace");
        assert!(decode("-_8=").is_err(), "no URL-safe alphabet");
    }

    /// The hand-written decoder took these; the adapters' engine did not: the
    /// same text meant bytes in one place and an error in another.
    #[test]
    fn regression_non_canonical_base64_is_refused() {
        assert!(decode("Zh==").is_err(), "non-zero trailing bits");
        assert!(decode("Zm9v==").is_err(), "excess padding");
    }
}

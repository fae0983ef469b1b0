//! What a function's name may be: one path segment, and a name every
//! platform accepts.

/// The longest name: Azure Functions' limit.
pub(crate) const MAX_NAME_LEN: usize = 127;

/// Why `name` cannot name a function, or `None` when it can: an ASCII letter
/// first, then ASCII letters, digits, `-` and `_`, at most
/// [`MAX_NAME_LEN`] in all. Those names are one URL path segment with
/// nothing to escape, and valid as a Lambda handler setting, a Cloud Run
/// `FUNCTION_TARGET` and an Azure function name.
pub(crate) fn invalid_name_reason(name: &str) -> Option<&'static str> {
    let mut chars = name.chars();
    match chars.next() {
        None => Some("it is empty"),
        Some(first) if !first.is_ascii_alphabetic() => Some("it must start with an ASCII letter"),
        _ if name.len() > MAX_NAME_LEN => Some("it is longer than 127 characters"),
        _ if !chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => {
            Some("only ASCII letters, digits, `-` and `_` may follow the first letter")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_plain_path_segment() {
        for good in ["orders", "resize-v2", "Nightly_Job", "a"] {
            assert_eq!(invalid_name_reason(good), None, "{good}");
        }
        for bad in ["", "2fa", "-x", "a/b", "a b", "été", "a.b", "a%20"] {
            assert!(invalid_name_reason(bad).is_some(), "{bad}");
        }
        assert!(invalid_name_reason(&"a".repeat(127)).is_none());
        assert!(invalid_name_reason(&"a".repeat(128)).is_some());
    }
}

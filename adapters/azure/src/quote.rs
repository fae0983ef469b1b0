//! Names from the host's envelope as error messages show them: as they are
//! when they are such names as bindings have, else through
//! [`anyfn::error::quoted`] (escaped, and bounded to a prefix and the
//! length), so that a 1 MB binding name does not come back whole in an
//! error answer or a `WARN` line.

use std::fmt;

use anyfn::error::{quoted, QUOTE_LIMIT};

/// A binding's name for a message: as it is when it is such a name as
/// bindings have (`req`, `$return`), else [`quoted`].
pub(crate) fn binding_name(name: &str) -> impl fmt::Display + '_ {
    BindingName(name)
}

/// `Data.{name}`, a binding of the envelope's `Data`, for a message:
/// `Data.req` for a name such as bindings have, else `Data[{quoted}]`.
pub(crate) fn data_member(name: &str) -> impl fmt::Display + '_ {
    DataMember(name)
}

/// Whether `name` is such a name as bindings have, shown as it is.
fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= QUOTE_LIMIT
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'-'))
}

struct BindingName<'a>(&'a str);

impl fmt::Display for BindingName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_plain(self.0) {
            f.write_str(self.0)
        } else {
            quoted(self.0).fmt(f)
        }
    }
}

struct DataMember<'a>(&'a str);

impl fmt::Display for DataMember<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_plain(self.0) {
            write!(f, "Data.{}", self.0)
        } else {
            write!(f, "Data[{}]", quoted(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binding_names_plain_or_quoted() {
        assert_eq!(binding_name("myQueueItem").to_string(), "myQueueItem");
        assert_eq!(binding_name("a\tb").to_string(), r#""a\tb""#);
        assert_eq!(data_member("req").to_string(), "Data.req");
        assert_eq!(data_member("$return").to_string(), "Data.$return");
        assert_eq!(data_member("a b").to_string(), r#"Data["a b"]"#);
        assert_eq!(data_member("").to_string(), r#"Data[""]"#);
        let long = "n".repeat(1000);
        assert_eq!(
            data_member(&long).to_string(),
            format!("Data[\"{}\"… (1000 bytes)]", "n".repeat(QUOTE_LIMIT))
        );
    }
}

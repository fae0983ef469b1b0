//! A Cloud Storage object resource (JSON API v1), as the data of Eventarc's
//! storage CloudEvents and of a notification with payload format
//! `JSON_API_V1`: the fields a [`ObjectEvent`](anyfn::event::ObjectEvent)
//! takes from it, read one way for both.

use anyfn::Error;
use serde::Deserialize;

/// The object's size, etag and generation.
#[derive(Deserialize)]
pub(crate) struct ObjectResource {
    #[serde(default)]
    size: Option<StringOrNumber>,
    #[serde(default)]
    pub(crate) etag: Option<String>,
    #[serde(default)]
    generation: Option<StringOrNumber>,
}

impl ObjectResource {
    /// The size in bytes.
    ///
    /// # Errors
    ///
    /// A `400` when the size is not a whole number.
    pub(crate) fn size(&self) -> Result<Option<u64>, Error> {
        self.size
            .as_ref()
            .map(|size| match size {
                StringOrNumber::Number(n) => Ok(*n),
                StringOrNumber::Text(text) => text.parse().map_err(|_| {
                    Error::bad_request(format!(
                        "the Cloud Storage object's `size` {text:?} is not a whole number"
                    ))
                }),
            })
            .transpose()
    }

    /// The generation, the object's version.
    pub(crate) fn generation(&self) -> Option<String> {
        self.generation.as_ref().map(|generation| match generation {
            StringOrNumber::Number(n) => n.to_string(),
            StringOrNumber::Text(text) => text.clone(),
        })
    }
}

/// Cloud Storage sends int64 fields as strings; a number is taken too.
#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
    Number(u64),
    Text(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(json: &str) -> ObjectResource {
        serde_json::from_str(json).expect("an object resource")
    }

    #[test]
    fn int64_fields_are_read_as_strings_or_numbers() {
        let object = resource(r#"{"size":"2048","generation":"1700000000000001","etag":"CAE="}"#);
        assert_eq!(object.size().ok().flatten(), Some(2048));
        assert_eq!(object.generation().as_deref(), Some("1700000000000001"));
        assert_eq!(object.etag.as_deref(), Some("CAE="));
        let object = resource(r#"{"size":7,"generation":3}"#);
        assert_eq!(object.size().ok().flatten(), Some(7));
        assert_eq!(object.generation().as_deref(), Some("3"));
        assert_eq!(resource("{}").size().ok().flatten(), None);
    }

    #[test]
    fn a_size_that_is_not_a_whole_number_is_a_bad_request() {
        let err = resource(r#"{"size":"big"}"#)
            .size()
            .expect_err("not a number");
        assert!(err.is_bad_request());
        assert_eq!(
            err.message(),
            "the Cloud Storage object's `size` \"big\" is not a whole number"
        );
    }
}

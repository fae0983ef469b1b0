//! A Cloud Storage object resource (JSON API v1), as the data of Eventarc's
//! storage CloudEvents ([`StorageObjectData`]) and of a notification with
//! payload format `JSON_API_V1` ([`ObjectResource`]): the fields an
//! [`ObjectEvent`] takes from it, read one way for both; and which Eventarc
//! storage CloudEvent type is which change ([`storage_change`]).

use std::time::SystemTime;

use anyfn::event::{ObjectChange, ObjectEvent};
use anyfn::Error;
use serde::Deserialize;

/// The change each of Eventarc's Cloud Storage CloudEvent types reports:
/// `google.cloud.storage.object.v1.finalized` created, `.deleted` deleted,
/// `.archived` archived, `.metadataUpdated` metadata updated; `None` for any
/// other type.
///
/// # Example
///
/// ```
/// use anyfn::event::ObjectChange;
/// use anyfn_formats_google::storage_change;
///
/// assert_eq!(storage_change("google.cloud.storage.object.v1.finalized"), Some(ObjectChange::Created));
/// assert_eq!(storage_change("google.cloud.pubsub.topic.v1.messagePublished"), None);
/// ```
pub fn storage_change(event_type: &str) -> Option<ObjectChange> {
    Some(match event_type {
        "google.cloud.storage.object.v1.finalized" => ObjectChange::Created,
        "google.cloud.storage.object.v1.deleted" => ObjectChange::Deleted,
        "google.cloud.storage.object.v1.archived" => ObjectChange::Archived,
        "google.cloud.storage.object.v1.metadataUpdated" => ObjectChange::MetadataUpdated,
        _ => return None,
    })
}

/// The data of Eventarc's Cloud Storage CloudEvents: the object's bucket and
/// name, and the rest of its resource. Read with serde from the event's
/// data.
///
/// # Example
///
/// ```
/// use anyfn::event::ObjectChange;
/// use anyfn_formats_google::StorageObjectData;
///
/// let data: StorageObjectData = serde_json::from_str(
///     r#"{"bucket": "photos", "name": "cat.jpg", "size": "1024", "etag": "CAE=", "generation": "17"}"#,
/// )?;
/// let object = data.into_object_event(ObjectChange::Created, None)?;
/// assert_eq!((object.bucket.as_str(), object.key.as_str()), ("photos", "cat.jpg"));
/// assert_eq!(object.size, Some(1024));
/// assert_eq!(object.version.as_deref(), Some("17"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Deserialize)]
#[non_exhaustive]
pub struct StorageObjectData {
    /// The bucket.
    pub bucket: String,
    /// The object's name.
    pub name: String,
    /// The rest of the object resource.
    #[serde(flatten)]
    pub resource: ObjectResource,
}

impl StorageObjectData {
    /// The [`ObjectEvent`] of `change` to this object at `time` (the
    /// CloudEvent's): its size, its generation as the version, its etag.
    ///
    /// # Errors
    ///
    /// [`BadRequest`](anyfn::ErrorKind::BadRequest) when the size is not a
    /// whole number ([`ObjectResource::size`]).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::ObjectChange;
    /// use anyfn_formats_google::StorageObjectData;
    ///
    /// let data: StorageObjectData =
    ///     serde_json::from_str(r#"{"bucket": "b", "name": "k", "size": "big"}"#)?;
    /// let err = data.into_object_event(ObjectChange::Deleted, None).err().expect("not a size");
    /// assert_eq!(err.message(), r#"the Cloud Storage object's `size` "big" is not a whole number"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_object_event(
        self,
        change: ObjectChange,
        time: Option<SystemTime>,
    ) -> Result<ObjectEvent, Error> {
        let mut object = ObjectEvent::new(change, self.bucket, self.name);
        object.size = self.resource.size()?;
        object.version = self.resource.generation();
        object.etag = self.resource.into_etag();
        object.time = time;
        Ok(object)
    }
}

/// The object's size, etag and generation (int64s as strings, as Cloud
/// Storage sends them, or as numbers).
///
/// # Example
///
/// ```
/// use anyfn_formats_google::ObjectResource;
///
/// let resource: ObjectResource =
///     serde_json::from_str(r#"{"size": "2048", "etag": "CAE=", "generation": "1700000000000001"}"#)?;
/// assert_eq!(resource.size()?, Some(2048));
/// assert_eq!(resource.etag(), Some("CAE="));
/// assert_eq!(resource.generation().as_deref(), Some("1700000000000001"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Deserialize)]
pub struct ObjectResource {
    #[serde(default)]
    size: Option<StringOrNumber>,
    #[serde(default)]
    etag: Option<String>,
    #[serde(default)]
    generation: Option<StringOrNumber>,
}

impl ObjectResource {
    /// The size in bytes.
    ///
    /// # Errors
    ///
    /// A `400` when the size is not a whole number.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_formats_google::ObjectResource;
    ///
    /// let resource: ObjectResource = serde_json::from_str(r#"{"size": 7}"#)?;
    /// assert_eq!(resource.size()?, Some(7));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn size(&self) -> Result<Option<u64>, Error> {
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
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_formats_google::ObjectResource;
    ///
    /// let resource: ObjectResource = serde_json::from_str(r#"{"generation": 3}"#)?;
    /// assert_eq!(resource.generation().as_deref(), Some("3"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn generation(&self) -> Option<String> {
        self.generation.as_ref().map(|generation| match generation {
            StringOrNumber::Number(n) => n.to_string(),
            StringOrNumber::Text(text) => text.clone(),
        })
    }

    /// The etag.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_formats_google::ObjectResource;
    ///
    /// let resource: ObjectResource = serde_json::from_str("{}")?;
    /// assert_eq!(resource.etag(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn etag(&self) -> Option<&str> {
        self.etag.as_deref()
    }

    /// The etag, taken.
    pub(crate) fn into_etag(self) -> Option<String> {
        self.etag
    }
}

/// Cloud Storage sends int64 fields as strings; a number is taken too.
#[derive(Debug, Deserialize)]
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
        assert_eq!(object.etag(), Some("CAE="));
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

    /// The data of the conformance suite's Eventarc storage CloudEvent
    /// (tests/fixtures/gcf-conformance/storage-cloudevent-input.json).
    #[test]
    fn the_eventarc_storage_fixture_is_one_object() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../tests/fixtures/gcf-conformance/storage-cloudevent-input.json");
        let event: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).expect("the fixture")).expect("JSON");
        let change = storage_change(event["type"].as_str().expect("a type")).expect("a change");
        let data: StorageObjectData =
            serde_json::from_value(event["data"].clone()).expect("an object");
        let object = data
            .into_object_event(change, None)
            .expect("an object event");
        let expected = ObjectEvent::new(ObjectChange::Created, "some-bucket", "folder/Test.cs")
            .with_size(352)
            .with_etag("CNHZkbuF/ugCEAE=")
            .with_version("1587627537231057");
        assert_eq!(object, expected);
    }

    #[test]
    fn only_the_four_storage_types_are_changes() {
        for (event_type, change) in [
            (
                "google.cloud.storage.object.v1.finalized",
                ObjectChange::Created,
            ),
            (
                "google.cloud.storage.object.v1.deleted",
                ObjectChange::Deleted,
            ),
            (
                "google.cloud.storage.object.v1.archived",
                ObjectChange::Archived,
            ),
            (
                "google.cloud.storage.object.v1.metadataUpdated",
                ObjectChange::MetadataUpdated,
            ),
        ] {
            assert_eq!(storage_change(event_type), Some(change), "{event_type}");
        }
        for other in [
            "google.cloud.storage.object.v1.finalize",
            "com.amazonaws.s3.object.created",
            "",
        ] {
            assert_eq!(storage_change(other), None, "{other}");
        }
    }
}

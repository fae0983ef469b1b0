//! Object storage notifications: [`StorageEvent`].

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// What happened to an object.
///
/// Serializes as `"created"`, `"deleted"`, `"restored"`, `"archived"`,
/// `"metadataUpdated"`, or the provider's own name for anything else.
///
/// # Example
///
/// ```
/// use anyfn::event::ObjectChange;
///
/// assert_eq!(serde_json::to_string(&ObjectChange::MetadataUpdated)?, r#""metadataUpdated""#);
/// let other: ObjectChange = serde_json::from_str(r#""ObjectTagging:Put""#)?;
/// assert_eq!(other, ObjectChange::Other("ObjectTagging:Put".into()));
/// assert_eq!(serde_json::from_str::<ObjectChange>(r#""created""#)?, ObjectChange::Created);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ObjectChange {
    /// Created or overwritten (S3 `ObjectCreated:*`, GCS `finalized`).
    Created,
    /// Deleted (S3 `ObjectRemoved:*`, GCS `deleted`).
    Deleted,
    /// Restored from an archive tier (S3 `ObjectRestore:Completed`).
    Restored,
    /// Moved to an archive tier or archived (GCS `archived`).
    Archived,
    /// Its metadata changed (GCS `metadataUpdated`).
    MetadataUpdated,
    /// Anything else, with the provider's name for it.
    #[serde(untagged)]
    Other(String),
}

/// One object that changed.
///
/// # Example
///
/// ```
/// use anyfn::event::{ObjectChange, ObjectEvent};
///
/// let event = ObjectEvent::new(ObjectChange::Created, "photos", "2024/cat photo.jpg").with_size(2048);
/// assert_eq!(event.key, "2024/cat photo.jpg");
/// assert_eq!(event.size, Some(2048));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ObjectEvent {
    /// What happened.
    pub change: ObjectChange,
    /// The bucket.
    pub bucket: String,
    /// The object's key, decoded (S3 sends keys URL-encoded; this is the real key).
    pub key: String,
    /// The object's size in bytes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The object's ETag, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The object's version, when the bucket is versioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// When it happened.
    #[serde(
        default,
        with = "crate::time::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub time: Option<SystemTime>,
}

impl ObjectEvent {
    /// An event of `change` to `bucket`/`key`, the other details unknown.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{ObjectChange, ObjectEvent};
    ///
    /// let event = ObjectEvent::new(ObjectChange::Created, "photos", "cat.jpg");
    /// assert_eq!((event.bucket.as_str(), event.key.as_str()), ("photos", "cat.jpg"));
    /// assert_eq!(event.change, ObjectChange::Created);
    /// assert_eq!((event.size, event.etag, event.time), (None, None, None));
    /// ```
    pub fn new(change: ObjectChange, bucket: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            change,
            bucket: bucket.into(),
            key: key.into(),
            size: None,
            etag: None,
            version: None,
            time: None,
        }
    }

    /// Sets the size.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{ObjectChange, ObjectEvent};
    ///
    /// let event = ObjectEvent::new(ObjectChange::Created, "photos", "cat.jpg").with_size(2048);
    /// assert_eq!(event.size, Some(2048));
    /// ```
    #[must_use]
    pub fn with_size(mut self, size: u64) -> Self {
        self.size = Some(size);
        self
    }

    /// Sets the ETag.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{ObjectChange, ObjectEvent};
    ///
    /// let event = ObjectEvent::new(ObjectChange::Created, "photos", "cat.jpg")
    ///     .with_etag("d41d8cd98f00b204e9800998ecf8427e");
    /// assert_eq!(event.etag.as_deref(), Some("d41d8cd98f00b204e9800998ecf8427e"));
    /// ```
    #[must_use]
    pub fn with_etag(mut self, etag: impl Into<String>) -> Self {
        self.etag = Some(etag.into());
        self
    }

    /// Sets the version.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{ObjectChange, ObjectEvent};
    ///
    /// let event = ObjectEvent::new(ObjectChange::Deleted, "photos", "cat.jpg").with_version("v3");
    /// assert_eq!(event.version.as_deref(), Some("v3"));
    /// ```
    #[must_use]
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Sets the time.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use anyfn::event::{ObjectChange, ObjectEvent};
    ///
    /// let time = UNIX_EPOCH + Duration::from_secs(1_714_564_800);
    /// let event = ObjectEvent::new(ObjectChange::Created, "photos", "cat.jpg").with_time(time);
    /// assert_eq!(event.time, Some(time));
    /// assert_eq!(serde_json::to_value(&event)?["time"], "2024-05-01T12:00:00Z");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_time(mut self, time: SystemTime) -> Self {
        self.time = Some(time);
        self
    }
}

/// A storage notification: one or more objects that changed (S3 delivers
/// several records in one notification).
///
/// # Example
///
/// ```
/// use anyfn::event::{ObjectChange, ObjectEvent, StorageEvent};
///
/// let event = StorageEvent::new(vec![ObjectEvent::new(ObjectChange::Deleted, "photos", "old.jpg")]);
/// let json = serde_json::to_string(&event)?;
/// assert_eq!(json, r#"{"objects":[{"change":"deleted","bucket":"photos","key":"old.jpg"}]}"#);
/// assert_eq!(serde_json::from_str::<StorageEvent>(&json)?, event);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StorageEvent {
    /// The objects, in the order the provider listed them (at most
    /// [`MAX_BATCH_LEN`](super::MAX_BATCH_LEN) when read from JSON).
    #[serde(deserialize_with = "super::bounded::deserialize")]
    pub objects: Vec<ObjectEvent>,
}

impl StorageEvent {
    /// A notification of `objects`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{ObjectChange, ObjectEvent, StorageEvent};
    ///
    /// let event = StorageEvent::new(vec![
    ///     ObjectEvent::new(ObjectChange::Created, "photos", "a.jpg"),
    ///     ObjectEvent::new(ObjectChange::Created, "photos", "b.jpg"),
    /// ]);
    /// assert_eq!(event.objects.len(), 2);
    /// assert_eq!(event.objects[1].key, "b.jpg");
    /// ```
    pub fn new(objects: Vec<ObjectEvent>) -> Self {
        Self { objects }
    }
}

//! The legacy event types this server converts: each one's CloudEvent type
//! and the product whose rules convert it.

/// The product a legacy event comes from: it decides the CloudEvent's
/// service, how the resource splits, and any reshaping of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Product {
    Storage,
    PubSub,
    Firestore,
    FirebaseDatabase,
    FirebaseAuth,
    RemoteConfig,
    Analytics,
}

/// Legacy event type → CloudEvent type and product (mapping.md's table, plus
/// `providers/cloud.storage/eventTypes/object.change`, the oldest storage
/// trigger, which the Node and Go frameworks also read as `finalized`).
pub(super) const TYPES: &[(&str, &str, Product)] = &[
    (
        "google.pubsub.topic.publish",
        "google.cloud.pubsub.topic.v1.messagePublished",
        Product::PubSub,
    ),
    (
        "providers/cloud.pubsub/eventTypes/topic.publish",
        "google.cloud.pubsub.topic.v1.messagePublished",
        Product::PubSub,
    ),
    (
        "google.storage.object.finalize",
        "google.cloud.storage.object.v1.finalized",
        Product::Storage,
    ),
    (
        "google.storage.object.delete",
        "google.cloud.storage.object.v1.deleted",
        Product::Storage,
    ),
    (
        "google.storage.object.archive",
        "google.cloud.storage.object.v1.archived",
        Product::Storage,
    ),
    (
        "google.storage.object.metadataUpdate",
        "google.cloud.storage.object.v1.metadataUpdated",
        Product::Storage,
    ),
    (
        "providers/cloud.storage/eventTypes/object.change",
        "google.cloud.storage.object.v1.finalized",
        Product::Storage,
    ),
    (
        "providers/cloud.firestore/eventTypes/document.write",
        "google.cloud.firestore.document.v1.written",
        Product::Firestore,
    ),
    (
        "providers/cloud.firestore/eventTypes/document.create",
        "google.cloud.firestore.document.v1.created",
        Product::Firestore,
    ),
    (
        "providers/cloud.firestore/eventTypes/document.update",
        "google.cloud.firestore.document.v1.updated",
        Product::Firestore,
    ),
    (
        "providers/cloud.firestore/eventTypes/document.delete",
        "google.cloud.firestore.document.v1.deleted",
        Product::Firestore,
    ),
    (
        "providers/firebase.auth/eventTypes/user.create",
        "google.firebase.auth.user.v1.created",
        Product::FirebaseAuth,
    ),
    (
        "providers/firebase.auth/eventTypes/user.delete",
        "google.firebase.auth.user.v1.deleted",
        Product::FirebaseAuth,
    ),
    (
        "providers/firebase.remoteConfig/remoteconfig.update",
        "google.firebase.remoteconfig.remoteConfig.v1.updated",
        Product::RemoteConfig,
    ),
    (
        "providers/google.firebase.analytics/eventTypes/event.log",
        "google.firebase.analytics.log.v1.written",
        Product::Analytics,
    ),
    (
        "providers/google.firebase.database/eventTypes/ref.create",
        "google.firebase.database.ref.v1.created",
        Product::FirebaseDatabase,
    ),
    (
        "providers/google.firebase.database/eventTypes/ref.write",
        "google.firebase.database.ref.v1.written",
        Product::FirebaseDatabase,
    ),
    (
        "providers/google.firebase.database/eventTypes/ref.update",
        "google.firebase.database.ref.v1.updated",
        Product::FirebaseDatabase,
    ),
    (
        "providers/google.firebase.database/eventTypes/ref.delete",
        "google.firebase.database.ref.v1.deleted",
        Product::FirebaseDatabase,
    ),
];

/// The CloudEvent type and product of a legacy event type, by exact match.
pub(super) fn cloud_event_type(legacy_type: &str) -> Option<(&'static str, Product)> {
    TYPES
        .iter()
        .find(|(legacy, _, _)| *legacy == legacy_type)
        .map(|&(_, ce_type, product)| (ce_type, product))
}

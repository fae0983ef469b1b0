//! Named values the platform's routing gives a request beside its URL:
//! [`PathParams`] and [`StageVariables`], one type ([`NamedValues`]) of two
//! kinds, kept in the request's extensions and read with
//! [`RequestExt`](crate::RequestExt).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// The path parameters the platform's route matched: `{id}` in API
/// Gateway's `/orders/{id}` or in an Azure Functions route `orders/{id}`.
///
/// Filled by API Gateway (REST and HTTP APIs: `pathParameters`) and Azure
/// Functions (an HTTP trigger's `Params`), with the values as the platform
/// sends them, already percent-decoded. ALB, Lambda Function URLs and the
/// local server have no routes: there it is empty, and a router sets its
/// own. Adapters put it in the request's
/// [extensions](http::Request::extensions); handlers read it with
/// [`RequestExt::path_params`](crate::RequestExt::path_params), which gives
/// an empty one when there is none.
///
/// An ordered list of names and values: small, in the order given, each
/// name once.
///
/// # Example
///
/// ```
/// use anyfn::{Body, PathParams, RequestExt};
///
/// let mut request = anyfn::Request::new(Body::empty());
/// assert!(request.path_params().is_empty());
///
/// request.extensions_mut().insert(PathParams::from_iter([("id", "7"), ("item", "hat")]));
/// assert_eq!(request.path_param("id"), Some("7"));
/// assert_eq!(request.path_params().iter().collect::<Vec<_>>(), [("id", "7"), ("item", "hat")]);
/// ```
pub type PathParams = NamedValues<PathParam>;

/// The stage variables of an API Gateway stage (`stageVariables`): settings
/// of the deployment, such as which backend or table a stage uses.
///
/// Filled by the Lambda adapter from API Gateway events (REST and HTTP
/// APIs); empty on every other platform and shape. Adapters put it in the
/// request's [extensions](http::Request::extensions); handlers read it with
/// [`RequestExt::stage_variables`](crate::RequestExt::stage_variables),
/// which gives an empty one when there is none.
///
/// # Example
///
/// ```
/// use anyfn::{Body, RequestExt, StageVariables};
///
/// let mut request = anyfn::Request::new(Body::empty());
/// assert_eq!(request.stage_variable("table"), None);
///
/// request.extensions_mut().insert(StageVariables::from_iter([("table", "orders-prod")]));
/// assert_eq!(request.stage_variable("table"), Some("orders-prod"));
/// assert_eq!(request.stage_variables().len(), 1);
/// ```
pub type StageVariables = NamedValues<StageVariable>;

/// The kind of [`PathParams`]: a route's path parameters.
///
/// # Example
///
/// ```
/// use anyfn::{NamedValues, PathParam, PathParams};
///
/// let params: NamedValues<PathParam> = PathParams::from_iter([("id", "7")]);
/// assert_eq!(format!("{params:?}"), r#"PathParams({"id": "7"})"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathParam {}

/// The kind of [`StageVariables`]: an API Gateway stage's variables.
///
/// # Example
///
/// ```
/// use anyfn::{NamedValues, StageVariable, StageVariables};
///
/// let variables: NamedValues<StageVariable> = StageVariables::from_iter([("table", "orders")]);
/// assert_eq!(format!("{variables:?}"), r#"StageVariables({"table": "orders"})"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageVariable {}

/// What a kind of [`NamedValues`] is called, in its `Debug` form.
///
/// # Example
///
/// ```
/// use anyfn::{NamedKind, NamedValues, PathParam};
///
/// enum Label {}
/// impl NamedKind for Label {
///     const NAME: &'static str = "Labels";
/// }
///
/// let labels = NamedValues::<Label>::from_iter([("team", "payments")]);
/// assert_eq!(format!("{labels:?}"), r#"Labels({"team": "payments"})"#);
/// assert_eq!(PathParam::NAME, "PathParams");
/// ```
pub trait NamedKind: 'static {
    /// The name of the kind's type alias (`PathParams`, `StageVariables`).
    const NAME: &'static str;
}

impl NamedKind for PathParam {
    const NAME: &'static str = "PathParams";
}

impl NamedKind for StageVariable {
    const NAME: &'static str = "StageVariables";
}

/// Named values of one kind `K` ([`PathParams`], [`StageVariables`]): an
/// ordered list of names and values, small, in the order given, each name
/// once. The kinds are different types, so each has its own place in a
/// request's extensions.
///
/// # Example
///
/// ```
/// use anyfn::{PathParams, StageVariables};
///
/// let mut params = PathParams::new();
/// params.insert("id", "7");
/// let variables = StageVariables::from_iter([("table", "orders")]);
/// assert_eq!((params.get("id"), variables.get("table")), (Some("7"), Some("orders")));
/// ```
pub struct NamedValues<K> {
    pairs: Vec<(String, String)>,
    kind: PhantomData<fn() -> K>,
}

impl<K> NamedValues<K> {
    /// No values.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::PathParams::new().is_empty());
    /// ```
    pub const fn new() -> Self {
        Self {
            pairs: Vec::new(),
            kind: PhantomData,
        }
    }

    /// The value of `name` (names compare exactly).
    ///
    /// # Example
    ///
    /// ```
    /// let params = anyfn::PathParams::from_iter([("id", "7")]);
    /// assert_eq!(params.get("id"), Some("7"));
    /// assert_eq!(params.get("ID"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Sets `name` to `value`: in its place when it is there, last when it
    /// is new.
    ///
    /// # Example
    ///
    /// ```
    /// let mut variables = anyfn::StageVariables::from_iter([("a", "1"), ("b", "2")]);
    /// variables.insert("a", "3");
    /// variables.insert("c", "4");
    /// assert_eq!(variables.iter().collect::<Vec<_>>(), [("a", "3"), ("b", "2"), ("c", "4")]);
    /// ```
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let (name, value) = (name.into(), value.into());
        match self.pairs.iter_mut().find(|(key, _)| *key == name) {
            Some((_, existing)) => *existing = value,
            None => self.pairs.push((name, value)),
        }
    }

    /// Every name and value, in order.
    ///
    /// # Example
    ///
    /// ```
    /// let params = anyfn::PathParams::from_iter([("id", "7"), ("item", "hat")]);
    /// assert_eq!(params.iter().collect::<Vec<_>>(), [("id", "7"), ("item", "hat")]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// How many there are.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::StageVariables::from_iter([("a", "1")]).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::PathParams::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

impl<K> Default for NamedValues<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K> Clone for NamedValues<K> {
    fn clone(&self) -> Self {
        Self {
            pairs: self.pairs.clone(),
            kind: PhantomData,
        }
    }
}

impl<K> PartialEq for NamedValues<K> {
    fn eq(&self, other: &Self) -> bool {
        self.pairs == other.pairs
    }
}

impl<K> Eq for NamedValues<K> {}

impl<K> Hash for NamedValues<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.pairs.hash(state);
    }
}

impl<K, N: Into<String>, V: Into<String>> FromIterator<(N, V)> for NamedValues<K> {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(pairs: I) -> Self {
        let mut values = Self::new();
        for (name, value) in pairs {
            values.insert(name, value);
        }
        values
    }
}

impl<K: NamedKind> fmt::Debug for NamedValues<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Map<'a>(&'a [(String, String)]);
        impl fmt::Debug for Map<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.iter().map(|(name, value)| (name, value)))
                    .finish()
            }
        }
        f.debug_tuple(K::NAME).field(&Map(&self.pairs)).finish()
    }
}

impl<K> Serialize for NamedValues<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_given_twice_keeps_its_place_and_last_value() {
        let params = PathParams::from_iter([("a", "1"), ("b", "2"), ("a", "3")]);
        assert_eq!(params.iter().collect::<Vec<_>>(), [("a", "3"), ("b", "2")]);
        assert_eq!(params.len(), 2);
    }

    #[test]
    fn shown_and_serialized_as_maps_in_order() {
        let params = PathParams::from_iter([("id", "7"), ("item", "hat")]);
        assert_eq!(
            format!("{params:?}"),
            r#"PathParams({"id": "7", "item": "hat"})"#
        );
        assert_eq!(
            serde_json::to_string(&params).unwrap_or_default(),
            r#"{"id":"7","item":"hat"}"#
        );
        let variables = StageVariables::from_iter([("z", "1"), ("a", "2")]);
        assert_eq!(
            format!("{variables:?}"),
            r#"StageVariables({"z": "1", "a": "2"})"#
        );
        assert_eq!(
            serde_json::to_string(&variables).unwrap_or_default(),
            r#"{"z":"1","a":"2"}"#
        );
    }

    #[test]
    fn insert_replaces_in_place_or_appends() {
        let mut variables = StageVariables::from_iter([("a", "1"), ("b", "2")]);
        variables.insert("a", "3");
        variables.insert("c", "4");
        assert_eq!(
            variables.iter().collect::<Vec<_>>(),
            [("a", "3"), ("b", "2"), ("c", "4")]
        );
        assert_eq!(variables.iter().len(), 3);
    }

    #[test]
    fn the_two_kinds_are_apart_in_extensions() {
        let mut extensions = http::Extensions::new();
        extensions.insert(PathParams::from_iter([("id", "7")]));
        assert_eq!(extensions.get::<StageVariables>(), None);
        assert_eq!(
            extensions
                .get::<PathParams>()
                .and_then(|params| params.get("id")),
            Some("7")
        );
    }
}

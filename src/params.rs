//! Named values the platform's routing gives a request beside its URL:
//! [`PathParams`] and [`StageVariables`], kept in the request's extensions
//! and read with [`RequestExt`](crate::RequestExt).

use std::fmt;

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
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct PathParams {
    values: NamedValues,
}

impl PathParams {
    /// No parameters.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::PathParams::new().is_empty());
    /// ```
    pub const fn new() -> Self {
        Self {
            values: NamedValues::new(),
        }
    }

    /// The value of the parameter `name` (names compare exactly, as the
    /// route spells them).
    ///
    /// # Example
    ///
    /// ```
    /// let params = anyfn::PathParams::from_iter([("id", "7")]);
    /// assert_eq!(params.get("id"), Some("7"));
    /// assert_eq!(params.get("ID"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name)
    }

    /// Sets the parameter `name` to `value`, replacing its value (in place)
    /// when it is already set. For adapters, routers and tests.
    ///
    /// # Example
    ///
    /// ```
    /// let mut params = anyfn::PathParams::new();
    /// params.insert("id", "7");
    /// params.insert("id", "8");
    /// assert_eq!(params.get("id"), Some("8"));
    /// assert_eq!(params.len(), 1);
    /// ```
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// Every `(name, value)`, in the order given.
    ///
    /// # Example
    ///
    /// ```
    /// let params = anyfn::PathParams::from_iter([("b", "2"), ("a", "1")]);
    /// assert_eq!(params.iter().collect::<Vec<_>>(), [("b", "2"), ("a", "1")]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.values.iter()
    }

    /// The number of parameters.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::PathParams::from_iter([("id", "7")]).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no parameters.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::PathParams::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

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
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct StageVariables {
    values: NamedValues,
}

impl StageVariables {
    /// No variables.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::StageVariables::new().is_empty());
    /// ```
    pub const fn new() -> Self {
        Self {
            values: NamedValues::new(),
        }
    }

    /// The value of the variable `name` (names compare exactly).
    ///
    /// # Example
    ///
    /// ```
    /// let variables = anyfn::StageVariables::from_iter([("table", "orders")]);
    /// assert_eq!(variables.get("table"), Some("orders"));
    /// assert_eq!(variables.get("bucket"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name)
    }

    /// Sets the variable `name` to `value`, replacing its value (in place)
    /// when it is already set. For adapters and tests.
    ///
    /// # Example
    ///
    /// ```
    /// let mut variables = anyfn::StageVariables::new();
    /// variables.insert("table", "orders");
    /// assert_eq!(variables.get("table"), Some("orders"));
    /// ```
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// Every `(name, value)`, in the order given.
    ///
    /// # Example
    ///
    /// ```
    /// let variables = anyfn::StageVariables::from_iter([("b", "2"), ("a", "1")]);
    /// assert_eq!(variables.iter().collect::<Vec<_>>(), [("b", "2"), ("a", "1")]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.values.iter()
    }

    /// The number of variables.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::StageVariables::from_iter([("a", "1")]).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no variables.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::StageVariables::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The list both types keep: names with their values, each name once, in
/// the order first given. A route has a handful; a list beats a hash map.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
struct NamedValues {
    pairs: Vec<(String, String)>,
}

impl NamedValues {
    const fn new() -> Self {
        Self { pairs: Vec::new() }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn insert(&mut self, name: String, value: String) {
        match self.pairs.iter_mut().find(|(key, _)| *key == name) {
            Some((_, existing)) => *existing = value,
            None => self.pairs.push((name, value)),
        }
    }

    fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    fn len(&self) -> usize {
        self.pairs.len()
    }

    fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    fn from_pairs<N: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        let mut values = Self::new();
        for (name, value) in pairs {
            values.insert(name.into(), value.into());
        }
        values
    }
}

/// `{"id": "7", …}`.
impl fmt::Debug for NamedValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// An object from each name to its value, in order.
impl Serialize for NamedValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// What both public types share besides their methods: built from pairs (a
/// name given twice keeps its last value), shown as a map, serialized as a
/// JSON object.
macro_rules! named_values_traits {
    ($type:ident) => {
        impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for $type {
            fn from_iter<I: IntoIterator<Item = (N, V)>>(pairs: I) -> Self {
                Self {
                    values: NamedValues::from_pairs(pairs),
                }
            }
        }

        impl fmt::Debug for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($type))
                    .field(&self.values)
                    .finish()
            }
        }

        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.values.serialize(serializer)
            }
        }
    };
}

named_values_traits!(PathParams);
named_values_traits!(StageVariables);

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

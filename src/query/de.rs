//! A query read into a serde type: the `Deserializer` behind
//! [`Query::deserialize_as`](super::Query::deserialize_as).
//!
//! The query is a map from each key (in the order of first appearance) to
//! every value given for it. A field that reads a sequence takes every
//! value; a field that reads one value takes the last one, parsed from its
//! text by the type the field asks for.

use std::collections::HashMap;
use std::fmt::{self, Display};

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

use super::Query;
use crate::error::quoted;
use crate::{Error, ErrorKind};

/// Why a query could not be read into a type.
#[derive(Debug)]
pub(super) struct QueryError {
    /// [`ErrorKind::BadRequest`] for what the caller sent, or
    /// [`ErrorKind::Internal`] for a type no query can fill.
    kind: ErrorKind,
    message: String,
    /// Whether the message already says where (which parameter) it was.
    located: bool,
}

impl QueryError {
    fn bad_request(message: String) -> Self {
        Self {
            kind: ErrorKind::BadRequest,
            message,
            located: false,
        }
    }

    /// The type asks for what a query cannot hold: the handler's mistake,
    /// not the caller's.
    fn unsupported(message: String) -> Self {
        Self {
            kind: ErrorKind::Internal,
            message,
            located: false,
        }
    }

    /// Says where the error was (`query parameter "page"`), unless it says
    /// so already.
    fn at(mut self, place: impl Display) -> Self {
        if !self.located {
            self.message = format!("{place}: {}", self.message);
            self.located = true;
        }
        self
    }
}

impl Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

impl de::Error for QueryError {
    fn custom<T: Display>(message: T) -> Self {
        Self::bad_request(message.to_string())
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::bad_request(format!("expected {expected}, found {unexpected}"))
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::bad_request(format!("expected {expected}, found {unexpected}"))
    }

    fn invalid_length(length: usize, expected: &dyn Expected) -> Self {
        let values = if length == 1 { "value" } else { "values" };
        Self::bad_request(format!("expected {expected}, found {length} {values}"))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::bad_request(format!(
            "expected {}, found {}",
            one_of(expected),
            quoted(variant)
        ))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self {
            located: true,
            ..Self::bad_request(format!(
                "unknown query parameter {field:?}; expected {}",
                one_of(expected)
            ))
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Self {
            located: true,
            ..Self::bad_request(format!("query parameter {field:?} is missing"))
        }
    }

    fn duplicate_field(field: &'static str) -> Self {
        Self {
            located: true,
            ..Self::bad_request(format!("query parameter {field:?} is given twice"))
        }
    }
}

impl QueryError {
    /// The error a handler gets: its kind and message, no source (the
    /// message says it all).
    pub(super) fn into_error(self) -> Error {
        Error::new(self.kind, self.message)
    }
}

/// `"a"`, `one of "a", "b"`, or `nothing` for an empty list.
fn one_of(names: &[&str]) -> String {
    match names {
        [] => "nothing".to_owned(),
        [name] => format!("{name:?}"),
        names => {
            let quoted: Vec<String> = names.iter().map(|name| format!("{name:?}")).collect();
            format!("one of {}", quoted.join(", "))
        }
    }
}

/// One key with every value given for it, in order (never none).
struct Parameter<'q> {
    key: &'q str,
    values: Vec<&'q str>,
}

/// The whole query, read as a struct or a map.
pub(super) struct QueryDeserializer<'q> {
    parameters: Vec<Parameter<'q>>,
}

impl<'q> QueryDeserializer<'q> {
    /// Groups the query's values by key, keys in the order of first
    /// appearance; in time linear in the number of pairs.
    pub(super) fn new(query: &'q Query) -> Self {
        let mut parameters: Vec<Parameter<'q>> = Vec::new();
        let mut index: HashMap<&'q str, usize> = HashMap::with_capacity(query.len());
        for (key, value) in query.iter() {
            match index.get(key) {
                Some(&at) => parameters[at].values.push(value),
                None => {
                    index.insert(key, parameters.len());
                    parameters.push(Parameter {
                        key,
                        values: vec![value],
                    });
                }
            }
        }
        Self { parameters }
    }
}

/// `deserialize_*` methods that refuse: the type asks for what a whole
/// query cannot be.
macro_rules! not_a_query {
    ($($method:ident($($arg:ident: $type:ty),*) => $what:literal;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $type,)* _visitor: V) -> Result<V::Value, QueryError> {
                $(let _ = $arg;)*
                Err(QueryError::unsupported(format!(
                    "a query reads into a struct or a map, not into {}",
                    $what
                )))
            }
        )*
    };
}

impl<'de> Deserializer<'de> for QueryDeserializer<'de> {
    type Error = QueryError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_map(ParameterMap {
            parameters: self.parameters.into_iter(),
            pending: None,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        visitor.visit_unit()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_unit()
    }

    not_a_query! {
        deserialize_bool() => "a boolean";
        deserialize_i8() => "an integer";
        deserialize_i16() => "an integer";
        deserialize_i32() => "an integer";
        deserialize_i64() => "an integer";
        deserialize_i128() => "an integer";
        deserialize_u8() => "an integer";
        deserialize_u16() => "an integer";
        deserialize_u32() => "an integer";
        deserialize_u64() => "an integer";
        deserialize_u128() => "an integer";
        deserialize_f32() => "a number";
        deserialize_f64() => "a number";
        deserialize_char() => "a character";
        deserialize_str() => "a string";
        deserialize_string() => "a string";
        deserialize_bytes() => "bytes";
        deserialize_byte_buf() => "bytes";
        deserialize_seq() => "a sequence";
        deserialize_tuple(_len: usize) => "a tuple";
        deserialize_tuple_struct(_name: &'static str, _len: usize) => "a tuple struct";
        deserialize_enum(_name: &'static str, _variants: &'static [&'static str]) => "an enum";
        deserialize_identifier() => "an identifier";
    }
}

/// The query's parameters as a map: each key once, then its values.
struct ParameterMap<'q> {
    parameters: std::vec::IntoIter<Parameter<'q>>,
    /// The parameter whose key was read last, its values still to read.
    pending: Option<Parameter<'q>>,
}

impl<'de> MapAccess<'de> for ParameterMap<'de> {
    type Error = QueryError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, QueryError> {
        let Some(parameter) = self.parameters.next() else {
            return Ok(None);
        };
        let key = parameter.key;
        self.pending = Some(parameter);
        seed.deserialize(ValuesDeserializer {
            values: std::slice::from_ref(&key),
        })
        .map(Some)
        .map_err(|err| err.at(format_args!("query key {key:?}")))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, QueryError> {
        let parameter = self.pending.take().ok_or_else(|| {
            QueryError::unsupported("a query value was read before its key".to_owned())
        })?;
        seed.deserialize(ValuesDeserializer {
            values: &parameter.values,
        })
        .map_err(|err| err.at(format_args!("query parameter {:?}", parameter.key)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.parameters.len())
    }
}

/// The values of one parameter: all of them for a sequence, the last one
/// for anything else.
struct ValuesDeserializer<'a, 'de> {
    /// Never empty.
    values: &'a [&'de str],
}

impl<'de> ValuesDeserializer<'_, 'de> {
    /// The value a scalar reads: the last one given.
    fn last(&self) -> &'de str {
        self.values.last().copied().unwrap_or_default()
    }

    fn cannot_hold(&self, what: &str) -> QueryError {
        QueryError::unsupported(format!("a query value is text; it cannot hold {what}"))
    }
}

/// `deserialize_*` methods for integers: the last value parsed as `$type`.
macro_rules! integers {
    ($($method:ident => $visit:ident($type:ty);)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
                let text = self.last();
                let number = text
                    .parse::<$type>()
                    .map_err(|_| not_an_integer(text, <$type>::MIN, <$type>::MAX))?;
                visitor.$visit(number)
            }
        )*
    };
}

/// The error for `text` that is not an integer of the range `min..=max`.
fn not_an_integer(text: &str, min: impl Display, max: impl Display) -> QueryError {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let is_integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    if is_integer {
        QueryError::bad_request(format!(
            "expected an integer from {min} to {max}, found {}",
            quoted(text)
        ))
    } else {
        QueryError::bad_request(format!("expected an integer, found {}", quoted(text)))
    }
}

impl<'de> Deserializer<'de> for ValuesDeserializer<'_, 'de> {
    type Error = QueryError;

    /// Without a type to read it as (a `#[serde(flatten)]`ed map, a
    /// `serde_json::Value`), a value is its text: the last one given.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_borrowed_str(self.last())
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        match self.last() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            text => Err(QueryError::bad_request(format!(
                "expected `true` or `false`, found {text:?}"
            ))),
        }
    }

    integers! {
        deserialize_i8 => visit_i8(i8);
        deserialize_i16 => visit_i16(i16);
        deserialize_i32 => visit_i32(i32);
        deserialize_i64 => visit_i64(i64);
        deserialize_i128 => visit_i128(i128);
        deserialize_u8 => visit_u8(u8);
        deserialize_u16 => visit_u16(u16);
        deserialize_u32 => visit_u32(u32);
        deserialize_u64 => visit_u64(u64);
        deserialize_u128 => visit_u128(u128);
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        let text = self.last();
        let number = text.parse::<f32>().map_err(|_| {
            QueryError::bad_request(format!("expected a number, found {}", quoted(text)))
        })?;
        visitor.visit_f32(number)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        let text = self.last();
        let number = text.parse::<f64>().map_err(|_| {
            QueryError::bad_request(format!("expected a number, found {}", quoted(text)))
        })?;
        visitor.visit_f64(number)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        let text = self.last();
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(only), None) => visitor.visit_char(only),
            _ => Err(QueryError::bad_request(format!(
                "expected a single character, found {text:?}"
            ))),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_borrowed_str(self.last())
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_borrowed_str(self.last())
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_borrowed_bytes(self.last().as_bytes())
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_borrowed_bytes(self.last().as_bytes())
    }

    /// A parameter that is present is `Some`, even with an empty value.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        match self.last() {
            "" => visitor.visit_unit(),
            text => Err(QueryError::bad_request(format!(
                "expected an empty value, found {text:?}"
            ))),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        visitor.visit_newtype_struct(self)
    }

    /// Every value, in order.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_seq(ValueSeq {
            values: self.values.iter(),
        })
    }

    /// Every value, which must be `len` of them.
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        if self.values.len() != len {
            return Err(QueryError::bad_request(format!(
                "expected {len} values, found {}",
                self.values.len()
            )));
        }
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, QueryError> {
        Err(self.cannot_hold("a map"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, QueryError> {
        Err(self.cannot_hold(&format!("the fields of a struct `{name}`")))
    }

    /// A unit variant, by its name.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        visitor.visit_enum(UnitVariant(self.last()))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_borrowed_str(self.last())
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_unit()
    }
}

/// A parameter's values as a sequence, each read as one value.
struct ValueSeq<'a, 'de> {
    values: std::slice::Iter<'a, &'de str>,
}

impl<'de> SeqAccess<'de> for ValueSeq<'_, 'de> {
    type Error = QueryError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, QueryError> {
        self.values
            .next()
            .map(|value| {
                seed.deserialize(ValuesDeserializer {
                    values: std::slice::from_ref(value),
                })
            })
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.values.len())
    }
}

/// An enum's variant named by a value; only a unit variant can be read
/// from text.
struct UnitVariant<'de>(&'de str);

impl<'de> EnumAccess<'de> for UnitVariant<'de> {
    type Error = QueryError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), QueryError> {
        let variant = seed.deserialize(BorrowedStrDeserializer::<QueryError>::new(self.0))?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for UnitVariant<'de> {
    type Error = QueryError;

    fn unit_variant(self) -> Result<(), QueryError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        _seed: T,
    ) -> Result<T::Value, QueryError> {
        Err(self.holds_data())
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        _visitor: V,
    ) -> Result<V::Value, QueryError> {
        Err(self.holds_data())
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, QueryError> {
        Err(self.holds_data())
    }
}

impl UnitVariant<'_> {
    fn holds_data(&self) -> QueryError {
        QueryError::unsupported(format!(
            "the variant {:?} holds data, which a query value cannot give",
            self.0
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use serde::Deserialize;

    use crate::{ErrorKind, Query};

    fn read<'q, T: Deserialize<'q>>(query: &'q Query) -> Result<T, crate::Error> {
        query.deserialize_as::<T>()
    }

    /// The error's kind and message, for exact comparison.
    fn failure<T: for<'q> Deserialize<'q> + std::fmt::Debug>(query: &str) -> (ErrorKind, String) {
        let query = Query::parse(query);
        let err = read::<T>(&query).expect_err("the query does not fit the type");
        (err.kind(), err.message().to_owned())
    }

    fn bad_request(message: &str) -> (ErrorKind, String) {
        (ErrorKind::BadRequest, message.to_owned())
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Page {
        page: u32,
        size: Option<u8>,
        #[serde(default)]
        tag: Vec<String>,
    }

    #[test]
    fn a_struct_takes_its_fields_from_the_keys() {
        let query = Query::parse("tag=a&page=2&tag=b&other=x");
        assert_eq!(
            read::<Page>(&query).ok(),
            Some(Page {
                page: 2,
                size: None,
                tag: vec!["a".into(), "b".into()]
            })
        );
    }

    #[test]
    fn a_sequence_takes_one_value_or_every_value() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Tags {
            tag: Vec<String>,
        }
        let one = Query::parse("tag=a");
        assert_eq!(
            read::<Tags>(&one).ok(),
            Some(Tags {
                tag: vec!["a".into()]
            })
        );
        let three = Query::parse("tag=a&tag=&tag=c+d");
        assert_eq!(
            read::<Tags>(&three).ok(),
            Some(Tags {
                tag: vec!["a".into(), "".into(), "c d".into()]
            })
        );
        assert_eq!(
            failure::<Tags>("other=1"),
            bad_request("query parameter \"tag\" is missing")
        );
    }

    #[test]
    fn a_sequence_parses_each_value_and_names_the_one_that_does_not() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Ids {
            id: Vec<u64>,
        }
        let query = Query::parse("id=1&id=20");
        assert_eq!(read::<Ids>(&query).ok(), Some(Ids { id: vec![1, 20] }));
        assert_eq!(
            failure::<Ids>("id=1&id=two"),
            bad_request("query parameter \"id\": expected an integer, found \"two\"")
        );
    }

    #[test]
    fn a_scalar_takes_the_last_of_repeated_values() {
        let query = Query::parse("page=1&page=3");
        assert_eq!(read::<Page>(&query).map(|page| page.page).ok(), Some(3));
    }

    #[test]
    fn a_missing_required_field_is_named() {
        assert_eq!(
            failure::<Page>("size=1"),
            bad_request("query parameter \"page\" is missing")
        );
    }

    #[test]
    fn a_value_that_does_not_parse_names_key_value_and_type() {
        assert_eq!(
            failure::<Page>("page=x"),
            bad_request("query parameter \"page\": expected an integer, found \"x\"")
        );
        assert_eq!(
            failure::<Page>("page="),
            bad_request("query parameter \"page\": expected an integer, found \"\"")
        );
        assert_eq!(
            failure::<Page>("page=-1"),
            bad_request(
                "query parameter \"page\": expected an integer from 0 to 4294967295, found \"-1\""
            )
        );
        assert_eq!(
            failure::<Page>("page=1&size=300"),
            bad_request(
                "query parameter \"size\": expected an integer from 0 to 255, found \"300\""
            )
        );
    }

    #[test]
    fn numbers_booleans_and_characters_parse_from_text() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Scalars {
            signed: i64,
            ratio: f64,
            small: f32,
            flag: bool,
            initial: char,
            wide: u128,
        }
        let query =
            Query::parse("signed=-42&ratio=2.5e3&small=0.5&flag=true&initial=%C3%A9&wide=%2B7");
        assert_eq!(
            read::<Scalars>(&query).ok(),
            Some(Scalars {
                signed: -42,
                ratio: 2500.0,
                small: 0.5,
                flag: true,
                initial: 'é',
                wide: 7,
            })
        );
        let valid = "signed=1&ratio=1&small=1&flag=false&initial=x&wide=1";
        let with = |key: &str, value: &str| {
            let query: Query = Query::parse(valid)
                .iter()
                .map(|(k, v)| (k, if k == key { value } else { v }))
                .collect();
            query.to_string()
        };
        assert_eq!(
            failure::<Scalars>(&with("signed", "9223372036854775808")),
            bad_request("query parameter \"signed\": expected an integer from -9223372036854775808 to 9223372036854775807, found \"9223372036854775808\"")
        );
        assert_eq!(
            failure::<Scalars>(&with("ratio", "1,5")),
            bad_request("query parameter \"ratio\": expected a number, found \"1,5\"")
        );
        assert_eq!(
            failure::<Scalars>(&with("small", "half")),
            bad_request("query parameter \"small\": expected a number, found \"half\"")
        );
        assert_eq!(
            failure::<Scalars>(&with("flag", "yes")),
            bad_request("query parameter \"flag\": expected `true` or `false`, found \"yes\"")
        );
        assert_eq!(
            failure::<Scalars>(&with("flag", "True")),
            bad_request("query parameter \"flag\": expected `true` or `false`, found \"True\"")
        );
        assert_eq!(
            failure::<Scalars>(&with("initial", "xy")),
            bad_request("query parameter \"initial\": expected a single character, found \"xy\"")
        );
    }

    #[test]
    fn an_option_is_none_when_absent_and_some_when_present() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Search {
            q: Option<String>,
            limit: Option<u16>,
        }
        let query = Query::parse("q=");
        assert_eq!(
            read::<Search>(&query).ok(),
            Some(Search {
                q: Some(String::new()),
                limit: None
            })
        );
        assert_eq!(
            failure::<Search>("limit="),
            bad_request("query parameter \"limit\": expected an integer, found \"\"")
        );
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Order {
        Asc,
        Desc,
    }

    #[test]
    fn a_unit_enum_is_read_by_its_name() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Sorted {
            order: Order,
            #[serde(default)]
            then: Vec<Order>,
        }
        let query = Query::parse("order=desc&then=asc&then=desc");
        assert_eq!(
            read::<Sorted>(&query).ok(),
            Some(Sorted {
                order: Order::Desc,
                then: vec![Order::Asc, Order::Desc]
            })
        );
        assert_eq!(
            failure::<Sorted>("order=sideways"),
            bad_request(
                "query parameter \"order\": expected one of \"asc\", \"desc\", found \"sideways\""
            )
        );
    }

    #[test]
    fn a_variant_with_data_is_the_types_fault() {
        #[derive(Debug, Deserialize)]
        enum Shape {
            #[allow(dead_code)]
            Circle(u32),
        }
        #[derive(Debug, Deserialize)]
        struct Drawing {
            #[allow(dead_code)]
            shape: Shape,
        }
        assert_eq!(
            failure::<Drawing>("shape=Circle"),
            (
                ErrorKind::Internal,
                "query parameter \"shape\": the variant \"Circle\" holds data, which a query value cannot give".to_owned()
            )
        );
    }

    #[test]
    fn rename_default_and_unknown_fields_work_as_serde_says() {
        #[derive(Debug, PartialEq, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Filter {
            #[serde(rename = "tag")]
            tags: Vec<String>,
            #[serde(default = "ten")]
            limit: u32,
        }
        fn ten() -> u32 {
            10
        }
        let query = Query::parse("tag=x");
        assert_eq!(
            read::<Filter>(&query).ok(),
            Some(Filter {
                tags: vec!["x".into()],
                limit: 10
            })
        );
        assert_eq!(
            failure::<Filter>("tag=x&tags=y"),
            bad_request("unknown query parameter \"tags\"; expected one of \"tag\", \"limit\"")
        );
    }

    #[test]
    fn flatten_gathers_the_other_keys_with_their_last_values() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Tracked {
            page: u32,
            #[serde(default)]
            tag: Vec<String>,
            #[serde(flatten)]
            rest: HashMap<String, String>,
        }
        let query = Query::parse("utm=a&page=2&tag=x&ref=x&tag=y&ref=y");
        assert_eq!(
            read::<Tracked>(&query).ok(),
            Some(Tracked {
                page: 2,
                tag: vec!["x".into(), "y".into()],
                rest: HashMap::from([("utm".into(), "a".into()), ("ref".into(), "y".into())]),
            })
        );
        assert_eq!(
            failure::<Tracked>("page=x&utm=a"),
            bad_request("query parameter \"page\": expected an integer, found \"x\"")
        );

        #[derive(Debug, Deserialize)]
        struct EveryValue {
            #[serde(flatten)]
            #[allow(dead_code)]
            rest: HashMap<String, Vec<String>>,
        }
        assert_eq!(
            failure::<EveryValue>("ref=x"),
            bad_request("expected a sequence, found string \"x\"")
        );
    }

    #[test]
    fn a_map_takes_every_key() {
        let query = Query::parse("b=1&a=2&b=3");
        let last: BTreeMap<String, String> = read(&query).expect("reads");
        assert_eq!(
            last,
            BTreeMap::from([("a".into(), "2".into()), ("b".into(), "3".into())])
        );
        let every: BTreeMap<String, Vec<u8>> = read(&query).expect("reads");
        assert_eq!(
            every,
            BTreeMap::from([("a".into(), vec![2]), ("b".into(), vec![1, 3])])
        );
        let numbered: BTreeMap<u8, String> = read(&Query::parse("1=a&2=b")).expect("reads");
        assert_eq!(numbered, BTreeMap::from([(1, "a".into()), (2, "b".into())]));
        let err = read::<BTreeMap<u8, String>>(&Query::parse("one=a")).expect_err("a bad key");
        assert_eq!(
            err.message(),
            "query key \"one\": expected an integer, found \"one\""
        );
    }

    #[test]
    fn strings_borrow_from_the_query() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Borrowed<'a> {
            name: &'a str,
        }
        let query = Query::parse("name=Ada");
        assert_eq!(
            read::<Borrowed<'_>>(&query).ok(),
            Some(Borrowed { name: "Ada" })
        );
    }

    #[test]
    fn a_tuple_takes_exactly_its_number_of_values() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Range {
            between: (u32, u32),
        }
        let query = Query::parse("between=3&between=9");
        assert_eq!(read::<Range>(&query).ok(), Some(Range { between: (3, 9) }));
        assert_eq!(
            failure::<Range>("between=3"),
            bad_request("query parameter \"between\": expected 2 values, found 1")
        );
    }

    #[test]
    fn a_newtype_and_an_empty_query_read() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Limit(u8);
        #[derive(Debug, PartialEq, Deserialize)]
        struct Paging {
            limit: Limit,
        }
        let query = Query::parse("limit=5");
        assert_eq!(
            read::<Paging>(&query).ok(),
            Some(Paging { limit: Limit(5) })
        );
        #[derive(Debug, PartialEq, Deserialize)]
        struct Optional {
            q: Option<String>,
        }
        assert_eq!(
            read::<Optional>(&Query::new()).ok(),
            Some(Optional { q: None })
        );
    }

    #[test]
    fn types_no_query_can_fill_are_the_handlers_fault() {
        assert_eq!(
            failure::<u32>("a=1"),
            (
                ErrorKind::Internal,
                "a query reads into a struct or a map, not into an integer".to_owned()
            )
        );
        #[derive(Debug, Deserialize)]
        struct Nested {
            #[allow(dead_code)]
            inner: Page,
        }
        assert_eq!(
            failure::<Nested>("inner=1"),
            (
                ErrorKind::Internal,
                "query parameter \"inner\": a query value is text; it cannot hold the fields of a struct `Page`".to_owned()
            )
        );
    }
}

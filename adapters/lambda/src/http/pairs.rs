//! JSON objects read as ordered `(key, value)` lists: no hashing, order kept,
//! `null` objects read as empty.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use anyfn::http::header::{HeaderName, HeaderValue};
use anyfn::http::HeaderMap;
use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON object as its `(key, value)` pairs, in document order.
#[derive(Debug)]
pub(crate) struct Pairs<T>(pub(crate) Vec<(String, T)>);

impl<T> Default for Pairs<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Pairs<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for PairsVisitor<T> {
            type Value = Pairs<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object or null")
            }

            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Pairs::default())
            }

            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Pairs::default())
            }

            fn visit_some<D: Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Self::Value, D::Error> {
                deserializer.deserialize_map(self)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(entry) = map.next_entry::<String, T>()? {
                    pairs.push(entry);
                }
                Ok(Pairs(pairs))
            }
        }

        deserializer.deserialize_option(PairsVisitor(PhantomData))
    }
}

/// A value that may be a string or a list of strings, `null` meaning none;
/// payload maps use both.
#[derive(Debug, Default)]
pub(crate) struct Values(pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValuesVisitor;

        impl<'de> Visitor<'de> for ValuesVisitor {
            type Value = Values;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a list of strings, or null")
            }

            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Values::default())
            }

            fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
                Ok(Values(vec![value.to_owned()]))
            }

            fn visit_string<E>(self, value: String) -> Result<Self::Value, E> {
                Ok(Values(vec![value]))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(1));
                while let Some(value) = seq.next_element::<Option<String>>()? {
                    values.extend(value);
                }
                Ok(Values(values))
            }
        }

        deserializer.deserialize_any(ValuesVisitor)
    }
}

/// A JSON object (or `null`) kept as its text within the payload, read only
/// if the shape uses it: REST events carry headers and query parameters twice
/// (single- and multi-value), and only one copy is needed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct LazyObject<'a>(#[serde(borrow)] Option<&'a serde_json::value::RawValue>);

impl LazyObject<'_> {
    /// Whether the object is absent, `null` or `{}`.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none_or(|raw| {
            let text = raw.get();
            text == "null"
                || text
                    .strip_prefix('{')
                    .and_then(|inner| inner.strip_suffix('}'))
                    .is_some_and(|inner| inner.trim().is_empty())
        })
    }

    /// The object's pairs, each value read as a `T`.
    pub(crate) fn pairs<T: serde::de::DeserializeOwned>(
        &self,
    ) -> Result<Pairs<T>, serde_json::Error> {
        match self.0 {
            None => Ok(Pairs::default()),
            Some(raw) => serde_json::from_str(raw.get()),
        }
    }

    /// The object read straight into a `HeaderMap`: names borrowed from the
    /// payload where they need no unescaping, every value of every name kept.
    pub(crate) fn header_map(&self) -> Result<HeaderMap, serde_json::Error> {
        let Some(raw) = self.0 else {
            return Ok(HeaderMap::new());
        };
        let mut deserializer = serde_json::Deserializer::from_str(raw.get());
        deserializer.deserialize_option(HeaderMapVisitor)
    }
}

/// A string, borrowed from the input when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(value)))
            }

            fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(value.to_owned())))
            }

            fn visit_string<E>(self, value: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(value)))
            }
        }

        deserializer.deserialize_str(TextVisitor)
    }
}

struct HeaderMapVisitor;

impl<'de> Visitor<'de> for HeaderMapVisitor {
    type Value = HeaderMap;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of headers, or null")
    }

    fn visit_unit<E>(self) -> Result<HeaderMap, E> {
        Ok(HeaderMap::new())
    }

    fn visit_none<E>(self) -> Result<HeaderMap, E> {
        Ok(HeaderMap::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<HeaderMap, D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HeaderMap, A::Error> {
        let mut headers = HeaderMap::with_capacity(map.size_hint().unwrap_or(16));
        while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                serde::de::Error::custom(format_args!("header name {name:?} is not valid"))
            })?;
            map.next_value_seed(HeaderValues {
                headers: &mut headers,
                name,
            })?;
        }
        Ok(headers)
    }
}

/// The value(s) of one header, appended to the map as they are read.
struct HeaderValues<'m> {
    headers: &'m mut HeaderMap,
    name: HeaderName,
}

impl HeaderValues<'_> {
    fn value<E: serde::de::Error>(&self, text: &str) -> Result<HeaderValue, E> {
        HeaderValue::from_str(text).map_err(|_| {
            E::custom(format_args!(
                "header {:?} has a value that is not valid",
                self.name.as_str()
            ))
        })
    }
}

impl<'de> DeserializeSeed<'de> for HeaderValues<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for HeaderValues<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a list of strings, or null")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<(), E> {
        let value = self.value(text)?;
        self.headers.append(self.name, value);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // Clone the name for all values but the last, which takes it.
        let mut pending: Option<HeaderValue> = None;
        while let Some(text) = seq.next_element::<Option<Text<'de>>>()? {
            let Some(Text(text)) = text else { continue };
            if let Some(previous) = pending.replace(self.value(&text)?) {
                self.headers.append(self.name.clone(), previous);
            }
        }
        if let Some(last) = pending {
            self.headers.append(self.name, last);
        }
        Ok(())
    }
}

//! Typed details that travel with a [`Context`](crate::Context):
//! [`Extensions`].

use std::any::{Any, TypeId};
use std::fmt;
use std::sync::Arc;

/// A map from a type to one value of that type: what an adapter knows about
/// an invocation beyond the portable fields of a [`Context`](crate::Context)
/// (the client's address, the Lambda request context, the Azure binding
/// metadata), and what middleware adds for the handler. Each adapter reads
/// its own through an extension trait (`ServerContextExt`,
/// `LambdaContextExt`, `AzureContextExt`).
///
/// It works as [`http::Extensions`] does. It differs in its cost: an
/// adapter adds a value or two to every invocation's context, and this map
/// holds its first value in one allocation, where `http::Extensions` makes
/// three (the map, its table, the value). A value many invocations share
/// (a connection's client address, a tenant's settings) can be inserted
/// behind an [`Arc`] with [`insert_shared`](Self::insert_shared): each
/// context then holds a reference to it, and allocates nothing for it.
///
/// # Example
///
/// ```
/// use anyfn::Extensions;
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Tenant(&'static str);
///
/// let mut extensions = Extensions::new();
/// assert_eq!(extensions.insert(Tenant("acme")), None);
/// assert_eq!(extensions.get::<Tenant>(), Some(&Tenant("acme")));
/// assert_eq!(extensions.insert(Tenant("globex")), Some(Tenant("acme")));
/// assert_eq!(extensions.len(), 1);
/// ```
#[derive(Default)]
pub struct Extensions {
    /// The first value, held without a list: most contexts carry one.
    first: Option<Held>,
    /// The others, found by a scan, as there are a few.
    rest: Vec<Held>,
}

/// One value of the map: its own, or shared with other maps.
enum Held {
    Owned(Box<dyn AnyClone>),
    Shared(Arc<dyn AnyClone>),
}

impl Held {
    fn value(&self) -> &dyn AnyClone {
        match self {
            Self::Owned(value) => &**value,
            Self::Shared(value) => &**value,
        }
    }

    /// The value, to change: a shared one is copied first, so that the
    /// other maps sharing it keep it as it was.
    fn value_mut(&mut self) -> &mut dyn AnyClone {
        if let Self::Shared(value) = self {
            *self = Self::Owned((**value).clone_box());
        }
        match self {
            Self::Owned(value) => &mut **value,
            Self::Shared(_) => unreachable!("a shared value was copied just above"),
        }
    }

    fn into_any(self) -> Box<dyn Any> {
        match self {
            Self::Owned(value) => value.into_any(),
            Self::Shared(value) => (*value).clone_box().into_any(),
        }
    }
}

impl Clone for Held {
    fn clone(&self) -> Self {
        match self {
            Self::Owned(value) => Self::Owned((**value).clone_box()),
            Self::Shared(value) => Self::Shared(Arc::clone(value)),
        }
    }
}

/// Where a value is.
#[derive(Clone, Copy)]
enum Slot {
    First,
    Rest(usize),
}

impl Extensions {
    /// An empty map; it allocates nothing until a value is inserted.
    ///
    /// # Example
    ///
    /// ```
    /// let extensions = anyfn::Extensions::new();
    /// assert!(extensions.is_empty());
    /// assert_eq!(extensions.get::<u32>(), None);
    /// ```
    pub const fn new() -> Self {
        Self {
            first: None,
            rest: Vec::new(),
        }
    }

    /// Inserts `value`, returning the value of the same type it replaces.
    ///
    /// # Example
    ///
    /// ```
    /// let mut extensions = anyfn::Extensions::new();
    /// assert_eq!(extensions.insert(5u32), None);
    /// assert_eq!(extensions.insert(6u32), Some(5));
    /// ```
    pub fn insert<T: Clone + Send + Sync + 'static>(&mut self, value: T) -> Option<T> {
        if let Some(old) = self.get_mut::<T>() {
            return Some(std::mem::replace(old, value));
        }
        self.push(Held::Owned(Box::new(value)));
        None
    }

    /// Inserts a value shared with other maps, returning the value of the
    /// same type it replaces. Cloning the map, or a context holding it,
    /// clones the [`Arc`], not the value; changing the value through
    /// [`get_mut`](Self::get_mut) changes a copy of it, this map's own.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// #[derive(Clone, Debug, PartialEq)]
    /// struct Region(String);
    ///
    /// let region = Arc::new(Region("eu-west-1".into()));
    /// let mut extensions = anyfn::Extensions::new();
    /// extensions.insert_shared(Arc::clone(&region));
    /// let copy = extensions.clone();
    /// assert_eq!(copy.get::<Region>(), Some(&Region("eu-west-1".into())));
    /// assert_eq!(Arc::strong_count(&region), 3); // no copy of the value
    ///
    /// extensions.get_mut::<Region>().unwrap().0.push_str("-b");
    /// assert_eq!(copy.get::<Region>(), Some(&Region("eu-west-1".into())));
    /// ```
    pub fn insert_shared<T: Clone + Send + Sync + 'static>(&mut self, value: Arc<T>) -> Option<T> {
        let held = Held::Shared(value);
        match self.find(TypeId::of::<T>()) {
            Some(slot) => std::mem::replace(self.held_mut(slot), held)
                .into_any()
                .downcast()
                .ok()
                .map(|value| *value),
            None => {
                self.push(held);
                None
            }
        }
    }

    /// The value of type `T`, if there is one.
    ///
    /// # Example
    ///
    /// ```
    /// let mut extensions = anyfn::Extensions::new();
    /// extensions.insert("text");
    /// assert_eq!(extensions.get::<&str>(), Some(&"text"));
    /// assert_eq!(extensions.get::<u8>(), None);
    /// ```
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        let slot = self.find(TypeId::of::<T>())?;
        self.held(slot).value().as_any().downcast_ref()
    }

    /// The value of type `T`, mutably, if there is one.
    ///
    /// # Example
    ///
    /// ```
    /// let mut extensions = anyfn::Extensions::new();
    /// extensions.insert(String::from("a"));
    /// if let Some(text) = extensions.get_mut::<String>() {
    ///     text.push('b');
    /// }
    /// assert_eq!(extensions.get::<String>().map(String::as_str), Some("ab"));
    /// ```
    pub fn get_mut<T: Send + Sync + 'static>(&mut self) -> Option<&mut T> {
        let slot = self.find(TypeId::of::<T>())?;
        self.held_mut(slot).value_mut().as_any_mut().downcast_mut()
    }

    /// The value of type `T`, inserted with `make` first if there is none.
    ///
    /// # Example
    ///
    /// ```
    /// let mut extensions = anyfn::Extensions::new();
    /// *extensions.get_or_insert_with(|| 0u32) += 1;
    /// *extensions.get_or_insert_with(|| 0u32) += 1;
    /// assert_eq!(extensions.get::<u32>(), Some(&2));
    /// ```
    #[allow(
        clippy::missing_panics_doc,
        reason = "never panics: the slot found by T's type id holds a T"
    )]
    pub fn get_or_insert_with<T: Clone + Send + Sync + 'static>(
        &mut self,
        make: impl FnOnce() -> T,
    ) -> &mut T {
        let slot = match self.find(TypeId::of::<T>()) {
            Some(slot) => slot,
            None => self.push(Held::Owned(Box::new(make()))),
        };
        self.held_mut(slot)
            .value_mut()
            .as_any_mut()
            .downcast_mut()
            .expect("a slot found by a type holds a value of that type")
    }

    /// Removes the value of type `T` and returns it.
    ///
    /// # Example
    ///
    /// ```
    /// let mut extensions = anyfn::Extensions::new();
    /// extensions.insert(5u32);
    /// assert_eq!(extensions.remove::<u32>(), Some(5));
    /// assert!(extensions.is_empty());
    /// ```
    pub fn remove<T: Send + Sync + 'static>(&mut self) -> Option<T> {
        let value = match self.find(TypeId::of::<T>())? {
            Slot::First => {
                let next = (!self.rest.is_empty()).then(|| self.rest.swap_remove(0));
                std::mem::replace(&mut self.first, next)?
            }
            Slot::Rest(index) => self.rest.swap_remove(index),
        };
        value.into_any().downcast().ok().map(|value| *value)
    }

    /// Removes every value.
    ///
    /// # Example
    ///
    /// ```
    /// let mut extensions = anyfn::Extensions::new();
    /// extensions.insert(1u8);
    /// extensions.insert("one");
    /// extensions.clear();
    /// assert!(extensions.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.first = None;
        self.rest.clear();
    }

    /// Whether the map holds no value.
    ///
    /// # Example
    ///
    /// ```
    /// let mut extensions = anyfn::Extensions::new();
    /// assert!(extensions.is_empty());
    /// extensions.insert(1u8);
    /// assert!(!extensions.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// How many values (types) the map holds.
    ///
    /// # Example
    ///
    /// ```
    /// let mut extensions = anyfn::Extensions::new();
    /// extensions.insert(1u8);
    /// extensions.insert(2u8);
    /// extensions.insert("two");
    /// assert_eq!(extensions.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    /// Moves every value of `other` into this map, replacing those of the
    /// same types.
    ///
    /// # Example
    ///
    /// ```
    /// let mut extensions = anyfn::Extensions::new();
    /// extensions.insert(1u8);
    /// let mut other = anyfn::Extensions::new();
    /// other.insert(2u8);
    /// other.insert("two");
    /// extensions.extend(other);
    /// assert_eq!((extensions.get::<u8>(), extensions.get::<&str>()), (Some(&2), Some(&"two")));
    /// ```
    pub fn extend(&mut self, other: Extensions) {
        for value in other.first.into_iter().chain(other.rest) {
            match self.find(type_of(value.value())) {
                Some(slot) => *self.held_mut(slot) = value,
                None => {
                    self.push(value);
                }
            }
        }
    }

    /// Adds a value of a type the map does not hold yet; where it went.
    fn push(&mut self, value: Held) -> Slot {
        if self.first.is_none() {
            self.first = Some(value);
            return Slot::First;
        }
        self.rest.push(value);
        Slot::Rest(self.rest.len() - 1)
    }

    fn find(&self, type_id: TypeId) -> Option<Slot> {
        let first = self.first.as_ref()?;
        if type_of(first.value()) == type_id {
            return Some(Slot::First);
        }
        self.rest
            .iter()
            .position(|value| type_of(value.value()) == type_id)
            .map(Slot::Rest)
    }

    fn held(&self, slot: Slot) -> &Held {
        match slot {
            Slot::First => self.first.as_ref().expect("the first slot is taken"),
            Slot::Rest(index) => &self.rest[index],
        }
    }

    fn held_mut(&mut self, slot: Slot) -> &mut Held {
        match slot {
            Slot::First => self.first.as_mut().expect("the first slot is taken"),
            Slot::Rest(index) => &mut self.rest[index],
        }
    }
}

impl Clone for Extensions {
    fn clone(&self) -> Self {
        Self {
            first: self.first.clone(),
            rest: self.rest.clone(),
        }
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Extensions")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

/// The type of the value itself (`value.type_id()` on a box would give
/// the box's).
fn type_of(value: &dyn AnyClone) -> TypeId {
    value.as_any().type_id()
}

/// A value the map can hold: any, cloneable, shareable between threads.
///
/// `Box<dyn AnyClone>` is not `Clone` itself, so no method call on a box
/// can resolve to the box (and its `TypeId`) rather than to the value.
trait AnyClone: Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
    fn clone_box(&self) -> Box<dyn AnyClone>;
}

impl<T: Clone + Send + Sync + 'static> AnyClone for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn clone_box(&self) -> Box<dyn AnyClone> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Tenant(String);

    #[test]
    fn values_of_different_types_live_side_by_side() {
        let mut extensions = Extensions::new();
        extensions.insert(Tenant("acme".into()));
        extensions.insert(7u64);
        extensions.insert("label");
        assert_eq!(extensions.len(), 3);
        assert_eq!(extensions.get::<Tenant>(), Some(&Tenant("acme".into())));
        assert_eq!(extensions.get::<u64>(), Some(&7));
        assert_eq!(extensions.get::<&str>(), Some(&"label"));
        assert_eq!(extensions.get::<u32>(), None);
    }

    #[test]
    fn a_clone_is_deep_and_keeps_types() {
        let mut extensions = Extensions::new();
        extensions.insert(Tenant("acme".into()));
        let mut copy = extensions.clone();
        copy.get_mut::<Tenant>().unwrap().0.push_str("-copy");
        assert_eq!(extensions.get::<Tenant>(), Some(&Tenant("acme".into())));
        assert_eq!(copy.get::<Tenant>(), Some(&Tenant("acme-copy".into())));
        // A clone of a clone still finds the value by its own type.
        assert_eq!(
            copy.clone().remove::<Tenant>(),
            Some(Tenant("acme-copy".into()))
        );
    }

    #[test]
    fn remove_leaves_the_others() {
        let mut extensions = Extensions::new();
        extensions.insert(1u8);
        extensions.insert(2u16);
        extensions.insert(3u32);
        assert_eq!(extensions.remove::<u16>(), Some(2));
        assert_eq!(extensions.remove::<u16>(), None);
        assert_eq!(
            (extensions.get::<u8>(), extensions.get::<u32>()),
            (Some(&1), Some(&3))
        );
        // The first value out: the others are still found.
        assert_eq!(extensions.remove::<u8>(), Some(1));
        assert_eq!(
            (extensions.get::<u8>(), extensions.get::<u32>()),
            (None, Some(&3))
        );
        assert_eq!(extensions.len(), 1);
        extensions.insert(4u8);
        assert_eq!((extensions.get::<u8>(), extensions.len()), (Some(&4), 2));
        extensions.clear();
        assert!(extensions.is_empty());
    }

    #[test]
    fn get_or_insert_with_keeps_an_existing_value() {
        let mut extensions = Extensions::new();
        extensions.insert(1u8);
        assert_eq!(*extensions.get_or_insert_with(|| 9u8), 1);
        assert_eq!(*extensions.get_or_insert_with(|| 9u16), 9);
    }

    #[test]
    fn a_shared_value_is_found_cloned_by_reference_and_copied_when_changed() {
        let shared = Arc::new(Tenant("acme".into()));
        let mut extensions = Extensions::new();
        extensions.insert(1u8);
        assert_eq!(extensions.insert_shared(Arc::clone(&shared)), None);
        let copy = extensions.clone();
        assert_eq!(Arc::strong_count(&shared), 3);
        assert_eq!(copy.get::<Tenant>(), Some(&Tenant("acme".into())));

        extensions.get_mut::<Tenant>().unwrap().0.push_str("-own");
        assert_eq!(extensions.get::<Tenant>(), Some(&Tenant("acme-own".into())));
        assert_eq!(copy.get::<Tenant>(), Some(&Tenant("acme".into())));
        assert_eq!(*shared, Tenant("acme".into()));
        assert_eq!(Arc::strong_count(&shared), 2);
    }

    /// An `Arc` is itself `Clone + Send + Sync`: a value taken out of one
    /// must come out as the value, not as a boxed `Arc` that no longer
    /// downcasts to its type.
    #[test]
    fn regression_a_shared_value_removed_or_replaced_comes_out_as_its_type() {
        let mut extensions = Extensions::new();
        extensions.insert_shared(Arc::new(Tenant("first".into())));
        extensions.insert_shared(Arc::new(7u64));
        assert_eq!(
            extensions.insert_shared(Arc::new(Tenant("second".into()))),
            Some(Tenant("first".into()))
        );
        assert_eq!(
            extensions.insert(Tenant("third".into())),
            Some(Tenant("second".into()))
        );
        assert_eq!(extensions.remove::<u64>(), Some(7));
        assert_eq!(extensions.remove::<Tenant>(), Some(Tenant("third".into())));
        assert!(extensions.is_empty());

        let mut other = Extensions::new();
        other.insert_shared(Arc::new(9u16));
        extensions.extend(other);
        assert_eq!(extensions.remove::<u16>(), Some(9));
    }
}

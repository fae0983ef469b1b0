//! [`Gathered`]: a body's chunks made into one piece of bytes.

use bytes::{Bytes, BytesMut};

/// Chunks of a body gathered into one [`Bytes`]. A body that arrives as one
/// chunk (as small requests and answers do) is kept as it came, without a
/// copy; later chunks are copied after it. Nothing is reserved ahead of the
/// bytes that arrive, so a client's declared length reserves no memory.
///
/// # Example
///
/// ```
/// use anyfn_kit::Gathered;
/// use bytes::Bytes;
///
/// let mut gathered = Gathered::default();
/// gathered.push(Bytes::from_static(b"Hello, "));
/// gathered.push(Bytes::new());
/// gathered.push(Bytes::from_static(b"Ada!"));
/// assert_eq!(gathered.len(), 11);
/// assert_eq!(gathered.into_bytes(), "Hello, Ada!");
/// ```
#[derive(Debug, Default)]
pub struct Gathered {
    /// The only chunk so far, kept without a copy.
    first: Option<Bytes>,
    /// Every chunk so far, once there is more than one.
    rest: BytesMut,
}

impl Gathered {
    /// Adds the next chunk (an empty one changes nothing).
    ///
    /// # Example
    ///
    /// ```
    /// let mut gathered = anyfn_kit::Gathered::default();
    /// gathered.push(bytes::Bytes::from_static(b"abc"));
    /// assert_eq!(gathered.len(), 3);
    /// ```
    pub fn push(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        match self.first.take() {
            None if self.rest.is_empty() => self.first = Some(chunk),
            None => self.rest.extend_from_slice(&chunk),
            Some(earlier) => {
                self.rest.reserve(earlier.len() + chunk.len());
                self.rest.extend_from_slice(&earlier);
                self.rest.extend_from_slice(&chunk);
            }
        }
    }

    /// How many bytes were gathered.
    ///
    /// # Example
    ///
    /// ```
    /// let mut gathered = anyfn_kit::Gathered::default();
    /// gathered.push(bytes::Bytes::from_static(b"ab"));
    /// gathered.push(bytes::Bytes::from_static(b"cd"));
    /// assert_eq!(gathered.len(), 4);
    /// ```
    pub fn len(&self) -> usize {
        self.first.as_ref().map_or(self.rest.len(), Bytes::len)
    }

    /// Whether nothing (or only empty chunks) was gathered.
    ///
    /// # Example
    ///
    /// ```
    /// let mut gathered = anyfn_kit::Gathered::default();
    /// gathered.push(bytes::Bytes::new());
    /// assert!(gathered.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, in the order they were pushed.
    ///
    /// # Example
    ///
    /// ```
    /// let mut gathered = anyfn_kit::Gathered::default();
    /// gathered.push(bytes::Bytes::from_static(b"one, "));
    /// gathered.push(bytes::Bytes::from_static(b"two"));
    /// assert_eq!(gathered.into_bytes(), "one, two");
    /// ```
    pub fn into_bytes(self) -> Bytes {
        self.first.unwrap_or_else(|| self.rest.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_chunk_is_kept_without_a_copy() {
        let chunk = Bytes::from(vec![7u8; 64]);
        let address = chunk.as_ptr();
        let mut gathered = Gathered::default();
        gathered.push(chunk);
        gathered.push(Bytes::new());
        assert_eq!(gathered.into_bytes().as_ptr(), address);
    }

    #[test]
    fn chunks_are_joined_in_order() {
        let mut gathered = Gathered::default();
        assert!(gathered.is_empty());
        for chunk in ["a", "", "bc", "def"] {
            gathered.push(Bytes::from_static(chunk.as_bytes()));
        }
        assert_eq!(gathered.len(), 6);
        assert_eq!(gathered.into_bytes(), "abcdef");
        assert_eq!(Gathered::default().into_bytes(), "");
    }
}

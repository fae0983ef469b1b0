//! [`Chain`]: an error's causes, one after another.

use std::error::Error as StdError;
use std::iter::FusedIterator;

/// The causes of an [`Error`](crate::Error): its source, the source's source,
/// and so on. Made by [`Error::chain`](crate::Error::chain).
///
/// # Example
///
/// ```
/// #[derive(Debug, thiserror::Error)]
/// #[error("could not save order 7")]
/// struct SaveFailed(#[source] std::io::Error);
///
/// let err = anyfn::Error::from(SaveFailed(std::io::Error::other("disk full")));
/// let causes: Vec<String> = err.chain().map(|cause| cause.to_string()).collect();
/// assert_eq!(causes, ["could not save order 7", "disk full"]);
/// ```
#[derive(Clone, Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct Chain<'a> {
    next: Option<&'a (dyn StdError + 'static)>,
}

impl<'a> Chain<'a> {
    pub(crate) fn new(first: Option<&'a (dyn StdError + 'static)>) -> Self {
        Self { next: first }
    }
}

impl<'a> Iterator for Chain<'a> {
    type Item = &'a (dyn StdError + 'static);

    fn next(&mut self) -> Option<Self::Item> {
        let current = self.next?;
        self.next = current.source();
        Some(current)
    }
}

impl FusedIterator for Chain<'_> {}

//! Where a [`Query`](super::Query)'s pairs are in its text: [`Pairs`], up to
//! [`FEW`] of them in place.

/// How many pairs are kept without a vector: most queries have no more,
/// and with three a `Query` is 128 bytes, which a move copies in place
/// (a larger one is a call to `memcpy`).
pub(super) const FEW: usize = 3;

/// A key and its value, as places in the query's text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pair {
    pub(super) key: Span,
    pub(super) value: Span,
}

/// A place in the query's text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub(super) start: usize,
    pub(super) end: usize,
}

impl Pair {
    const EMPTY: Self = Self {
        key: Span { start: 0, end: 0 },
        value: Span { start: 0, end: 0 },
    };
}

/// A query's pairs, in order: up to [`FEW`] in place, more in a vector.
/// A vector was an allocation (and a free) on every request that read a
/// query (`benches/instructions_vs_hyper.sh`).
#[derive(Debug, Clone)]
pub(super) enum Pairs {
    /// At most [`FEW`] pairs: the first `len` of `pairs`.
    Few { len: u8, pairs: [Pair; FEW] },
    /// More.
    Many(Vec<Pair>),
}

impl Default for Pairs {
    fn default() -> Self {
        Self::new()
    }
}

impl Pairs {
    /// No pairs.
    pub(super) const fn new() -> Self {
        Self::Few {
            len: 0,
            pairs: [Pair::EMPTY; FEW],
        }
    }

    /// No pairs, with room for `count`.
    pub(super) fn with_capacity(count: usize) -> Self {
        if count <= FEW {
            Self::new()
        } else {
            Self::Many(Vec::with_capacity(count))
        }
    }

    /// Adds `pair` after the others.
    #[inline]
    pub(super) fn push(&mut self, pair: Pair) {
        match self {
            Self::Few { len, pairs } => match pairs.get_mut(usize::from(*len)) {
                Some(slot) => {
                    *slot = pair;
                    *len += 1;
                }
                None => {
                    let mut many = Vec::with_capacity(FEW * 2);
                    many.extend_from_slice(pairs);
                    many.push(pair);
                    *self = Self::Many(many);
                }
            },
            Self::Many(many) => many.push(pair),
        }
    }

    /// The pairs, in order.
    #[inline]
    pub(super) fn as_slice(&self) -> &[Pair] {
        match self {
            Self::Few { len, pairs } => pairs.get(..usize::from(*len)).unwrap_or_default(),
            Self::Many(many) => many,
        }
    }

    /// How many pairs there are.
    pub(super) fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether there are none.
    pub(super) fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(n: usize) -> Pair {
        Pair {
            key: Span {
                start: n,
                end: n + 1,
            },
            value: Span {
                start: n + 1,
                end: n + 2,
            },
        }
    }

    /// Past [`FEW`] pairs the list moves to a vector and keeps every pair,
    /// in order.
    #[test]
    fn pairs_past_the_few_kept_in_place_keep_their_order() {
        for count in [0, 1, FEW - 1, FEW, FEW + 1, 3 * FEW] {
            let mut pairs = Pairs::new();
            for n in 0..count {
                pairs.push(pair(n));
            }
            assert_eq!(pairs.len(), count);
            assert_eq!(pairs.is_empty(), count == 0);
            assert_eq!(matches!(pairs, Pairs::Many(_)), count > FEW);
            let starts: Vec<usize> = pairs.as_slice().iter().map(|p| p.key.start).collect();
            assert_eq!(starts, (0..count).collect::<Vec<_>>());
            let mut sized = Pairs::with_capacity(count);
            assert!(sized.is_empty());
            sized.push(pair(7));
            assert_eq!(sized.as_slice()[0].value.end, 9);
        }
    }
}

//! Bounded top-k selection over `(distance, id)` pairs.
//!
//! A candidate is packed into one `u64`: the distance's bits, remapped so that unsigned order is
//! numeric order, above the id. Comparing two candidates is then a single integer comparison,
//! and ties on distance fall to the smaller id, which makes results deterministic.

use std::collections::BinaryHeap;

use types::DocId;

/// The distance as ranked and reported: `-0.0` becomes `0.0` (so it ties with `0.0` instead of
/// ranking before it) and NaN becomes `+∞`. NaN can only arise from finite inputs whose
/// products overflow, e.g. `∞ - ∞` inside a dot product near `f32::MAX`; it ranks last.
#[inline]
pub(crate) fn canonical(distance: f32) -> f32 {
    if distance.is_nan() {
        f32::INFINITY
    } else {
        // IEEE addition turns -0.0 into +0.0 and leaves every other value unchanged.
        distance + 0.0
    }
}

/// Packs a canonical distance and an id into an order-preserving key.
#[inline]
pub(crate) fn encode(distance: f32, id: DocId) -> u64 {
    let bits = distance.to_bits();
    // Negative floats order backwards as integers, so flip all their bits; positive ones only
    // need to move above the negatives.
    let ordered = if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    };
    u64::from(ordered) << 32 | u64::from(id)
}

/// Inverse of [`encode`].
#[inline]
pub(crate) fn decode(key: u64) -> (DocId, f32) {
    let ordered = (key >> 32) as u32;
    let bits = if ordered >> 31 == 1 {
        ordered & !(1 << 31)
    } else {
        !ordered
    };
    (key as u32, f32::from_bits(bits))
}

/// The `k` smallest keys pushed so far, in a max-heap whose top is the current worst.
pub(crate) struct TopK {
    heap: BinaryHeap<u64>,
    k: usize,
}

impl TopK {
    /// Allocates room for all `k` keys up front, so pushing never allocates; callers cap `k`
    /// at the number of candidates.
    pub(crate) fn new(k: usize) -> Self {
        TopK {
            heap: BinaryHeap::with_capacity(k),
            k,
        }
    }

    /// Offers a candidate.
    #[inline]
    pub(crate) fn push(&mut self, distance: f32, id: DocId) {
        let key = encode(distance, id);
        if self.heap.len() < self.k {
            self.heap.push(key);
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if key < *worst {
                // Replacing through `PeekMut` sifts down once instead of a pop and a push.
                *worst = key;
            }
        }
    }

    /// The kept candidates as `(id, distance)`, closest first.
    pub(crate) fn into_sorted(self) -> Vec<(DocId, f32)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(decode)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn canonical_merges_zeros_and_ranks_nan_last() {
        assert_eq!(canonical(-0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(canonical(f32::NAN), f32::INFINITY);
        assert_eq!(canonical(-2.5), -2.5);
    }

    #[test]
    fn keeps_the_k_smallest_with_ties_by_id() {
        let mut top = TopK::new(3);
        for (id, d) in [
            (9, 1.0),
            (4, -3.0),
            (7, 1.0),
            (2, 5.0),
            (1, 1.0),
            (3, f32::INFINITY),
        ] {
            top.push(d, id);
        }
        assert_eq!(top.into_sorted(), vec![(4, -3.0), (1, 1.0), (7, 1.0)]);
    }

    #[test]
    fn zero_k_keeps_nothing() {
        let mut top = TopK::new(0);
        top.push(1.0, 1);
        assert!(top.into_sorted().is_empty());
    }

    proptest! {
        #[test]
        fn keys_order_like_the_pairs(a in any::<f32>(), b in any::<f32>(), i: u32, j: u32) {
            let (a, b) = (canonical(a), canonical(b));
            let want = a.partial_cmp(&b).map(|o| o.then(i.cmp(&j)));
            prop_assert_eq!(Some(encode(a, i).cmp(&encode(b, j))), want);
            prop_assert_eq!(decode(encode(a, i)), (i, a));
        }
    }
}

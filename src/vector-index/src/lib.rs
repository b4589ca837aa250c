//! Vector search data structures of Shoal: the distance kernels (a scalar reference plus SIMD
//! versions picked at runtime) and the exact flat index, behind the [`VectorIndex`] enum that
//! shards hold. HNSW and quantization will join as further variants.
//!
//! This crate is pure in-memory data structures. It does no IO and persists nothing itself:
//! the shard owns durability and rebuilds an index from its stored objects on startup. Ids are
//! the shard's dense [`DocId`]s; filters arrive as roaring bitmaps of allowed ids.

pub mod distance;
pub mod error;
mod flat;
mod topk;
mod validate;

pub use error::{Error, Result};
pub use flat::FlatIndex;

use roaring::RoaringBitmap;
use types::schema::Distance;
use types::DocId;

/// A vector index of any kind. Methods dispatch by `match`, which keeps calls static and lets a
/// new kind be added without touching callers.
#[derive(Debug)]
pub enum VectorIndex {
    /// Exact brute-force search.
    Flat(FlatIndex),
}

impl VectorIndex {
    /// An empty flat index for `metric`.
    pub fn flat(metric: Distance) -> Self {
        VectorIndex::Flat(FlatIndex::new(metric))
    }

    /// The metric the index ranks by.
    pub fn metric(&self) -> Distance {
        match self {
            VectorIndex::Flat(index) => index.metric(),
        }
    }

    /// The vector length, once the first vector was inserted.
    pub fn dim(&self) -> Option<usize> {
        match self {
            VectorIndex::Flat(index) => index.dim(),
        }
    }

    /// The number of vectors.
    pub fn len(&self) -> usize {
        match self {
            VectorIndex::Flat(index) => index.len(),
        }
    }

    /// Whether the index holds no vector.
    pub fn is_empty(&self) -> bool {
        match self {
            VectorIndex::Flat(index) => index.is_empty(),
        }
    }

    /// Whether `id` has a vector.
    pub fn contains(&self, id: DocId) -> bool {
        match self {
            VectorIndex::Flat(index) => index.contains(id),
        }
    }

    /// Whether a vector of length `len` would be accepted by [`VectorIndex::insert`].
    pub fn check_dimension(&self, len: usize) -> Result<()> {
        match self {
            VectorIndex::Flat(index) => index.check_dimension(len),
        }
    }

    /// Inserts or replaces the vector of `id`.
    pub fn insert(&self, id: DocId, vector: &[f32]) -> Result<()> {
        match self {
            VectorIndex::Flat(index) => index.insert(id, vector),
        }
    }

    /// Removes the vector of `id`; returns whether there was one.
    pub fn remove(&self, id: DocId) -> bool {
        match self {
            VectorIndex::Flat(index) => index.remove(id),
        }
    }

    /// The `k` nearest vectors as `(id, distance)`, closest first, restricted to `allow` when
    /// given.
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        allow: Option<&RoaringBitmap>,
    ) -> Result<Vec<(DocId, f32)>> {
        match self {
            VectorIndex::Flat(index) => index.search(query, k, allow),
        }
    }

    /// Every vector within `max_distance` of `query`, closest first, at most `limit` of them.
    pub fn search_within(
        &self,
        query: &[f32],
        max_distance: f32,
        limit: usize,
        allow: Option<&RoaringBitmap>,
    ) -> Result<Vec<(DocId, f32)>> {
        match self {
            VectorIndex::Flat(index) => index.search_within(query, max_distance, limit, allow),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_delegates_to_the_flat_index() {
        let index = VectorIndex::flat(Distance::L2Squared);
        assert_eq!(index.metric(), Distance::L2Squared);
        assert!(index.is_empty() && index.dim().is_none());
        index.insert(1, &[0.0, 0.0]).unwrap();
        index.insert(2, &[3.0, 4.0]).unwrap();
        assert_eq!((index.len(), index.dim()), (2, Some(2)));
        assert!(index.contains(2) && !index.contains(3));
        assert!(index.check_dimension(3).is_err());
        assert_eq!(index.search(&[3.0, 3.0], 1, None).unwrap(), vec![(2, 1.0)]);
        let within = index.search_within(&[0.0, 1.0], 1.0, 10, None).unwrap();
        assert_eq!(within, vec![(1, 1.0)]);
        assert!(index.remove(1) && !index.remove(1));
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn errors_are_invalid_input() {
        let index = VectorIndex::flat(Distance::Dot);
        index.insert(1, &[1.0, 2.0]).unwrap();
        for err in [
            index.insert(2, &[1.0]).unwrap_err(),
            index.search(&[1.0], 1, None).unwrap_err(),
            index.insert(2, &[]).unwrap_err(),
            index.insert(2, &[f32::NAN, 1.0]).unwrap_err(),
        ] {
            assert_eq!(err.kind(), types::ErrorKind::InvalidInput);
        }
    }
}

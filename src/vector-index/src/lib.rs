//! Vector search data structures of Shoal: the distance kernels (a scalar reference plus SIMD
//! versions picked at runtime), the exact flat index and the HNSW graph, behind the
//! [`VectorIndex`] enum that shards hold, and vector [`quantization`] (PQ, BQ, SQ, RQ) inside
//! both indexes rather than as further variants.
//!
//! # Compression, for the shard
//! - Build compressed: [`VectorIndex::flat_compressed`] / [`VectorIndex::hnsw_compressed`]
//!   with a [`Compression`] and an optional [`VectorLoader`] (given one, the index drops full
//!   vectors once compressed and reads them back only to rescore). BQ and RQ are active from
//!   the first insert; PQ and SQ stay pending until trained.
//! - Compress a populated index, from a background task while searches and inserts go on:
//!   [`VectorIndex::compress`]; or, for a pending PQ/SQ setting, poll
//!   [`VectorIndex::compression_due`] and call [`VectorIndex::compress_pending`].
//! - Query state: [`VectorIndex::is_compressed`], [`VectorIndex::compression_state`],
//!   [`VectorIndex::compressed_bytes`] (included in [`VectorIndex::memory_bytes`]).
//! - Persist: the HNSW snapshot carries codebooks and codes ([`HnswIndex::write_graph`]);
//!   restore with [`HnswIndex::read_graph_compressed`] to keep no full vectors.
//! - Validate a schema change up front: [`Compression::validate`].
//!
//! This crate is pure in-memory data structures. It does no IO of its own: the shard owns
//! durability, and the HNSW graph serialises to and from any `Write`/`Read` the shard hands it
//! so that a restart need not rebuild it. Ids are the shard's dense [`DocId`]s; filters arrive
//! as roaring bitmaps of allowed ids.

pub mod distance;
pub mod error;
mod flat;
mod hnsw;
pub mod quantization;
mod topk;
mod validate;

pub use error::{Error, Result};
pub use flat::FlatIndex;
pub use hnsw::{
    HnswIndex, HnswParams, VectorCache, VectorLoader, UNCAPPED as UNCAPPED_VECTOR_CACHE,
};
pub use quantization::{
    BqParams, Compression, CompressionState, PqEncoderKind, PqParams, RqParams, SqParams,
    TileDistribution,
};

use roaring::RoaringBitmap;
use types::schema::Distance;
use types::DocId;

/// A vector index of any kind. Methods dispatch by `match`, which keeps calls static and lets a
/// new kind be added without touching callers.
// One per target vector of a shard, behind an `Arc`: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum VectorIndex {
    /// Exact brute-force search.
    Flat(FlatIndex),
    /// Approximate search over an HNSW graph.
    Hnsw(HnswIndex),
}

impl VectorIndex {
    /// An empty flat index for `metric`.
    pub fn flat(metric: Distance) -> Self {
        VectorIndex::Flat(FlatIndex::new(metric))
    }

    /// An empty HNSW index for `metric`.
    pub fn hnsw(metric: Distance, params: HnswParams) -> Self {
        VectorIndex::Hnsw(HnswIndex::new(metric, params))
    }

    /// An empty flat index that compresses as `compression` says (see the crate docs).
    pub fn flat_compressed(
        metric: Distance,
        compression: Compression,
        loader: Option<VectorLoader>,
    ) -> Result<Self> {
        FlatIndex::with_compression(metric, compression, loader).map(VectorIndex::Flat)
    }

    /// An empty HNSW index that compresses as `compression` says (see the crate docs).
    pub fn hnsw_compressed(
        metric: Distance,
        params: HnswParams,
        compression: Compression,
        loader: Option<VectorLoader>,
    ) -> Result<Self> {
        HnswIndex::with_compression(metric, params, compression, loader).map(VectorIndex::Hnsw)
    }

    /// The metric the index ranks by.
    pub fn metric(&self) -> Distance {
        match self {
            VectorIndex::Flat(index) => index.metric(),
            VectorIndex::Hnsw(index) => index.metric(),
        }
    }

    /// The vector length, once the first vector was inserted.
    pub fn dim(&self) -> Option<usize> {
        match self {
            VectorIndex::Flat(index) => index.dim(),
            VectorIndex::Hnsw(index) => index.dim(),
        }
    }

    /// The number of vectors.
    pub fn len(&self) -> usize {
        match self {
            VectorIndex::Flat(index) => index.len(),
            VectorIndex::Hnsw(index) => index.len(),
        }
    }

    /// Whether the index holds no vector.
    pub fn is_empty(&self) -> bool {
        match self {
            VectorIndex::Flat(index) => index.is_empty(),
            VectorIndex::Hnsw(index) => index.is_empty(),
        }
    }

    /// Whether `id` has a vector.
    pub fn contains(&self, id: DocId) -> bool {
        match self {
            VectorIndex::Flat(index) => index.contains(id),
            VectorIndex::Hnsw(index) => index.contains(id),
        }
    }

    /// Whether a vector of length `len` would be accepted by [`VectorIndex::insert`].
    pub fn check_dimension(&self, len: usize) -> Result<()> {
        match self {
            VectorIndex::Flat(index) => index.check_dimension(len),
            VectorIndex::Hnsw(index) => index.check_dimension(len),
        }
    }

    /// Inserts or replaces the vector of `id`.
    pub fn insert(&self, id: DocId, vector: &[f32]) -> Result<()> {
        match self {
            VectorIndex::Flat(index) => index.insert(id, vector),
            VectorIndex::Hnsw(index) => index.insert(id, vector),
        }
    }

    /// Removes the vector of `id`; returns whether there was one.
    pub fn remove(&self, id: DocId) -> bool {
        match self {
            VectorIndex::Flat(index) => index.remove(id),
            VectorIndex::Hnsw(index) => index.remove(id),
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
            VectorIndex::Hnsw(index) => index.search(query, k, allow),
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
            VectorIndex::Hnsw(index) => index.search_within(query, max_distance, limit, allow),
        }
    }
}

impl VectorIndex {
    /// Inserts or replaces many vectors; all are validated before any is inserted. HNSW uses
    /// every core; when an id repeats, the last occurrence wins.
    pub fn insert_batch(&self, items: &[(DocId, Vec<f32>)]) -> Result<()> {
        match self {
            VectorIndex::Flat(index) => {
                if let Some((_, first)) = items.first() {
                    let dim = index.dim().unwrap_or(first.len());
                    for (_, vector) in items {
                        validate::components(vector)?;
                        if vector.len() != dim {
                            return Err(Error::DimensionMismatch {
                                expected: dim,
                                got: vector.len(),
                            });
                        }
                    }
                }
                items
                    .iter()
                    .try_for_each(|(id, vector)| index.insert(*id, vector))
            }
            VectorIndex::Hnsw(index) => index.insert_batch(items),
        }
    }

    /// Frees tombstoned entries (HNSW); returns how many. The flat index has none.
    pub fn cleanup(&self) -> usize {
        match self {
            VectorIndex::Flat(_) => 0,
            VectorIndex::Hnsw(index) => index.cleanup(),
        }
    }

    /// Removed entries not yet freed by [`VectorIndex::cleanup`].
    pub fn tombstones(&self) -> usize {
        match self {
            VectorIndex::Flat(_) => 0,
            VectorIndex::Hnsw(index) => index.tombstones(),
        }
    }

    /// Bytes of memory the index uses, codes and codebooks included.
    pub fn memory_bytes(&self) -> usize {
        match self {
            VectorIndex::Flat(index) => index.memory_bytes(),
            VectorIndex::Hnsw(index) => index.memory_bytes(),
        }
    }
}

impl VectorIndex {
    /// Compresses the index now; blocks for training and encoding while other threads keep
    /// searching and inserting. Call it from a background task.
    pub fn compress(&self, compression: Compression, loader: Option<VectorLoader>) -> Result<()> {
        match self {
            VectorIndex::Flat(index) => index.compress(compression, loader),
            VectorIndex::Hnsw(index) => index.compress(compression, loader),
        }
    }

    /// Whether a pending PQ/SQ setting has enough vectors to be trained.
    pub fn compression_due(&self) -> bool {
        match self {
            VectorIndex::Flat(index) => index.compression_due(),
            VectorIndex::Hnsw(index) => index.compression_due(),
        }
    }

    /// Trains and applies a pending setting if it is due; returns whether it did.
    pub fn compress_pending(&self) -> Result<bool> {
        match self {
            VectorIndex::Flat(index) => index.compress_pending(),
            VectorIndex::Hnsw(index) => index.compress_pending(),
        }
    }

    /// Whether searches run on codes.
    pub fn is_compressed(&self) -> bool {
        match self {
            VectorIndex::Flat(index) => index.is_compressed(),
            VectorIndex::Hnsw(index) => index.is_compressed(),
        }
    }

    /// The compression in effect or pending.
    pub fn compression_state(&self) -> CompressionState {
        match self {
            VectorIndex::Flat(index) => index.compression_state(),
            VectorIndex::Hnsw(index) => index.compression_state(),
        }
    }

    /// Bytes of codes and codebooks.
    pub fn compressed_bytes(&self) -> usize {
        match self {
            VectorIndex::Flat(index) => index.compressed_bytes(),
            VectorIndex::Hnsw(index) => index.compressed_bytes(),
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

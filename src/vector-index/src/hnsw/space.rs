//! What the graph algorithms measure distances in: a [`Space`] scores a prepared query against
//! a node and two nodes against each other.
//!
//! - [`Full`]: full-precision vectors from a [`Source`] (resident or cached) through the
//!   metric's SIMD kernel, as before compression existed;
//! - [`Coded`]: the nodes' codes through a [`Quantizer`]; the query is prepared once per
//!   operation (a PQ lookup table, or the query's own code).
//!
//! Searches, inserts and repairs are generic over the space and dispatched once per operation
//! ([`with_space!`](crate::hnsw)), so each space's loops are compiled on their own and an
//! uncompressed index runs exactly the code it ran before.

use std::ops::Deref;

use super::cache::Source;
use super::storage::Storage;
use crate::distance::DistanceFn;
use crate::quantization::{Quantizer, QueryCode};
use crate::topk::canonical;

/// Distances for the graph algorithms; dereferences to the storage for links and metadata.
pub(super) trait Space: Copy + Deref<Target = Storage> {
    /// True when every used node can be scored ([`Space::to`] never fails).
    const COMPLETE: bool;

    /// A query as this space scores it.
    type Query: ?Sized;

    /// Prepares the normalised query `raw`, using `buf` for whatever must be computed.
    fn prepare<'q>(&self, raw: &'q [f32], buf: &'q mut QueryCode) -> &'q Self::Query;

    /// The distance from `q` to `node`, `None` if the node cannot be scored.
    fn to(&self, q: &Self::Query, node: u32) -> Option<f32>;

    /// The distance between two nodes, `None` if either cannot be scored.
    fn between(&self, a: u32, b: u32) -> Option<f32>;

    /// Whether `node` can be scored.
    fn usable(&self, node: u32) -> bool;

    /// Hints the CPU to fetch what scoring `node` reads.
    fn prefetch(&self, node: u32);
}

/// Full-precision vectors.
#[derive(Clone, Copy)]
pub(super) struct Full<V> {
    src: V,
    kernel: DistanceFn,
}

impl<V: Source> Full<V> {
    #[inline]
    pub(super) fn new(src: V, kernel: DistanceFn) -> Self {
        Full { src, kernel }
    }
}

impl<V: Source> Deref for Full<V> {
    type Target = Storage;

    #[inline]
    fn deref(&self) -> &Storage {
        &self.src
    }
}

impl<V: Source> Space for Full<V> {
    const COMPLETE: bool = V::RESIDENT;
    type Query = [f32];

    #[inline]
    fn prepare<'q>(&self, raw: &'q [f32], _buf: &'q mut QueryCode) -> &'q [f32] {
        raw
    }

    #[inline]
    fn to(&self, q: &[f32], node: u32) -> Option<f32> {
        self.src
            .vector(node)
            .map(|v| canonical((self.kernel)(q, v)))
    }

    #[inline]
    fn between(&self, a: u32, b: u32) -> Option<f32> {
        let (x, y) = (self.src.vector(a)?, self.src.vector(b)?);
        Some(canonical((self.kernel)(x, y)))
    }

    #[inline]
    fn usable(&self, node: u32) -> bool {
        self.src.vector(node).is_some()
    }

    #[inline]
    fn prefetch(&self, node: u32) {
        self.src.prefetch(node);
    }
}

/// Codes of a compressed index.
#[derive(Clone, Copy)]
pub(super) struct Coded<'a> {
    st: &'a Storage,
    quantizer: &'a Quantizer,
}

impl<'a> Coded<'a> {
    #[inline]
    pub(super) fn new(st: &'a Storage, quantizer: &'a Quantizer) -> Self {
        Coded { st, quantizer }
    }
}

impl Deref for Coded<'_> {
    type Target = Storage;

    #[inline]
    fn deref(&self) -> &Storage {
        self.st
    }
}

impl Space for Coded<'_> {
    const COMPLETE: bool = true;
    type Query = QueryCode;

    fn prepare<'q>(&self, raw: &'q [f32], buf: &'q mut QueryCode) -> &'q QueryCode {
        self.quantizer.prepare(raw, buf);
        buf
    }

    #[inline]
    fn to(&self, q: &QueryCode, node: u32) -> Option<f32> {
        Some(canonical(self.quantizer.distance(q, self.st.code(node))))
    }

    #[inline]
    fn between(&self, a: u32, b: u32) -> Option<f32> {
        let (x, y) = (self.st.code(a), self.st.code(b));
        Some(canonical(self.quantizer.between(x, y)))
    }

    #[inline]
    fn usable(&self, _node: u32) -> bool {
        true
    }

    #[inline]
    fn prefetch(&self, node: u32) {
        self.st.prefetch_code(node);
    }
}

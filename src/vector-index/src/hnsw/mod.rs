//! A hierarchical navigable small world graph (Malkov & Yashunin), written for Shoal after
//! hnswlib's design and with Weaviate's parameters and behaviour.
//!
//! # Structure
//! - Internal node slots ([`storage`]) are separate from [`DocId`]s: a doc→node map and a
//!   node→doc array. An update inserts a new node and tombstones the old one, so searches never
//!   see a half-replaced vector.
//! - Layer-0 links are a flat array of `AtomicU32` (count + `2M` ids per node) read by searches
//!   without locks; writers hold a per-node lock (a one-byte `parking_lot::Mutex`, which also
//!   guards the node's upper-layer links). No operation ever holds two node locks.
//! - The entry point and top level are one `AtomicU64`; inserts that raise the top level
//!   serialise on `entry_lock`.
//! - The storage `RwLock` is taken shared by every search and insert (one uncontended atomic
//!   per operation) and exclusively only to grow the storage and, in a cleanup, as a barrier
//!   that waits out operations which might still hold links to the slots being freed.
//!
//! - `vectorCacheMaxObjects` ([`cache`]): a capped index keeps at most that many vectors in
//!   memory and reads the others through a loader; every operation picks the vector layout
//!   once, so the default (uncapped) code paths are those of a plain in-memory index.
//!
//! # Lock order
//! `storage` → `ids` or `entry_lock` → one node lock. `cleanup_lock` comes before all of them.

/// Runs `$body` with `$src` bound to the [`cache::Source`] of the storage `$st` (a guard or a
/// reference): the dispatch between the resident and the cached vector layouts, made once per
/// operation so that each layout's loops are compiled on their own.
macro_rules! with_source {
    ($st:expr, |$src:ident| $body:expr) => {{
        let storage: &$crate::hnsw::storage::Storage = &$st;
        match (storage.cache.as_ref(), storage.dropped.is_some()) {
            (None, false) => {
                let $src = $crate::hnsw::cache::Resident(storage);
                $body
            }
            (Some(cache), _) => {
                let $src = $crate::hnsw::cache::Cached::new(storage, cache);
                $body
            }
            (None, true) => {
                let $src = $crate::hnsw::cache::Absent(storage);
                $body
            }
        }
    }};
}

/// Runs `$body` with `$sp` bound to the [`space::Space`] the graph operations of `$index` use
/// on the storage `$st`: the codes once compressed, the vectors of [`with_source!`] before.
macro_rules! with_space {
    ($index:expr, $st:expr, |$sp:ident| $body:expr) => {{
        let storage: &$crate::hnsw::storage::Storage = &$st;
        match storage.quant.as_deref() {
            Some(quantizer) => {
                let $sp = $crate::hnsw::space::Coded::new(storage, quantizer);
                $body
            }
            None => with_source!(storage, |src| {
                let $sp = $crate::hnsw::space::Full::new(src, $index.kernel);
                $body
            }),
        }
    }};
}

mod cache;
mod cleanup;
mod compressed;
mod filtered;
mod insert;
mod params;
mod search;
mod snapshot;
mod space;
mod storage;
mod visited;

#[cfg(test)]
mod tests;

use std::fmt;
use std::mem::size_of;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use parking_lot::{Mutex, RwLock};
use types::schema::Distance;
use types::DocId;

use crate::distance::{self, DistanceFn};
use crate::error::{Error, Result};
use crate::topk::canonical;

pub use cache::{VectorCache, VectorLoader, UNCAPPED};
pub use params::HnswParams;

use storage::{Storage, NONE};
use visited::ScratchPool;

/// Highest level a node can get; with `M >= 2` reaching it needs about `2^24` times more nodes
/// than a `u32` can count.
const MAX_LEVEL: usize = 24;

/// The entry point word when the graph is empty.
const NO_ENTRY: u64 = u64::MAX;

/// An HNSW index over the vectors of one shard. `Send + Sync`; every method takes `&self`, and
/// inserts, removals, searches and cleanups may run concurrently.
pub struct HnswIndex {
    metric: Distance,
    kernel: DistanceFn,
    /// `M`, fixed at creation.
    m: usize,
    /// `efConstruction`, fixed at creation.
    ef_construction: usize,
    /// `1 / ln(M)`.
    level_mult: f64,
    params: RwLock<HnswParams>,
    storage: RwLock<Storage>,
    ids: RwLock<Ids>,
    /// `node << 32 | top level`, or [`NO_ENTRY`].
    entry: AtomicU64,
    entry_lock: Mutex<()>,
    /// Level generator state (splitmix64), seeded so single-threaded builds are reproducible.
    rng: AtomicU64,
    /// Number of tombstoned nodes not yet freed.
    tombstones: AtomicUsize,
    /// Bytes held by upper-layer link blocks.
    upper_bytes: AtomicUsize,
    scratch: ScratchPool,
    cleanup_lock: Mutex<()>,
    /// Snapshots being written: while any is, inserts take fresh slots instead of freed ones.
    snapshots: AtomicUsize,
    /// A compression asked for but not active yet (see [`compressed`]).
    pending: Mutex<Option<crate::quantization::Pending>>,
    /// Serialises compressions.
    compress_lock: Mutex<()>,
}

/// The doc↔node bookkeeping that changes on insert and remove.
#[derive(Default)]
struct Ids {
    /// The live node of each doc id ([`NONE`] if absent), indexed by doc id: ids are dense per
    /// shard, so this beats a hash map.
    doc_to_node: Vec<u32>,
    /// Slots freed by cleanups, reused first.
    free: Vec<u32>,
    /// Slots below this have been handed out at least once.
    next: u32,
    /// Docs with a live node.
    live: usize,
}

impl Ids {
    #[inline]
    fn node_of(&self, doc: DocId) -> Option<u32> {
        match self.doc_to_node.get(doc as usize) {
            Some(&node) if node != NONE => Some(node),
            _ => None,
        }
    }

    fn set(&mut self, doc: DocId, node: u32) {
        let i = doc as usize;
        if i >= self.doc_to_node.len() {
            self.doc_to_node.resize(i + 1, NONE);
        }
        self.doc_to_node[i] = node;
    }

    fn bytes(&self) -> usize {
        (self.doc_to_node.capacity() + self.free.capacity()) * size_of::<u32>()
    }
}

impl HnswIndex {
    /// An empty index ranking by `metric`; the dimension is fixed by the first insert.
    pub fn new(metric: Distance, params: HnswParams) -> Self {
        let m = params.m();
        HnswIndex {
            metric,
            kernel: distance::kernel(metric),
            m,
            ef_construction: params.ef_construction(),
            level_mult: 1.0 / (m as f64).ln(),
            params: RwLock::new(HnswParams {
                max_connections: m,
                ef_construction: params.ef_construction(),
                ..params
            }),
            storage: RwLock::new(Storage::new(m)),
            ids: RwLock::new(Ids::default()),
            entry: AtomicU64::new(NO_ENTRY),
            entry_lock: Mutex::new(()),
            rng: AtomicU64::new(0x05EE_D0F5_A0A1),
            tombstones: AtomicUsize::new(0),
            upper_bytes: AtomicUsize::new(0),
            scratch: ScratchPool::default(),
            cleanup_lock: Mutex::new(()),
            snapshots: AtomicUsize::new(0),
            pending: Mutex::new(None),
            compress_lock: Mutex::new(()),
        }
    }

    /// The metric the index ranks by.
    pub fn metric(&self) -> Distance {
        self.metric
    }

    /// The current parameters (`max_connections` and `ef_construction` as in effect).
    pub fn params(&self) -> HnswParams {
        *self.params.read()
    }

    /// Changes the mutable parameters (`ef`, `dynamic_ef_*`, `flat_search_cutoff`) at runtime;
    /// `max_connections` and `ef_construction` are fixed at creation and ignored here.
    pub fn set_params(&self, params: HnswParams) {
        let mut current = self.params.write();
        *current = HnswParams {
            max_connections: current.max_connections,
            ef_construction: current.ef_construction,
            ..params
        };
    }

    /// The vector length, once the first vector was inserted.
    pub fn dim(&self) -> Option<usize> {
        let dim = self.storage.read().dim;
        (dim > 0).then_some(dim)
    }

    /// The number of live (non-deleted) ids.
    pub fn len(&self) -> usize {
        self.ids.read().live
    }

    /// Whether no id is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `id` has a live vector.
    pub fn contains(&self, id: DocId) -> bool {
        self.ids.read().node_of(id).is_some()
    }

    /// Whether a vector of length `len` would be accepted by [`HnswIndex::insert`]; the same
    /// errors as the flat index.
    pub fn check_dimension(&self, len: usize) -> Result<()> {
        if len == 0 {
            return Err(Error::EmptyVector);
        }
        match self.dim() {
            Some(dim) if dim != len => Err(Error::DimensionMismatch {
                expected: dim,
                got: len,
            }),
            _ => Ok(()),
        }
    }

    /// Tombstoned nodes not yet freed by [`HnswIndex::cleanup`].
    pub fn tombstones(&self) -> usize {
        self.tombstones.load(Ordering::Relaxed)
    }

    /// Bytes of memory used: vectors, codes and codebooks, links, per-node metadata, the id
    /// maps and the pooled search scratch space.
    pub fn memory_bytes(&self) -> usize {
        let storage = self.storage.read().bytes();
        let ids = self.ids.read().bytes();
        size_of::<Self>()
            + storage
            + ids
            + self.upper_bytes.load(Ordering::Relaxed)
            + self.scratch.bytes()
    }

    /// The entry node and the top level, if the graph has a node.
    #[inline]
    fn entry(&self) -> Option<(u32, usize)> {
        let word = self.entry.load(Ordering::Acquire);
        (word != NO_ENTRY).then_some(((word >> 32) as u32, (word & 0xFFFF_FFFF) as usize))
    }

    fn set_entry(&self, entry: Option<(u32, usize)>) {
        let word = entry.map_or(NO_ENTRY, |(node, level)| {
            u64::from(node) << 32 | level as u64
        });
        self.entry.store(word, Ordering::Release);
    }

    /// The distance as ranked and reported.
    #[inline]
    fn dist(&self, a: &[f32], b: &[f32]) -> f32 {
        canonical((self.kernel)(a, b))
    }

    /// The distance from `q` to `node`, infinite when the node cannot be scored.
    #[inline]
    fn dist_to<S: space::Space>(&self, sp: S, q: &S::Query, node: u32) -> f32 {
        sp.to(q, node).unwrap_or(f32::INFINITY)
    }
}

impl fmt::Debug for HnswIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HnswIndex")
            .field("metric", &self.metric)
            .field("dim", &self.dim())
            .field("len", &self.len())
            .field("tombstones", &self.tombstones())
            .field("params", &self.params())
            .field("compression", &self.compression_state())
            .finish()
    }
}

//! `vectorCacheMaxObjects`: how many vectors a graph index holds in memory.
//!
//! # Two layouts, chosen outside the hot loops
//! - **Resident** (the default, and any cap of [`UNCAPPED`] or more, which no index of `u32`
//!   node ids can reach): every vector sits in the storage chunks, as before the cache existed.
//! - **Cached** (a smaller cap): each node slot holds a write-once cell with the node's vector
//!   or nothing. A missing vector is read through the [`VectorLoader`] the caller provides (the
//!   shard reads its vectors column family) and kept in the cell.
//!
//! Searches, inserts and cleanups are generic over a [`Source`] of vectors and are dispatched
//! once per operation ([`with_source!`](crate::hnsw)), so the resident code is monomorphic and
//! its inner loops have no cache branch: [`Resident::vector`] is always `Some` and the compiler
//! drops the `None` arms.
//!
//! # Soundness of cached vectors
//! A cell is a `OnceLock<Box<[f32]>>`: under the storage read lock it can only be set, never
//! changed or cleared, so a `&[f32]` borrowed from it stays valid for as long as the read guard
//! it was borrowed through. Cells are cleared (evicted, or their slot freed by a cleanup) only
//! through `&mut Storage`, i.e. under the storage write lock, when no operation can hold a
//! reference. The borrow checker enforces this; no `unsafe` is involved.
//!
//! # Eviction policy (bounded, unlike Weaviate's)
//! Weaviate counts cached vectors and, every few seconds, drops the whole cache if the count
//! reached the cap, so between two checks the cache may grow without bound. Here an operation
//! that leaves the count above the cap evicts as soon as it released its read lock, down to
//! [`LOW_WATERMARK`] of the cap, sweeping slots clock-wise and sparing upper-layer nodes and
//! tombstones (which cannot be reloaded) while it can. So whenever no operation runs, at most
//! `max` vectors are held; the slack is what the operations in flight loaded (an operation can
//! only evict once it holds no reference into the cache).
//!
//! # Missing vectors
//! Tombstones are never loaded: their id may already hold another vector. A live node whose
//! loader returns `None` (its object was deleted concurrently and is about to be removed), or
//! a vector of the wrong length or with non-finite components, is unusable for the operation:
//! searches skip it, and an entry point without a vector counts as infinitely far.

use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use types::DocId;

use types::schema::Distance;

use super::storage::{Cell, Storage, DELETED, USED};
use super::{HnswIndex, HnswParams};
use crate::distance;

/// Reads the stored vector of an id (as inserted, not normalised); `None` if there is none.
/// Called under the index's storage read lock: it must not call back into the index.
pub type VectorLoader = Arc<dyn Fn(DocId) -> Option<Vec<f32>> + Send + Sync>;

/// A cap at or above this binds nothing: an index addresses at most `u32::MAX` nodes. Such an
/// index keeps every vector resident. Weaviate's default, `1e12`, is above it.
pub const UNCAPPED: usize = u32::MAX as usize;

/// Eviction brings the count down to this share of the cap, so that one eviction (which
/// waits out every running operation) serves many loads.
const LOW_WATERMARK: (usize, usize) = (7, 8);

/// `vectorCacheMaxObjects` with the loader of vectors not in memory.
#[derive(Clone)]
pub struct VectorCache {
    /// At most this many vectors stay in memory; [`UNCAPPED`] or more keeps all.
    pub max_objects: usize,
    pub loader: VectorLoader,
}

impl fmt::Debug for VectorCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VectorCache")
            .field("max_objects", &self.max_objects)
            .finish_non_exhaustive()
    }
}

/// The state of the cached layout, inside [`Storage`].
pub(super) struct Cache {
    loader: VectorLoader,
    /// The cap; changed only under the storage write lock.
    pub(super) max: usize,
    /// Cells holding a vector.
    pub(super) count: AtomicUsize,
    /// Loaded vectors are normalised first (cosine stores unit vectors).
    cosine: bool,
    /// Where the next eviction sweep starts.
    hand: usize,
}

impl Cache {
    pub(super) fn new(config: VectorCache, cosine: bool) -> Self {
        Cache {
            loader: config.loader,
            max: config.max_objects,
            count: AtomicUsize::new(0),
            cosine,
            hand: 0,
        }
    }

    pub(super) fn configure(&mut self, config: VectorCache) {
        self.loader = config.loader;
        self.max = config.max_objects;
    }

    pub(super) fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// Whether the cache holds more than its cap.
    #[inline]
    pub(super) fn over(&self) -> bool {
        self.count() > self.max
    }

    /// Whether one more vector fits under the cap.
    pub(super) fn has_room(&self) -> bool {
        self.count() < self.max
    }

    /// The count eviction brings the cache down to.
    fn low_watermark(&self) -> usize {
        self.max / LOW_WATERMARK.1 * LOW_WATERMARK.0
            + self.max % LOW_WATERMARK.1 * LOW_WATERMARK.0 / LOW_WATERMARK.1
    }
}

/// Where searches, inserts and cleanups read vectors from; dereferences to the storage for
/// links and metadata.
pub(super) trait Source: Copy + Deref<Target = Storage> {
    /// True when every used slot's vector is in memory ([`Source::vector`] never fails).
    const RESIDENT: bool;

    /// The vector of `node` (normalised for cosine), or `None` if unusable (see the module
    /// docs).
    fn vector(&self, node: u32) -> Option<&[f32]>;

    /// Hints the CPU to fetch what [`Source::vector`] will read.
    fn prefetch(&self, node: u32);
}

/// Every vector in the storage chunks.
#[derive(Clone, Copy)]
pub(super) struct Resident<'a>(pub(super) &'a Storage);

impl Deref for Resident<'_> {
    type Target = Storage;

    #[inline]
    fn deref(&self) -> &Storage {
        self.0
    }
}

impl Source for Resident<'_> {
    const RESIDENT: bool = true;

    #[inline]
    fn vector(&self, node: u32) -> Option<&[f32]> {
        Some(self.0.resident_vector(node))
    }

    #[inline]
    fn prefetch(&self, node: u32) {
        self.0.prefetch_resident(node);
    }
}

/// No vectors at all: a compressed index that reads them through its loader for rescoring
/// only. Every vector is unusable here; graph operations of such an index use its codes.
#[derive(Clone, Copy)]
pub(super) struct Absent<'a>(pub(super) &'a Storage);

impl Deref for Absent<'_> {
    type Target = Storage;

    #[inline]
    fn deref(&self) -> &Storage {
        self.0
    }
}

impl Source for Absent<'_> {
    const RESIDENT: bool = false;

    #[inline]
    fn vector(&self, _node: u32) -> Option<&[f32]> {
        None
    }

    #[inline]
    fn prefetch(&self, _node: u32) {}
}

/// Vectors in write-once cells, loaded on a miss.
#[derive(Clone, Copy)]
pub(super) struct Cached<'a> {
    st: &'a Storage,
    cache: &'a Cache,
}

impl<'a> Cached<'a> {
    pub(super) fn new(st: &'a Storage, cache: &'a Cache) -> Self {
        Cached { st, cache }
    }

    /// Reads a live node's vector through the loader into its cell.
    #[cold]
    fn load(&self, node: u32, cell: &'a Cell) -> Option<&'a [f32]> {
        if self.st.flags(node) & (USED | DELETED) != USED {
            return None;
        }
        let mut vector = (self.cache.loader)(self.st.doc(node))?;
        if vector.len() != self.st.dim || vector.iter().any(|x| !x.is_finite()) {
            return None;
        }
        if self.cache.cosine {
            distance::normalize(&mut vector);
        }
        // Another search may have loaded it meanwhile; either copy is the same vector.
        if cell.set(vector.into_boxed_slice()).is_ok() {
            self.cache.count.fetch_add(1, Ordering::Relaxed);
        }
        cell.get().map(|v| &**v)
    }
}

impl Deref for Cached<'_> {
    type Target = Storage;

    #[inline]
    fn deref(&self) -> &Storage {
        self.st
    }
}

impl Source for Cached<'_> {
    const RESIDENT: bool = false;

    #[inline]
    fn vector(&self, node: u32) -> Option<&[f32]> {
        let cell = self.st.cell(node)?;
        match cell.get() {
            Some(vector) => Some(vector),
            None => self.load(node, cell),
        }
    }

    #[inline]
    fn prefetch(&self, node: u32) {
        self.st.prefetch_cell(node);
    }
}

impl HnswIndex {
    /// An empty index whose vectors in memory are capped by `cache` (see the [`cache`](self)
    /// module docs); [`UNCAPPED`] or more is [`HnswIndex::new`].
    pub fn with_vector_cache(metric: Distance, params: HnswParams, cache: VectorCache) -> Self {
        let mut index = HnswIndex::new(metric, params);
        if cache.max_objects < UNCAPPED {
            let cosine = metric == Distance::Cosine;
            index
                .storage
                .get_mut()
                .make_cached(Cache::new(cache, cosine));
        }
        index
    }

    /// Applies a new `vectorCacheMaxObjects` (and loader) at runtime. Lowering the cap of a
    /// resident index switches it to the cached layout, keeping as many vectors as fit;
    /// lowering a cached one evicts at once. Raising it to [`UNCAPPED`] loads the missing
    /// vectors (searches go on meanwhile) and returns to the resident layout, unless some
    /// vector cannot be loaded (a tombstone whose vector was evicted): then the index stays
    /// cached, with room for everything, until a restart.
    ///
    /// An index compressed with a loader keeps no vectors: the call changes nothing then.
    pub fn set_vector_cache(&self, cache: VectorCache) {
        let uncapped = cache.max_objects >= UNCAPPED;
        {
            let mut st = self.storage.write();
            if st.dropped.is_some() {
                return;
            }
            if let Some(current) = st.cache.as_mut() {
                current.configure(cache);
            } else if uncapped {
                return;
            } else {
                let cosine = self.metric == Distance::Cosine;
                st.make_cached(Cache::new(cache, cosine));
            }
            st.evict_if_over();
        }
        if uncapped {
            self.prefill();
            let mut st = self.storage.write();
            // Unless another call lowered the cap meanwhile.
            if st.cache.as_ref().is_some_and(|c| c.max >= UNCAPPED) {
                st.make_resident();
            }
        }
    }

    /// The cap in effect; `None` for a resident (uncapped) index.
    pub fn vector_cache_max_objects(&self) -> Option<usize> {
        self.storage.read().cache.as_ref().map(|c| c.max)
    }

    /// Vectors held in memory: every used slot's when resident, the cached ones otherwise, none
    /// once compressed with a loader.
    pub fn vectors_in_memory(&self) -> usize {
        let st = self.storage.read();
        if st.dropped.is_some() {
            return 0;
        }
        match &st.cache {
            Some(cache) => cache.count(),
            None => {
                let ids = self.ids.read();
                ids.next as usize - ids.free.len()
            }
        }
    }

    /// Evicts if an operation left the cache over its cap. Call without holding the storage
    /// lock.
    pub(super) fn evict_if_over(&self) {
        self.storage.write().evict_if_over();
    }

    /// Whether the operation that holds `st` should call [`HnswIndex::evict_if_over`] once it
    /// released it.
    #[inline]
    pub(super) fn over_cache(st: &Storage) -> bool {
        st.cache.as_ref().is_some_and(|c| c.over())
    }

    /// Loads every live node's vector into the cache.
    fn prefill(&self) {
        let st = self.storage.read();
        let next = self.ids.read().next;
        if let Some(cache) = &st.cache {
            let source = Cached::new(&st, cache);
            for node in 0..next {
                source.vector(node);
            }
        }
    }
}

impl Storage {
    /// Evicts cached vectors down to the low watermark if the cache is over its cap.
    pub(super) fn evict_if_over(&mut self) {
        let Some(cache) = &self.cache else {
            return;
        };
        if !cache.over() {
            return;
        }
        let (target, start) = (cache.low_watermark(), cache.hand);
        let slots = self.capacity();
        // Reloadable layer-0 nodes first, then upper-layer nodes (on every search's path),
        // then tombstones (which cannot be reloaded).
        for pass in 0..3 {
            for step in 0..slots {
                if self.cache_count() <= target {
                    self.set_hand((start + step) % slots.max(1));
                    return;
                }
                let node = ((start + step) % slots) as u32;
                if eviction_pass(self, node) <= pass {
                    self.forget_vector(node);
                }
            }
        }
    }

    fn cache_count(&self) -> usize {
        self.cache.as_ref().map_or(0, |c| c.count())
    }

    fn set_hand(&mut self, hand: usize) {
        if let Some(cache) = &mut self.cache {
            cache.hand = hand;
        }
    }

    /// Drops `node`'s cached vector, if any.
    pub(super) fn forget_vector(&mut self, node: u32) {
        let dropped = self.cell_mut(node).and_then(Cell::take).is_some();
        if let (true, Some(cache)) = (dropped, &self.cache) {
            cache.count.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// The first eviction pass that may evict `node`.
fn eviction_pass(st: &Storage, node: u32) -> usize {
    let flags = st.flags(node);
    if flags & DELETED != 0 {
        2
    } else if st.level(node) > 0 {
        1
    } else {
        0
    }
}

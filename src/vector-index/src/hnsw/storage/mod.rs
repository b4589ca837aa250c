//! Node storage: vectors, layer-0 links, upper-layer links and per-node metadata, in chunks
//! indexed by internal node id.
//!
//! # Layout
//! Node `n` lives in chunk `n >> shift` at offset `n & (chunk - 1)`, where a full chunk holds
//! `1 << shift` nodes. The shift is chosen per index when the first chunk is allocated (the
//! dimension is known by then): the most nodes, a power of two between [`MIN_CHUNK`] and
//! [`MAX_CHUNK`], whose bytes fit in [`CHUNK_BYTES`], so that the unused tail of the last chunk
//! stays small next to the index even for high-dimensional vectors. The first chunk starts
//! small (a tiny tenant should not cost megabytes) and doubles up to a full chunk; after that
//! full chunks are appended. Growth needs `&mut Storage`, i.e. the index's storage write lock,
//! so no reader ever sees memory move; searches and inserts run under the read lock.
//!
//! - vectors: `dim` floats per node, contiguous within a chunk;
//! - layer 0: `2M` `AtomicU32` ids per node, and an `AtomicU16` count in an array of its own
//!   (two bytes where a count word among the ids cost four). Readers load without locks;
//!   writers hold the node's lock, store ids before the count, all with release order, and
//!   readers load with acquire order, so a reader that sees an id also sees everything the
//!   node's inserter wrote before linking it (its vector above all);
//! - upper layers: a lock and a thin pointer per node ([`node`]), the block holding
//!   `level * (M + 1)` words, `[count, ids..]` per level from 1 up. The lock is also the node's
//!   lock for layer-0 writes.
//!
//! - cached vectors (a capped index, see [`super::cache`]): instead of the vectors above, one
//!   `OnceLock<Box<[f32]>>` cell per node, set at most once under the shared lock and cleared
//!   only through `&mut Storage`.
//! - codes (a compressed index, see [`super::compressed`]): `words` `u64`s per node. An index
//!   compressed with a loader keeps no vectors at all (neither of the two layouts above): its
//!   vectors are read back through the loader for rescoring only.
//!
//! # The one `unsafe` invariant
//! Resident vectors and codes sit in `UnsafeCell`s because inserts write them under the shared
//! lock. A
//! slot is written only while it is unreachable: right after allocation (before any link,
//! entry point or result can name it), or while being restored. It is read only once reachable.
//! Slot reuse after a cleanup waits for every operation that might still hold a stale link to
//! finish (the cleanup takes the storage write lock before it frees), so no read overlaps a
//! write. Cached vectors hold to the same rule without `unsafe`: a cell is written once while
//! shared (by the insert that allocated the slot, or by a search loading the vector of a
//! reachable node, which then no longer changes) and emptied only under the storage write
//! lock (eviction, slot freeing), when no reference into it can exist.

mod node;

use std::cell::UnsafeCell;
use std::mem::size_of;
use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU8, Ordering};
use std::sync::OnceLock;

use parking_lot::RawMutex;

use super::cache::{Cache, VectorLoader};
use crate::quantization::Quantizer;
use node::{unlocked, UpperSlot};

pub(super) use node::{set_upper_list, upper_list, NodeGuard, UpperBlock};

/// "No node" in links, maps and the entry point.
pub(super) const NONE: u32 = u32::MAX;
/// Flag: the slot holds a node.
pub(super) const USED: u8 = 1;
/// Flag: the node is a tombstone (traversed, never returned, freed by cleanup).
pub(super) const DELETED: u8 = 2;
/// Flag: the insert that allocated the node is still linking it. Such a node is never made the
/// entry point by a cleanup: its links are partial, and inserts descending from it would grow
/// an island the rest of the graph does not reach.
pub(super) const LINKING: u8 = 4;

/// Fewest nodes per full chunk.
const MIN_CHUNK: usize = 64;
/// Capacity of the first chunk, which then doubles up to a full chunk. Small: a node may hold
/// thousands of tenants' indexes of a few vectors each, and at 1,536 dimensions every empty
/// slot costs 6 KiB.
const FIRST_CHUNK: usize = 8;
/// Most nodes per full chunk.
const MAX_CHUNK: usize = 4096;
/// Target bytes per full chunk; a full chunk exceeds it only when [`MIN_CHUNK`] nodes do.
/// The last chunk's unused slots are paid per index, so the bound keeps them a few percent of
/// a 10,000-vector index while a chunk still spans hundreds of nodes.
const CHUNK_BYTES: usize = 1 << 18;

/// A cached vector: set at most once while shared, cleared only through `&mut`.
pub(super) type Cell = OnceLock<Box<[f32]>>;

/// Everything stored per node.
pub(super) struct Storage {
    /// Vector length; 0 until the first insert fixes it.
    pub(super) dim: usize,
    /// Upper-layer degree bound `M`.
    pub(super) m: usize,
    /// Layer-0 degree bound `2M`.
    pub(super) m0: usize,
    chunks: Vec<Chunk>,
    capacity: usize,
    /// log2 of the nodes per full chunk; fixed when the first chunk is allocated.
    shift: u32,
    /// `Some` in the cached layout: chunks hold cells instead of vectors.
    pub(super) cache: Option<Box<Cache>>,
    /// `Some` once compressed: graph operations score codes.
    pub(super) quant: Option<Box<Quantizer>>,
    /// Code words per node (0 when uncompressed).
    words: usize,
    /// `Some` when no vectors are kept (compressed with a loader): the loader reads them.
    pub(super) dropped: Option<VectorLoader>,
}

/// What a chunk holds per node besides links and metadata.
#[derive(Clone, Copy)]
struct Layout {
    /// Resident floats per node (0 in the cached and dropped layouts).
    floats: usize,
    /// Whether nodes have cache cells.
    cells: bool,
    /// Code words per node.
    words: usize,
}

struct Chunk {
    /// `dim` floats per node in the resident layout; empty in the cached one.
    vectors: Box<[Line]>,
    /// One cell per node in the cached layout; empty in the resident one.
    cells: Box<[Cell]>,
    /// `2M` layer-0 ids per node.
    links0: Box<[AtomicU32]>,
    /// How many of a node's layer-0 ids are in use.
    counts0: Box<[AtomicU16]>,
    docs: Box<[AtomicU32]>,
    flags: Box<[AtomicU8]>,
    levels: Box<[AtomicU8]>,
    locks: Box<[RawMutex]>,
    upper: Box<[UpperSlot]>,
    /// `words` code words per node in a compressed index; empty otherwise.
    codes: Box<[UnsafeCell<u64>]>,
}

// SAFETY: every field but `vectors`, `codes` and `upper` is Sync already. The first two are
// written only through `Storage::write_vector` and `Storage::put_code`, whose contracts (see
// the module docs) exclude concurrent reads and writes of the same slot, or through
// `&mut Storage`. An upper slot is touched only through a `NodeGuard` holding the node's lock,
// or through `&mut Storage`.
unsafe impl Sync for Chunk {}

/// Hints the CPU to fetch the cache line at `ptr` (a no-op off x86_64).
#[inline]
pub(super) fn prefetch<T>(ptr: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint; it never faults, whatever the address.
    #[allow(unused_unsafe)]
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(ptr.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = ptr;
}

/// Sixteen floats on a cache line of their own: vector chunks are built of these so that a
/// vector whose length is a multiple of 16 starts on a cache line, and no SIMD load of it
/// straddles two lines.
#[repr(C, align(64))]
pub(super) struct Line([UnsafeCell<f32>; 16]);

impl Line {
    fn zero() -> Line {
        Line(std::array::from_fn(|_| UnsafeCell::new(0.0)))
    }
}

/// Lines enough for `floats` floats.
fn lines_for(floats: usize) -> usize {
    floats.div_ceil(16)
}

/// The floats of a run of lines.
fn floats(lines: &[Line]) -> &[UnsafeCell<f32>] {
    // SAFETY: `Line` is `repr(C)` over 16 `UnsafeCell<f32>` with no padding (64 bytes), so
    // the lines are `16 * len` consecutive cells.
    unsafe {
        std::slice::from_raw_parts(lines.as_ptr().cast::<UnsafeCell<f32>>(), lines.len() * 16)
    }
}

fn filled<T>(len: usize, f: impl FnMut() -> T) -> Box<[T]> {
    std::iter::repeat_with(f).take(len).collect()
}

fn extended<T>(old: Box<[T]>, len: usize, f: impl FnMut() -> T) -> Box<[T]> {
    let mut v = old.into_vec();
    let extra = len - v.len();
    v.reserve_exact(extra);
    v.extend(std::iter::repeat_with(f).take(extra));
    v.into_boxed_slice()
}

impl Chunk {
    fn new(cap: usize, stride0: usize, layout: Layout) -> Self {
        Chunk {
            vectors: filled(lines_for(cap * layout.floats), Line::zero),
            cells: filled(if layout.cells { cap } else { 0 }, Cell::new),
            links0: filled(cap * stride0, || AtomicU32::new(0)),
            counts0: filled(cap, || AtomicU16::new(0)),
            docs: filled(cap, || AtomicU32::new(NONE)),
            flags: filled(cap, || AtomicU8::new(0)),
            levels: filled(cap, || AtomicU8::new(0)),
            locks: filled(cap, unlocked),
            upper: filled(cap, || UnsafeCell::new(None)),
            codes: filled(cap * layout.words, || UnsafeCell::new(0)),
        }
    }

    fn cap(&self) -> usize {
        self.docs.len()
    }

    fn grow(self, cap: usize, stride0: usize, layout: Layout) -> Self {
        let cells = if layout.cells { cap } else { 0 };
        Chunk {
            vectors: extended(self.vectors, lines_for(cap * layout.floats), Line::zero),
            cells: extended(self.cells, cells, Cell::new),
            links0: extended(self.links0, cap * stride0, || AtomicU32::new(0)),
            counts0: extended(self.counts0, cap, || AtomicU16::new(0)),
            docs: extended(self.docs, cap, || AtomicU32::new(NONE)),
            flags: extended(self.flags, cap, || AtomicU8::new(0)),
            levels: extended(self.levels, cap, || AtomicU8::new(0)),
            locks: extended(self.locks, cap, unlocked),
            upper: extended(self.upper, cap, || UnsafeCell::new(None)),
            codes: extended(self.codes, cap * layout.words, || UnsafeCell::new(0)),
        }
    }
}

/// Bytes one node costs in a chunk.
pub(super) fn node_bytes(dim: usize, m0: usize) -> usize {
    dim * size_of::<f32>()
        + m0 * size_of::<AtomicU32>()
        + size_of::<AtomicU16>()
        + size_of::<AtomicU32>()
        + 2 * size_of::<AtomicU8>()
        + size_of::<RawMutex>()
        + size_of::<UpperSlot>()
}

/// log2 of the nodes per full chunk for nodes of `node_bytes` bytes: the largest power of two
/// in `MIN_CHUNK..=MAX_CHUNK` whose chunk fits in `CHUNK_BYTES` (`MIN_CHUNK` if none does).
fn chunk_shift(node_bytes: usize) -> u32 {
    let fit = (CHUNK_BYTES / node_bytes.max(1)).clamp(MIN_CHUNK, MAX_CHUNK);
    fit.ilog2()
}

impl Storage {
    pub(super) fn new(m: usize) -> Self {
        Storage {
            dim: 0,
            m,
            m0: 2 * m,
            chunks: Vec::new(),
            capacity: 0,
            shift: MAX_CHUNK.ilog2(),
            cache: None,
            quant: None,
            words: 0,
            dropped: None,
        }
    }

    /// What new chunks hold per node.
    fn layout(&self) -> Layout {
        let kept = self.cache.is_none() && self.dropped.is_none();
        Layout {
            floats: if kept { self.dim } else { 0 },
            cells: self.cache.is_some(),
            words: self.words,
        }
    }

    /// Node slots allocated; every node id in use is below this.
    #[inline]
    pub(super) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Adds room for more nodes. The dimension must be set.
    pub(super) fn grow(&mut self) {
        debug_assert!(self.dim > 0);
        let stride0 = self.m0;
        let chunk = self.chunk();
        let layout = self.layout();
        match self.chunks.len() {
            0 => {
                let bytes = node_bytes(layout.floats, self.m0) + layout.words * 8;
                self.shift = chunk_shift(bytes);
                self.chunks.push(Chunk::new(FIRST_CHUNK, stride0, layout));
            }
            1 if self.chunks[0].cap() < chunk => {
                let first = self.chunks.pop().expect("one chunk");
                let cap = (first.cap() * 2).min(chunk);
                self.chunks.push(first.grow(cap, stride0, layout));
            }
            _ => self.chunks.push(Chunk::new(chunk, stride0, layout)),
        }
        self.capacity = self.chunks.iter().map(Chunk::cap).sum();
    }

    /// Bytes allocated for nodes (and their cached vectors and codes).
    pub(super) fn bytes(&self) -> usize {
        let nodes = match (&self.cache, &self.dropped) {
            (None, None) => self.capacity * node_bytes(self.dim, self.m0),
            (None, Some(_)) => self.capacity * node_bytes(0, self.m0),
            (Some(cache), _) => {
                self.capacity * (node_bytes(0, self.m0) + size_of::<Cell>())
                    + cache.count() * self.dim * size_of::<f32>()
            }
        };
        let codes = self.capacity * self.words * size_of::<u64>();
        let quantizer = self.quant.as_ref().map_or(0, |q| q.bytes());
        nodes + codes + quantizer + self.chunks.capacity() * size_of::<Chunk>()
    }

    /// Bytes of the codes and the quantizer alone.
    pub(super) fn code_bytes(&self) -> usize {
        let quantizer = self.quant.as_ref().map_or(0, |q| q.bytes());
        self.capacity * self.words * size_of::<u64>() + quantizer
    }

    /// The code of `node` in a compressed index (empty otherwise).
    #[inline]
    pub(super) fn code(&self, node: u32) -> &[u64] {
        let (chunk, i) = self.locate(node);
        let w = self.words;
        let cells = &chunk.codes[i * w..(i + 1) * w];
        // SAFETY: `UnsafeCell<u64>` has the layout of `u64`, and by the module invariant no
        // write to this slot overlaps the lifetime of the returned slice.
        unsafe { &*(cells as *const [UnsafeCell<u64>] as *const [u64]) }
    }

    /// Writes the code of a slot nobody else can reach.
    ///
    /// # Safety
    /// As [`Storage::write_vector`]; `code.len()` must be the code's word count.
    pub(super) unsafe fn put_code(&self, node: u32, code: &[u64]) {
        let (chunk, i) = self.locate(node);
        let w = self.words;
        for (cell, &x) in chunk.codes[i * w..(i + 1) * w].iter().zip(code) {
            // SAFETY: exclusive access to the slot per this function's contract.
            unsafe { *cell.get() = x };
        }
    }

    /// Switches to compressed operation: installs `quantizer` and the codes of the first
    /// `codes.len() / words` nodes (the rest start zeroed and are written by their inserts).
    pub(super) fn install_codes(&mut self, quantizer: Quantizer, codes: &[u64]) {
        let w = quantizer.code_words();
        let chunk = self.chunk();
        for (c, ch) in self.chunks.iter_mut().enumerate() {
            let first = c * chunk * w;
            let mut own: Vec<u64> = vec![0; ch.cap() * w];
            if let Some(src) = codes.get(first..) {
                let n = own.len().min(src.len());
                own[..n].copy_from_slice(&src[..n]);
            }
            ch.codes = own.into_iter().map(UnsafeCell::new).collect();
        }
        self.words = w;
        self.quant = Some(Box::new(quantizer));
    }

    /// Frees every vector held (resident or cached): from now on they are read through
    /// `loader`. Only for a compressed index, whose graph operations need no vectors.
    pub(super) fn drop_vectors(&mut self, loader: VectorLoader) {
        for ch in &mut self.chunks {
            ch.vectors = Box::default();
            ch.cells = Box::default();
        }
        self.cache = None;
        self.dropped = Some(loader);
    }

    /// Hints the CPU to fetch the start of `node`'s code.
    #[inline]
    pub(super) fn prefetch_code(&self, node: u32) {
        if (node as usize) < self.capacity {
            let (chunk, i) = self.locate(node);
            prefetch(chunk.codes.as_ptr().wrapping_add(i * self.words));
        }
    }

    /// Nodes per full chunk.
    #[inline]
    fn chunk(&self) -> usize {
        1 << self.shift
    }

    #[inline]
    fn locate(&self, node: u32) -> (&Chunk, usize) {
        let n = node as usize;
        (&self.chunks[n >> self.shift], n & (self.chunk() - 1))
    }

    /// The stored vector of `node` (normalised for cosine) in the resident layout.
    #[inline]
    pub(super) fn resident_vector(&self, node: u32) -> &[f32] {
        let (chunk, i) = self.locate(node);
        let cells = &floats(&chunk.vectors)[i * self.dim..(i + 1) * self.dim];
        // SAFETY: `UnsafeCell<f32>` has the layout of `f32`, and by the module invariant no
        // write to this slot overlaps the lifetime of the returned slice.
        unsafe { &*(cells as *const [UnsafeCell<f32>] as *const [f32]) }
    }

    /// Writes the vector of a slot nobody else can reach.
    ///
    /// # Safety
    /// No other thread may read or write this slot's vector during the call: the slot was just
    /// allocated (and is not yet linked, the entry point or a result), or the storage is being
    /// restored by a single thread. `vector.len()` must equal `dim`.
    pub(super) unsafe fn write_vector(&self, node: u32, vector: &[f32]) {
        let (chunk, i) = self.locate(node);
        let cells = &floats(&chunk.vectors)[i * self.dim..(i + 1) * self.dim];
        assert_eq!(cells.len(), vector.len());
        for (cell, &x) in cells.iter().zip(vector) {
            // SAFETY: exclusive access to the slot per this function's contract.
            unsafe { *cell.get() = x };
        }
    }

    /// `node`'s cell; `None` in the resident layout.
    #[inline]
    pub(super) fn cell(&self, node: u32) -> Option<&Cell> {
        let (chunk, i) = self.locate(node);
        chunk.cells.get(i)
    }

    pub(super) fn cell_mut(&mut self, node: u32) -> Option<&mut Cell> {
        let (n, mask) = (node as usize, self.chunk() - 1);
        self.chunks
            .get_mut(n >> self.shift)?
            .cells
            .get_mut(n & mask)
    }

    /// `node`'s vector if it is in memory (never loads).
    pub(super) fn stored_vector(&self, node: u32) -> Option<&[f32]> {
        if self.dropped.is_some() {
            return None;
        }
        match self.cache {
            None => Some(self.resident_vector(node)),
            Some(_) => self.cell(node)?.get().map(|v| &**v),
        }
    }

    /// Stores the vector of a slot nobody else can reach: written in the resident layout, kept
    /// in the cell in the cached one (only if the cache has room, unless `always`).
    ///
    /// # Safety
    /// As [`Storage::write_vector`].
    pub(super) unsafe fn put_vector(&self, node: u32, vector: &[f32], always: bool) {
        if self.dropped.is_some() {
            return;
        }
        let Some(cache) = &self.cache else {
            // SAFETY: per this function's contract.
            unsafe { self.write_vector(node, vector) };
            return;
        };
        if !always && !cache.has_room() {
            return;
        }
        let stored = self
            .cell(node)
            .is_some_and(|cell| cell.set(vector.into()).is_ok());
        if stored {
            cache.count.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Switches to the cached layout, keeping as many vectors as `cache.max` allows:
    /// tombstones (which cannot be reloaded) and upper-layer nodes first.
    pub(super) fn make_cached(&mut self, cache: Cache) {
        if self.cache.is_some() || self.dropped.is_some() {
            return;
        }
        let cells: Vec<Box<[Cell]>> = self
            .chunks
            .iter()
            .map(|c| filled(c.cap(), Cell::new))
            .collect();
        let mut kept = 0;
        for first in [true, false] {
            for node in 0..self.capacity as u32 {
                let flags = self.flags(node);
                let preferred = flags & DELETED != 0 || self.level(node) > 0;
                if kept >= cache.max || flags & USED == 0 || preferred != first {
                    continue;
                }
                let (n, mask) = (node as usize, self.chunk() - 1);
                let cell = &cells[n >> self.shift][n & mask];
                kept += usize::from(cell.set(self.resident_vector(node).into()).is_ok());
            }
        }
        for (chunk, cells) in self.chunks.iter_mut().zip(cells) {
            chunk.cells = cells;
            chunk.vectors = Box::default();
        }
        cache.count.store(kept, Ordering::Relaxed);
        self.cache = Some(Box::new(cache));
    }

    /// Switches back to the resident layout if every used slot's vector is cached; returns
    /// whether the storage is resident now.
    pub(super) fn make_resident(&mut self) -> bool {
        if self.dropped.is_some() {
            return false;
        }
        if self.cache.is_none() {
            return true;
        }
        let complete = (0..self.capacity as u32)
            .all(|n| self.flags(n) & USED == 0 || self.stored_vector(n).is_some());
        if !complete {
            return false;
        }
        let dim = self.dim;
        for chunk in &mut self.chunks {
            let vectors = filled(lines_for(chunk.cap() * dim), Line::zero);
            for (i, cell) in chunk.cells.iter().enumerate() {
                if let Some(v) = cell.get() {
                    let slot = &floats(&vectors)[i * dim..(i + 1) * dim];
                    for (to, &x) in slot.iter().zip(v.iter()) {
                        // SAFETY: `vectors` is not shared yet.
                        unsafe { *to.get() = x };
                    }
                }
            }
            chunk.vectors = vectors;
            chunk.cells = Box::default();
        }
        self.cache = None;
        true
    }

    /// Hints the CPU to fetch `node`'s cell.
    #[inline]
    pub(super) fn prefetch_cell(&self, node: u32) {
        if let Some(cell) = ((node as usize) < self.capacity)
            .then(|| self.cell(node))
            .flatten()
        {
            prefetch(cell as *const Cell);
        }
    }

    /// Hints the CPU to fetch the start of `node`'s resident vector.
    #[inline]
    pub(super) fn prefetch_resident(&self, node: u32) {
        if (node as usize) < self.capacity {
            let (chunk, i) = self.locate(node);
            let ptr = floats(&chunk.vectors).as_ptr().wrapping_add(i * self.dim);
            prefetch(ptr);
        }
    }

    /// Hints the CPU to fetch the start of `node`'s layer-0 links: hnswlib does this for the
    /// best candidate, which is the next node a layer search expands.
    #[inline]
    pub(super) fn prefetch_links0(&self, node: u32) {
        if (node as usize) < self.capacity {
            let (chunk, i) = self.locate(node);
            prefetch(chunk.links0.as_ptr().wrapping_add(i * self.m0));
            prefetch(chunk.counts0.as_ptr().wrapping_add(i));
        }
    }

    /// The layer-0 id words of `node` in use, their count loaded with acquire order; load each
    /// with acquire order too (see the module docs).
    #[inline]
    pub(super) fn links0(&self, node: u32) -> &[AtomicU32] {
        let (chunk, i) = self.locate(node);
        let count = usize::from(chunk.counts0[i].load(Ordering::Acquire)).min(self.m0);
        &chunk.links0[i * self.m0..i * self.m0 + count]
    }

    /// The layer-0 ids of `node` in use into `out` (cleared first).
    #[inline]
    fn links0_into(&self, node: u32, out: &mut Vec<u32>) {
        out.clear();
        out.extend(self.links0(node).iter().map(|w| w.load(Ordering::Acquire)));
    }

    /// Takes `node`'s lock, which guards its upper-layer links and its layer-0 writes.
    #[inline]
    pub(super) fn lock_node(&self, node: u32) -> NodeGuard<'_> {
        let (chunk, i) = self.locate(node);
        NodeGuard::lock(&chunk.locks[i], &chunk.upper[i])
    }

    #[inline]
    pub(super) fn doc(&self, node: u32) -> u32 {
        let (chunk, i) = self.locate(node);
        chunk.docs[i].load(Ordering::Relaxed)
    }

    #[inline]
    pub(super) fn set_doc(&self, node: u32, doc: u32) {
        let (chunk, i) = self.locate(node);
        chunk.docs[i].store(doc, Ordering::Release);
    }

    #[inline]
    pub(super) fn flags(&self, node: u32) -> u8 {
        let (chunk, i) = self.locate(node);
        chunk.flags[i].load(Ordering::Acquire)
    }

    #[inline]
    pub(super) fn set_flags(&self, node: u32, flags: u8) {
        let (chunk, i) = self.locate(node);
        chunk.flags[i].store(flags, Ordering::Release);
    }

    /// Clears `flag` of `node`, keeping the others.
    pub(super) fn clear_flag(&self, node: u32, flag: u8) {
        let (chunk, i) = self.locate(node);
        chunk.flags[i].fetch_and(!flag, Ordering::AcqRel);
    }

    /// Marks `node` deleted; returns whether it was live before.
    pub(super) fn mark_deleted(&self, node: u32) -> bool {
        let (chunk, i) = self.locate(node);
        let old = chunk.flags[i].fetch_or(DELETED, Ordering::AcqRel);
        old & (USED | DELETED) == USED
    }

    /// Whether `node` is a live node (used, not deleted).
    #[inline]
    pub(super) fn is_live(&self, node: u32) -> bool {
        self.flags(node) & (USED | DELETED) == USED
    }

    #[inline]
    pub(super) fn level(&self, node: u32) -> usize {
        let (chunk, i) = self.locate(node);
        usize::from(chunk.levels[i].load(Ordering::Acquire))
    }

    pub(super) fn set_level(&self, node: u32, level: u8) {
        let (chunk, i) = self.locate(node);
        chunk.levels[i].store(level, Ordering::Release);
    }

    /// Copies the links of `node` at `level` into `out` (cleared first). Layer 0 reads without
    /// a lock; upper layers take the node's lock for the copy.
    #[inline]
    pub(super) fn neighbors_into(&self, node: u32, level: usize, out: &mut Vec<u32>) {
        if level == 0 {
            self.links0_into(node, out);
        } else {
            out.clear();
            let upper = self.lock_node(node);
            if let Some(list) = upper_list(upper.as_deref(), level, self.m) {
                out.extend_from_slice(list);
            }
        }
    }

    /// Replaces the layer-0 links of `node`. The caller holds the node's lock.
    pub(super) fn write_links0(&self, node: u32, ids: &[u32]) {
        let (chunk, i) = self.locate(node);
        debug_assert!(ids.len() <= self.m0);
        for (word, &id) in chunk.links0[i * self.m0..(i + 1) * self.m0].iter().zip(ids) {
            word.store(id, Ordering::Release);
        }
        // At most `2 · MAX_CONNECTIONS_LIMIT`, which fits.
        chunk.counts0[i].store(ids.len() as u16, Ordering::Release);
    }
}

#[cfg(test)]
mod tests;

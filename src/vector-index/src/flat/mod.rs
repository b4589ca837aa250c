//! Exact (brute-force) search over vectors stored contiguously.
//!
//! Storage is one `Vec<f32>` of fixed-size slots, dense at all times: a removal moves the last
//! slot into the hole. A scan is therefore a linear walk through memory, which the prefetcher
//! handles well, and no tombstones ever need skipping.
//!
//! A compressed index ([`compressed`]) keeps a code per slot beside (or, given a loader,
//! instead of) the vectors, scans the codes and rescores the best candidates.

use std::borrow::Cow;
use std::fmt;

use parking_lot::{Mutex, RwLock};
use roaring::RoaringBitmap;
use types::schema::Distance;
use types::DocId;

use crate::distance::{self, DistanceFn};
use crate::error::{Error, Result};
use crate::quantization::{Pending, Quantizer};
use crate::topk::{canonical, TopK};
use crate::validate;
use crate::VectorLoader;

mod compressed;
#[cfg(test)]
mod tests;

/// Marks an id without a slot in [`Store::slots`].
const NO_SLOT: u32 = u32::MAX;

/// An exact vector index. All methods take `&self`: searches share a read lock, writes take the
/// write lock for the time of one vector copy.
///
/// For [`Distance::Cosine`] vectors are stored normalised, and the query is normalised once per
/// search; reported distances are still those of the original vectors (`1 - cos`).
pub struct FlatIndex {
    metric: Distance,
    kernel: DistanceFn,
    store: RwLock<Store>,
    /// A compression asked for but not active yet.
    pending: Mutex<Option<Pending>>,
    /// Serialises compressions.
    compress_lock: Mutex<()>,
}

/// The vectors and the two directions of the slot ↔ id mapping.
#[derive(Default)]
struct Store {
    /// Set by the first insert and kept from then on, even when the index empties.
    dim: Option<usize>,
    /// Slot `s` occupies `data[s * dim..(s + 1) * dim]`.
    data: Vec<f32>,
    /// The id held by each slot.
    ids: Vec<DocId>,
    /// The slot of each id, indexed by id ([`NO_SLOT`] if absent). Doc ids are dense per shard,
    /// so a vector beats a hash map here; it costs four bytes per id up to the largest one.
    slots: Vec<u32>,
    /// Once compressed: the quantizer; slot `s`'s code is `codes[s * words..(s + 1) * words]`.
    quant: Option<Box<Quantizer>>,
    codes: Vec<u64>,
    /// Set when compressed with a loader: `data` stays empty and vectors are read through it.
    dropped: Option<VectorLoader>,
    /// While a compression encodes: the ids written since it started.
    dirty: Option<Vec<DocId>>,
}

impl FlatIndex {
    /// An empty index for `metric`; the dimension is set by the first insert.
    pub fn new(metric: Distance) -> Self {
        FlatIndex {
            metric,
            kernel: distance::kernel(metric),
            store: RwLock::new(Store::default()),
            pending: Mutex::new(None),
            compress_lock: Mutex::new(()),
        }
    }

    /// The metric this index ranks by.
    pub fn metric(&self) -> Distance {
        self.metric
    }

    /// The vector length, once the first vector was inserted.
    pub fn dim(&self) -> Option<usize> {
        self.store.read().dim
    }

    /// The number of vectors.
    pub fn len(&self) -> usize {
        self.store.read().ids.len()
    }

    /// Whether the index holds no vector.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `id` has a vector.
    pub fn contains(&self, id: DocId) -> bool {
        self.store.read().slot_of(id).is_some()
    }

    /// Whether a vector of length `len` would be accepted, so that callers can validate before
    /// writing anything elsewhere. Reports an insert's error.
    pub fn check_dimension(&self, len: usize) -> Result<()> {
        if len == 0 {
            return Err(Error::EmptyVector);
        }
        self.store.read().check_insert(len)
    }

    /// Inserts the vector of `id`, replacing any previous one.
    ///
    /// Fails if the vector is empty, has a non-finite component, or its length differs from
    /// the index's dimension; the index is unchanged then.
    pub fn insert(&self, id: DocId, vector: &[f32]) -> Result<()> {
        validate::components(vector)?;
        let mut store = self.store.write();
        store.check_insert(vector.len())?;
        if store.dim.is_none() {
            self.activate_pending(&mut store, vector.len());
        }
        if store.quant.is_none() {
            let slot = store.upsert(id, vector, &[]);
            if self.metric == Distance::Cosine {
                // In place under the lock: one pass over `dim` floats, and no copy to allocate.
                distance::normalize(slot);
            }
            return Ok(());
        }
        let vector = self.prepare_query(vector);
        let code = store.encode(&vector);
        store.upsert(id, &vector, &code);
        Ok(())
    }

    /// Bytes of memory used by the vectors, codes and codebooks, and the id maps.
    pub fn memory_bytes(&self) -> usize {
        let store = self.store.read();
        std::mem::size_of::<Self>()
            + store.data.capacity() * std::mem::size_of::<f32>()
            + (store.ids.capacity() + store.slots.capacity()) * std::mem::size_of::<u32>()
            + store.code_bytes()
    }

    /// Removes the vector of `id`; returns whether there was one.
    pub fn remove(&self, id: DocId) -> bool {
        self.store.write().remove(id)
    }

    /// The `k` vectors closest to `query` as `(id, distance)`, closest first, ties broken by
    /// the smaller id. With `allow`, only ids in it are considered.
    ///
    /// An index that has never held a vector returns nothing; otherwise a query whose length
    /// differs from the dimension is an error, as are empty and non-finite queries.
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        allow: Option<&RoaringBitmap>,
    ) -> Result<Vec<(DocId, f32)>> {
        self.scan(query, k, f32::INFINITY, allow)
    }

    /// Every vector within `max_distance` of `query` (inclusive), closest first, at most
    /// `limit` of them; otherwise as [`FlatIndex::search`]. A NaN `max_distance` matches
    /// nothing.
    pub fn search_within(
        &self,
        query: &[f32],
        max_distance: f32,
        limit: usize,
        allow: Option<&RoaringBitmap>,
    ) -> Result<Vec<(DocId, f32)>> {
        self.scan(query, limit, max_distance, allow)
    }

    /// Up to `k` candidates with distance `<= max_distance`, ranked.
    fn scan(
        &self,
        query: &[f32],
        k: usize,
        max_distance: f32,
        allow: Option<&RoaringBitmap>,
    ) -> Result<Vec<(DocId, f32)>> {
        validate::components(query)?;
        let query = self.prepare_query(query);
        let store = self.store.read();
        let Some(dim) = store.dim else {
            return Ok(Vec::new());
        };
        if query.len() != dim {
            return Err(Error::QueryDimensionMismatch {
                expected: dim,
                got: query.len(),
            });
        }
        let query: &[f32] = &query;
        if let Some(quant) = &store.quant {
            return Ok(self.scan_compressed(&store, quant, query, k, max_distance, allow));
        }
        let candidates = allow.map_or(store.len(), |a| store.len().min(len_of(a)));
        let k = k.min(candidates);
        if k == 0 {
            return Ok(Vec::new());
        }
        let mut top = TopK::new(k);
        let mut offer = |id: DocId, vector: &[f32]| {
            let d = canonical((self.kernel)(query, vector));
            if d <= max_distance {
                top.push(d, id);
            }
        };
        match allow {
            None => store.for_each(&mut offer),
            // A small allow-list is cheaper to walk than the whole index, and each of its ids
            // costs one array lookup instead of a bitmap probe per slot.
            Some(allow) if len_of(allow) <= store.len() => {
                for id in allow {
                    if let Some(slot) = store.slot_of(id) {
                        offer(id, store.vector(slot, dim));
                    }
                }
            }
            Some(allow) => store.for_each(|id, vector| {
                if allow.contains(id) {
                    offer(id, vector);
                }
            }),
        }
        Ok(top.into_sorted())
    }

    /// The query as the kernel expects it: normalised for cosine.
    fn prepare_query<'q>(&self, query: &'q [f32]) -> Cow<'q, [f32]> {
        if self.metric == Distance::Cosine {
            let mut normalised = query.to_vec();
            distance::normalize(&mut normalised);
            Cow::Owned(normalised)
        } else {
            Cow::Borrowed(query)
        }
    }
}

/// A bitmap's cardinality as `usize`, saturating where `usize` is narrower than `u64`.
fn len_of(bitmap: &RoaringBitmap) -> usize {
    usize::try_from(bitmap.len()).unwrap_or(usize::MAX)
}

impl fmt::Debug for FlatIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let store = self.store.read();
        f.debug_struct("FlatIndex")
            .field("metric", &self.metric)
            .field("dim", &store.dim)
            .field("len", &store.len())
            .field("compressed", &store.quant.as_ref().map(|q| q.params()))
            .finish()
    }
}

impl Store {
    fn len(&self) -> usize {
        self.ids.len()
    }

    fn slot_of(&self, id: DocId) -> Option<usize> {
        match self.slots.get(id as usize) {
            Some(&slot) if slot != NO_SLOT => Some(slot as usize),
            _ => None,
        }
    }

    fn vector(&self, slot: usize, dim: usize) -> &[f32] {
        &self.data[slot * dim..(slot + 1) * dim]
    }

    /// Calls `f` with every id and its vector, in slot order.
    fn for_each(&self, mut f: impl FnMut(DocId, &[f32])) {
        if let Some(dim) = self.dim {
            for (vector, &id) in self.data.chunks_exact(dim).zip(&self.ids) {
                f(id, vector);
            }
        }
    }

    fn check_insert(&self, len: usize) -> Result<()> {
        match self.dim {
            Some(dim) if dim != len => Err(Error::DimensionMismatch {
                expected: dim,
                got: len,
            }),
            _ => Ok(()),
        }
    }

    /// Writes `vector` (and `code`, once compressed) into the slot of `id`, appending a slot
    /// if `id` is new, and returns the slot's vector for post-processing (empty when vectors
    /// are not kept). The length must have passed [`Store::check_insert`].
    fn upsert(&mut self, id: DocId, vector: &[f32], code: &[u64]) -> &mut [f32] {
        let dim = *self.dim.get_or_insert(vector.len());
        if let Some(dirty) = &mut self.dirty {
            dirty.push(id);
        }
        let slot = match self.slot_of(id) {
            Some(slot) => {
                if self.dropped.is_none() {
                    self.data[slot * dim..(slot + 1) * dim].copy_from_slice(vector);
                }
                let w = code.len();
                self.codes[slot * w..(slot + 1) * w].copy_from_slice(code);
                slot
            }
            None => self.append(id, vector, code),
        };
        if self.dropped.is_some() {
            return &mut [];
        }
        &mut self.data[slot * dim..(slot + 1) * dim]
    }

    /// Adds a slot holding `vector` and `code` for the new `id` and returns it.
    fn append(&mut self, id: DocId, vector: &[f32], code: &[u64]) -> usize {
        let slot = self.ids.len();
        // Ids are u32 and distinct, so slots stay below u32::MAX = NO_SLOT unless every
        // possible id were present.
        debug_assert!(slot < NO_SLOT as usize);
        let index = id as usize;
        if index >= self.slots.len() {
            self.slots.resize(index + 1, NO_SLOT);
        }
        self.slots[index] = slot as u32;
        self.ids.push(id);
        if self.dropped.is_none() {
            self.data.extend_from_slice(vector);
        }
        self.codes.extend_from_slice(code);
        slot
    }

    /// Frees the slot of `id` by moving the last slot into it.
    fn remove(&mut self, id: DocId) -> bool {
        let (Some(slot), Some(dim)) = (self.slot_of(id), self.dim) else {
            return false;
        };
        if let Some(dirty) = &mut self.dirty {
            dirty.push(id);
        }
        let last = self.ids.len() - 1;
        let w = self.words();
        if slot != last {
            if self.dropped.is_none() {
                self.data
                    .copy_within(last * dim..(last + 1) * dim, slot * dim);
            }
            self.codes.copy_within(last * w..(last + 1) * w, slot * w);
            let moved = self.ids[last];
            self.ids[slot] = moved;
            self.slots[moved as usize] = slot as u32;
        }
        self.ids.truncate(last);
        self.data.truncate(last * dim);
        self.codes.truncate(last * w);
        self.slots[id as usize] = NO_SLOT;
        true
    }
}

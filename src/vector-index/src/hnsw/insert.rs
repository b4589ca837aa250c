//! Inserting: allocation of a node slot, level choice, the layer-by-layer search for
//! neighbours, hnswlib's neighbour selection heuristic and the reverse links.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use parking_lot::Mutex;
use types::schema::Distance;
use types::DocId;

use super::space::Space;
use super::storage::{set_upper_list, upper_list, Storage, UpperBlock, LINKING, USED};
use super::visited::Scratch;
use super::{HnswIndex, MAX_LEVEL};
use crate::distance;
use crate::error::{Error, Result};
use crate::topk::{decode, encode};
use crate::validate;

/// Below this many items a batch is inserted on the calling thread.
const PARALLEL_BATCH_MIN: usize = 256;

impl HnswIndex {
    /// Inserts the vector of `id`; an existing id is replaced (its old node tombstoned and a
    /// new node inserted). Thread-safe. Fails, changing nothing, if the vector is empty, has a
    /// non-finite component or its length differs from the index's dimension.
    pub fn insert(&self, id: DocId, vector: &[f32]) -> Result<()> {
        validate::components(vector)?;
        let mut scratch = self.scratch.get();
        self.insert_valid(id, vector, &mut scratch)
    }

    /// Inserts many vectors using all available cores. Every vector is validated before any
    /// is inserted; when an id occurs more than once the last occurrence wins.
    pub fn insert_batch(&self, items: &[(DocId, Vec<f32>)]) -> Result<()> {
        let Some((_, first)) = items.first() else {
            return Ok(());
        };
        let dim = self.dim().unwrap_or(first.len());
        for (_, vector) in items {
            validate::components(vector)?;
            if vector.len() != dim {
                return Err(Error::DimensionMismatch {
                    expected: dim,
                    got: vector.len(),
                });
            }
        }
        let order = last_occurrences(items);
        let threads = thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(order.len() / (PARALLEL_BATCH_MIN / 4))
            .max(1);
        if threads == 1 || order.len() < PARALLEL_BATCH_MIN {
            let mut scratch = self.scratch.get();
            for &i in &order {
                let (id, vector) = &items[i];
                self.insert_valid(*id, vector, &mut scratch)?;
            }
            return Ok(());
        }
        let next = AtomicUsize::new(0);
        let failure = Mutex::new(None);
        thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    let mut scratch = self.scratch.get();
                    loop {
                        let at = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = order.get(at) else { break };
                        let (id, vector) = &items[i];
                        if let Err(err) = self.insert_valid(*id, vector, &mut scratch) {
                            failure.lock().get_or_insert(err);
                            break;
                        }
                    }
                });
            }
        });
        failure.into_inner().map_or(Ok(()), Err)
    }

    /// Inserts a vector whose components passed validation.
    pub(super) fn insert_valid(&self, id: DocId, vector: &[f32], s: &mut Scratch) -> Result<()> {
        s.query.clear();
        s.query.extend_from_slice(vector);
        if self.metric == Distance::Cosine {
            distance::normalize(&mut s.query);
        }
        let level = self.random_level();
        loop {
            let st = self.storage.read();
            if st.dim != vector.len() {
                if st.dim != 0 {
                    return Err(Error::DimensionMismatch {
                        expected: st.dim,
                        got: vector.len(),
                    });
                }
                drop(st);
                let mut st = self.storage.write();
                if st.dim == 0 {
                    st.dim = vector.len();
                    self.activate_pending(&mut st);
                }
                continue;
            }
            if let Some(quant) = &st.quant {
                s.code.resize(quant.code_words(), 0);
                quant.encode(&s.query, &mut s.code, &mut s.rotated);
            }
            let Some(node) = self.allocate(&st, id, level, s) else {
                drop(st);
                self.grow();
                continue;
            };
            let (raw, mut prepared) = (
                std::mem::take(&mut s.query),
                std::mem::take(&mut s.prepared),
            );
            with_space!(self, st, |sp| {
                let q = sp.prepare(&raw, &mut prepared);
                self.link(sp, q, node, level, s);
            });
            (s.query, s.prepared) = (raw, prepared);
            let over = Self::over_cache(&st);
            drop(st);
            if over {
                self.evict_if_over();
            }
            return Ok(());
        }
    }

    /// Makes room for at least one more node.
    fn grow(&self) {
        let mut st = self.storage.write();
        let ids = self.ids.read();
        let reuse = self.snapshots.load(Ordering::Acquire) == 0;
        if (ids.free.is_empty() || !reuse) && ids.next as usize >= st.capacity() {
            st.grow();
        }
    }

    /// Takes a free slot for `doc`, writes its vector (from `s.query`) and metadata, points the
    /// doc at it and tombstones the doc's previous node. `None` when the storage is full.
    fn allocate(&self, st: &Storage, doc: DocId, level: usize, s: &Scratch) -> Option<u32> {
        let mut ids = self.ids.write();
        // A snapshot being written holds the slots handed out when it started: reusing one
        // could write a doc live twice.
        let reuse = self.snapshots.load(Ordering::Acquire) == 0;
        let freed = if reuse { ids.free.pop() } else { None };
        let node = match freed {
            Some(node) => node,
            None if (ids.next as usize) < st.capacity() => {
                ids.next += 1;
                ids.next - 1
            }
            None => return None,
        };
        // The slot is unreachable: a fresh one was never linked, and a freed one was unlinked
        // and freed under the storage write lock, after which this read lock was taken.
        // SAFETY: so nobody else reads or writes its vector now; the length is `dim`. A
        // capped index keeps it even over the cap: the insert is about to need it.
        unsafe { st.put_vector(node, &s.query, true) };
        if st.quant.is_some() {
            // SAFETY: as above; `s.code` was encoded for this storage's quantizer.
            unsafe { st.put_code(node, &s.code) };
        }
        st.write_links0(node, &[]);
        if level > 0 {
            let words = level * (self.m + 1);
            *st.lock_node(node) = Some(UpperBlock::zeroed(words));
            self.upper_bytes
                .fetch_add(UpperBlock::bytes_for(words), Ordering::Relaxed);
        }
        st.set_level(node, level as u8);
        st.set_doc(node, doc);
        st.set_flags(node, USED | LINKING);
        match ids.node_of(doc) {
            Some(old) => {
                if st.mark_deleted(old) {
                    self.tombstones.fetch_add(1, Ordering::Relaxed);
                }
            }
            None => ids.live += 1,
        }
        ids.set(doc, node);
        Some(node)
    }

    /// A level drawn as `floor(-ln(U) / ln(M))`.
    fn random_level(&self) -> usize {
        let x = splitmix64(self.rng.fetch_add(GOLDEN_GAMMA, Ordering::Relaxed));
        // U in (0, 1].
        let u = ((x >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
        ((-u.ln() * self.level_mult) as usize).min(MAX_LEVEL)
    }

    /// Links a freshly allocated node (prepared as the query `q`) into the graph, then clears
    /// its [`LINKING`] flag and settles the entry point.
    fn link<S: Space>(&self, st: S, q: &S::Query, node: u32, level: usize, s: &mut Scratch) {
        let mut entry = self.entry();
        let mut top_guard = None;
        if entry.is_none_or(|(_, top)| level > top) {
            top_guard = Some(self.entry_lock.lock());
            entry = self.entry();
        }
        let linked = entry.is_some_and(|entry| self.link_layers(st, q, node, level, entry, s));
        st.clear_flag(node, LINKING);
        // A node above layer 0 settles under the lock: a cleanup looking for a new entry point
        // while this node was linking passed over it and may have lowered the top level below
        // it. The flag is cleared before the lock is taken, so either that cleanup's choice
        // is seen here or this node was one of its candidates.
        let _guard = match top_guard {
            Some(guard) => guard,
            None if linked && level == 0 && self.entry().is_some() => return,
            None => self.entry_lock.lock(),
        };
        // A node above the top level becomes the entry point. So does one that found no live
        // node to link to while the entry point is a tombstone, promoted to the top level, so
        // that it and later inserts are reachable.
        match self.entry() {
            Some((_, top)) if level > top => self.set_entry(Some((node, level))),
            Some((ep, top)) if !linked && !st.is_live(ep) => {
                self.promote(&st, node, level, top);
                self.set_entry(Some((node, top)));
            }
            None => self.set_entry(Some((node, level))),
            Some(_) => {}
        }
    }

    /// Descends from `entry` and connects `node` (vector `q`) on each of its layers the graph
    /// has. Returns whether it found a live node to link to on layer 0.
    fn link_layers<S: Space>(
        &self,
        st: S,
        q: &S::Query,
        node: u32,
        level: usize,
        (ep, top): (u32, usize),
        s: &mut Scratch,
    ) -> bool {
        let mut cur = (ep, self.dist_to(st, q, ep));
        for lev in (level + 1..=top).rev() {
            self.greedy(st, q, &mut cur, lev, &mut s.links);
        }
        let mut linked = false;
        let accept = |n| n != node && st.is_live(n);
        for lev in (0..=level.min(top)).rev() {
            let ef = self.ef_construction;
            self.search_layer(st, q, cur, ef, lev, accept, true, s);
            if lev == 0 && s.sorted.is_empty() && cur.0 != ep {
                // The descent can end on a node another insert has linked on the upper layers
                // but not yet on layer 0 (inserts link from the top down), deleted meanwhile:
                // an island without a live node. The entry point's layer 0 is the graph.
                let from_entry = (ep, self.dist_to(st, q, ep));
                self.search_layer(st, q, from_entry, ef, 0, accept, true, s);
            }
            let Some(&closest) = s.sorted.first() else {
                continue;
            };
            linked |= lev == 0;
            cur = decode(closest);
            let mut selected = std::mem::take(&mut s.selected);
            self.select_heuristic(st, &s.sorted, self.m, &mut selected);
            self.set_own_links(st, node, lev, &selected, s);
            for &neighbor in &selected {
                self.add_link(st, neighbor, node, lev, s);
            }
            s.selected = selected;
        }
        linked
    }

    /// Raises `node` from `level` to `top` (no links on the new levels). The caller holds the
    /// entry lock; the node is not reachable on those levels yet.
    fn promote(&self, st: &Storage, node: u32, level: usize, top: usize) {
        if top <= level {
            return;
        }
        let words = top * (self.m + 1);
        let mut upper = st.lock_node(node);
        let mut block = vec![0; words];
        if let Some(old) = upper.as_deref() {
            block[..old.len()].copy_from_slice(old);
            self.upper_bytes
                .fetch_sub(UpperBlock::bytes_for(old.len()), Ordering::Relaxed);
        }
        self.upper_bytes
            .fetch_add(UpperBlock::bytes_for(words), Ordering::Relaxed);
        *upper = Some(UpperBlock::from(block));
        st.set_level(node, top as u8);
    }

    /// The degree bound of `level`.
    #[inline]
    pub(super) fn max_links(&self, level: usize) -> usize {
        if level == 0 {
            2 * self.m
        } else {
            self.m
        }
    }

    /// hnswlib's `getNeighborsByHeuristic2`: walks `sorted` (ascending keys of candidates
    /// relative to a base point) and keeps a candidate unless an already kept one is closer to
    /// it than the base point is. Fewer than `m` candidates are all kept.
    pub(super) fn select_heuristic<S: Space>(
        &self,
        st: S,
        sorted: &[u64],
        m: usize,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        if sorted.len() < m {
            out.extend(sorted.iter().map(|&key| decode(key).0));
            return;
        }
        for &key in sorted {
            if out.len() >= m {
                break;
            }
            let (candidate, d) = decode(key);
            if !st.usable(candidate) {
                continue;
            }
            let closer = |&kept: &u32| st.between(candidate, kept).is_some_and(|e| e < d);
            if !out.iter().any(closer) {
                out.push(candidate);
            }
        }
    }

    /// Sets the links of the new `node` at `level`, merging with links other inserts may
    /// already have added to it (pruned by the heuristic when over the bound).
    fn set_own_links<S: Space>(
        &self,
        st: S,
        node: u32,
        level: usize,
        selected: &[u32],
        s: &mut Scratch,
    ) {
        let mut upper = st.lock_node(node);
        s.links.clear();
        if level == 0 {
            st.neighbors_into(node, 0, &mut s.links);
        } else if let Some(list) = upper_list(upper.as_deref(), level, self.m) {
            s.links.extend_from_slice(list);
        }
        for &id in selected {
            if !s.links.contains(&id) {
                s.links.push(id);
            }
        }
        let bound = self.max_links(level);
        if s.links.len() > bound {
            self.prune(st, node, bound, s);
        }
        if level == 0 {
            st.write_links0(node, &s.links);
        } else if let Some(block) = upper.as_deref_mut() {
            set_upper_list(block, level, self.m, &s.links);
        }
    }

    /// Adds `new` to the links of `node` at `level`, pruning by the heuristic when full.
    pub(super) fn add_link<S: Space>(
        &self,
        st: S,
        node: u32,
        new: u32,
        level: usize,
        s: &mut Scratch,
    ) {
        let mut upper = st.lock_node(node);
        s.links.clear();
        if level == 0 {
            st.neighbors_into(node, 0, &mut s.links);
        } else {
            match upper_list(upper.as_deref(), level, self.m) {
                Some(list) => s.links.extend_from_slice(list),
                // Cannot happen while the slot is in use at this level; nothing to link.
                None => return,
            }
        }
        if s.links.contains(&new) {
            return;
        }
        s.links.push(new);
        let bound = self.max_links(level);
        if s.links.len() > bound {
            self.prune(st, node, bound, s);
        }
        if level == 0 {
            st.write_links0(node, &s.links);
        } else if let Some(block) = upper.as_deref_mut() {
            set_upper_list(block, level, self.m, &s.links);
        }
    }

    /// Replaces `s.links` (candidates for `node`'s list, more than `bound`) by the heuristic's
    /// choice of `bound`. Links to tombstones go first: they are about to be cleaned up, and
    /// the heuristic would otherwise prefer an old tombstoned copy of a vector over its live
    /// replacement at the same place, leaving the replacement without a way in.
    ///
    /// Without a usable vector of `node` (capped index, object deleted meanwhile) nothing can
    /// be ranked and the first `bound` links stay; links without a usable vector go.
    pub(super) fn prune<S: Space>(&self, st: S, node: u32, bound: usize, s: &mut Scratch) {
        s.links.retain(|&id| st.is_live(id));
        if s.links.len() <= bound {
            return;
        }
        if !st.usable(node) {
            s.links.truncate(bound);
            return;
        }
        s.keys.clear();
        s.keys.extend(
            s.links
                .iter()
                .filter_map(|&id| Some(encode(st.between(node, id)?, id))),
        );
        s.keys.sort_unstable();
        self.select_heuristic(st, &s.keys, bound, &mut s.kept);
        s.links.clear();
        s.links.extend_from_slice(&s.kept);
    }
}

/// The indexes of `items` to insert: each id's last occurrence, in batch order.
fn last_occurrences(items: &[(DocId, Vec<f32>)]) -> Vec<usize> {
    let mut seen = HashSet::with_capacity(items.len());
    let mut order: Vec<usize> = (0..items.len())
        .rev()
        .filter(|&i| seen.insert(items[i].0))
        .collect();
    order.reverse();
    order
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The splitmix64 output function.
pub(super) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(GOLDEN_GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

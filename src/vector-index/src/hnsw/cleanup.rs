//! Removal and the cleanup of tombstones.
//!
//! `remove` only marks a node deleted: searches still traverse it (it keeps the graph
//! connected) but never return it, and inserts never link to it. `cleanup` then, safely while
//! searches and inserts continue:
//! 1. collects the tombstones `T` and waits out (storage write lock) every operation that
//!    began before — afterwards no insert can link to a node of `T` any more, and the links of
//!    `T`'s nodes themselves no longer change;
//! 2. repairs every other node that links to `T`: its links at that layer are re-selected by
//!    the heuristic among its remaining links plus the links of its deleted neighbours;
//! 3. moves the entry point off `T` if needed (to a remaining node of the highest level);
//! 4. waits out (storage write lock again) every operation that might still hold a link into
//!    `T` and, under that lock, frees the slots for reuse.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;

use types::DocId;

use super::space::Space;
use super::storage::{
    set_upper_list, upper_list, Storage, UpperBlock, DELETED, LINKING, NONE, USED,
};
use super::visited::Scratch;
use super::HnswIndex;
use crate::topk::{decode, encode};

/// Nodes repaired per hold of the storage read lock, so that growth is not held up for long.
const REPAIR_BATCH: u32 = 1024;

/// The tombstones of one cleanup.
pub(super) struct Dead {
    nodes: Vec<u32>,
    bits: Vec<u64>,
    /// Each dead node's links per layer (index 0 = layer 0), read once they stopped changing.
    links: HashMap<u32, Vec<Vec<u32>>>,
}

impl Dead {
    pub(super) fn new(nodes: Vec<u32>, slots: usize) -> Self {
        let mut bits = vec![0u64; slots.div_ceil(64)];
        for &n in &nodes {
            bits[n as usize / 64] |= 1 << (n % 64);
        }
        Dead {
            nodes,
            bits,
            links: HashMap::new(),
        }
    }

    #[inline]
    pub(super) fn contains(&self, node: u32) -> bool {
        self.bits
            .get(node as usize / 64)
            .is_some_and(|word| word & (1 << (node % 64)) != 0)
    }

    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }
}

impl HnswIndex {
    /// Tombstones the node of `id`: it is excluded from results at once and freed by the next
    /// [`HnswIndex::cleanup`]. Returns whether `id` had a live vector.
    pub fn remove(&self, id: DocId) -> bool {
        let st = self.storage.read();
        let mut ids = self.ids.write();
        let Some(node) = ids.node_of(id) else {
            return false;
        };
        ids.doc_to_node[id as usize] = NONE;
        ids.live -= 1;
        if st.mark_deleted(node) {
            self.tombstones.fetch_add(1, Ordering::Relaxed);
        }
        true
    }

    /// Reconnects the neighbours of tombstoned nodes and frees their slots for reuse by later
    /// inserts. Safe to run while searches and inserts continue (concurrent cleanups run one
    /// after the other). Returns how many nodes were freed.
    pub fn cleanup(&self) -> usize {
        let _one_at_a_time = self.cleanup_lock.lock();
        let mut dead = {
            let st = self.storage.read();
            let next = self.ids.read().next;
            let nodes = (0..next)
                .filter(|&n| st.flags(n) & (USED | DELETED) == USED | DELETED)
                .collect();
            Dead::new(nodes, st.capacity())
        };
        if dead.len() == 0 {
            return 0;
        }
        // Barrier 1: inserts that might still link to these nodes are done.
        drop(self.storage.write());
        self.purge(&mut dead, true);
        dead.len()
    }

    /// Steps 2-4 of a cleanup (see the module docs). `parallel` spreads the repair over the
    /// available cores.
    pub(super) fn purge(&self, dead: &mut Dead, parallel: bool) {
        {
            let st = self.storage.read();
            let mut links = HashMap::with_capacity(dead.nodes.len());
            let mut buf = Vec::new();
            for &node in &dead.nodes {
                let layers = (0..=st.level(node))
                    .map(|level| {
                        st.neighbors_into(node, level, &mut buf);
                        buf.clone()
                    })
                    .collect();
                links.insert(node, layers);
            }
            dead.links = links;
        }
        let dead = &*dead;
        let next_batch = AtomicU32::new(0);
        let end = self.ids.read().next;
        let work = || {
            let mut s = self.scratch.get();
            loop {
                let start = next_batch.fetch_add(REPAIR_BATCH, Ordering::Relaxed);
                if start >= end {
                    return;
                }
                let st = self.storage.read();
                with_space!(self, st, |src| {
                    for node in start..end.min(start.saturating_add(REPAIR_BATCH)) {
                        if src.flags(node) & USED == 0 || dead.contains(node) {
                            continue;
                        }
                        for level in 0..=src.level(node) {
                            self.repair(src, node, level, dead, &mut s);
                        }
                    }
                });
                let over = Self::over_cache(&st);
                drop(st);
                if over {
                    self.evict_if_over();
                }
            }
        };
        let threads = if parallel {
            thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            1
        };
        if threads > 1 && end > REPAIR_BATCH {
            thread::scope(|scope| {
                for _ in 0..threads {
                    scope.spawn(work);
                }
            });
        } else {
            work();
        }
        {
            let st = self.storage.read();
            let _guard = self.entry_lock.lock();
            if self.entry().is_some_and(|(ep, _)| dead.contains(ep)) {
                self.set_entry(self.best_entry(&st, dead));
            }
        }
        // Barrier 2: nobody holds a link into `dead` any more.
        let mut st = self.storage.write();
        let mut ids = self.ids.write();
        for &node in &dead.nodes {
            debug_assert!(ids.node_of(st.doc(node)) != Some(node));
            st.set_flags(node, 0);
            st.write_links0(node, &[]);
            if let Some(block) = st.lock_node(node).take() {
                self.upper_bytes
                    .fetch_sub(UpperBlock::bytes_for(block.len()), Ordering::Relaxed);
            }
            st.set_level(node, 0);
            st.set_doc(node, NONE);
            // A reused slot must start with an empty cell.
            st.forget_vector(node);
            ids.free.push(node);
        }
        self.tombstones.fetch_sub(dead.len(), Ordering::Relaxed);
    }

    /// A remaining node of the highest level, live ones preferred, and above all one whose
    /// insert has linked it (see [`LINKING`]): a node still being linked of a higher level
    /// makes itself the entry point once it is linked.
    pub(super) fn best_entry(&self, st: &Storage, dead: &Dead) -> Option<(u32, usize)> {
        let next = self.ids.read().next;
        (0..next)
            .filter(|&n| st.flags(n) & USED != 0 && !dead.contains(n))
            .max_by_key(|&n| {
                let linked = st.flags(n) & LINKING == 0;
                (linked, st.level(n), st.is_live(n), std::cmp::Reverse(n))
            })
            .map(|n| (n, st.level(n)))
    }

    /// Replaces `node`'s links at `level` if any points into `dead`.
    ///
    /// A node without a usable vector (capped index, deleted meanwhile) only loses its links
    /// into `dead`: without a vector nothing can be ranked. Candidates without one are left out.
    fn repair<S: Space>(&self, st: S, node: u32, level: usize, dead: &Dead, s: &mut Scratch) {
        let mut upper = st.lock_node(node);
        s.links.clear();
        if level == 0 {
            st.neighbors_into(node, 0, &mut s.links);
        } else {
            match upper_list(upper.as_deref(), level, self.m) {
                Some(list) => s.links.extend_from_slice(list),
                None => return,
            }
        }
        if !s.links.iter().any(|&n| dead.contains(n)) {
            return;
        }
        if !st.usable(node) {
            s.links.retain(|&n| !dead.contains(n));
            self.write_links(&st, &mut upper, node, level, &s.links);
            return;
        }
        s.visited.reset(st.capacity());
        s.visited.insert(node);
        s.keys.clear();
        for &link in &s.links {
            if !dead.contains(link) {
                if !s.visited.insert(link) {
                    if let Some(d) = st.between(node, link) {
                        s.keys.push(encode(d, link));
                    }
                }
                continue;
            }
            let Some(second) = dead.links.get(&link).and_then(|layers| layers.get(level)) else {
                continue;
            };
            for &candidate in second {
                if !dead.contains(candidate)
                    && st.flags(candidate) & USED != 0
                    && !s.visited.insert(candidate)
                {
                    if let Some(d) = st.between(node, candidate) {
                        s.keys.push(encode(d, candidate));
                    }
                }
            }
        }
        s.keys.sort_unstable();
        let bound = self.max_links(level);
        self.select_heuristic(st, &s.keys, bound, &mut s.kept);
        // The heuristic may keep fewer links than the node had; fill up to its old degree with
        // the closest candidates left out, so that nodes which were linked only from the
        // deleted one (they are among the candidates) keep a way in.
        let degree = s.links.len().min(bound);
        for &key in &s.keys {
            if s.kept.len() >= degree {
                break;
            }
            let candidate = decode(key).0;
            if !s.kept.contains(&candidate) {
                s.kept.push(candidate);
            }
        }
        self.write_links(&st, &mut upper, node, level, &s.kept);
    }

    /// Replaces `node`'s links at `level`; `upper` is its locked upper block.
    fn write_links(
        &self,
        st: &Storage,
        upper: &mut Option<UpperBlock>,
        node: u32,
        level: usize,
        links: &[u32],
    ) {
        if level == 0 {
            st.write_links0(node, links);
        } else if let Some(block) = upper.as_deref_mut() {
            set_upper_list(block, level, self.m, links);
        }
    }
}

//! Per-search scratch space, pooled so that a search allocates nothing once warm: the visited
//! set (one `u16` generation mark per node, cleared only when the generation wraps), the
//! candidate and result heaps, and link buffers.

use std::collections::BinaryHeap;
use std::mem::size_of;

use parking_lot::Mutex;

use crate::quantization::QueryCode;

/// Nodes seen by the current search: `marks[n] == generation`.
pub(super) struct Visited {
    marks: Vec<u16>,
    generation: u16,
}

impl Visited {
    fn new() -> Self {
        Visited {
            marks: Vec::new(),
            generation: 0,
        }
    }

    /// Starts a new search over `nodes` slots: nothing is visited.
    pub(super) fn reset(&mut self, nodes: usize) {
        if self.marks.len() < nodes {
            self.marks.resize(nodes, 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.marks.fill(0);
            self.generation = 1;
        }
    }

    /// Marks `node`; returns whether it was already marked. Ids beyond the size given to
    /// [`Visited::reset`] count as visited, so that they are skipped.
    #[inline]
    pub(super) fn insert(&mut self, node: u32) -> bool {
        match self.marks.get_mut(node as usize) {
            Some(mark) if *mark == self.generation => true,
            Some(mark) => {
                *mark = self.generation;
                false
            }
            None => true,
        }
    }

    /// Whether `node` is marked (or out of range).
    #[inline]
    pub(super) fn contains(&self, node: u32) -> bool {
        self.marks
            .get(node as usize)
            .is_none_or(|&mark| mark == self.generation)
    }

    /// Hints the CPU to fetch `node`'s mark.
    #[inline]
    pub(super) fn prefetch(&self, node: u32) {
        super::storage::prefetch(self.marks.as_ptr().wrapping_add(node as usize));
    }
}

/// Reusable buffers of one search or insert.
pub(super) struct Scratch {
    pub(super) visited: Visited,
    /// Disallowed nodes already expanded by a filtered search.
    pub(super) expanded: Visited,
    /// A bitset over node slots (filtered search: the live allowed nodes).
    pub(super) allowed: Vec<u64>,
    /// Candidates to expand, as complemented keys so that the max-heap pops the closest.
    pub(super) candidates: BinaryHeap<u64>,
    /// The best `ef` found so far; the top is the worst of them.
    pub(super) results: BinaryHeap<u64>,
    /// Results of a layer search in ascending key order.
    pub(super) sorted: Vec<u64>,
    /// Link lists being read.
    pub(super) links: Vec<u32>,
    pub(super) links2: Vec<u32>,
    /// Neighbour selection output and temporaries.
    pub(super) selected: Vec<u32>,
    pub(super) kept: Vec<u32>,
    pub(super) keys: Vec<u64>,
    /// The prepared (normalised) query.
    pub(super) query: Vec<f32>,
    /// The query as a compressed index scores it.
    pub(super) prepared: QueryCode,
    /// An inserted vector's code, and scratch space for encoding it.
    pub(super) code: Vec<u64>,
    pub(super) rotated: Vec<f32>,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            visited: Visited::new(),
            expanded: Visited::new(),
            allowed: Vec::new(),
            candidates: BinaryHeap::new(),
            results: BinaryHeap::new(),
            sorted: Vec::new(),
            links: Vec::new(),
            links2: Vec::new(),
            selected: Vec::new(),
            kept: Vec::new(),
            keys: Vec::new(),
            query: Vec::new(),
            prepared: QueryCode::default(),
            code: Vec::new(),
            rotated: Vec::new(),
        }
    }

    fn bytes(&self) -> usize {
        (self.visited.marks.capacity() + self.expanded.marks.capacity()) * size_of::<u16>()
            + (self.candidates.capacity() + self.results.capacity()) * size_of::<u64>()
            + (self.sorted.capacity() + self.keys.capacity() + self.allowed.capacity())
                * size_of::<u64>()
            + (self.links.capacity()
                + self.links2.capacity()
                + self.selected.capacity()
                + self.kept.capacity())
                * size_of::<u32>()
            + (self.query.capacity() + self.rotated.capacity()) * size_of::<f32>()
            + self.code.capacity() * size_of::<u64>()
            + self.prepared.bytes()
    }
}

/// A pool of scratch spaces; a search takes one and gives it back on drop.
#[derive(Default)]
pub(super) struct ScratchPool {
    free: Mutex<Vec<Scratch>>,
}

/// A scratch space borrowed from the pool.
pub(super) struct ScratchGuard<'a> {
    pool: &'a ScratchPool,
    scratch: Option<Scratch>,
}

impl ScratchPool {
    pub(super) fn get(&self) -> ScratchGuard<'_> {
        let scratch = self.free.lock().pop().unwrap_or_else(Scratch::new);
        ScratchGuard {
            pool: self,
            scratch: Some(scratch),
        }
    }

    pub(super) fn bytes(&self) -> usize {
        self.free.lock().iter().map(|s| s.bytes()).sum()
    }
}

impl std::ops::Deref for ScratchGuard<'_> {
    type Target = Scratch;
    fn deref(&self) -> &Scratch {
        self.scratch.as_ref().expect("present until drop")
    }
}

impl std::ops::DerefMut for ScratchGuard<'_> {
    fn deref_mut(&mut self) -> &mut Scratch {
        self.scratch.as_mut().expect("present until drop")
    }
}

impl Drop for ScratchGuard<'_> {
    fn drop(&mut self) {
        if let Some(scratch) = self.scratch.take() {
            self.pool.free.lock().push(scratch);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_reset_the_set() {
        let mut v = Visited::new();
        v.reset(4);
        assert!(!v.insert(1) && v.insert(1) && v.contains(1) && !v.contains(2));
        assert!(v.insert(9), "out of range counts as visited");
        for _ in 0..70_000 {
            v.reset(4);
            assert!(!v.contains(1));
            v.insert(1);
        }
    }

    #[test]
    fn pool_reuses_scratch() {
        let pool = ScratchPool::default();
        {
            let mut s = pool.get();
            s.links.reserve(100);
        }
        assert!(pool.get().links.capacity() >= 100);
    }
}

//! The asynchronous indexing queue of one target (`ASYNC_INDEXING=true`).
//!
//! A write is acknowledged once stored; its vector change is recorded durably in the index log
//! (same atomic batch) and here, in memory, until the shard's indexer applies it to the graph.
//! Searches mask docs with a pending change out of the graph's results and search the pending
//! vectors exactly, so nothing acknowledged is ever missing from results. After a restart the
//! queue is refilled from the log entries the last snapshot does not cover.

use std::collections::BTreeMap;

use parking_lot::Mutex;
use types::schema::Distance;
use types::DocId;
use vector_index::VectorIndex;

use crate::Result;

/// A vector change: the new vector, or `None` for a removal.
pub(crate) type Change = (DocId, Option<Vec<f32>>);

/// Pending vector changes of one target.
pub(crate) struct IndexQueue {
    state: Mutex<State>,
    metric: Distance,
}

/// One doc's latest pending change.
struct Pending {
    vector: Option<Vec<f32>>,
    /// The graph may hold a stale entry of the doc, which searches must skip.
    masks_graph: bool,
}

struct State {
    /// The latest pending change per doc.
    changes: BTreeMap<DocId, Pending>,
    /// The pending vectors, searchable exactly.
    pending: VectorIndex,
    /// Pending changes flagged `masks_graph`.
    masking: usize,
    /// Changes handed to the indexer and not completed yet: their docs may already be in the
    /// graph.
    in_flight: usize,
}

impl IndexQueue {
    pub(crate) fn new(metric: Distance) -> Self {
        IndexQueue {
            state: Mutex::new(State {
                changes: BTreeMap::new(),
                pending: VectorIndex::flat(metric),
                masking: 0,
                in_flight: 0,
            }),
            metric,
        }
    }

    /// Records a change, replacing any earlier pending change of the same doc. `in_graph`
    /// says whether the graph holds an entry of the doc now.
    pub(crate) fn push(&self, doc: DocId, vector: Option<Vec<f32>>, in_graph: bool) -> Result<()> {
        let mut s = self.state.lock();
        match &vector {
            Some(v) => s.pending.insert(doc, v)?,
            None => {
                s.pending.remove(doc);
            }
        }
        let earlier = s.changes.get(&doc).is_some_and(|p| p.masks_graph);
        let masks_graph = earlier || in_graph;
        if masks_graph && !earlier {
            s.masking += 1;
        }
        s.changes.insert(
            doc,
            Pending {
                vector,
                masks_graph,
            },
        );
        Ok(())
    }

    /// Changes waiting for the index.
    pub(crate) fn len(&self) -> usize {
        self.state.lock().changes.len()
    }

    /// Up to `max` pending changes, left in the queue until [`IndexQueue::complete`]. One
    /// caller at a time (the shard's indexer lock).
    pub(crate) fn peek(&self, max: usize) -> Vec<Change> {
        let mut s = self.state.lock();
        let taken: Vec<Change> = s
            .changes
            .iter()
            .take(max)
            .map(|(d, p)| (*d, p.vector.clone()))
            .collect();
        s.in_flight = taken.len();
        taken
    }

    /// Forgets changes that are now in the index, unless a newer change of the same doc
    /// arrived meanwhile (that one stays queued, and masks the entry just applied).
    pub(crate) fn complete(&self, applied: &[Change]) {
        let mut s = self.state.lock();
        for (doc, vector) in applied {
            let Some(p) = s.changes.get_mut(doc) else {
                continue;
            };
            if p.vector == *vector {
                let masked = p.masks_graph;
                s.changes.remove(doc);
                s.pending.remove(*doc);
                s.masking -= usize::from(masked);
            } else if !p.masks_graph {
                p.masks_graph = true;
                s.masking += 1;
            }
        }
        s.in_flight = 0;
        if s.changes.is_empty() {
            // The flat index keeps the capacity of the largest backlog it held (a whole
            // import's vectors); a drained queue gives it back.
            s.pending = VectorIndex::flat(self.metric);
        }
    }

    /// True if `doc` has a pending change (its graph entry, if any, is stale).
    pub(crate) fn masks(&self, doc: DocId) -> bool {
        self.state.lock().changes.contains_key(&doc)
    }

    /// Exact search over the pending vectors.
    pub(crate) fn search(
        &self,
        query: &[f32],
        k: usize,
        max_distance: Option<f32>,
    ) -> Result<Vec<(DocId, f32)>> {
        let s = self.state.lock();
        if s.pending.is_empty() {
            return Ok(Vec::new());
        }
        Ok(match max_distance {
            Some(max) => s.pending.search_within(query, max, k, None)?,
            None => s.pending.search(query, k, None)?,
        })
    }

    /// At most how many graph entries pending changes mask, for sizing graph searches: docs
    /// new to the graph (most of a restart's backlog) mask nothing, so they do not widen
    /// every search.
    pub(crate) fn masked(&self) -> usize {
        let s = self.state.lock();
        s.masking + s.in_flight
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_changes_win_and_complete_keeps_newer_ones() {
        let q = IndexQueue::new(Distance::L2Squared);
        q.push(1, Some(vec![1.0]), false).expect("push");
        q.push(2, Some(vec![2.0]), false).expect("push");
        let taken = q.peek(10);
        q.push(1, Some(vec![5.0]), false)
            .expect("newer change of doc 1");
        q.complete(&taken);
        assert_eq!(q.len(), 1, "doc 1 changed after it was taken");
        assert!(q.masks(1) && !q.masks(2));
        let hits = q.search(&[5.0], 10, None).expect("search");
        assert_eq!(hits, vec![(1, 0.0)]);
    }

    #[test]
    fn a_drained_queue_gives_its_memory_back() {
        let q = IndexQueue::new(Distance::L2Squared);
        for doc in 0..1_000 {
            q.push(doc, Some(vec![doc as f32; 64]), false)
                .expect("push");
        }
        let held = q.state.lock().pending.memory_bytes();
        assert!(held >= 1_000 * 64 * 4, "{held}");
        let taken = q.peek(2_000);
        q.complete(&taken);
        assert_eq!(q.len(), 0);
        assert!(q.state.lock().pending.memory_bytes() < held / 100);
        assert!(q.search(&[1.0; 64], 10, None).expect("search").is_empty());
    }

    #[test]
    fn only_changes_of_docs_in_the_graph_widen_searches() {
        let q = IndexQueue::new(Distance::L2Squared);
        for doc in 0..100 {
            q.push(doc, Some(vec![doc as f32]), false).expect("new doc");
        }
        q.push(500, Some(vec![1.0]), true)
            .expect("doc the graph holds");
        assert_eq!(q.masked(), 1, "new docs mask no graph entry");
        let taken = q.peek(10);
        assert_eq!(
            q.masked(),
            11,
            "docs being indexed may be in the graph already"
        );
        q.push(3, Some(vec![7.0]), false)
            .expect("newer change of a doc being indexed");
        q.complete(&taken);
        assert_eq!(q.masked(), 2, "doc 3's indexed entry is stale now");
        q.push(500, None, false).expect("removal");
        assert_eq!(q.masked(), 2, "a doc counts once");
    }

    #[test]
    fn removals_mask_without_being_searchable() {
        let q = IndexQueue::new(Distance::L2Squared);
        q.push(3, Some(vec![1.0]), true).expect("push");
        q.push(3, None, false).expect("remove");
        assert!(q.masks(3));
        assert!(q.search(&[1.0], 10, None).expect("search").is_empty());
    }
}

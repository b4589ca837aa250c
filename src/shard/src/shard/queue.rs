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
}

struct State {
    /// The latest pending change per doc.
    changes: BTreeMap<DocId, Option<Vec<f32>>>,
    /// The pending vectors, searchable exactly.
    pending: VectorIndex,
}

impl IndexQueue {
    pub(crate) fn new(metric: Distance) -> Self {
        IndexQueue {
            state: Mutex::new(State {
                changes: BTreeMap::new(),
                pending: VectorIndex::flat(metric),
            }),
        }
    }

    /// Records a change, replacing any earlier pending change of the same doc.
    pub(crate) fn push(&self, doc: DocId, vector: Option<Vec<f32>>) -> Result<()> {
        let mut s = self.state.lock();
        match &vector {
            Some(v) => s.pending.insert(doc, v)?,
            None => {
                s.pending.remove(doc);
            }
        }
        s.changes.insert(doc, vector);
        Ok(())
    }

    /// Changes waiting for the index.
    pub(crate) fn len(&self) -> usize {
        self.state.lock().changes.len()
    }

    /// Up to `max` pending changes, left in the queue until [`IndexQueue::complete`].
    pub(crate) fn peek(&self, max: usize) -> Vec<Change> {
        self.state
            .lock()
            .changes
            .iter()
            .take(max)
            .map(|(d, v)| (*d, v.clone()))
            .collect()
    }

    /// Forgets changes that are now in the index, unless a newer change of the same doc
    /// arrived meanwhile (that one stays queued).
    pub(crate) fn complete(&self, applied: &[Change]) {
        let mut s = self.state.lock();
        for (doc, vector) in applied {
            if s.changes.get(doc) == Some(vector) {
                s.changes.remove(doc);
                s.pending.remove(*doc);
            }
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

    /// The number of pending changes that mask graph entries, for sizing graph searches.
    pub(crate) fn masked(&self) -> usize {
        self.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_changes_win_and_complete_keeps_newer_ones() {
        let q = IndexQueue::new(Distance::L2Squared);
        q.push(1, Some(vec![1.0])).expect("push");
        q.push(2, Some(vec![2.0])).expect("push");
        let taken = q.peek(10);
        q.push(1, Some(vec![5.0])).expect("newer change of doc 1");
        q.complete(&taken);
        assert_eq!(q.len(), 1, "doc 1 changed after it was taken");
        assert!(q.masks(1) && !q.masks(2));
        let hits = q.search(&[5.0], 10, None).expect("search");
        assert_eq!(hits, vec![(1, 0.0)]);
    }

    #[test]
    fn removals_mask_without_being_searchable() {
        let q = IndexQueue::new(Distance::L2Squared);
        q.push(3, Some(vec![1.0])).expect("push");
        q.push(3, None).expect("remove");
        assert!(q.masks(3));
        assert!(q.search(&[1.0], 10, None).expect("search").is_empty());
    }
}

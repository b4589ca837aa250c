//! The switch of a `dynamic` index from exact search to a graph. The graph is built from the
//! object store without holding any lock, so reads and writes go on; writes made meanwhile are
//! in the index log and replayed into the graph under the writer lock, just before the swap.
//! The graph carries the target's compression (PQ and SQ are trained later by maintenance).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use vector_index::VectorIndex;

use super::{IndexKind, Shard, Target};
use crate::{index, Result};

impl Shard {
    /// Upgrades every dynamic target that has reached its threshold. Returns how many did.
    pub fn upgrade_dynamic_indexes(&self) -> Result<usize> {
        let mut upgraded = 0;
        for (name, target) in &self.targets {
            if self.wants_upgrade(target) {
                self.upgrade(name, target)?;
                upgraded += 1;
            }
        }
        Ok(upgraded)
    }

    /// `"flat"` or `"hnsw"`: the engine currently serving `target` (`None` if skipped or unknown).
    pub fn engine_of(&self, target: &str) -> Option<&'static str> {
        match self.targets.get(target)?.index().as_deref()? {
            VectorIndex::Flat(_) => Some("flat"),
            VectorIndex::Hnsw(_) => Some("hnsw"),
        }
    }

    /// True while some dynamic index is building its graph.
    pub fn is_upgrading(&self) -> bool {
        self.targets
            .values()
            .any(|t| t.upgrading.load(Ordering::Relaxed))
    }

    fn wants_upgrade(&self, target: &Target) -> bool {
        let IndexKind::Dynamic { threshold, .. } = target.spec.read().kind else {
            return false;
        };
        matches!(target.index().as_deref(), Some(VectorIndex::Flat(f)) if f.len() >= threshold)
    }

    fn upgrade(&self, name: &str, target: &Target) -> Result<()> {
        let spec = target.spec.read().clone();
        let Some(params) = spec.kind.hnsw_params().copied() else {
            return Ok(());
        };
        target.upgrading.store(true, Ordering::Relaxed);
        let from = self.write_lock.lock().next_seq;
        tracing::info!(shard = %self.name, target = name, "dynamic index reached its threshold: building the graph");
        let max = target.cache_max.load(Ordering::Relaxed);
        let build = index::Build {
            target: name,
            distance: spec.distance,
            compression: spec.compression,
            cache: index::vector_cache(&self.store, self.prefix, name, max),
        };
        let built = index::rebuild(&*self.store, self.prefix, &build, &params);
        let outcome = built.and_then(|graph| {
            let _writer = self.write_lock.lock();
            let _indexing = self.indexer.lock();
            for doc in index::logged_since(&*self.store, self.prefix, name, from)? {
                match index::load_vector(&*self.store, self.prefix, name, doc)? {
                    Some(v) => graph.insert(doc, &v)?,
                    None => {
                        graph.remove(doc);
                    }
                }
            }
            // The cap may have changed during the build.
            let latest = target.cache_max.load(Ordering::Relaxed);
            if latest != max {
                graph.set_vector_cache(index::vector_cache(&self.store, self.prefix, name, latest));
            }
            *target.index.write() = Some(Arc::new(VectorIndex::Hnsw(graph)));
            Ok(())
        });
        target.upgrading.store(false, Ordering::Relaxed);
        outcome
    }
}

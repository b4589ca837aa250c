//! Upkeep of graph indexes: tombstone cleanup every `cleanupIntervalSeconds`, snapshots that
//! let a restart skip the rebuild (and truncate the index log they cover), and applying the
//! index settings that may change at runtime.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use storage::{keys, Cf, WriteBatch};
use vector_index::VectorIndex;

use super::{Shard, TargetSpec};
use crate::{index, snapshot, Result};

impl Shard {
    /// Snapshots every graph index that changed since its last snapshot and truncates the index
    /// log it covers. Writers wait meanwhile, so the snapshot matches a log position exactly.
    pub fn snapshot_indexes(&self) -> Result<()> {
        let Some(dir) = &self.index_dir else {
            return Ok(());
        };
        let _maintenance = self.maintenance.lock();
        let writer = self.write_lock.lock();
        // With asynchronous indexing the snapshot must contain every logged change: drain the
        // queues first (writers are held, so nothing new arrives).
        while self.index_pending(usize::MAX)? > 0 {}
        let covered = writer.next_seq;
        for (name, target) in &self.targets {
            let Some(current) = target.index() else {
                continue;
            };
            let VectorIndex::Hnsw(index) = &*current else {
                continue;
            };
            let exists = snapshot::path(dir, self.prefix, name).exists();
            if exists && target.unsnapshotted.load(Ordering::Relaxed) == 0 {
                continue;
            }
            snapshot::write(dir, self.prefix, name, covered, index)?;
            let mut batch = WriteBatch::new();
            batch.delete_range(
                Cf::IndexLog,
                keys::log_key(self.prefix, name, 0),
                keys::log_key(self.prefix, name, covered),
            );
            self.store.write(batch)?;
            target.unsnapshotted.store(0, Ordering::Relaxed);
        }
        drop(writer);
        Ok(())
    }

    /// Periodic upkeep: cleans tombstones of targets whose cleanup interval has passed, and
    /// snapshots when some index log holds at least `snapshot_after` entries.
    pub fn maintain(&self, snapshot_after: u64) -> Result<()> {
        let mut wants_snapshot = false;
        for target in self.targets.values() {
            let Some(current) = target.index() else {
                continue;
            };
            let VectorIndex::Hnsw(index) = &*current else {
                continue;
            };
            let interval = Duration::from_secs(target.spec.read().cleanup_interval_secs.max(1));
            let mut last = target.last_cleanup.lock();
            if last.elapsed() >= interval && index.tombstones() > 0 {
                let _maintenance = self.maintenance.lock();
                let freed = index.cleanup();
                tracing::debug!(shard = %self.name, freed, "cleaned up deleted graph nodes");
                *last = Instant::now();
            }
            wants_snapshot |= target.unsnapshotted.load(Ordering::Relaxed) >= snapshot_after;
        }
        if wants_snapshot {
            self.snapshot_indexes()?;
        }
        Ok(())
    }

    /// Applies the settings of an updated class that may change at runtime (hnsw `ef`,
    /// `dynamicEf*`, `flatSearchCutoff`, `cleanupIntervalSeconds`). The index kind and the
    /// graph's construction parameters never change after creation.
    pub fn update_targets(&self, specs: &[TargetSpec]) {
        for spec in specs {
            let Some(target) = self.targets.get(&spec.name) else {
                continue;
            };
            if let (Some(current), Some(params)) = (target.index(), spec.kind.hnsw_params()) {
                if let VectorIndex::Hnsw(index) = &*current {
                    index.set_params(*params);
                }
            }
            *target.spec.write() = spec.clone();
        }
    }

    /// Applies `vectorCacheMaxObjects` of a graph target at runtime (also to the graph a
    /// dynamic target builds later). Unknown targets are ignored, like in
    /// [`Shard::update_targets`].
    pub fn set_vector_cache_max_objects(&self, target: &str, max: u64) {
        let Some(t) = self.targets.get(target) else {
            return;
        };
        if t.cache_max.swap(max, Ordering::Relaxed) == max {
            return;
        }
        if let Some(current) = t.index() {
            if let VectorIndex::Hnsw(index) = &*current {
                index.set_vector_cache(index::vector_cache(&self.store, self.prefix, target, max));
            }
        }
    }

    /// Vectors of `target` held in memory (a capped graph holds at most its cap of them once
    /// idle); `None` for a skipped or unknown target.
    pub fn vectors_in_memory(&self, target: &str) -> Option<usize> {
        match &*self.targets.get(target)?.index()? {
            VectorIndex::Hnsw(index) => Some(index.vectors_in_memory()),
            VectorIndex::Flat(index) => Some(index.len()),
        }
    }

    /// Tombstoned graph nodes awaiting cleanup, over all targets.
    pub fn tombstones(&self) -> usize {
        self.targets
            .values()
            .filter_map(|t| t.index())
            .map(|i| i.tombstones())
            .sum()
    }
}

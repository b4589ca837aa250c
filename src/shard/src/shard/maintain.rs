//! Upkeep of graph indexes: tombstone cleanup every `cleanupIntervalSeconds`, snapshots that
//! let a restart skip the rebuild (and truncate the index log they cover), compressions that
//! are due, and applying the index settings that may change at runtime.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use storage::{keys, Cf, WriteBatch};
use vector_index::VectorIndex;

use super::{Shard, TargetSpec};
use crate::{index, snapshot, Result};

/// A graph with unsnapshotted changes is snapshotted at least this often, so that the log a
/// restart after a crash must queue stays short however slowly it grows.
pub const SNAPSHOT_INTERVAL: Duration = Duration::from_secs(60);

impl Shard {
    /// Snapshots every graph index that changed since its last snapshot and truncates the index
    /// log it covers. Writers wait only until the log position is fixed (and, with
    /// asynchronous indexing, the queue applied): a graph written while writes go on may hold
    /// some changes from after that position, which the log still has and a restore applies
    /// again. Targets still recovering are skipped: their log stays until they are done.
    pub fn snapshot_indexes(&self) -> Result<()> {
        let Some(dir) = &self.index_dir else {
            return Ok(());
        };
        let _maintenance = self.maintenance.lock();
        let mut due = Vec::new();
        let covered = {
            let writer = self.write_lock.lock();
            // The snapshot must contain every change logged below its position: apply the
            // queues first (writers are held, so nothing new arrives).
            while self.apply_queued(usize::MAX, false)? > 0 {}
            for (name, target) in &self.targets {
                if target.is_recovering() {
                    continue;
                }
                let Some(current) = target.index() else {
                    continue;
                };
                if !matches!(&*current, VectorIndex::Hnsw(_)) {
                    continue;
                }
                let exists = snapshot::path(dir, self.prefix, name).exists();
                let changed = target.unsnapshotted.swap(0, Ordering::Relaxed);
                if exists && changed == 0 {
                    continue;
                }
                due.push((name, target, current, changed));
            }
            writer.next_seq
        };
        for (name, target, current, changed) in due {
            let VectorIndex::Hnsw(index) = &*current else {
                continue;
            };
            let written = self.snapshot_one(dir, name, covered, index);
            if written.is_err() {
                target.unsnapshotted.fetch_add(changed, Ordering::Relaxed);
            }
            written?;
            *target.last_snapshot.lock() = Instant::now();
        }
        Ok(())
    }

    /// Writes one target's snapshot covering the log below `covered`, then truncates that log.
    fn snapshot_one(
        &self,
        dir: &std::path::Path,
        name: &str,
        covered: u64,
        index: &vector_index::HnswIndex,
    ) -> Result<()> {
        let started = Instant::now();
        snapshot::write(dir, self.prefix, name, covered, index)?;
        let mut batch = WriteBatch::new();
        batch.delete_range(
            Cf::IndexLog,
            keys::log_key(self.prefix, name, 0),
            keys::log_key(self.prefix, name, covered),
        );
        self.store.write(batch)?;
        tracing::debug!(shard = %self.name, vector = name, nodes = index.len(), ms = started.elapsed().as_millis() as u64, "index snapshot written");
        Ok(())
    }

    /// Periodic upkeep: cleans tombstones of targets whose cleanup interval has passed, and
    /// snapshots when some index log holds at least `snapshot_after` entries, or has any
    /// entry and the last snapshot is [`SNAPSHOT_INTERVAL`] old.
    pub fn maintain(&self, snapshot_after: u64) -> Result<()> {
        self.maintain_every(snapshot_after, SNAPSHOT_INTERVAL)
    }

    /// [`Shard::maintain`] with another snapshot interval.
    pub fn maintain_every(&self, snapshot_after: u64, interval: Duration) -> Result<()> {
        // A backlog whose last indexing round failed waits for a write to be scheduled again;
        // this pass is the retry for a shard that gets none.
        if self.vector_queue_len() > 0 {
            self.wake_indexer();
        }
        self.compress_due();
        let mut wants_snapshot = false;
        for target in self.targets.values() {
            let Some(current) = target.index() else {
                continue;
            };
            let VectorIndex::Hnsw(index) = &*current else {
                continue;
            };
            let cleanup_every =
                Duration::from_secs(target.spec.read().cleanup_interval_secs.max(1));
            let mut last = target.last_cleanup.lock();
            if last.elapsed() >= cleanup_every && index.tombstones() > 0 {
                let _maintenance = self.maintenance.lock();
                let freed = index.cleanup();
                tracing::debug!(shard = %self.name, freed, "cleaned up deleted graph nodes");
                *last = Instant::now();
            }
            if !target.is_recovering() {
                let logged = target.unsnapshotted.load(Ordering::Relaxed);
                let stale = target.last_snapshot.lock().elapsed() >= interval;
                wants_snapshot |= logged >= snapshot_after || (logged > 0 && stale);
            }
        }
        if wants_snapshot {
            self.snapshot_indexes()?;
        }
        Ok(())
    }

    /// Applies the settings of an updated class that may change at runtime (hnsw `ef`,
    /// `dynamicEf*`, `flatSearchCutoff`, `cleanupIntervalSeconds`), and starts compressing a
    /// target in the background when its compression was just enabled. The index kind and the
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
            let before = std::mem::replace(&mut *target.spec.write(), spec.clone()).compression;
            self.compression_enabled(&spec.name, before);
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

//! The background indexer of a shard with asynchronous indexing, or of any shard that opened
//! with logged changes its graphs lacked (after a crash): it moves queued vector changes into
//! the graph indexes in batches, using all cores for inserts. A shard without asynchronous
//! indexing stops its indexer once it has recovered, and writes go straight to its graphs again.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use super::Shard;
use crate::Result;

/// Changes applied per round; large enough for parallel inserts to pay off.
const BATCH: usize = 2_000;
/// Pause when the queues are empty.
const IDLE: Duration = Duration::from_millis(25);

impl Shard {
    /// Starts the indexer thread if this shard indexes asynchronously or recovers. It stops by
    /// itself once the shard is dropped, or has recovered and indexes synchronously.
    pub fn start_indexer(self: &Arc<Self>) -> Option<JoinHandle<()>> {
        if !self.needs_indexer() {
            return None;
        }
        let weak: Weak<Shard> = Arc::downgrade(self);
        let name = format!("indexer-{}", self.name);
        std::thread::Builder::new()
            .name(name)
            .spawn(move || run(weak))
            .ok()
    }

    /// Applies up to `max` queued changes per target; returns how many were applied.
    pub fn index_pending(&self, max: usize) -> Result<usize> {
        self.apply_queued(max, true)
    }

    /// [`Shard::index_pending`], skipping recovering targets unless `recovering`.
    pub(super) fn apply_queued(&self, max: usize, recovering: bool) -> Result<usize> {
        let _indexing = self.indexer.lock();
        let mut applied = 0;
        for target in self.targets.values() {
            if target.is_recovering() && !recovering {
                continue;
            }
            let (Some(queue), Some(index)) = (&target.queue, target.index()) else {
                continue;
            };
            let changes = queue.peek(max);
            if changes.is_empty() {
                continue;
            }
            let inserts: Vec<(u32, Vec<f32>)> = changes
                .iter()
                .filter_map(|(d, v)| v.as_ref().map(|v| (*d, v.clone())))
                .collect();
            for (doc, _) in changes.iter().filter(|(_, v)| v.is_none()) {
                if index.remove(*doc) {
                    target.ops.deleted(1);
                }
            }
            index.insert_batch(&inserts)?;
            target.ops.created(inserts.len());
            queue.complete(&changes);
            applied += changes.len();
        }
        Ok(applied)
    }

    /// Ends the recovery of targets whose queue has drained: from then on their writes go
    /// straight to the graph (unless indexing is asynchronous). Returns whether some target
    /// still recovers. Holds the writer lock, so no write is queued after the queue was seen
    /// empty.
    pub fn finish_recovery(&self) -> bool {
        if !self.is_recovering() {
            return false;
        }
        let _writer = self.write_lock.lock();
        let mut still = false;
        for (name, target) in &self.targets {
            if !target.is_recovering() {
                continue;
            }
            if target.queue.as_ref().is_none_or(|q| q.len() == 0) {
                target.recovering.store(false, Ordering::Release);
                tracing::info!(shard = %self.name, vector = %name, "index recovered: every logged change is in the graph");
            } else {
                still = true;
            }
        }
        still
    }

    /// True while some target applies logged changes its graph lacked at open.
    pub fn is_recovering(&self) -> bool {
        self.targets.values().any(|t| t.is_recovering())
    }

    /// Some target's writes go through its queue.
    fn needs_indexer(&self) -> bool {
        self.targets.values().any(|t| t.active_queue().is_some())
    }

    /// Vector changes waiting for an index, over all targets.
    pub fn vector_queue_len(&self) -> u64 {
        self.targets
            .values()
            .filter_map(|t| t.queue.as_ref())
            .map(|q| q.len() as u64)
            .sum()
    }
}

/// The indexer's scheduling priority (a nice value). Acknowledging writes comes first: with
/// asynchronous indexing a client waits for the store, not for the graph, so the graph takes
/// the cores that requests leave idle. The threads an insert batch spawns inherit it.
const INDEXER_NICE: libc::c_int = 10;

fn run(shard: Weak<Shard>) {
    lower_priority();
    loop {
        let Some(shard) = shard.upgrade() else { return };
        match shard.index_pending(BATCH) {
            Ok(0) => {
                shard.finish_recovery();
                if !shard.needs_indexer() {
                    return;
                }
                // Idle: the moment to build graphs for dynamic indexes that reached their threshold.
                if let Err(e) = shard.upgrade_dynamic_indexes() {
                    tracing::error!(shard = %shard.name(), error = %e, "building a dynamic index's graph failed");
                }
                drop(shard);
                std::thread::sleep(IDLE);
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(shard = %shard.name(), error = %e, "asynchronous indexing failed; retrying");
                drop(shard);
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

/// Gives the calling thread [`INDEXER_NICE`]. Linux keeps a nice value per thread, so this
/// leaves the rest of the process alone; elsewhere it is not attempted.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: setpriority takes no pointers; `who = 0` names the calling thread.
        let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, INDEXER_NICE) };
        if rc != 0 {
            tracing::debug!(error = %std::io::Error::last_os_error(), "the indexer keeps its priority");
        }
    }
}

//! Background indexing: a node-wide [`IndexerPool`] of a few worker threads moves queued vector
//! changes into the graph indexes of every shard that indexes asynchronously, or that opened
//! with logged changes its graphs lacked (after a crash), in batches that use all cores for
//! inserts. A shard costs the pool nothing while it has nothing queued: a write that queues a
//! change hands the shard to the pool, a worker applies one batch and hands it back while work
//! remains, so a hundred thousand idle tenants hold no thread and cause no wake-ups. A shard
//! without asynchronous indexing leaves the pool once it has recovered, and its writes go
//! straight to its graphs again.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;

use parking_lot::{Condvar, Mutex};

use super::Shard;
use crate::Result;

/// Changes applied per round; large enough for parallel inserts to pay off.
const BATCH: usize = 2_000;

/// The node's indexer threads and the shards waiting for one. Dropping it stops the threads
/// once they finish their current round.
pub struct IndexerPool {
    shared: Arc<Pool>,
    workers: Vec<JoinHandle<()>>,
}

struct Pool {
    /// Shards with queued work, each at most once while its link is `scheduled`.
    ready: Mutex<VecDeque<Weak<Shard>>>,
    wake: Condvar,
    stopping: AtomicBool,
}

/// What a shard attached to a pool keeps to hand itself over when it queues a change.
pub(super) struct IndexerLink {
    pool: Weak<Pool>,
    shard: Weak<Shard>,
    /// In the pool's ready queue, or being worked on with more to do.
    scheduled: AtomicBool,
}

impl IndexerLink {
    /// Puts the shard in the pool's ready queue unless it is already there.
    fn schedule(&self) {
        if self.scheduled.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(pool) = self.pool.upgrade() {
            pool.ready.lock().push_back(self.shard.clone());
            pool.wake.notify_one();
        }
    }
}

impl IndexerPool {
    /// Starts `workers` indexer threads (at least one).
    pub fn start(workers: usize) -> std::io::Result<IndexerPool> {
        let shared = Arc::new(Pool {
            ready: Mutex::new(VecDeque::new()),
            wake: Condvar::new(),
            stopping: AtomicBool::new(false),
        });
        let workers = (0..workers.max(1))
            .map(|i| {
                let pool = shared.clone();
                std::thread::Builder::new()
                    .name(format!("indexer-{i}"))
                    .spawn(move || work(&pool))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(IndexerPool { shared, workers })
    }

    /// The number of worker threads.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    /// Lets the pool index `shard` from now on, and hands it over at once if it has work
    /// (asynchronous writes queued, or changes to recover). A shard attaches to one pool once;
    /// attaching again does nothing.
    pub fn attach(&self, shard: &Arc<Shard>) {
        let link = IndexerLink {
            pool: Arc::downgrade(&self.shared),
            shard: Arc::downgrade(shard),
            scheduled: AtomicBool::new(false),
        };
        if shard.indexer_link.set(link).is_ok() && shard.needs_indexer() {
            shard.wake_indexer();
        }
    }
}

impl Drop for IndexerPool {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        self.shared.wake.notify_all();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// A worker: takes the next ready shard and applies one batch of its queued changes.
fn work(pool: &Pool) {
    lower_priority();
    loop {
        let next = {
            let mut ready = pool.ready.lock();
            loop {
                if pool.stopping.load(Ordering::Acquire) {
                    return;
                }
                if let Some(shard) = ready.pop_front() {
                    break shard;
                }
                pool.wake.wait(&mut ready);
            }
        };
        if let Some(shard) = next.upgrade() {
            shard.index_round();
        }
    }
}

impl Shard {
    /// Hands the shard to its indexer pool, if it is attached to one: after queueing changes,
    /// and from maintenance for a backlog a failed round left behind.
    pub fn wake_indexer(&self) {
        if let Some(link) = self.indexer_link.get() {
            link.schedule();
        }
    }

    /// One round of a pool worker: a batch of queued changes, then back to the pool while more
    /// remain. Once the queue is empty the shard ends its recovery and, idle, builds graphs for
    /// dynamic indexes that reached their threshold.
    fn index_round(&self) {
        // Cleared before the queue is read: a change queued from here on schedules the shard
        // again, so none is left waiting for a wake-up that already happened.
        if let Some(link) = self.indexer_link.get() {
            link.scheduled.store(false, Ordering::Release);
        }
        match self.index_pending(BATCH) {
            Ok(0) => {
                self.finish_recovery();
                if self.needs_indexer() {
                    if let Err(e) = self.upgrade_dynamic_indexes() {
                        tracing::error!(shard = %self.name(), error = %e, "building a dynamic index's graph failed");
                    }
                }
            }
            Ok(_) => self.wake_indexer(),
            // Left for the next write or maintenance pass to schedule again, rather than
            // retried at once by a worker other shards are waiting for.
            Err(e) => {
                tracing::error!(shard = %self.name(), error = %e, "asynchronous indexing failed; retried later");
            }
        }
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
    pub(super) fn needs_indexer(&self) -> bool {
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

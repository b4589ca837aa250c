//! The [`Shard`] type: opening (index rebuild from the store, after stored inverted-index
//! entries of an older layout are brought up to date), status and counters. Compression of a
//! target's index in the background lives in `compress`.

mod compress;
mod filtered;
mod indexer;
mod layout;
mod maintain;
mod queue;
mod read;
mod replica;
mod stats;
mod upgrade;
mod write;

pub use indexer::IndexerPool;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Mutex, RwLock};
use storage::{keys, Cf, KvStore};
use types::schema::Distance;
use types::DocId;
use vector_index::{Compression, VectorIndex};

use crate::hashtree::HashTree;
pub use crate::index::IndexKind;
use crate::index::DEFAULT_VECTOR_CACHE_MAX_OBJECTS;

use crate::{Error, Result};

pub use filtered::{KeywordHit, KeywordQuery};
pub use read::VectorHit;
pub use replica::{Repair, RepairChange};
pub use stats::TargetStats;
pub use write::{PutMode, PutRefusal, PutResult};

const NEXT_DOC_KEY: &[u8] = b"next_doc";
const COUNT_KEY: &[u8] = b"count";
const NEXT_SEQ_KEY: &[u8] = b"next_seq";
/// Entries written per batch while filling in what shards written by older versions lack.
const BACKFILL_BATCH: usize = 10_000;

/// One target vector of the shard's class.
#[derive(Debug, Clone)]
pub struct TargetSpec {
    /// `types::DEFAULT_TARGET` for the legacy unnamed vector.
    pub name: String,
    pub distance: Distance,
    pub kind: IndexKind,
    /// How often tombstoned graph nodes are cleaned up (`cleanupIntervalSeconds`).
    pub cleanup_interval_secs: u64,
    /// How the index compresses its vectors (for a dynamic target, the graph it becomes).
    /// May go from none to a method through [`Shard::update_targets`], never back.
    pub compression: Compression,
}

/// What a shard needs to know to open.
#[derive(Debug, Clone)]
pub struct ShardSpec {
    /// Storage key prefix, unique per shard on this node.
    pub prefix: u64,
    pub name: String,
    pub class: String,
    pub targets: Vec<TargetSpec>,
    pub status: ShardStatus,
    /// `ASYNC_INDEXING`: graph targets are indexed by a background indexer, not by the writer.
    pub async_indexing: bool,
    /// What the inverted index indexes, and how.
    pub inverted: inverted_index::IndexConfig,
}

/// Settings a shard needs when it opens that are not part of its [`ShardSpec`].
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// `vectorCacheMaxObjects` of graph targets by name: at most this many vectors stay in
    /// memory, the others are read from the store when needed. Targets not named use
    /// [`DEFAULT_VECTOR_CACHE_MAX_OBJECTS`] (no cap). Known at open, so that a restored index
    /// never loads more.
    pub vector_cache_max_objects: BTreeMap<String, u64>,
    /// The shard is a tenant of a multi-tenant class, named after it: the objects it returns
    /// carry the tenant's name.
    pub tenant: bool,
}

/// Whether the shard accepts writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardStatus {
    Ready,
    ReadOnly,
}

impl ShardStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ShardStatus::Ready => "READY",
            ShardStatus::ReadOnly => "READONLY",
        }
    }
}

struct Target {
    spec: RwLock<TargetSpec>,
    /// `None` when the target is skipped. Swapped once when a dynamic index becomes a graph.
    index: RwLock<Option<Arc<VectorIndex>>>,
    /// Set while a dynamic index builds its graph.
    upgrading: std::sync::atomic::AtomicBool,
    /// Index-log entries written since the last snapshot (shared with a compression running
    /// in the background, which counts as a change so the codes get snapshotted).
    unsnapshotted: Arc<AtomicU64>,
    /// The background compression of the index, if any ran or runs.
    compression: compress::CompressionTask,
    /// When the graph was last snapshotted (or opened).
    last_snapshot: Mutex<Instant>,
    last_cleanup: Mutex<Instant>,
    /// Changes waiting for the index: every logged target has one, used for every write with
    /// asynchronous indexing, and otherwise only while the target recovers.
    queue: Option<queue::IndexQueue>,
    /// `ASYNC_INDEXING` applies to this target: writes always go through the queue.
    async_indexing: bool,
    /// The target (without asynchronous indexing) opened with logged changes its graph lacked
    /// (a crash, or a stop without a snapshot): they are queued for the indexer instead of
    /// replayed before the shard opens, and writes go through the queue too until it has
    /// drained, so a newer change of a doc always supersedes a queued one. Cleared under the
    /// writer lock once the queue is empty; snapshots skip the target meanwhile.
    recovering: std::sync::atomic::AtomicBool,
    /// `vectorCacheMaxObjects` of the graph (also when a dynamic index builds it later).
    cache_max: AtomicU64,
    /// Vectors put into and removed from the index since the shard opened, for monitoring.
    ops: stats::IndexOps,
}

/// One physical shard.
pub struct Shard {
    prefix: u64,
    name: String,
    class: String,
    store: Arc<dyn KvStore>,
    targets: BTreeMap<String, Target>,
    /// Filters and keyword search over the shard's properties.
    inverted: inverted_index::InvertedIndex,
    index_dir: Option<PathBuf>,
    status: RwLock<ShardStatus>,
    /// Serialises writers: doc-id allocation, counters and index updates stay in store order.
    write_lock: Mutex<WriterState>,
    /// Serialises graph cleanup and snapshots, so a snapshot never sees a half-cleaned graph.
    maintenance: Mutex<()>,
    /// Held while queued changes are applied to indexes (lock order: maintenance, writer, indexer).
    indexer: Mutex<()>,
    object_count: AtomicU64,
    /// The tenant its objects belong to, for a tenant's shard (its name).
    tenant: Option<String>,
    /// Its place in the node's indexer pool, once attached ([`IndexerPool::attach`]).
    indexer_link: std::sync::OnceLock<indexer::IndexerLink>,
}

/// Counters owned by the writer.
struct WriterState {
    next_doc: DocId,
    /// Next index-log sequence number.
    next_seq: u64,
    /// The anti-entropy hash tree, built on first use (a shard without replicas never needs
    /// one) and from then on updated by every write.
    tree: Option<HashTree>,
}

impl Shard {
    /// Opens the shard: counters from the store, each target's index from its snapshot and log
    /// (or rebuilt from the stored vectors).
    pub fn open(
        store: Arc<dyn KvStore>,
        spec: ShardSpec,
        index_dir: Option<PathBuf>,
    ) -> Result<Shard> {
        Shard::open_with(store, spec, index_dir, &OpenOptions::default())
    }

    /// [`Shard::open`] with settings beyond the spec.
    pub fn open_with(
        store: Arc<dyn KvStore>,
        spec: ShardSpec,
        index_dir: Option<PathBuf>,
        options: &OpenOptions,
    ) -> Result<Shard> {
        let next_doc = read_counter(&*store, spec.prefix, NEXT_DOC_KEY)? as DocId;
        let next_seq = read_counter(&*store, spec.prefix, NEXT_SEQ_KEY)?;
        let count = read_counter(&*store, spec.prefix, COUNT_KEY)?;
        let inverted = inverted_index::InvertedIndex::new(spec.inverted);
        // The postings (three per object at least) load on another thread while the vector
        // indexes open: both take seconds on a large shard, and neither needs the other.
        let targets = std::thread::scope(|scope| {
            let postings = scope.spawn(|| {
                layout::upgrade_postings(&*store, spec.prefix, &inverted, next_doc)?;
                load_postings(&*store, spec.prefix, &inverted)
            });
            let targets = open_targets(
                &store,
                spec.prefix,
                spec.targets,
                spec.async_indexing,
                &index_dir,
                options,
            );
            let loaded = postings
                .join()
                .unwrap_or_else(|_| Err(Error::Corrupt("loading the postings failed".into())));
            loaded.and(targets)
        })?;
        let shard = Shard {
            inverted,
            prefix: spec.prefix,
            tenant: options.tenant.then(|| spec.name.clone()),
            name: spec.name,
            class: spec.class,
            store,
            targets,
            index_dir,
            status: RwLock::new(spec.status),
            write_lock: Mutex::new(WriterState {
                next_doc,
                next_seq,
                tree: None,
            }),
            maintenance: Mutex::new(()),
            indexer: Mutex::new(()),
            object_count: AtomicU64::new(count),
            indexer_link: std::sync::OnceLock::new(),
        };
        shard.backfill_versions()?;
        Ok(shard)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn class(&self) -> &str {
        &self.class
    }

    /// Objects in the shard.
    pub fn object_count(&self) -> u64 {
        self.object_count.load(Ordering::Acquire)
    }

    pub fn status(&self) -> ShardStatus {
        *self.status.read()
    }

    pub fn set_status(&self, status: ShardStatus) {
        *self.status.write() = status;
    }

    /// The shard's target vectors.
    pub fn targets(&self) -> Vec<TargetSpec> {
        self.targets
            .values()
            .map(|t| t.spec.read().clone())
            .collect()
    }

    fn target(&self, name: &str) -> Result<&Target> {
        self.targets.get(name).ok_or_else(|| Error::UnknownTarget {
            class: self.class.clone(),
            target: name.to_string(),
        })
    }
}

impl Target {
    /// The current index of the target.
    fn index(&self) -> Option<Arc<VectorIndex>> {
        self.index.read().clone()
    }

    /// A target as opened: changes its index lacks go to its queue, for the indexer to apply
    /// while the shard serves (pending vectors are searched exactly meanwhile).
    fn new(spec: TargetSpec, opened: crate::index::Opened, async_indexing: bool) -> Result<Target> {
        let logged = spec.kind.is_logged();
        let queue = logged.then(|| queue::IndexQueue::new(spec.distance));
        let queued = match (&queue, &opened.index) {
            (Some(q), Some(index)) if !opened.stale.is_empty() => {
                for (doc, vector) in opened.stale {
                    q.push(doc, vector, index.contains(doc))?;
                }
                true
            }
            _ => false,
        };
        // An asynchronous target's queue is always in use: its backlog is ordinary work
        // (snapshots apply it first, as they do under load).
        let recovering = queued && !async_indexing;
        Ok(Target {
            spec: RwLock::new(spec),
            index: RwLock::new(opened.index.map(Arc::new)),
            upgrading: std::sync::atomic::AtomicBool::new(false),
            unsnapshotted: Arc::new(AtomicU64::new(opened.unsnapshotted)),
            compression: compress::CompressionTask::default(),
            last_snapshot: Mutex::new(Instant::now()),
            last_cleanup: Mutex::new(Instant::now()),
            queue,
            async_indexing: async_indexing && logged,
            recovering: std::sync::atomic::AtomicBool::new(recovering),
            cache_max: AtomicU64::new(DEFAULT_VECTOR_CACHE_MAX_OBJECTS),
            ops: stats::IndexOps::default(),
        })
    }

    /// The queue, while writes go through it (always with asynchronous indexing, otherwise
    /// while recovering).
    fn active_queue(&self) -> Option<&queue::IndexQueue> {
        let active = self.async_indexing || self.is_recovering();
        self.queue.as_ref().filter(|_| active)
    }

    fn is_recovering(&self) -> bool {
        self.recovering.load(Ordering::Acquire)
    }
}

/// Opens the index of every target.
fn open_targets(
    store: &Arc<dyn KvStore>,
    prefix: u64,
    specs: Vec<TargetSpec>,
    async_indexing: bool,
    index_dir: &Option<PathBuf>,
    options: &OpenOptions,
) -> Result<BTreeMap<String, Target>> {
    let mut targets = BTreeMap::new();
    for t in specs {
        let cache_max = options
            .vector_cache_max_objects
            .get(&t.name)
            .copied()
            .unwrap_or(DEFAULT_VECTOR_CACHE_MAX_OBJECTS);
        let opened = crate::index::open(store, prefix, &t, index_dir.as_deref(), cache_max)?;
        let name = t.name.clone();
        let mut target = Target::new(t, opened, async_indexing)?;
        *target.cache_max.get_mut() = cache_max;
        targets.insert(name, target);
    }
    Ok(targets)
}

/// Loads the stored postings of the shard into its inverted index, in bulk: the entries
/// stream out in key order and each in-memory structure is built once from them (several
/// times faster than an insert per entry, which made this the critical path of a restart).
fn load_postings(
    store: &dyn KvStore,
    prefix: u64,
    inverted: &inverted_index::InvertedIndex,
) -> Result<()> {
    let started = Instant::now();
    let (mut failure, mut entries) = (None, 0u64);
    let shard_prefix = keys::shard_prefix(prefix);
    let mut loader = inverted.loader();
    store.for_each_prefix(Cf::Postings, &shard_prefix, &mut |k, v| {
        entries += 1;
        match loader.push(&k[shard_prefix.len()..], v) {
            Ok(()) => true,
            Err(e) => {
                failure = Some(Error::from(e));
                false
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    let scanned = started.elapsed().as_millis() as u64;
    loader.finish();
    let ms = started.elapsed().as_millis() as u64;
    tracing::debug!(entries, scanned, ms, "postings loaded");
    Ok(())
}

fn read_counter(store: &dyn KvStore, prefix: u64, name: &[u8]) -> Result<u64> {
    match store.get(Cf::ShardMeta, &keys::shard_key(prefix, name))? {
        None => Ok(0),
        Some(bytes) => {
            let arr: [u8; 8] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| Error::Corrupt(format!("counter of {} bytes", bytes.len())))?;
            Ok(u64::from_be_bytes(arr))
        }
    }
}

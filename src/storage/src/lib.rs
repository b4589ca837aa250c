//! Storage: RocksDB behind the small [`KvStore`] trait. Column families and key codecs are
//! declared here, in one place, so that every shard's data sits under its own key prefix and a
//! shard can be dropped with one range delete or streamed by prefix scan.
//!
//! It is not an index and knows nothing of objects or vectors: callers hand it bytes.
//! [`MemStore`] is an in-memory implementation for tests; [`testing::suite`] is the conformance
//! suite every implementation passes.

mod error;
pub mod keys;
mod mem;
mod rocks;
pub mod testing;

pub use error::{Error, Result};
pub use mem::MemStore;
pub use rocks::{RocksConfig, RocksStore, DEFAULT_BLOCK_CACHE_BYTES, DEFAULT_WRITE_BUFFER_BYTES};

/// A column family: one kind of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cf {
    /// `shard | uuid` -> encoded object record.
    Objects,
    /// `shard | doc id` -> uuid.
    DocIds,
    /// `shard | target | doc id` -> little-endian f32 vector.
    Vectors,
    /// `shard | postings key` -> inverted-index postings.
    Postings,
    /// `shard | name` -> per-shard counters and state.
    ShardMeta,
    /// `shard | target | seq` -> doc id: vector changes not yet in the target's index snapshot.
    IndexLog,
    /// `shard | token | uuid` -> the latest version of every object the shard has seen, live or
    /// deleted (see [`keys::version_key`]): the anti-entropy digests, ordered by token so that a
    /// token range is one scan, and the deletion markers.
    Versions,
    /// Node-level metadata (the Raft state machine, shard prefixes).
    Meta,
    /// `index` (8 bytes, big-endian) -> one encoded Raft log entry (see [`keys::raft_log_key`]).
    RaftLog,
    /// Raft's own records and the replicated state machine: vote, committed and purged log ids,
    /// last applied, membership, the metadata by class, snapshots (keys in [`keys::raft`]).
    RaftMeta,
}

impl Cf {
    /// Every column family, in a stable order.
    pub const ALL: [Cf; 10] = [
        Cf::Objects,
        Cf::DocIds,
        Cf::Vectors,
        Cf::Postings,
        Cf::ShardMeta,
        Cf::IndexLog,
        Cf::Versions,
        Cf::Meta,
        Cf::RaftLog,
        Cf::RaftMeta,
    ];

    /// The column families that hold per-shard data (every key starts with a shard prefix).
    pub const SHARD_DATA: [Cf; 7] = [
        Cf::Objects,
        Cf::DocIds,
        Cf::Vectors,
        Cf::Postings,
        Cf::ShardMeta,
        Cf::IndexLog,
        Cf::Versions,
    ];

    /// The RocksDB column family name.
    pub fn name(self) -> &'static str {
        match self {
            Cf::Objects => "objects",
            Cf::DocIds => "docids",
            Cf::Vectors => "vectors",
            Cf::Postings => "postings",
            Cf::ShardMeta => "shard_meta",
            Cf::IndexLog => "index_log",
            Cf::Versions => "versions",
            Cf::Meta => "meta",
            Cf::RaftLog => "raft_log",
            Cf::RaftMeta => "raft_meta",
        }
    }
}

/// One operation of an atomic [`WriteBatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOp {
    Put {
        cf: Cf,
        key: Vec<u8>,
        value: Vec<u8>,
    },
    Delete {
        cf: Cf,
        key: Vec<u8>,
    },
    /// Deletes keys in `[from, to)`.
    DeleteRange {
        cf: Cf,
        from: Vec<u8>,
        to: Vec<u8>,
    },
}

/// A set of writes applied atomically: all or none survive a crash.
#[derive(Debug, Default, Clone)]
pub struct WriteBatch {
    ops: Vec<BatchOp>,
}

impl WriteBatch {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn put(&mut self, cf: Cf, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.push(BatchOp::Put {
            cf,
            key: key.into(),
            value: value.into(),
        });
    }

    pub fn delete(&mut self, cf: Cf, key: impl Into<Vec<u8>>) {
        self.ops.push(BatchOp::Delete {
            cf,
            key: key.into(),
        });
    }

    pub fn delete_range(&mut self, cf: Cf, from: impl Into<Vec<u8>>, to: impl Into<Vec<u8>>) {
        self.ops.push(BatchOp::DeleteRange {
            cf,
            from: from.into(),
            to: to.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// The operations in the order they were added.
    pub fn ops(&self) -> &[BatchOp] {
        &self.ops
    }
}

/// A key-value pair read from a scan.
pub type KeyValue = (Vec<u8>, Vec<u8>);

/// An ordered key-value store with column families and atomic batches.
///
/// Keys are compared as bytes; scans return keys in ascending order.
pub trait KvStore: Send + Sync {
    fn get(&self, cf: Cf, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Values of many keys of one column family, in the order of `keys`.
    fn multi_get(&self, cf: Cf, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        keys.iter().map(|k| self.get(cf, k)).collect()
    }

    /// Applies every operation of `batch` atomically.
    fn write(&self, batch: WriteBatch) -> Result<()>;

    /// Keys with `prefix`, starting at `start` (inclusive; must itself start with `prefix`,
    /// or be empty to start at the prefix), ascending, at most `limit`.
    fn scan_prefix(
        &self,
        cf: Cf,
        prefix: &[u8],
        start: &[u8],
        limit: usize,
    ) -> Result<Vec<KeyValue>>;

    /// Calls `f` for every key with `prefix`, ascending, until it returns `false`.
    fn for_each_prefix(
        &self,
        cf: Cf,
        prefix: &[u8],
        f: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<()>;

    /// Makes every acknowledged write durable on disk (on shutdown).
    fn flush(&self) -> Result<()>;

    /// Sizes for monitoring, summed over the column families.
    fn stats(&self) -> StoreStats;
}

/// What a store reports for monitoring (Prometheus gauges); every field in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Data in sorted files on disk (RocksDB's SST files); 0 for an in-memory store.
    pub sst_bytes: u64,
    /// Data held in memory before it is written out (RocksDB's memtables, or the whole
    /// in-memory store).
    pub memtable_bytes: u64,
    /// Bytes compaction estimates it still has to rewrite; a growing figure means writes
    /// outpace compaction.
    pub pending_compaction_bytes: u64,
}

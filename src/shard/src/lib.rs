//! One physical shard (or tenant) of a collection: its objects, the uuid <-> doc id mapping, its
//! vectors and their indexes.
//!
//! The object store (RocksDB, through `storage::KvStore`) is the source of truth: every write is
//! one atomic batch of object record, doc-id mapping, vectors and counters, and the in-memory
//! vector indexes are derived from it, rebuilt on open. The API is synchronous; callers run it
//! off the async reactor. This crate does not route, replicate or merge across shards.

mod compression;
mod error;
mod hashtree;
mod index;
mod node_store;
mod record;
mod shard;
mod snapshot;
mod version;

pub use compression::{compression_of, flat_compression};
pub use error::{Error, Result};
pub use hashtree::{HashTree, LEAVES};
pub use index::{IndexKind, DEFAULT_VECTOR_CACHE_MAX_OBJECTS};
pub use inverted_index::{Bm25Stats, IndexConfig, PropertySpec, Stopwords, Tokenization};
pub use node_store::{NodeStore, ShardLocation};
pub use shard::{
    IndexerPool, OpenOptions, PutMode, PutRefusal, PutResult, Repair, RepairChange, Shard,
    ShardSpec, ShardStatus, TargetSpec, TargetStats, VectorHit,
};
pub use shard::{KeywordHit, KeywordQuery};
pub use storage::{RocksConfig, StoreStats};
pub use vector_index::distance::distance_of_raw;
pub use vector_index::{Compression, CompressionState, HnswParams};
pub use version::{Digest, Version};

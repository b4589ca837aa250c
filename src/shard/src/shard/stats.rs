//! What a shard reports about its vector indexes for monitoring: sizes read at scrape time and
//! counts of index operations since the shard opened.

use std::sync::atomic::{AtomicU64, Ordering};

use vector_index::{CompressionState, VectorIndex};

use super::Shard;

/// Vectors put into and removed from one target's index (Weaviate's `vector_index_operations`).
#[derive(Default)]
pub(super) struct IndexOps {
    created: AtomicU64,
    deleted: AtomicU64,
}

impl IndexOps {
    pub(super) fn created(&self, n: usize) {
        self.created.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub(super) fn deleted(&self, n: usize) {
        self.deleted.fetch_add(n as u64, Ordering::Relaxed);
    }
}

/// One vector target of a shard, as monitoring sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetStats {
    /// The target vector's name (`default` for the unnamed vector).
    pub target: String,
    /// Nodes the index holds, live or deleted but not yet cleaned up (Weaviate's
    /// `vector_index_size`); 0 for a skipped target.
    pub size: u64,
    /// Deleted graph nodes awaiting cleanup.
    pub tombstones: u64,
    /// Changes waiting for the index (asynchronous indexing, or recovery).
    pub queue_len: u64,
    /// Vectors inserted since the shard opened (rebuilds are not counted).
    pub created: u64,
    /// Vectors removed since the shard opened.
    pub deleted: u64,
    /// The index serving the target now: `hnsw`, `flat` (also a dynamic index below its
    /// threshold), or `none` for a skipped target.
    pub index_type: &'static str,
    /// What the index holds in memory (graph, vectors it keeps resident), in bytes.
    pub memory_bytes: u64,
    /// The compression searches use now (`none` until a method is active; see
    /// `vector_index::Compression::name`).
    pub compression: &'static str,
}

impl Shard {
    /// Every vector target's figures, in name order.
    pub fn vector_stats(&self) -> Vec<TargetStats> {
        self.targets
            .iter()
            .map(|(name, target)| {
                let index = target.index();
                let (live, tombstones) = index
                    .as_deref()
                    .map_or((0, 0), |index| (index.len(), index.tombstones()));
                let index_type = match index.as_deref() {
                    None => "none",
                    Some(VectorIndex::Flat(_)) => "flat",
                    Some(VectorIndex::Hnsw(_)) => "hnsw",
                };
                let compression = match index.as_deref().map(VectorIndex::compression_state) {
                    Some(CompressionState::Compressed(c)) => c.name(),
                    Some(CompressionState::Uncompressed | CompressionState::Pending(_)) | None => {
                        "none"
                    }
                };
                TargetStats {
                    index_type,
                    compression,
                    memory_bytes: index.as_deref().map_or(0, |i| i.memory_bytes() as u64),
                    target: name.clone(),
                    size: (live + tombstones) as u64,
                    tombstones: tombstones as u64,
                    queue_len: target.queue.as_ref().map_or(0, |q| q.len() as u64),
                    created: target.ops.created.load(Ordering::Relaxed),
                    deleted: target.ops.deleted.load(Ordering::Relaxed),
                }
            })
            .collect()
    }
}

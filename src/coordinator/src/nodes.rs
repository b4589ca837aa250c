//! Node and shard status reports (`/v1/nodes`, `/v1/schema/{class}/shards`).

use serde::{Deserialize, Serialize};

/// One node as `/v1/nodes` reports it; also what nodes send each other for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeStatus {
    pub name: String,
    /// `HEALTHY`, `UNHEALTHY`, `UNAVAILABLE` or `TIMEOUT`.
    pub status: String,
    pub version: String,
    pub git_hash: String,
    /// Vectors waiting for the index (0 with synchronous indexing).
    pub queue_length: u64,
    /// Objects imported per second, averaged over the recent past.
    pub rate_per_second: u64,
    pub object_count: u64,
    pub shard_count: u64,
    pub shards: Vec<ShardReport>,
}

/// One shard in the verbose `/v1/nodes` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardReport {
    pub name: String,
    pub class: String,
    pub object_count: u64,
    /// `READY`, `READONLY`, `INDEXING`, `LOADING` or `SHUTDOWN`.
    pub vector_indexing_status: String,
    pub compressed: bool,
    pub vector_queue_length: u64,
    pub loaded: bool,
    /// Each target vector's index (Shoal's addition to Weaviate's shape); absent from the
    /// entries of peers that predate it.
    #[serde(default)]
    pub vector_indexes: Vec<VectorIndexReport>,
}

/// One target vector's index of a shard: what it is and holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorIndexReport {
    /// `default` for the unnamed vector.
    pub target: String,
    /// `hnsw`, `flat` (a dynamic index below its threshold too) or `none` (skipped).
    pub index_type: String,
    /// Vectors searchable through the index itself.
    pub indexed: u64,
    /// Changes still waiting for the index (searched exactly meanwhile).
    pub queued: u64,
    /// Deleted graph nodes awaiting cleanup.
    pub tombstones: u64,
    pub memory_bytes: u64,
    /// The compression searches use now: `none`, `pq`, `bq`, `sq`, `rq-8` or `rq-1`.
    #[serde(default = "uncompressed")]
    pub compression: String,
}

/// What a report from a node that predates per-target compression means.
fn uncompressed() -> String {
    "none".to_string()
}

/// One shard as `GET /v1/schema/{class}/shards` reports it.
#[derive(Debug, Clone)]
pub struct ShardStatusReport {
    pub name: String,
    /// `READY`, `READONLY`, or `INDEXING` while vectors wait for the index or the class is
    /// still being copied from another.
    pub status: String,
    pub vector_queue_size: u64,
    /// The copy that builds the class from another (`initFrom`), class-wide, on every shard.
    pub copy: Option<cluster::copies::CopyProgress>,
}

/// One member of the metadata Raft group as `/v1/cluster/statistics` reports it.
#[derive(Debug, Clone)]
pub struct RaftMemberReport {
    pub name: String,
    /// `HEALTHY`, or `UNAVAILABLE` when the member did not answer.
    pub status: String,
    pub raft_addr: String,
    pub is_voter: bool,
    /// What the member itself reported; `None` when it did not answer.
    pub raft: Option<RaftView>,
}

/// A member's own view of Raft.
#[derive(Debug, Clone)]
pub struct RaftView {
    pub ready: bool,
    /// `Leader`, `Follower`, `Candidate` or `Learner`.
    pub state: String,
    pub leader_name: Option<String>,
    pub leader_addr: Option<String>,
    pub term: u64,
    pub applied_index: u64,
    pub last_log_index: u64,
    pub snapshot_index: u64,
    /// Members as this node knows them: name, internal address, voter or not.
    pub members: Vec<(String, String, bool)>,
}

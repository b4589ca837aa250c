//! Node and shard status reports (`/v1/nodes`, `/v1/schema/{class}/shards`).

/// One node as `/v1/nodes` reports it.
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
pub struct ShardReport {
    pub name: String,
    pub class: String,
    pub object_count: u64,
    /// `READY`, `READONLY`, `INDEXING`, `LOADING` or `SHUTDOWN`.
    pub vector_indexing_status: String,
    pub compressed: bool,
    pub vector_queue_length: u64,
    pub loaded: bool,
}

/// One shard as `GET /v1/schema/{class}/shards` reports it.
#[derive(Debug, Clone)]
pub struct ShardStatusReport {
    pub name: String,
    /// `READY` or `READONLY`.
    pub status: String,
    pub vector_queue_size: u64,
}

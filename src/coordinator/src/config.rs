//! Settings the coordinator needs, composed by the server from file and environment.

use std::path::PathBuf;

use types::schema::{DefaultQuantization, Distance};

/// Node-level settings that shape request handling.
#[derive(Debug, Clone)]
pub struct CoordinatorConfig {
    /// `PERSISTENCE_DATA_PATH`: all data of this node.
    pub data_path: PathBuf,
    /// `CLUSTER_HOSTNAME`: this node's name.
    pub node_name: String,
    /// `QUERY_DEFAULTS_LIMIT`.
    pub query_defaults_limit: usize,
    /// `QUERY_MAXIMUM_RESULTS`: cap on offset+limit and on batch deletes.
    pub query_maximum_results: usize,
    /// `QUERY_NESTED_CROSS_REFERENCE_LIMIT`: at most this many target objects count for
    /// one condition on a reference path.
    pub query_nested_cross_reference_limit: usize,
    /// `QUERY_CROSS_REFERENCE_DEPTH_LIMIT`: the deepest nesting of resolved references.
    pub query_cross_reference_depth_limit: usize,
    /// `AUTOSCHEMA_ENABLED`.
    pub autoschema_enabled: bool,
    /// `ASYNC_INDEXING`.
    pub async_indexing: bool,
    /// `DEFAULT_VECTOR_DISTANCE_METRIC`.
    pub default_distance: Distance,
    /// `DEFAULT_QUANTIZATION`: the compression of new hnsw indexes whose class names none.
    pub default_quantization: DefaultQuantization,
    /// Fsync RocksDB's WAL on every write: survives power loss, not only process crashes.
    pub sync_writes: bool,
    /// `PERSISTENCE_BLOCK_CACHE_MB`: RocksDB's block cache, shared by every shard of the node.
    pub block_cache_bytes: usize,
    /// `PERSISTENCE_MEMTABLES_MAX_SIZE_MB`: RocksDB's memtables together, flushed beyond it.
    pub memtables_bytes: usize,
    /// Time between anti-entropy rounds (`ASYNC_REPLICATION_FREQUENCY`); `None` when
    /// `ASYNC_REPLICATION_DISABLED`.
    pub async_replication_frequency: Option<std::time::Duration>,
    /// `PROMETHEUS_MONITORING_GROUP`: metrics carry `n/a` for class and shard names, so that
    /// thousands of classes or tenants do not mean thousands of series.
    pub monitoring_group: bool,
}

impl CoordinatorConfig {
    /// Defaults of a single node with data in `data_path`.
    pub fn new(data_path: impl Into<PathBuf>, node_name: impl Into<String>) -> Self {
        CoordinatorConfig {
            data_path: data_path.into(),
            node_name: node_name.into(),
            query_defaults_limit: 10,
            query_maximum_results: 10_000,
            query_nested_cross_reference_limit: 100_000,
            query_cross_reference_depth_limit: 5,
            autoschema_enabled: true,
            async_indexing: false,
            default_distance: Distance::Cosine,
            default_quantization: DefaultQuantization::None,
            sync_writes: false,
            block_cache_bytes: shard::RocksConfig::default().block_cache_bytes,
            memtables_bytes: shard::RocksConfig::default().write_buffer_bytes,
            async_replication_frequency: Some(std::time::Duration::from_secs(5)),
            monitoring_group: false,
        }
    }
}

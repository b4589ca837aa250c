//! The coordinator: per-request logic between the API and the engines. It resolves the schema
//! from cluster metadata, validates and normalises writes, routes objects to shards, runs
//! searches over every shard and merges their results.
//!
//! It is not an HTTP layer (that is `api`) and holds no index code (that is `shard` and below).
//! Its methods are async; shard work, which is synchronous, runs on the blocking pool.

pub mod config;
pub mod error;
pub mod nodes;
pub mod query;
pub mod schema;

mod aggregate;
mod compute;
mod delete;
mod objects;
mod registry;
mod schema_ops;
mod search;
mod status;

use std::sync::Arc;

pub use config::CoordinatorConfig;
pub use error::{Error, Result};
pub use query::{
    AggregateQuery, AggregateResult, AggregateRow, BatchDelete, BatchDeleteResult, Fusion, GroupBy,
    HitGroup, HybridSearch, KeywordSearch, ListQuery, ObjectWrite, PropertyAggregate, SearchHit,
    SearchQuery, SearchResult, SortBy, Threshold, VectorSearch,
};

use registry::ShardRegistry;

/// Entry point for every request the API serves.
pub struct Coordinator {
    config: CoordinatorConfig,
    meta: Arc<cluster::MetaStore>,
    shards: Arc<ShardRegistry>,
    rate: status::ImportRate,
}

impl Coordinator {
    /// Opens (or creates) the node's data under `config.data_path`, loading every local shard.
    /// Blocking: call it before serving requests.
    pub fn open(config: CoordinatorConfig) -> Result<Arc<Coordinator>> {
        std::fs::create_dir_all(&config.data_path).map_err(|e| {
            Error::Internal(format!(
                "cannot create data path {}: {e}",
                config.data_path.display()
            ))
        })?;
        let shards = Arc::new(ShardRegistry::open(&config)?);
        let meta = Arc::new(cluster::MetaStore::open(
            &config.data_path.join("raft"),
            &config.node_name,
            shards.clone(),
        )?);
        shards.sync_with(&meta.snapshot())?;
        Ok(Arc::new(Coordinator {
            config,
            meta,
            shards,
            rate: status::ImportRate::default(),
        }))
    }

    /// Runs shard upkeep (graph cleanup, index snapshots) every `every` until the returned task
    /// is aborted. Call it once, inside the runtime.
    pub fn start_maintenance(
        self: &Arc<Self>,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let shards = self.shards.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                let shards = shards.clone();
                let _ = tokio::task::spawn_blocking(move || shards.maintain()).await;
            }
        })
    }

    /// The settings this coordinator runs with.
    pub fn config(&self) -> &CoordinatorConfig {
        &self.config
    }

    /// True once metadata and shards are loaded (always, after `open`, on a single node).
    pub fn is_ready(&self) -> bool {
        true
    }

    /// Flushes everything to disk. Called on graceful shutdown.
    pub async fn shutdown(&self) -> Result<()> {
        let shards = self.shards.clone();
        run_blocking(move || shards.flush()).await?;
        self.meta.flush()?;
        Ok(())
    }
}

/// Runs synchronous engine work on the blocking pool, keeping the reactor free.
pub(crate) async fn run_blocking<T, F>(f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("engine task failed: {e}")))?
}

//! The coordinator: per-request distributed logic between the API and the engines, on typed
//! requests (`model`). It resolves a class from the cluster metadata, applies `model`'s rules
//! that need that state (auto-schema, object values against the class, `where` filters,
//! mutability against the current class), routes objects to shards, replicates at the requested
//! consistency level (read repair, anti-entropy), runs searches over every shard and merges
//! their results with `model::results`, resolves cross-references into hits and filters
//! through them (one call per target class and shard per level), changes reference
//! properties, and keeps collection aliases, resolving the name a request gives for a class
//! through them (`aliases`). It also runs the background copy that fills a class created with
//! `initFrom` from another (`copies`).
//!
//! It is not a wire layer (that is `api`): it takes no JSON request bodies, GraphQL or protobuf.
//! Weaviate's class and result rules are `model`'s; the checks made here are those that need
//! cluster state (replicas against nodes, tenants, shard status). It holds no index code (that
//! is `shard` and below). Its methods are async; shard work, which is synchronous, runs on the
//! blocking pool.

pub mod aliases;
pub mod config;
pub mod error;
pub mod metrics;
pub mod nodes;

mod aggregate;
mod copies;
mod delete;
mod internal;
mod meta;
mod migrate;
mod objects;
mod references;
mod registry;
mod remote;
mod repair;
mod replication;
mod schema_ops;
mod search;
mod status;
mod tenants;
#[cfg(test)]
mod testing;

#[cfg(test)]
mod class_log_tests;
#[cfg(test)]
mod compression_tests;

use std::sync::Arc;

pub use aliases::Alias;
pub use cluster::copies::{CopyProgress, CopyState};
pub use cluster::raft::{RaftMetaConfig, RaftTimeouts};
pub use config::CoordinatorConfig;
pub use error::{Error, Result};
pub use references::{ReferenceEdit, ReferenceSource};

use meta::Meta;
use registry::ShardRegistry;

/// Entry point for every request the API serves.
pub struct Coordinator {
    config: CoordinatorConfig,
    meta: Meta,
    shards: Arc<ShardRegistry>,
    rate: status::ImportRate,
    metrics: Arc<metrics::Metrics>,
    reference_locks: references::ReferenceLocks,
    /// The classes whose `initFrom` copy runs on this node now.
    running_copies: parking_lot::Mutex<std::collections::BTreeSet<String>>,
}

impl Coordinator {
    /// Opens the node's data and joins the metadata Raft group described by `raft` (a
    /// standalone node is a group of one). Serve [`Coordinator::internal_router`] on the
    /// internal port right away: peers must reach this node before the cluster can form, and
    /// until then [`Coordinator::is_ready`] is false.
    pub async fn start_clustered(
        config: CoordinatorConfig,
        raft: cluster::raft::RaftMetaConfig,
    ) -> Result<Arc<Coordinator>> {
        let shard_config = config.clone();
        let shards = run_blocking(move || Self::open_shards(&shard_config)).await?;
        let data = config.data_path.clone();
        let pending = run_blocking(move || migrate::pending_classes(&data)).await?;
        let meta = Arc::new(cluster::raft::RaftMeta::start(raft, shards.clone()).await?);
        let synced = shards.clone();
        let state = migrate::with_pending(&meta.snapshot(), &pending);
        run_blocking(move || synced.sync_with(&state)).await?;
        if !pending.is_empty() {
            let data = config.data_path.clone();
            tokio::spawn(migrate::adopt(meta.clone(), data, pending));
        }
        Self::with_meta(config, shards, Meta::new(meta))
    }

    fn open_shards(config: &CoordinatorConfig) -> Result<Arc<ShardRegistry>> {
        std::fs::create_dir_all(&config.data_path).map_err(|e| {
            Error::Internal(format!(
                "cannot create data path {}: {e}",
                config.data_path.display()
            ))
        })?;
        Ok(Arc::new(ShardRegistry::open(config)?))
    }

    fn with_meta(
        config: CoordinatorConfig,
        shards: Arc<ShardRegistry>,
        meta: Meta,
    ) -> Result<Arc<Coordinator>> {
        let metrics = metrics::Metrics::new(config.monitoring_group)
            .map_err(|e| Error::Internal(format!("cannot set up metrics: {e}")))?;
        Ok(Arc::new(Coordinator {
            config,
            meta,
            shards,
            rate: status::ImportRate::default(),
            metrics: Arc::new(metrics),
            reference_locks: references::ReferenceLocks::default(),
            running_copies: Default::default(),
        }))
    }

    /// The routes of the internal port: Raft RPC, cluster formation and what peers ask of
    /// this node, behind the internal basic auth when configured.
    pub fn internal_router(self: &Arc<Self>) -> axum::Router {
        self.meta.raft().router_with(internal::routes(self.clone()))
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

    /// True once shards are loaded and, in a cluster, the node knows a leader and has applied
    /// the metadata log it had.
    pub fn is_ready(&self) -> bool {
        self.meta.is_ready()
    }

    /// Flushes everything to disk. Called on graceful shutdown.
    pub async fn shutdown(&self) -> Result<()> {
        let shards = self.shards.clone();
        run_blocking(move || shards.flush()).await?;
        self.meta.shutdown().await
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

//! The shards this node holds, kept in step with the metadata: a class added creates its local
//! shards, a class deleted drops their data. On startup `sync_with` reconciles both ways, so a
//! crash between a metadata change and its local effect is repaired on the next start.
//!
//! Tenants' shards are opened lazily, by the first request that needs one
//! ([`ShardRegistry::open_tenant`]), so that start-up does not load thousands of tenants. A
//! tenant set COLD is closed (its data stays); a tenant deleted loses its data.
//!
//! Every shard it opens is attached to the node's one [`IndexerPool`]: asynchronous indexing
//! and recovery after a crash run on a few shared threads, whatever the number of shards.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use cluster::{ClassMeta, MetaChange, MetaListener, MetaState};
use parking_lot::{Mutex, RwLock};
use shard::{
    HnswParams, IndexConfig, IndexKind, IndexerPool, NodeStore, PropertySpec, Shard, ShardSpec,
    ShardStatus, Stopwords, TargetSpec, Tokenization,
};
use types::schema::{HnswConfig, VectorIndexConfig};

use crate::{CoordinatorConfig, Result};

type ShardKey = (String, String);

/// A graph index is snapshotted once this many changes are logged since its last snapshot,
/// which bounds the replay a restart does.
const SNAPSHOT_AFTER_LOG_ENTRIES: u64 = 100_000;

/// At most this many indexer threads: each batch they apply already inserts on every core.
const MAX_INDEXER_WORKERS: usize = 4;

/// Local shards by (class, shard name).
pub(crate) struct ShardRegistry {
    node: String,
    async_indexing: bool,
    store: NodeStore,
    shards: RwLock<BTreeMap<ShardKey, Arc<Shard>>>,
    /// Serialises shard creation and removal; holds the index of the last metadata change
    /// this registry acted on (see [`ShardRegistry::open_tenant`]).
    changes: Mutex<u64>,
    indexers: IndexerPool,
}

impl ShardRegistry {
    /// Opens the node's data database at `<data>/db`.
    pub(crate) fn open(config: &CoordinatorConfig) -> Result<ShardRegistry> {
        Ok(ShardRegistry {
            node: config.node_name.clone(),
            async_indexing: config.async_indexing,
            store: NodeStore::open_with(
                &config.data_path.join("db"),
                &shard::RocksConfig {
                    sync_writes: config.sync_writes,
                    block_cache_bytes: config.block_cache_bytes,
                    write_buffer_bytes: config.memtables_bytes,
                },
            )?,
            shards: RwLock::new(BTreeMap::new()),
            changes: Mutex::new(0),
            indexers: IndexerPool::start(indexer_workers()).map_err(|e| {
                crate::Error::Internal(format!("cannot start the indexer threads: {e}"))
            })?,
        })
    }

    /// Opens every local shard the metadata assigns to this node and drops the data of shards
    /// it no longer has.
    pub(crate) fn sync_with(&self, state: &MetaState) -> Result<()> {
        let _g = self.changes.lock();
        let wanted: BTreeSet<ShardKey> = state
            .classes
            .values()
            .flat_map(|m| {
                self.local_shard_names(m)
                    .into_iter()
                    .chain(self.local_tenant_names(m))
                    .map(|s| (m.class.class.clone(), s))
            })
            .collect();
        for loc in self.store.locations()? {
            if !wanted.contains(&(loc.class.clone(), loc.shard.clone())) {
                tracing::info!(class = %loc.class, shard = %loc.shard, "dropping data of a shard the schema no longer has");
                self.store.drop_shard(&loc.class, &loc.shard)?;
            }
        }
        for meta in state.classes.values() {
            self.open_class(meta)?;
        }
        Ok(())
    }

    /// The local shards of `class`, in name order.
    pub(crate) fn shards_of(&self, class: &str) -> Vec<Arc<Shard>> {
        self.shards
            .read()
            .iter()
            .filter(|((c, _), _)| c == class)
            .map(|(_, s)| s.clone())
            .collect()
    }

    /// One local shard.
    pub(crate) fn shard(&self, class: &str, name: &str) -> Option<Arc<Shard>> {
        self.shards
            .read()
            .get(&(class.to_string(), name.to_string()))
            .cloned()
    }

    /// Every local shard.
    pub(crate) fn all(&self) -> Vec<Arc<Shard>> {
        self.shards.read().values().cloned().collect()
    }

    /// The data store's sizes, for monitoring.
    pub(crate) fn store_stats(&self) -> shard::StoreStats {
        self.store.stats()
    }

    /// Makes every acknowledged write durable.
    pub(crate) fn flush(&self) -> Result<()> {
        for shard in self.all() {
            shard.snapshot_indexes()?;
        }
        Ok(self.store.flush()?)
    }

    /// Periodic upkeep of every shard (graph cleanup, snapshots once the log has grown).
    pub(crate) fn maintain(&self) {
        for shard in self.all() {
            if let Err(e) = shard.maintain(SNAPSHOT_AFTER_LOG_ENTRIES) {
                tracing::warn!(shard = %shard.name(), error = %e, "shard maintenance failed");
            }
        }
    }

    fn local_shard_names(&self, meta: &ClassMeta) -> Vec<String> {
        meta.sharding
            .shards_on(&self.node)
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    /// The tenants of `meta` placed on this node, whatever their status.
    fn local_tenant_names<'a>(&'a self, meta: &'a ClassMeta) -> impl Iterator<Item = String> + 'a {
        meta.tenants
            .values()
            .filter(|t| t.belongs_to_nodes.contains(&self.node))
            .map(|t| t.name.clone())
    }

    /// Opens the local shard of a tenant's view ([`ClassMeta::for_tenant`]) unless it is open;
    /// false if the tenant is no longer HOT (or no longer exists) in the published metadata.
    ///
    /// The view may come from an older state than the one a change that closes or drops the
    /// tenant produced. That change's listener call and this check both hold `changes`, and
    /// the check reads the metadata `current` publishes only once it includes every change the
    /// listener acted on (it is published right after the listener returns), so a closed
    /// tenant is never opened again behind its closing.
    pub(crate) fn open_tenant(
        &self,
        view: &ClassMeta,
        current: impl Fn() -> Arc<MetaState>,
    ) -> Result<bool> {
        let class = &view.class.class;
        let open = view
            .sharding
            .physical
            .keys()
            .all(|name| self.shard(class, name).is_some());
        if open {
            return Ok(true);
        }
        let acted_on = loop {
            let acted_on = self.changes.lock();
            if current().applied >= *acted_on {
                break acted_on;
            }
            drop(acted_on);
            std::thread::yield_now();
        };
        let state = current();
        let hot = view.sharding.physical.keys().all(|name| {
            state
                .class(class)
                .and_then(|m| m.tenants.get(name))
                .is_some_and(|t| t.status == cluster::tenants::HOT)
        });
        if !hot {
            return Ok(false);
        }
        self.open_shards(view)?;
        drop(acted_on);
        Ok(true)
    }

    /// Closes or drops the local shards of tenants that changed: closed when no longer HOT,
    /// their data dropped when the tenant is gone.
    fn tenants_changed(&self, class: &str, names: &[String], state: &MetaState) -> Result<()> {
        let meta = state.class(class);
        for name in names {
            let tenant = meta.and_then(|m| m.tenants.get(name));
            let key = (class.to_string(), name.clone());
            match tenant {
                Some(t) if t.status == cluster::tenants::HOT => {}
                Some(_) => {
                    self.shards.write().remove(&key);
                }
                None => {
                    self.shards.write().remove(&key);
                    self.store.drop_shard(class, name)?;
                }
            }
        }
        Ok(())
    }

    fn open_class(&self, meta: &ClassMeta) -> Result<()> {
        if meta.class.multi_tenancy_config.enabled {
            // Tenants open on first use.
            return Ok(());
        }
        self.open_shards(meta)
    }

    fn open_shards(&self, meta: &ClassMeta) -> Result<()> {
        let class = &meta.class.class;
        for physical in meta.sharding.shards_on(&self.node) {
            let key = (class.clone(), physical.name.clone());
            if self.shards.read().contains_key(&key) {
                continue;
            }
            let spec = ShardSpec {
                prefix: 0,
                name: physical.name.clone(),
                class: class.clone(),
                targets: targets_of(&meta.class),
                status: status_from(&physical.status),
                async_indexing: self.async_indexing,
                inverted: inverted_config(&meta.class)?,
            };
            let options = shard::OpenOptions {
                vector_cache_max_objects: cache_limits(&meta.class),
                tenant: meta.class.multi_tenancy_config.enabled,
            };
            let shard = Arc::new(self.store.open_shard_with(spec, &options)?);
            self.indexers.attach(&shard);
            self.shards.write().insert(key, shard);
        }
        Ok(())
    }

    /// Drops every shard of `class` this node has data of, open or not (tenants').
    fn drop_class(&self, class: &str) -> Result<()> {
        self.shards.write().retain(|(c, _), _| c != class);
        for loc in self.store.locations()? {
            if loc.class == class {
                self.store.drop_shard(&loc.class, &loc.shard)?;
            }
        }
        Ok(())
    }
}

/// One indexer thread per core, up to [`MAX_INDEXER_WORKERS`].
fn indexer_workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_INDEXER_WORKERS)
}

impl MetaListener for ShardRegistry {
    fn on_applied(&self, change: &MetaChange, state: &MetaState) {
        let mut acted_on = self.changes.lock();
        *acted_on = (*acted_on).max(state.applied);
        let outcome = match change {
            MetaChange::ClassAdded(name) => {
                state.class(name).map_or(Ok(()), |m| self.open_class(m))
            }
            MetaChange::ClassUpdated(name) => state.class(name).map_or(Ok(()), |meta| {
                let targets = targets_of(&meta.class);
                let inverted = inverted_config(&meta.class)?;
                let limits = cache_limits(&meta.class);
                for shard in self.shards_of(name) {
                    shard.update_targets(&targets);
                    for (target, max) in &limits {
                        shard.set_vector_cache_max_objects(target, *max);
                    }
                    shard.update_inverted(inverted.clone());
                }
                Ok(())
            }),
            MetaChange::ClassDeleted(name) => self.drop_class(name),
            MetaChange::TenantsChanged { class, names } => {
                self.tenants_changed(class, names, state)
            }
            MetaChange::VectorDimsSet(_)
            | MetaChange::AliasChanged(_)
            | MetaChange::CopyProgressed(_) => Ok(()),
            MetaChange::ShardStatusChanged {
                class,
                shard,
                status,
            } => {
                if let Some(s) = self.shard(class, shard) {
                    s.set_status(status_from(status));
                }
                Ok(())
            }
        };
        if let Err(e) = outcome {
            // The metadata is durable; the next start reconciles local shards with it.
            tracing::error!(error = %e, ?change, "applying a metadata change to local shards failed");
        }
    }
}

/// The target vectors of a class as shards see them.
pub(crate) fn targets_of(class: &types::schema::Class) -> Vec<TargetSpec> {
    class
        .vector_targets()
        .into_iter()
        .map(|(name, _, config)| {
            let (kind, cleanup_interval_secs) = index_kind(&config);
            TargetSpec {
                name,
                distance: config.distance(),
                kind,
                cleanup_interval_secs,
                compression: shard::compression_of(&config),
            }
        })
        .collect()
}

/// `vectorCacheMaxObjects` of every graph index of a class, by target (flat indexes hold
/// their vectors in memory whatever the setting, as they scan them all anyway).
fn cache_limits(class: &types::schema::Class) -> BTreeMap<String, u64> {
    class
        .vector_targets()
        .into_iter()
        .filter_map(|(name, _, config)| {
            let max = match &config {
                VectorIndexConfig::Hnsw(h) => h.vector_cache_max_objects,
                VectorIndexConfig::Dynamic(d) => d.hnsw.vector_cache_max_objects,
                VectorIndexConfig::Flat(_) => return None,
            };
            Some((name, max.max(0) as u64))
        })
        .collect()
}

/// The engine for an index configuration, and its tombstone-cleanup interval.
fn index_kind(config: &VectorIndexConfig) -> (IndexKind, u64) {
    match config {
        VectorIndexConfig::Hnsw(h) if h.skip => (IndexKind::Skip, 0),
        VectorIndexConfig::Hnsw(h) => (
            IndexKind::Hnsw(hnsw_params(h)),
            h.cleanup_interval_seconds.max(1) as u64,
        ),
        VectorIndexConfig::Dynamic(d) => {
            let kind = IndexKind::Dynamic {
                threshold: d.threshold.max(0) as usize,
                hnsw: hnsw_params(&d.hnsw),
                exact: shard::flat_compression(&d.flat),
            };
            (kind, d.hnsw.cleanup_interval_seconds.max(1) as u64)
        }
        VectorIndexConfig::Flat(_) => (IndexKind::Flat, 0),
    }
}

fn hnsw_params(h: &HnswConfig) -> HnswParams {
    let positive = |v: i64| v.max(1) as usize;
    HnswParams {
        max_connections: positive(h.max_connections),
        ef_construction: positive(h.ef_construction),
        ef: h.ef,
        dynamic_ef_min: positive(h.dynamic_ef_min),
        dynamic_ef_max: positive(h.dynamic_ef_max),
        dynamic_ef_factor: positive(h.dynamic_ef_factor),
        flat_search_cutoff: h.flat_search_cutoff.max(0) as usize,
    }
}

/// What the inverted index of a class's shards indexes.
pub(crate) fn inverted_config(class: &types::schema::Class) -> Result<IndexConfig> {
    let cfg = &class.inverted_index_config;
    let stopwords = Stopwords::new(
        &cfg.stopwords.preset,
        cfg.stopwords.additions.as_deref().unwrap_or_default(),
        cfg.stopwords.removals.as_deref().unwrap_or_default(),
    )
    .map_err(shard::Error::from)?;
    let properties = class
        .props()
        .iter()
        .filter_map(|p| {
            Some(PropertySpec {
                name: p.name.clone(),
                data_type: p.kind()?,
                tokenization: tokenization(p.tokenization.as_deref()),
                filterable: p.index_filterable,
                searchable: p.index_searchable,
                range_filters: p.index_range_filters,
            })
        })
        .collect();
    Ok(IndexConfig {
        properties,
        stopwords,
        k1: cfg.bm25.k1 as f32,
        b: cfg.bm25.b as f32,
        index_null_state: cfg.index_null_state,
        index_property_length: cfg.index_property_length,
        index_timestamps: cfg.index_timestamps,
    })
}

/// Validated at class creation: only these reach the engine (gse and kagome are refused).
fn tokenization(name: Option<&str>) -> Tokenization {
    match name {
        Some("lowercase") => Tokenization::Lowercase,
        Some("whitespace") => Tokenization::Whitespace,
        Some("field") => Tokenization::Field,
        Some("trigram") => Tokenization::Trigram,
        _ => Tokenization::Word,
    }
}

fn status_from(s: &str) -> ShardStatus {
    if s == "READONLY" {
        ShardStatus::ReadOnly
    } else {
        ShardStatus::Ready
    }
}

#[cfg(test)]
mod tests {
    use model::schema::{parse_class, SchemaDefaults};
    use serde_json::json;

    use super::cache_limits;

    #[test]
    fn cache_limits_cover_graph_indexes_only() {
        let body = json!({"class": "V", "vectorConfig": {
            "a": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw",
                  "vectorIndexConfig": {"vectorCacheMaxObjects": 500}},
            "b": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"},
            "c": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}
        }});
        let class = parse_class(&body, &SchemaDefaults::default()).expect("valid class");
        let limits = cache_limits(&class);
        assert_eq!(limits.get("a"), Some(&500));
        assert_eq!(limits.get("b"), None);
        assert_eq!(limits.get("c"), Some(&1_000_000_000_000));
    }
}

//! The shards this node holds, kept in step with the metadata: a class added creates its local
//! shards, a class deleted drops their data. On startup `sync_with` reconciles both ways, so a
//! crash between a metadata change and its local effect is repaired on the next start.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use cluster::{ClassMeta, MetaChange, MetaListener, MetaState};
use parking_lot::{Mutex, RwLock};
use shard::{NodeStore, Shard, ShardSpec, ShardStatus, TargetSpec};
use types::schema::VectorIndexConfig;

use crate::{CoordinatorConfig, Result};

type ShardKey = (String, String);

/// Local shards by (class, shard name).
pub(crate) struct ShardRegistry {
    node: String,
    store: NodeStore,
    shards: RwLock<BTreeMap<ShardKey, Arc<Shard>>>,
    /// Serialises shard creation and removal.
    changes: Mutex<()>,
}

impl ShardRegistry {
    /// Opens the node's data database at `<data>/db`.
    pub(crate) fn open(config: &CoordinatorConfig) -> Result<ShardRegistry> {
        Ok(ShardRegistry {
            node: config.node_name.clone(),
            store: NodeStore::open(&config.data_path.join("db"), config.sync_writes)?,
            shards: RwLock::new(BTreeMap::new()),
            changes: Mutex::new(()),
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

    /// Makes every acknowledged write durable.
    pub(crate) fn flush(&self) -> Result<()> {
        Ok(self.store.flush()?)
    }

    fn local_shard_names(&self, meta: &ClassMeta) -> Vec<String> {
        meta.sharding
            .shards_on(&self.node)
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    fn open_class(&self, meta: &ClassMeta) -> Result<()> {
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
            };
            let shard = self.store.open_shard(spec)?;
            self.shards.write().insert(key, Arc::new(shard));
        }
        Ok(())
    }

    fn drop_class(&self, class: &str) -> Result<()> {
        let doomed: Vec<ShardKey> = self
            .shards
            .read()
            .keys()
            .filter(|(c, _)| c == class)
            .cloned()
            .collect();
        for key in doomed {
            self.shards.write().remove(&key);
            self.store.drop_shard(&key.0, &key.1)?;
        }
        Ok(())
    }
}

impl MetaListener for ShardRegistry {
    fn on_applied(&self, change: &MetaChange, state: &MetaState) {
        let _g = self.changes.lock();
        let outcome = match change {
            MetaChange::ClassAdded(name) | MetaChange::ClassUpdated(name) => {
                state.class(name).map_or(Ok(()), |m| self.open_class(m))
            }
            MetaChange::ClassDeleted(name) => self.drop_class(name),
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
        .map(|(name, _, config)| TargetSpec {
            name,
            distance: config.distance(),
            skip: matches!(&config, VectorIndexConfig::Hnsw(h) if h.skip),
        })
        .collect()
}

fn status_from(s: &str) -> ShardStatus {
    if s == "READONLY" {
        ShardStatus::ReadOnly
    } else {
        ShardStatus::Ready
    }
}

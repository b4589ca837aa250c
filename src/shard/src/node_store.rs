//! The node's data database: one RocksDB shared by every local shard, each under its own
//! storage prefix. Thousands of shards (tenants) never mean thousands of RocksDB instances.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use storage::{keys, Cf, KvStore, RocksConfig, RocksStore, StoreStats, WriteBatch};

use crate::{Error, OpenOptions, Result, Shard, ShardSpec};

const PREFIX_KEY: &str = "shard-prefix/";
const NEXT_PREFIX_KEY: &[u8] = b"shard-prefix-next";

/// Where a shard's data lives in the node's database.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ShardLocation {
    pub class: String,
    pub shard: String,
    pub prefix: u64,
}

/// The node's data database.
pub struct NodeStore {
    store: Arc<dyn KvStore>,
    /// Where vector-index snapshots live; `None` rebuilds indexes on every open.
    index_dir: Option<PathBuf>,
}

impl NodeStore {
    /// Opens or creates the database at `path`, with vector-index snapshots in
    /// `path/../indexes`. `sync_writes` fsyncs the WAL on every write.
    pub fn open(path: &Path, sync_writes: bool) -> Result<NodeStore> {
        let config = RocksConfig {
            sync_writes,
            ..RocksConfig::default()
        };
        Self::open_with(path, &config)
    }

    /// [`NodeStore::open`] with every RocksDB setting given.
    pub fn open_with(path: &Path, config: &RocksConfig) -> Result<NodeStore> {
        let index_dir = path.parent().unwrap_or(path).join("indexes");
        Ok(NodeStore {
            store: Arc::new(RocksStore::open(path, config)?),
            index_dir: Some(index_dir),
        })
    }

    /// A store over any [`KvStore`] without index snapshots (tests use `storage::MemStore`).
    pub fn with_store(store: Arc<dyn KvStore>) -> NodeStore {
        NodeStore {
            store,
            index_dir: None,
        }
    }

    /// Opens a shard, allocating its prefix the first time. `spec.prefix` is ignored.
    pub fn open_shard(&self, spec: ShardSpec) -> Result<Shard> {
        self.open_shard_with(spec, &OpenOptions::default())
    }

    /// [`NodeStore::open_shard`] with settings beyond the spec.
    pub fn open_shard_with(&self, mut spec: ShardSpec, options: &OpenOptions) -> Result<Shard> {
        spec.prefix = self.prefix_for(&spec.class, &spec.name)?;
        Shard::open_with(self.store.clone(), spec, self.index_dir.clone(), options)
    }

    /// Every shard that has data on this node.
    pub fn locations(&self) -> Result<Vec<ShardLocation>> {
        let rows = self
            .store
            .scan_prefix(Cf::Meta, PREFIX_KEY.as_bytes(), b"", usize::MAX)?;
        rows.into_iter()
            .map(|(k, v)| {
                let name = String::from_utf8_lossy(&k[PREFIX_KEY.len()..]).into_owned();
                let (class, shard) = name.split_once('\0').unwrap_or((name.as_str(), ""));
                Ok(ShardLocation {
                    class: class.to_string(),
                    shard: shard.to_string(),
                    prefix: decode_u64(&v)?,
                })
            })
            .collect()
    }

    /// Deletes every key of a shard and forgets its prefix, in one atomic batch.
    pub fn drop_shard(&self, class: &str, shard: &str) -> Result<()> {
        let Some(prefix) = self.stored_prefix(class, shard)? else {
            return Ok(());
        };
        let mut batch = WriteBatch::new();
        for cf in Cf::SHARD_DATA {
            batch.delete_range(
                cf,
                keys::shard_prefix(prefix).to_vec(),
                keys::shard_end(prefix),
            );
        }
        batch.delete(Cf::Meta, prefix_key(class, shard));
        self.store.write(batch)?;
        if let Some(dir) = &self.index_dir {
            crate::snapshot::remove_all(dir, prefix)?;
        }
        Ok(())
    }

    /// Makes every acknowledged write durable.
    pub fn flush(&self) -> Result<()> {
        Ok(self.store.flush()?)
    }

    /// The store's sizes, for monitoring.
    pub fn stats(&self) -> StoreStats {
        self.store.stats()
    }

    fn prefix_for(&self, class: &str, shard: &str) -> Result<u64> {
        if let Some(prefix) = self.stored_prefix(class, shard)? {
            return Ok(prefix);
        }
        let next = match self.store.get(Cf::Meta, NEXT_PREFIX_KEY)? {
            Some(bytes) => decode_u64(&bytes)?,
            // Prefix 0 is never handed out.
            None => 1,
        };
        let mut batch = WriteBatch::new();
        batch.put(
            Cf::Meta,
            prefix_key(class, shard),
            next.to_be_bytes().to_vec(),
        );
        batch.put(
            Cf::Meta,
            NEXT_PREFIX_KEY.to_vec(),
            (next + 1).to_be_bytes().to_vec(),
        );
        self.store.write(batch)?;
        Ok(next)
    }

    fn stored_prefix(&self, class: &str, shard: &str) -> Result<Option<u64>> {
        self.store
            .get(Cf::Meta, &prefix_key(class, shard))?
            .map(|b| decode_u64(&b))
            .transpose()
    }
}

fn prefix_key(class: &str, shard: &str) -> Vec<u8> {
    format!("{PREFIX_KEY}{class}\0{shard}").into_bytes()
}

fn decode_u64(bytes: &[u8]) -> Result<u64> {
    let arr: [u8; 8] = bytes
        .try_into()
        .map_err(|_| Error::Corrupt("shard prefix record".into()))?;
    Ok(u64::from_be_bytes(arr))
}

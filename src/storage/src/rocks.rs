//! The RocksDB implementation of [`KvStore`].

use std::path::Path;

use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamilyDescriptor, Direction, IteratorMode, Options,
    ReadOptions, WriteOptions, DB,
};

use crate::{BatchOp, Cf, Error, KeyValue, KvStore, Result, StoreStats, WriteBatch};

/// Tuning of the RocksDB instance.
#[derive(Debug, Clone)]
pub struct RocksConfig {
    /// Fsync the WAL on every write. Without it an acknowledged write survives a process crash
    /// (`kill -9`) but not a power loss.
    pub sync_writes: bool,
    /// Shared block cache for all column families.
    pub block_cache_bytes: usize,
    /// Memtable memory of all column families together; past it RocksDB flushes the largest.
    /// Without a total, every column family may hold two 64 MiB memtables, which with Shoal's
    /// column families is over a gigabyte before anything reaches disk.
    pub write_buffer_bytes: usize,
}

/// Default of [`RocksConfig::block_cache_bytes`]: the node's `PERSISTENCE_BLOCK_CACHE_MB`.
pub const DEFAULT_BLOCK_CACHE_BYTES: usize = 64 << 20;
/// Default of [`RocksConfig::write_buffer_bytes`]: the node's `PERSISTENCE_MEMTABLES_MAX_SIZE_MB`.
/// Every acknowledged vector sits in a memtable until it is flushed, beside its copy in the
/// vector index, so this bounds the second in-memory copy of the newest vectors; flushing at 32
/// MiB costs an import at 1536 dimensions a flush per ~5,000 objects, done by a background job.
pub const DEFAULT_WRITE_BUFFER_BYTES: usize = 32 << 20;

impl Default for RocksConfig {
    fn default() -> Self {
        RocksConfig {
            sync_writes: false,
            block_cache_bytes: DEFAULT_BLOCK_CACHE_BYTES,
            write_buffer_bytes: DEFAULT_WRITE_BUFFER_BYTES,
        }
    }
}

/// A RocksDB database with Shoal's column families.
pub struct RocksStore {
    db: DB,
    sync_writes: bool,
}

impl RocksStore {
    /// Opens or creates the database at `path`.
    pub fn open(path: &Path, config: &RocksConfig) -> Result<Self> {
        std::fs::create_dir_all(path).map_err(|e| Error::Open {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut db_opts = Options::default();
        db_opts.create_if_missing(true);
        db_opts.create_missing_column_families(true);
        db_opts.set_max_background_jobs(2);
        db_opts.set_bytes_per_sync(1 << 20);
        db_opts.set_db_write_buffer_size(config.write_buffer_bytes);
        let cache = Cache::new_lru_cache(config.block_cache_bytes);
        let cfs = Cf::ALL
            .iter()
            .map(|cf| ColumnFamilyDescriptor::new(cf.name(), cf_options(&cache)));
        let db = DB::open_cf_descriptors(&db_opts, path, cfs)?;
        Ok(RocksStore {
            db,
            sync_writes: config.sync_writes,
        })
    }

    fn handle(&self, cf: Cf) -> Result<&rocksdb::ColumnFamily> {
        self.db.cf_handle(cf.name()).ok_or(Error::Corrupt {
            what: "column families",
            reason: format!("column family {} is missing", cf.name()),
        })
    }

    /// An integer property summed over every column family; a property RocksDB cannot
    /// report counts as 0, since monitoring must never fail a scrape.
    fn sum_property(&self, name: &rocksdb::properties::PropName) -> u64 {
        Cf::ALL
            .iter()
            .filter_map(|cf| self.db.cf_handle(cf.name()))
            .filter_map(|h| self.db.property_int_value_cf(h, name).ok().flatten())
            .sum()
    }

    fn write_options(&self) -> WriteOptions {
        let mut opts = WriteOptions::default();
        opts.set_sync(self.sync_writes);
        opts
    }
}

fn cf_options(cache: &Cache) -> Options {
    let mut table = BlockBasedOptions::default();
    table.set_block_cache(cache);
    table.set_bloom_filter(10.0, false);
    table.set_cache_index_and_filter_blocks(true);
    let mut opts = Options::default();
    opts.set_block_based_table_factory(&table);
    opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
    opts
}

impl KvStore for RocksStore {
    fn get(&self, cf: Cf, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.db.get_cf(self.handle(cf)?, key)?)
    }

    fn multi_get(&self, cf: Cf, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        let handle = self.handle(cf)?;
        self.db
            .multi_get_cf(keys.iter().map(|k| (handle, k.as_slice())))
            .into_iter()
            .map(|r| r.map_err(Error::from))
            .collect()
    }

    fn write(&self, batch: WriteBatch) -> Result<()> {
        let mut wb = rocksdb::WriteBatch::default();
        for op in batch.ops() {
            match op {
                BatchOp::Put { cf, key, value } => wb.put_cf(self.handle(*cf)?, key, value),
                BatchOp::Delete { cf, key } => wb.delete_cf(self.handle(*cf)?, key),
                BatchOp::DeleteRange { cf, from, to } => {
                    wb.delete_range_cf(self.handle(*cf)?, from, to)
                }
            }
        }
        Ok(self.db.write_opt(wb, &self.write_options())?)
    }

    fn scan_prefix(
        &self,
        cf: Cf,
        prefix: &[u8],
        start: &[u8],
        limit: usize,
    ) -> Result<Vec<KeyValue>> {
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        let from = if start.is_empty() { prefix } else { start };
        let iter = self.db.iterator_cf_opt(
            self.handle(cf)?,
            prefix_read_options(prefix),
            IteratorMode::From(from, Direction::Forward),
        );
        for item in iter {
            let (k, v) = item?;
            if !k.starts_with(prefix) {
                break;
            }
            out.push((k.to_vec(), v.to_vec()));
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    fn for_each_prefix(
        &self,
        cf: Cf,
        prefix: &[u8],
        f: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<()> {
        // a raw iterator lends each key and value: the boxed iterator copies both into new
        // allocations, which showed in loading millions of postings at open
        let mut iter = self
            .db
            .raw_iterator_cf_opt(self.handle(cf)?, prefix_read_options(prefix));
        iter.seek(prefix);
        while let (Some(k), Some(v)) = (iter.key(), iter.value()) {
            if !k.starts_with(prefix) || !f(k, v) {
                break;
            }
            iter.next();
        }
        iter.status()?;
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        self.db.flush_wal(true)?;
        for cf in Cf::ALL {
            self.db.flush_cf(self.handle(cf)?)?;
        }
        Ok(())
    }

    fn stats(&self) -> StoreStats {
        use rocksdb::properties;
        StoreStats {
            sst_bytes: self.sum_property(properties::TOTAL_SST_FILES_SIZE),
            memtable_bytes: self.sum_property(properties::CUR_SIZE_ALL_MEM_TABLES),
            pending_compaction_bytes: self
                .sum_property(properties::ESTIMATE_PENDING_COMPACTION_BYTES),
        }
    }
}

/// Bounds the iterator to the prefix so RocksDB can skip tombstones and files beyond it.
fn prefix_read_options(prefix: &[u8]) -> ReadOptions {
    let mut opts = ReadOptions::default();
    if let Some(upper) = prefix_successor(prefix) {
        opts.set_iterate_upper_bound(upper);
    }
    opts
}

/// The smallest key greater than every key starting with `prefix`, if one exists.
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut upper = prefix.to_vec();
    while let Some(last) = upper.pop() {
        if last < 0xff {
            upper.push(last + 1);
            return Some(upper);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_successor_skips_trailing_ff() {
        assert_eq!(prefix_successor(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_successor(&[1, 0xff]), Some(vec![2]));
        assert_eq!(prefix_successor(&[0xff, 0xff]), None);
    }

    #[test]
    fn rocks_store_passes_the_suite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = RocksStore::open(dir.path(), &RocksConfig::default()).expect("open");
        crate::testing::suite(&store);
    }

    #[test]
    fn data_survives_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let store = RocksStore::open(dir.path(), &RocksConfig::default()).expect("open");
            let mut b = WriteBatch::new();
            b.put(Cf::Objects, b"k".to_vec(), b"v".to_vec());
            store.write(b).expect("write");
        }
        let store = RocksStore::open(dir.path(), &RocksConfig::default()).expect("reopen");
        assert_eq!(
            store.get(Cf::Objects, b"k").expect("get"),
            Some(b"v".to_vec())
        );
    }
}

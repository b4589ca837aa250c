//! An in-memory [`KvStore`] for tests: the reference the RocksDB store is checked against.

use std::collections::BTreeMap;
use std::ops::Bound;

use parking_lot::RwLock;

use crate::{BatchOp, Cf, KeyValue, KvStore, Result, StoreStats, WriteBatch};

type Map = BTreeMap<(Cf, Vec<u8>), Vec<u8>>;

/// A `BTreeMap` per column family.
pub struct MemStore {
    data: RwLock<Map>,
}

impl Default for MemStore {
    fn default() -> Self {
        MemStore {
            data: RwLock::new(BTreeMap::new()),
        }
    }
}

impl MemStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl KvStore for MemStore {
    fn get(&self, cf: Cf, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.data.read().get(&(cf, key.to_vec())).cloned())
    }

    fn write(&self, batch: WriteBatch) -> Result<()> {
        let mut data = self.data.write();
        for op in batch.ops() {
            match op {
                BatchOp::Put { cf, key, value } => {
                    data.insert((*cf, key.clone()), value.clone());
                }
                BatchOp::Delete { cf, key } => {
                    data.remove(&(*cf, key.clone()));
                }
                BatchOp::DeleteRange { cf, from, to } => {
                    let doomed: Vec<_> = data
                        .range((*cf, from.clone())..(*cf, to.clone()))
                        .map(|(k, _)| k.clone())
                        .collect();
                    for k in doomed {
                        data.remove(&k);
                    }
                }
            }
        }
        Ok(())
    }

    fn scan_prefix(
        &self,
        cf: Cf,
        prefix: &[u8],
        start: &[u8],
        limit: usize,
    ) -> Result<Vec<KeyValue>> {
        let from = if start.is_empty() { prefix } else { start };
        let data = self.data.read();
        Ok(data
            .range((Bound::Included((cf, from.to_vec())), Bound::Unbounded))
            .take_while(|((c, k), _)| *c == cf && k.starts_with(prefix))
            .take(limit)
            .map(|((_, k), v)| (k.clone(), v.clone()))
            .collect())
    }

    fn for_each_prefix(
        &self,
        cf: Cf,
        prefix: &[u8],
        f: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<()> {
        let data = self.data.read();
        for ((c, k), v) in data.range((Bound::Included((cf, prefix.to_vec())), Bound::Unbounded)) {
            if *c != cf || !k.starts_with(prefix) || !f(k, v) {
                break;
            }
        }
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn stats(&self) -> StoreStats {
        let held: usize = self
            .data
            .read()
            .iter()
            .map(|((_, key), value)| key.len() + value.len())
            .sum();
        StoreStats {
            memtable_bytes: held as u64,
            ..StoreStats::default()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn mem_store_passes_the_suite() {
        crate::testing::suite(&super::MemStore::new());
    }
}

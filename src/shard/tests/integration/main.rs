//! The shard crate's integration tests, one binary: shards over a real RocksDB in temp dirs.

mod async_indexing;
mod basics;
mod compression;
mod crash_recovery;
mod hnsw_persistence;
mod inverted;
mod references;
mod replica;
mod stats;
mod vector_cache;

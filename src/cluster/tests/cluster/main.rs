//! Integration tests of the Raft layer: openraft's storage suite on the RocksDB stores, and real
//! multi-node clusters over HTTP on loopback ports.

// The package is `shoal-cluster`; code calls it `cluster`, as its dependents do.
extern crate shoal_cluster as cluster;

mod deep_records;
mod formation;
mod http_cluster;
mod state_machine;
mod storage_suite;
mod support;

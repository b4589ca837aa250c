//! openraft's storage conformance suite against the RocksDB log store and state machine.

use std::sync::Arc;

use cluster::raft::{open_stores, typ, LogStore, NodeId, StateMachine, TypeConfig};
use openraft::testing::{StoreBuilder, Suite};
use tempfile::TempDir;

use crate::support::Recorder;

struct RocksBuilder;

impl StoreBuilder<TypeConfig, LogStore, StateMachine, TempDir> for RocksBuilder {
    async fn build(&self) -> Result<(TempDir, LogStore, StateMachine), typ::StorageError> {
        let dir = TempDir::new().expect("tempdir");
        let (log, sm) =
            open_stores(dir.path(), Arc::new(Recorder::default())).expect("open stores");
        Ok((dir, log, sm))
    }
}

/// The suite makes its own runtime, so this is a plain test (openraft.md §12).
#[test]
fn rocks_stores_pass_the_openraft_suite() {
    let result: Result<(), openraft::StorageError<NodeId>> = Suite::test_all(RocksBuilder);
    if let Err(e) = result {
        panic!("storage suite: {e}");
    }
}

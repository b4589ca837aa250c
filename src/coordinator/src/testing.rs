//! Coordinators for unit tests: a standalone node, which is a Raft group of one as in the
//! binary.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cluster::raft::RaftMetaConfig;

use crate::{Coordinator, CoordinatorConfig};

/// A ready standalone node named `node1` with its data under `dir`.
pub(crate) async fn standalone(dir: &Path) -> Arc<Coordinator> {
    let config = CoordinatorConfig::new(dir, "node1");
    // A group of one never dials its own address.
    let raft = RaftMetaConfig::new("node1", config.data_path.clone(), "127.0.0.1:1", "");
    let coordinator = Coordinator::start_clustered(config, raft)
        .await
        .expect("a standalone node starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !coordinator.is_ready() {
        assert!(Instant::now() < deadline, "the node did not become ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    coordinator
}

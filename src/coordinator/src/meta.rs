//! Where the coordinator's metadata lives: the Raft group of the cluster (every node runs one; a
//! standalone node, and every test, is a group of one).

use std::sync::Arc;
use std::time::Duration;

use cluster::raft::{ClusterStatus, NodeId, NodeInfo, RaftMeta};
use cluster::{MetaCommand, MetaState};

use crate::{Error, Result};

#[derive(Clone)]
pub(crate) struct Meta(Arc<RaftMeta>);

impl Meta {
    pub(crate) fn new(raft: Arc<RaftMeta>) -> Meta {
        Meta(raft)
    }

    /// The applied metadata of this node.
    pub(crate) fn snapshot(&self) -> Arc<MetaState> {
        self.0.snapshot()
    }

    /// The names of the cluster's nodes, sorted.
    pub(crate) fn node_names(&self) -> Vec<String> {
        self.0.node_names()
    }

    /// Applies `cmd` through the Raft leader and returns once this node has applied it.
    pub(crate) async fn execute(&self, cmd: MetaCommand) -> Result<()> {
        self.0.write(cmd).await.map(|_| ()).map_err(Error::from)
    }

    /// The metadata as the leader has it at some moment after the call: Weaviate's schema read
    /// with `consistency=true`.
    pub(crate) async fn leader_snapshot(&self) -> Result<Arc<MetaState>> {
        self.0.linearizable_read().await.map_err(Error::from)
    }

    /// Whether the node can serve requests: it knows a leader and has caught up.
    pub(crate) fn is_ready(&self) -> bool {
        self.0.is_ready()
    }

    /// The Raft group.
    pub(crate) fn raft(&self) -> &RaftMeta {
        &self.0
    }

    /// What every member reports about itself.
    pub(crate) async fn member_statuses(&self) -> Vec<(NodeId, NodeInfo, Option<ClusterStatus>)> {
        self.0.member_statuses(STATUS_TIMEOUT).await
    }

    /// Makes the metadata durable and stops Raft.
    pub(crate) async fn shutdown(&self) -> Result<()> {
        Ok(self.0.shutdown().await?)
    }
}

/// How long `/v1/cluster/statistics` and `/v1/nodes` wait for a member's answer.
const STATUS_TIMEOUT: Duration = Duration::from_secs(2);

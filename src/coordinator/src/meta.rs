//! Where the coordinator's metadata lives: a local store on an embedded node that runs without
//! Raft (tests and tools), or the Raft group of the cluster (every `shoal` process, a
//! standalone one being a cluster of one).

use std::sync::Arc;
use std::time::Duration;

use cluster::raft::{ClusterStatus, NodeId, NodeInfo, RaftMeta};
use cluster::{MetaCommand, MetaState, MetaStore};

use crate::{run_blocking, Error, Result};

pub(crate) enum Meta {
    Local(Arc<MetaStore>),
    Raft(Arc<RaftMeta>),
}

impl Meta {
    /// The applied metadata of this node.
    pub(crate) fn snapshot(&self) -> Arc<MetaState> {
        match self {
            Meta::Local(store) => store.snapshot(),
            Meta::Raft(raft) => raft.snapshot(),
        }
    }

    /// The names of the cluster's nodes, sorted.
    pub(crate) fn node_names(&self) -> Vec<String> {
        match self {
            Meta::Local(store) => store.node_names(),
            Meta::Raft(raft) => raft.node_names(),
        }
    }

    /// Applies `cmd` (through the Raft leader in a cluster) and returns once this node has
    /// applied it.
    pub(crate) async fn execute(&self, cmd: MetaCommand) -> Result<()> {
        match self {
            Meta::Local(store) => {
                let store = store.clone();
                run_blocking(move || store.execute(cmd).map(|_| ()).map_err(Error::from)).await
            }
            Meta::Raft(raft) => raft.write(cmd).await.map(|_| ()).map_err(Error::from),
        }
    }

    /// The metadata as the leader has it at some moment after the call: Weaviate's schema read
    /// with `consistency=true`. The local state on a node without Raft.
    pub(crate) async fn leader_snapshot(&self) -> Result<Arc<MetaState>> {
        match self {
            Meta::Local(store) => Ok(store.snapshot()),
            Meta::Raft(raft) => raft.linearizable_read().await.map_err(Error::from),
        }
    }

    /// Whether the node can serve requests: it knows a leader and has caught up.
    pub(crate) fn is_ready(&self) -> bool {
        match self {
            Meta::Local(_) => true,
            Meta::Raft(raft) => raft.is_ready(),
        }
    }

    /// The Raft group, if the node runs one.
    pub(crate) fn raft(&self) -> Option<&RaftMeta> {
        match self {
            Meta::Local(_) => None,
            Meta::Raft(raft) => Some(raft),
        }
    }

    /// What every member reports about itself; empty without Raft.
    pub(crate) async fn member_statuses(&self) -> Vec<(NodeId, NodeInfo, Option<ClusterStatus>)> {
        match self {
            Meta::Local(_) => Vec::new(),
            Meta::Raft(raft) => raft.member_statuses(STATUS_TIMEOUT).await,
        }
    }

    /// Makes the metadata durable and stops Raft.
    pub(crate) async fn shutdown(&self) -> Result<()> {
        match self {
            Meta::Local(store) => Ok(store.flush()?),
            Meta::Raft(raft) => Ok(raft.shutdown().await?),
        }
    }
}

/// How long `/v1/cluster/statistics` and `/v1/nodes` wait for a member's answer.
const STATUS_TIMEOUT: Duration = Duration::from_secs(2);

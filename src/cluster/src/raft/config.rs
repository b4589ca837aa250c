//! Configuration of the Raft layer and the openraft `Config` derived from it.

use std::path::PathBuf;
use std::time::Duration;

use openraft::SnapshotPolicy;

use crate::{Error, Result};

/// Raft timing. The defaults follow openraft.md §7: the heartbeat is also the AppendEntries RPC
/// timeout, so it must cover JSON, HTTP and the follower's fsync.
#[derive(Debug, Clone)]
pub struct RaftTimeouts {
    pub heartbeat: Duration,
    pub election_min: Duration,
    pub election_max: Duration,
    /// Per snapshot chunk, including the follower's install of the last one.
    pub install_snapshot: Duration,
    /// Time limit of [`crate::raft::RaftMeta::write`] and `linearizable_read`, forwarding and
    /// waiting for the local apply included.
    pub write: Duration,
    /// TCP connect timeout of node-to-node requests.
    pub connect: Duration,
}

impl Default for RaftTimeouts {
    fn default() -> Self {
        RaftTimeouts {
            heartbeat: Duration::from_millis(300),
            election_min: Duration::from_millis(1500),
            election_max: Duration::from_millis(3000),
            install_snapshot: Duration::from_secs(10),
            write: Duration::from_secs(10),
            connect: Duration::from_millis(500),
        }
    }
}

/// Everything a node needs to run the metadata Raft group.
#[derive(Debug, Clone)]
pub struct RaftMetaConfig {
    /// This node's name (`CLUSTER_HOSTNAME`); the Raft node id is derived from it.
    pub node_name: String,
    /// The node's data directory (`PERSISTENCE_DATA_PATH`); Raft uses `<data_path>/raft`.
    pub data_path: PathBuf,
    /// Where peers reach this node's internal port (`CLUSTER_ADVERTISE_ADDR`, `host:port`).
    pub advertise_addr: String,
    /// This node's public REST `host:port`, published in the membership.
    pub api_addr: String,
    /// Peers' internal `host:port` (`CLUSTER_JOIN`); may include this node.
    pub join: Vec<String>,
    /// Voters to wait for before the cluster is formed (`RAFT_BOOTSTRAP_EXPECT`).
    pub bootstrap_expect: usize,
    /// Basic-auth credentials of the internal port (`CLUSTER_BASIC_AUTH_USERNAME`/`_PASSWORD`);
    /// sent on every node-to-node request and required by the routes of [`RaftMeta::router`].
    ///
    /// [`RaftMeta::router`]: crate::raft::RaftMeta::router
    pub basic_auth: Option<(String, String)>,
    /// openraft's cluster name (kept in its config, shown in errors).
    pub cluster_name: String,
    pub timeouts: RaftTimeouts,
    /// Build a snapshot after this many log entries since the last one.
    pub snapshot_logs_since_last: u64,
    /// Log entries kept below a snapshot, so a briefly absent follower catches up from the log.
    pub max_in_snapshot_log_to_keep: u64,
    /// How often the bootstrap / join / learner-reconcile loop runs.
    pub reconcile_interval: Duration,
}

impl RaftMetaConfig {
    /// A single-node configuration with the recommended defaults; set `join` and
    /// `bootstrap_expect` for a cluster.
    pub fn new(
        node_name: impl Into<String>,
        data_path: impl Into<PathBuf>,
        advertise_addr: impl Into<String>,
        api_addr: impl Into<String>,
    ) -> Self {
        RaftMetaConfig {
            node_name: node_name.into(),
            data_path: data_path.into(),
            advertise_addr: advertise_addr.into(),
            api_addr: api_addr.into(),
            join: Vec::new(),
            bootstrap_expect: 1,
            basic_auth: None,
            cluster_name: "shoal".to_string(),
            timeouts: RaftTimeouts::default(),
            snapshot_logs_since_last: 5000,
            max_in_snapshot_log_to_keep: 1000,
            reconcile_interval: Duration::from_secs(2),
        }
    }

    /// Rejects configurations that cannot form a cluster.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.node_name.is_empty() {
            return Err(Error::Raft("the node name must not be empty".to_string()));
        }
        if self.bootstrap_expect == 0 {
            return Err(Error::Raft(
                "bootstrap_expect must be at least 1".to_string(),
            ));
        }
        if self.advertise_addr.is_empty() {
            return Err(Error::Raft("the advertise address must be set".to_string()));
        }
        Ok(())
    }

    /// The openraft configuration.
    pub(crate) fn openraft_config(&self) -> Result<openraft::Config> {
        let t = &self.timeouts;
        let config = openraft::Config {
            cluster_name: self.cluster_name.clone(),
            heartbeat_interval: millis(t.heartbeat),
            election_timeout_min: millis(t.election_min),
            election_timeout_max: millis(t.election_max),
            install_snapshot_timeout: millis(t.install_snapshot),
            // 1 MiB chunks stay well under the raised body limit even as JSON number arrays.
            snapshot_max_chunk_size: 1 << 20,
            snapshot_policy: SnapshotPolicy::LogsSinceLast(self.snapshot_logs_since_last),
            max_in_snapshot_log_to_keep: self.max_in_snapshot_log_to_keep,
            ..openraft::Config::default()
        };
        config
            .validate()
            .map_err(|e| Error::Raft(format!("invalid raft timing: {e}")))
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

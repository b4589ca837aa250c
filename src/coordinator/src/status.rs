//! Node status for `/v1/nodes`, and the import rate the v3 batcher reads from it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use cluster::raft::ClusterStatus;

use crate::nodes::{NodeStatus, RaftMemberReport, RaftView, ShardReport, VectorIndexReport};
use crate::{Coordinator, Result};

/// Window over which the import rate is averaged.
const RATE_WINDOW: Duration = Duration::from_secs(10);

/// Objects imported per second over the last [`RATE_WINDOW`].
#[derive(Default)]
pub(crate) struct ImportRate {
    events: Mutex<VecDeque<(Instant, u64)>>,
}

impl ImportRate {
    pub(crate) fn record(&self, objects: u64) {
        if objects == 0 {
            return;
        }
        let now = Instant::now();
        let mut events = self.events.lock();
        events.push_back((now, objects));
        prune(&mut events, now);
    }

    pub(crate) fn per_second(&self) -> u64 {
        let now = Instant::now();
        let mut events = self.events.lock();
        prune(&mut events, now);
        let total: u64 = events.iter().map(|(_, n)| n).sum();
        total / RATE_WINDOW.as_secs()
    }
}

fn prune(events: &mut VecDeque<(Instant, u64)>, now: Instant) {
    while events
        .front()
        .is_some_and(|(t, _)| now.duration_since(*t) > RATE_WINDOW)
    {
        events.pop_front();
    }
}

impl Coordinator {
    /// `GET /v1/nodes[/{class}]`: every node of the cluster in name order, each with its
    /// shards (of `class` only, if given); a node that does not answer is `UNAVAILABLE`.
    pub async fn nodes(&self, class: Option<&str>) -> Result<Vec<NodeStatus>> {
        let class = match class {
            Some(c) => Some(self.require_class(c)?.class.class.clone()),
            None => None,
        };
        let mut nodes = vec![self.local_node_status(class.as_deref())];
        let raft = self.meta.raft();
        let path = match &class {
            Some(c) => format!("{NODE_STATUS_PATH}?class={c}"),
            None => NODE_STATUS_PATH.to_string(),
        };
        let mut asks = tokio::task::JoinSet::new();
        for info in raft.nodes().into_values() {
            if info.name == self.config.node_name {
                continue;
            }
            let (peers, path) = (raft.peers().clone(), path.clone());
            asks.spawn(async move {
                let answer = peers
                    .get_json::<NodeStatus>(&info.raft_addr, &path, PEER_TIMEOUT)
                    .await;
                answer.unwrap_or_else(|_| unavailable(info.name))
            });
        }
        while let Some(joined) = asks.join_next().await {
            nodes.extend(joined.ok());
        }
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(nodes)
    }

    /// This node's own entry of `/v1/nodes`; a class it does not know has no shards here.
    pub(crate) fn local_node_status(&self, class: Option<&str>) -> NodeStatus {
        let shards = match class {
            Some(c) => self.shards.shards_of(c),
            None => self.shards.all(),
        };
        let state = self.meta.snapshot();
        let copying = |class: &str| {
            state
                .class(class)
                .and_then(|m| m.copy.as_ref())
                .is_some_and(|c| c.is_copying())
        };
        let mut reports: Vec<ShardReport> = shards
            .iter()
            .map(|s| ShardReport {
                name: s.name().to_string(),
                class: s.class().to_string(),
                object_count: s.object_count(),
                vector_indexing_status: indexing_status(s, copying(s.class())),
                compressed: s.is_compressed(),
                vector_queue_length: s.vector_queue_len(),
                loaded: true,
                vector_indexes: vector_indexes(s),
            })
            .collect();
        reports.extend(self.unloaded_tenant_shards(class));
        NodeStatus {
            name: self.config.node_name.clone(),
            status: "HEALTHY".to_string(),
            version: types::WEAVIATE_COMPAT_VERSION.to_string(),
            git_hash: git_hash(),
            // The batch queue: imports are applied before they are acknowledged, so it is always
            // empty (the vector-index queue is reported per shard). Clients divide by the rate
            // when this is non-zero.
            queue_length: 0,
            rate_per_second: self.rate.per_second(),
            object_count: reports.iter().map(|r| r.object_count).sum(),
            shard_count: reports.len() as u64,
            shards: reports,
        }
    }

    /// The HOT tenants placed on this node whose shard no request has opened yet: Weaviate
    /// lists such lazily loaded shards with `loaded: false` and no counts.
    fn unloaded_tenant_shards(&self, class: Option<&str>) -> Vec<ShardReport> {
        let state = self.meta.snapshot();
        let me = self.config.node_name.as_str();
        state
            .classes
            .values()
            .filter(|m| class.is_none_or(|c| m.class.class == c))
            .flat_map(|m| m.tenants.values().map(move |t| (&m.class.class, t)))
            .filter(|(_, t)| t.status == cluster::tenants::HOT)
            .filter(|(_, t)| t.belongs_to_nodes.iter().any(|n| n == me))
            .filter(|(c, t)| self.shards.shard(c, &t.name).is_none())
            .map(|(c, t)| ShardReport {
                name: t.name.clone(),
                class: c.clone(),
                object_count: 0,
                vector_indexing_status: "READY".to_string(),
                compressed: false,
                vector_queue_length: 0,
                loaded: false,
                vector_indexes: Vec::new(),
            })
            .collect()
    }

    /// `GET /v1/cluster/statistics`: every member of the metadata Raft group with its own view
    /// of Raft, and whether they all agree (every member answered and applied the same index).
    pub async fn cluster_statistics(&self) -> (Vec<RaftMemberReport>, bool) {
        let raft = self.meta.raft();
        let voters = raft.voters();
        let statuses = self.meta.member_statuses().await;
        let reports: Vec<RaftMemberReport> = statuses
            .into_iter()
            .map(|(id, info, status)| RaftMemberReport {
                status: if status.is_some() {
                    "HEALTHY"
                } else {
                    "UNAVAILABLE"
                }
                .to_string(),
                is_voter: voters.contains(&id),
                raft: status.map(raft_view),
                name: info.name,
                raft_addr: info.raft_addr,
            })
            .collect();
        let applied: Vec<u64> = reports
            .iter()
            .filter_map(|r| r.raft.as_ref().map(|v| v.applied_index))
            .collect();
        let synchronized =
            applied.len() == reports.len() && applied.windows(2).all(|w| w[0] == w[1]);
        (reports, synchronized)
    }
}

/// Internal route answering a peer's `/v1/nodes` with this node's entry.
pub(crate) const NODE_STATUS_PATH: &str = "/internal/nodes/status";

/// How long `/v1/nodes` waits for a peer's entry.
const PEER_TIMEOUT: Duration = Duration::from_secs(2);

fn git_hash() -> String {
    option_env!("SHOAL_GIT_HASH")
        .unwrap_or("unknown")
        .to_string()
}

/// The entry of a node that did not answer.
fn unavailable(name: String) -> NodeStatus {
    NodeStatus {
        name,
        status: "UNAVAILABLE".to_string(),
        version: String::new(),
        git_hash: String::new(),
        queue_length: 0,
        rate_per_second: 0,
        object_count: 0,
        shard_count: 0,
        shards: Vec::new(),
    }
}

/// A member's `/cluster/status` as the statistics report it.
fn raft_view(status: ClusterStatus) -> RaftView {
    let leader = status.leader.and_then(|id| status.members.get(&id));
    RaftView {
        ready: status.initialized && leader.is_some(),
        state: status.state.clone(),
        leader_name: leader.map(|l| l.name.clone()),
        leader_addr: leader.map(|l| l.raft_addr.clone()),
        term: status.term,
        applied_index: status.last_applied.unwrap_or(0),
        last_log_index: status.last_log_index.unwrap_or(0),
        snapshot_index: status.snapshot_index.unwrap_or(0),
        members: status
            .members
            .iter()
            .map(|(id, m)| {
                let voter = status.voters.contains(id);
                (m.name.clone(), m.raft_addr.clone(), voter)
            })
            .collect(),
    }
}

/// `READONLY`; `INDEXING` while vectors wait for the index or a dynamic index builds its
/// graph; else `READY`.
/// The shard's vector indexes as `/v1/nodes?output=verbose` details them.
fn vector_indexes(shard: &shard::Shard) -> Vec<VectorIndexReport> {
    shard
        .vector_stats()
        .into_iter()
        .map(|t| VectorIndexReport {
            index_type: t.index_type.to_string(),
            indexed: t.size - t.tombstones,
            queued: t.queue_len,
            tombstones: t.tombstones,
            memory_bytes: t.memory_bytes,
            compression: t.compression.to_string(),
            // The unnamed vector's internal name is empty; clients know it as `default`.
            target: match t.target.as_str() {
                types::DEFAULT_TARGET => "default".to_string(),
                _ => t.target,
            },
        })
        .collect()
}

/// `copying`: the shard's class is still being filled from another (`initFrom`).
pub(crate) fn indexing_status(shard: &shard::Shard, copying: bool) -> String {
    match shard.status() {
        shard::ShardStatus::ReadOnly => "READONLY".to_string(),
        shard::ShardStatus::Ready
            if copying || shard.vector_queue_len() > 0 || shard.is_upgrading() =>
        {
            "INDEXING".to_string()
        }
        shard::ShardStatus::Ready => "READY".to_string(),
    }
}

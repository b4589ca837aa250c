//! [`RaftMeta`]: one node's handle on the metadata Raft group.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use openraft::{RaftMetrics, ServerState};
use parking_lot::Mutex;
use storage::keys::raft as rk;
use storage::{Cf, KvStore, RocksConfig, RocksStore, WriteBatch};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::meta::{MetaCommand, MetaState};
use crate::raft::codec::{self, encode, get_meta};
use crate::raft::config::RaftMetaConfig;
use crate::raft::log_store::LogStore;
use crate::raft::network::{
    http_client, ClusterStatus, HttpNetwork, LeaderReply, PeerClient, WriteDone,
};
use crate::raft::state_machine::{members_of, SmShared, StateMachine};
use crate::raft::types::{
    node_id_for, typ, ApplyError, MetaRaft, MetaRequest, MetaResponse, NodeId, NodeInfo,
};
use crate::store::MetaListener;
use crate::{Error, Result};

/// What the HTTP handlers, the bootstrap loop and the handle share.
pub(crate) struct Inner {
    pub id: NodeId,
    pub info: NodeInfo,
    pub raft: MetaRaft,
    pub sm: Arc<SmShared>,
    /// For forwarding writes and reads; used from the caller's runtime, apart from Raft's pool
    /// (openraft.md §9).
    pub peers: PeerClient,
    pub config: RaftMetaConfig,
    /// The commit index persisted when this node started: it is not ready before applying it.
    pub ready_index: Option<u64>,
    /// The Raft database, read by monitoring (sizes, the persisted commit index). Weak: the
    /// log store and state machine own it, and a stopped node must release its lock.
    pub db: std::sync::Weak<RocksStore>,
}

/// The runtime openraft runs on, shut down without blocking when dropped (dropping a tokio
/// runtime inside another one's async context would panic).
struct OwnedRuntime(Option<Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// One node of the metadata Raft group: proposes and forwards [`MetaCommand`]s, serves the
/// internal routes ([`RaftMeta::router`]) and forms the cluster from configuration.
pub struct RaftMeta {
    pub(super) inner: Arc<Inner>,
    runtime: Mutex<OwnedRuntime>,
    background: Mutex<Vec<JoinHandle<()>>>,
}

impl RaftMeta {
    /// Opens `<data_path>/raft`, starts openraft on a dedicated 2-thread runtime and the
    /// bootstrap/reconcile loop. Serve [`RaftMeta::router`] on the internal port right after:
    /// peers must reach this node before the cluster can form. Never initializes a node that
    /// already has Raft state.
    pub async fn start(
        config: RaftMetaConfig,
        listener: Arc<dyn MetaListener>,
    ) -> Result<RaftMeta> {
        config.validate()?;
        let id = node_id_for(&config.node_name);
        let info = NodeInfo {
            name: config.node_name.clone(),
            raft_addr: config.advertise_addr.clone(),
            api_addr: config.api_addr.clone(),
        };
        let db = Arc::new(open_db(&config)?);
        check_node_name(&db, &config.node_name)?;
        let committed: Option<typ::LogId> =
            get_meta::<Option<typ::LogId>>(&db, rk::COMMITTED)?.flatten();
        let log_store = LogStore::new(db.clone());
        let state_machine = StateMachine::open(db.clone(), listener)?;
        let sm = state_machine.shared();
        let raft_config = Arc::new(config.openraft_config()?);

        let runtime = OwnedRuntime(Some(build_runtime(&config.node_name)?));
        let handle = runtime
            .0
            .as_ref()
            .map(|rt| rt.handle().clone())
            .ok_or_else(|| Error::Raft("raft runtime missing".to_string()))?;
        let rpc = http_client(config.timeouts.connect)?;
        let network = HttpNetwork::new(
            rpc.clone(),
            config.basic_auth.clone(),
            config.cluster_name.clone(),
        );
        // `Raft::new` spawns openraft's tasks on the current runtime, so call it inside ours.
        let raft = handle
            .spawn(MetaRaft::new(
                id,
                raft_config,
                network,
                log_store,
                state_machine,
            ))
            .await
            .map_err(|e| Error::Raft(format!("raft start panicked: {e}")))?
            .map_err(|e| Error::Raft(format!("raft start failed: {e}")))?;

        let peers = PeerClient::new(
            http_client(config.timeouts.connect)?,
            config.basic_auth.clone(),
            config.cluster_name.clone(),
        );
        let inner = Arc::new(Inner {
            id,
            info,
            raft,
            sm,
            peers,
            ready_index: committed.map(|l| l.index),
            config: config.clone(),
            db: Arc::downgrade(&db),
        });
        let loop_peers =
            PeerClient::new(rpc, config.basic_auth.clone(), config.cluster_name.clone());
        let task = handle.spawn(crate::raft::bootstrap::run(inner.clone(), loop_peers));
        tracing::info!(node = %inner.info.name, id, "raft metadata node started");
        Ok(RaftMeta {
            inner,
            runtime: Mutex::new(runtime),
            background: Mutex::new(vec![task]),
        })
    }

    /// This node's Raft id.
    pub fn node_id(&self) -> NodeId {
        self.inner.id
    }

    /// This node's name and addresses.
    pub fn node_info(&self) -> &NodeInfo {
        &self.inner.info
    }

    /// The openraft handle, for metrics, waits and administration.
    pub fn raft(&self) -> &MetaRaft {
        &self.inner.raft
    }

    /// The internal routes: `/raft/{append,vote,snapshot,write,read-index}`, `/cluster/status`
    /// and `/cluster/join`, behind the internal port's basic auth when it is configured. Mount
    /// them on the internal port (`CLUSTER_DATA_BIND_PORT`).
    pub fn router(&self) -> axum::Router {
        self.router_with(axum::Router::new())
    }

    /// [`RaftMeta::router`] plus `routes` (the node's other internal routes). The basic-auth
    /// check wraps the merged router, so every path of the port needs the credentials, unknown
    /// ones included.
    pub fn router_with(&self, routes: axum::Router) -> axum::Router {
        let inner = self.inner.clone();
        let all = crate::raft::server::router(inner.clone()).merge(routes);
        crate::raft::server::guard(inner, all)
    }

    /// The client for node-to-node requests (credentials and cluster name included).
    pub fn peers(&self) -> &PeerClient {
        &self.inner.peers
    }

    /// The applied metadata; cheap, local, possibly behind the leader.
    pub fn snapshot(&self) -> Arc<MetaState> {
        self.inner.sm.load().state.clone()
    }

    /// Replicates `command` through the leader (forwarding it once if this node is not the
    /// leader) and returns once THIS node has applied it, with the state after it
    /// (read-your-writes). A rejection by the state (class exists, ...) is the same error
    /// `MetaStore::execute` returns; retries inside the time limit reuse the request id, so a
    /// command is applied at most once.
    pub async fn write(&self, command: MetaCommand) -> Result<Arc<MetaState>> {
        let request = MetaRequest {
            request_id: uuid::Uuid::new_v4().to_string(),
            command,
        };
        let deadline = Instant::now() + self.inner.config.timeouts.write;
        let done = self.inner.commit(&request, deadline).await?;
        self.inner.wait_applied(done.log_index, deadline).await?;
        done.response.outcome.map_err(Error::from)?;
        Ok(self.snapshot())
    }

    /// The metadata as of a moment after this call began, in leader order: asks the leader for
    /// its read index (ensuring it still leads a quorum), waits until this node has applied it,
    /// then reads locally.
    pub async fn linearizable_read(&self) -> Result<Arc<MetaState>> {
        let deadline = Instant::now() + self.inner.config.timeouts.write;
        let index = self.inner.read_index(deadline).await?;
        if let Some(index) = index {
            self.inner.wait_applied(index, deadline).await?;
        }
        Ok(self.snapshot())
    }

    /// Whether the node can serve: it is a member, knows a leader and has applied the log up to
    /// the commit index it had persisted at start. `/v1/.well-known/ready` answers 503 until then.
    pub fn is_ready(&self) -> bool {
        let metrics = self.inner.raft.metrics();
        let m = metrics.borrow();
        let member = m
            .membership_config
            .membership()
            .get_node(&self.inner.id)
            .is_some();
        let applied = m.last_applied.map(|l| l.index);
        // A Raft node that stopped on a fatal error still reports its last leader: without this
        // check a node that can no longer apply anything would keep answering ready.
        let running = m.running_state.is_ok();
        // A leader cut off from its quorum still names itself leader; it is no more ready than
        // a cut-off follower, which no longer knows a leader.
        let cut_off = quorum_silence(&m, self.inner.config.timeouts.election_max).is_some();
        running
            && member
            && m.current_leader.is_some()
            && !cut_off
            && applied >= self.inner.ready_index
    }

    /// The current leader, if known.
    pub fn leader(&self) -> Option<(NodeId, NodeInfo)> {
        self.inner.known_leader()
    }

    /// Every member (voters and learners) with its addresses, from the latest membership.
    pub fn nodes(&self) -> BTreeMap<NodeId, NodeInfo> {
        let metrics = self.inner.raft.metrics();
        let m = metrics.borrow();
        members_of(&m.membership_config)
    }

    /// The voters' ids.
    pub fn voters(&self) -> BTreeSet<NodeId> {
        let metrics = self.inner.raft.metrics();
        let m = metrics.borrow();
        m.membership_config.voter_ids().collect()
    }

    /// The names of the member nodes, sorted; just this node before the cluster has formed.
    pub fn node_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.nodes().into_values().map(|n| n.name).collect();
        if names.is_empty() {
            names.push(self.inner.info.name.clone());
        }
        names.sort();
        names
    }

    /// What `/cluster/status` answers.
    pub async fn status(&self) -> ClusterStatus {
        self.inner.status().await
    }

    /// Every member with what its `/cluster/status` answered within `timeout` (this node's own
    /// without a request); `None` for a member that did not answer.
    pub async fn member_statuses(
        &self,
        timeout: Duration,
    ) -> Vec<(NodeId, NodeInfo, Option<ClusterStatus>)> {
        let mut asks = tokio::task::JoinSet::new();
        for (id, info) in self.nodes() {
            let inner = self.inner.clone();
            asks.spawn(async move {
                let status = if id == inner.id {
                    Some(inner.status().await)
                } else {
                    inner.peers.status(&info.raft_addr, timeout).await.ok()
                };
                (id, info, status)
            });
        }
        let mut statuses = Vec::new();
        while let Some(joined) = asks.join_next().await {
            statuses.extend(joined.ok());
        }
        statuses.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        statuses
    }

    /// Stops Raft, the background loop and the runtime, releasing the RocksDB directory. Idempotent.
    pub async fn shutdown(&self) -> Result<()> {
        let tasks: Vec<JoinHandle<()>> = self.background.lock().drain(..).collect();
        for task in tasks {
            task.abort();
        }
        let stopped = self.inner.raft.shutdown().await;
        let runtime = self.runtime.lock().0.take();
        if let Some(rt) = runtime {
            // Waits for openraft's tasks to drop, which closes the database; blocking, so off
            // the caller's reactor.
            let _ =
                tokio::task::spawn_blocking(move || rt.shutdown_timeout(Duration::from_secs(5)))
                    .await;
        }
        stopped.map_err(|e| Error::Raft(format!("raft shutdown: {e}")))
    }
}

impl Inner {
    /// The leader from the latest metrics, with its addresses from the membership.
    pub(crate) fn known_leader(&self) -> Option<(NodeId, NodeInfo)> {
        let metrics = self.raft.metrics();
        let m = metrics.borrow();
        let id = m.current_leader?;
        let info = m.membership_config.membership().get_node(&id)?.clone();
        Some((id, info))
    }

    /// Proposes on this node; the caller must expect `NotLeader` when it is not the leader.
    pub(crate) async fn propose(
        &self,
        request: MetaRequest,
        timeout: Duration,
    ) -> LeaderReply<WriteDone> {
        // Every proposal, local or forwarded, passes here: a command that would be written but
        // not read back is refused before the log, so there is no log index to wait for.
        if let Err(e) = codec::check_round_trip(&request) {
            return LeaderReply::Done(WriteDone {
                log_index: 0,
                response: MetaResponse {
                    outcome: Err(ApplyError::from(e)),
                },
            });
        }
        match tokio::time::timeout(timeout, self.raft.client_write(request)).await {
            Err(_) => LeaderReply::Timeout("the write was not committed in time".to_string()),
            Ok(Ok(r)) => LeaderReply::Done(WriteDone {
                log_index: r.log_id.index,
                response: r.data,
            }),
            Ok(Err(e)) => match e.forward_to_leader::<NodeInfo>() {
                Some(f) => LeaderReply::NotLeader {
                    leader: f.leader_id.zip(f.leader_node.clone()),
                },
                None => LeaderReply::Unavailable(e.to_string()),
            },
        }
    }

    /// The leader's read index, computed here if this node leads.
    pub(crate) async fn local_read_index(&self, timeout: Duration) -> LeaderReply<Option<u64>> {
        match tokio::time::timeout(timeout, self.raft.get_read_log_id()).await {
            Err(_) => LeaderReply::Timeout("no quorum answered in time".to_string()),
            Ok(Ok((read_log_id, _applied))) => LeaderReply::Done(read_log_id.map(|l| l.index)),
            Ok(Err(e)) => match e.forward_to_leader::<NodeInfo>() {
                Some(f) => LeaderReply::NotLeader {
                    leader: f.leader_id.zip(f.leader_node.clone()),
                },
                None => LeaderReply::Unavailable(e.to_string()),
            },
        }
    }

    /// Fails with `Unavailable` when this node leads but no quorum of voters has acknowledged
    /// it for longer than the longest election timeout: by then the followers have stopped
    /// waiting for it, so nothing it proposes can commit, and waiting out the write timeout
    /// would only delay the answer.
    fn check_quorum(&self) -> Result<()> {
        let metrics = self.raft.metrics();
        let m = metrics.borrow();
        match quorum_silence(&m, self.config.timeouts.election_max) {
            None => Ok(()),
            Some(silent) => Err(Error::Unavailable(format!(
                "no quorum reachable: {} leads term {} but no majority of the voters has \
                 answered it for {:.1}s (a network partition?); retry once the cluster has a \
                 leader with a quorum",
                self.info.name,
                m.current_term,
                silent.as_secs_f64()
            ))),
        }
    }

    /// Gets `request` committed by the leader, retrying (same request id, so at most one apply)
    /// while the leadership settles, until `deadline`.
    async fn commit(&self, request: &MetaRequest, deadline: Instant) -> Result<WriteDone> {
        let mut attempt = 0u32;
        loop {
            let remaining = remaining(deadline)?;
            let reply = match self.known_leader() {
                Some((id, info)) if id != self.id => {
                    self.peers
                        .forward_write((id, &info), self.id, request, remaining)
                        .await
                }
                _ => {
                    self.check_quorum()?;
                    self.propose(request.clone(), remaining).await
                }
            };
            match reply {
                LeaderReply::Done(done) => return Ok(done),
                LeaderReply::Timeout(m) => return Err(Error::Timeout(m)),
                LeaderReply::NotLeader { .. } | LeaderReply::Unavailable(_) => {
                    backoff(&mut attempt, deadline).await?;
                }
            }
        }
    }

    /// The read index of the leader, asked over HTTP when another node leads.
    async fn read_index(&self, deadline: Instant) -> Result<Option<u64>> {
        let mut attempt = 0u32;
        loop {
            let remaining = remaining(deadline)?;
            let reply = match self.known_leader() {
                Some((id, info)) if id != self.id => {
                    self.peers.read_index((id, &info), self.id, remaining).await
                }
                _ => {
                    self.check_quorum()?;
                    self.local_read_index(remaining).await
                }
            };
            match reply {
                LeaderReply::Done(index) => return Ok(index),
                LeaderReply::Timeout(m) => return Err(Error::Timeout(m)),
                LeaderReply::NotLeader { .. } | LeaderReply::Unavailable(_) => {
                    backoff(&mut attempt, deadline).await?;
                }
            }
        }
    }

    /// Waits until this node has applied `index`.
    async fn wait_applied(&self, index: u64, deadline: Instant) -> Result<()> {
        let wait = self.raft.wait(Some(remaining(deadline)?));
        match wait
            .applied_index_at_least(Some(index), "read-your-writes")
            .await
        {
            Ok(_) => Ok(()),
            Err(openraft::metrics::WaitError::Timeout(..)) => Err(Error::Timeout(format!(
                "index {index} is committed but not yet applied on this node"
            ))),
            Err(openraft::metrics::WaitError::ShuttingDown) => {
                Err(Error::Unavailable("raft is shutting down".to_string()))
            }
        }
    }

    pub(crate) async fn status(&self) -> ClusterStatus {
        let initialized = self.raft.is_initialized().await.unwrap_or(false);
        let metrics = self.raft.metrics();
        let m = metrics.borrow();
        ClusterStatus {
            cluster_name: self.config.cluster_name.clone(),
            node_id: self.id,
            name: self.info.name.clone(),
            raft_addr: self.info.raft_addr.clone(),
            api_addr: self.info.api_addr.clone(),
            initialized,
            leader: m.current_leader,
            state: format!("{:?}", m.state),
            last_applied: m.last_applied.map(|l| l.index),
            voters: m.membership_config.voter_ids().collect(),
            members: members_of(&m.membership_config),
            term: m.current_term,
            last_log_index: m.last_log_index,
            snapshot_index: m.snapshot.map(|l| l.index),
        }
    }
}

/// How long a quorum of voters has not acknowledged this node, when it is the leader and that
/// is longer than `limit`; `None` otherwise (a follower, a leader not yet acknowledged at all,
/// or one acknowledged recently; a single-voter leader acknowledges itself).
fn quorum_silence(m: &RaftMetrics<NodeId, NodeInfo>, limit: Duration) -> Option<Duration> {
    if m.state != ServerState::Leader {
        return None;
    }
    let silent = Duration::from_millis(m.millis_since_quorum_ack?);
    (silent > limit).then_some(silent)
}

/// Time left before `deadline`, or a timeout error.
fn remaining(deadline: Instant) -> Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Error::Timeout(
            "no leader accepted the request in time".to_string(),
        ));
    }
    Ok(left)
}

/// Sleeps 50 ms doubling to 800 ms (bounded by the deadline) between attempts.
async fn backoff(attempt: &mut u32, deadline: Instant) -> Result<()> {
    let pause = Duration::from_millis(50) * 2u32.pow((*attempt).min(4));
    *attempt += 1;
    tokio::time::sleep(pause.min(remaining(deadline)?)).await;
    Ok(())
}

fn open_db(config: &RaftMetaConfig) -> Result<RocksStore> {
    let rocks = RocksConfig {
        // Every Raft write is fsynced: appends, vote, truncation, apply batches, snapshots.
        sync_writes: true,
        block_cache_bytes: 8 << 20,
        write_buffer_bytes: 16 << 20,
    };
    Ok(RocksStore::open(&config.data_path.join("raft"), &rocks)?)
}

/// Records the node name on first start and refuses a directory that belongs to another name:
/// the node id is derived from the name, and a log written under one id must never be served
/// under another.
fn check_node_name(db: &RocksStore, name: &str) -> Result<()> {
    match get_meta::<String>(db, rk::NODE_NAME)? {
        Some(stored) if stored == name => Ok(()),
        Some(stored) => Err(Error::Raft(format!(
            "the raft directory belongs to node {stored:?}, not {name:?}"
        ))),
        None => {
            let mut batch = WriteBatch::new();
            batch.put(
                Cf::RaftMeta,
                rk::NODE_NAME.to_vec(),
                encode(&name.to_string())?,
            );
            Ok(db.write(batch)?)
        }
    }
}

fn build_runtime(name: &str) -> Result<Runtime> {
    // openraft gets its own workers so busy request handling cannot starve heartbeats
    // (openraft.md §7, #173), and its blocking RocksDB calls stay off the API reactor.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(format!("raft-{name}"))
        .enable_all()
        .build()
        .map_err(|e| Error::Raft(format!("cannot start the raft runtime: {e}")))
}

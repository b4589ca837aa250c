//! Node-to-node HTTP clients: openraft's `RaftNetwork` (append, vote, snapshot) and Shoal's own
//! calls (status probe, forwarded write, read index, join), plus their wire types.
//!
//! One `reqwest::Client` per purpose and process, so heartbeats reuse connections. A refused
//! connection becomes `RPCError::Unreachable`, which makes openraft back off instead of retrying
//! hot (openraft.md §6.2); the request timeout is openraft's `hard_ttl`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use openraft::error::{InstallSnapshotError, NetworkError, RPCError, RemoteError, Unreachable};
use openraft::network::{Backoff, RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::raft::types::{typ, MetaRequest, MetaResponse, NodeId, NodeInfo, TypeConfig};
use crate::{Error, Result};

/// The node id a Raft request is meant for; a node answers 409 to requests for another id, so
/// a stale or duplicated address can never make a leader replicate to itself (openraft.md §6.2).
pub const TARGET_HEADER: &str = "x-shoal-raft-target";
/// The cluster name a Raft request is meant for; a node of another cluster answers 409, so two
/// clusters whose addresses overlap cannot merge.
pub const CLUSTER_HEADER: &str = "x-shoal-raft-cluster";
/// Set on forwarded requests (the value is the forwarding node's id): a request that carries it
/// is never forwarded again, so a stale leader hint cannot cause a loop.
pub const HOP_HEADER: &str = "x-shoal-forwarded-by";

/// The answer of an operation only the leader can perform.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum LeaderReply<T> {
    Done(T),
    /// This node is not the leader; the leader it knows of, if any.
    NotLeader {
        leader: Option<(NodeId, NodeInfo)>,
    },
    /// No decision could be made (no quorum, stopped, transport failure); retry.
    Unavailable(String),
    /// The entry was proposed but not committed in time; it may still be applied.
    Timeout(String),
}

/// A committed write: its log index and its outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WriteDone {
    pub log_index: u64,
    pub response: MetaResponse,
}

/// A node asking the leader to be added as a learner.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinRequest {
    pub node_id: NodeId,
    pub info: NodeInfo,
}

/// `GET /cluster/status`: who a node is and what it knows of the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterStatus {
    pub cluster_name: String,
    pub node_id: NodeId,
    pub name: String,
    pub raft_addr: String,
    pub api_addr: String,
    /// Whether the node has any Raft state (log or vote): it belongs to a formed cluster.
    pub initialized: bool,
    pub leader: Option<NodeId>,
    /// `Leader`, `Follower`, `Candidate`, `Learner` or `Shutdown`.
    pub state: String,
    pub last_applied: Option<u64>,
    pub voters: Vec<NodeId>,
    pub members: BTreeMap<NodeId, NodeInfo>,
    /// The node's current term.
    #[serde(default)]
    pub term: u64,
    /// The index of the last entry in the node's log.
    #[serde(default)]
    pub last_log_index: Option<u64>,
    /// The log index the node's latest snapshot covers.
    #[serde(default)]
    pub snapshot_index: Option<u64>,
}

/// Builds the HTTP client used between nodes. Proxies are disabled: this traffic is internal.
pub(crate) fn http_client(connect_timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .tcp_nodelay(true)
        .no_proxy()
        .build()
        .map_err(|e| Error::Raft(format!("cannot build the http client: {e}")))
}

/// openraft's connection factory over HTTP.
#[derive(Clone)]
pub struct HttpNetwork {
    client: reqwest::Client,
    auth: Option<(String, String)>,
    cluster: String,
}

impl HttpNetwork {
    pub fn new(client: reqwest::Client, auth: Option<(String, String)>, cluster: String) -> Self {
        HttpNetwork {
            client,
            auth,
            cluster,
        }
    }
}

impl RaftNetworkFactory<TypeConfig> for HttpNetwork {
    type Network = HttpConnection;

    async fn new_client(&mut self, target: NodeId, node: &NodeInfo) -> HttpConnection {
        // Must not connect here: openraft calls this for every replication stream and vote.
        HttpConnection {
            client: self.client.clone(),
            auth: self.auth.clone(),
            cluster: self.cluster.clone(),
            target,
            base: format!("http://{}", node.raft_addr),
        }
    }
}

/// The RPC channel to one peer.
pub struct HttpConnection {
    client: reqwest::Client,
    auth: Option<(String, String)>,
    cluster: String,
    target: NodeId,
    base: String,
}

impl HttpConnection {
    /// POSTs `req` and decodes the peer's serialized `Result`: a transport failure or non-2xx
    /// status is a network error, an `Err` in the body is the peer's Raft error.
    async fn call<Req, Resp, E>(
        &self,
        path: &str,
        req: &Req,
        option: &RPCOption,
    ) -> std::result::Result<Resp, RPCError<NodeId, NodeInfo, typ::RaftError<E>>>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
        E: std::error::Error + DeserializeOwned,
    {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(TARGET_HEADER, self.target.to_string())
            .header(CLUSTER_HEADER, &self.cluster)
            .timeout(option.hard_ttl())
            .json(req);
        if let Some((user, pass)) = &self.auth {
            request = request.basic_auth(user, Some(pass));
        }
        let response = request.send().await.map_err(|e| {
            if e.is_connect() {
                RPCError::Unreachable(Unreachable::new(&e))
            } else {
                RPCError::Network(NetworkError::new(&e))
            }
        })?;
        let status = response.status();
        if !status.is_success() {
            let err = std::io::Error::other(format!("{path} answered {status}"));
            return Err(RPCError::Network(NetworkError::new(&err)));
        }
        let body: std::result::Result<Resp, typ::RaftError<E>> =
            crate::wire::read_json(path, response)
                .await
                .map_err(|e| RPCError::Network(NetworkError::new(&e)))?;
        body.map_err(|e| RPCError::RemoteError(RemoteError::new(self.target, e)))
    }
}

impl RaftNetwork<TypeConfig> for HttpConnection {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> std::result::Result<AppendEntriesResponse<NodeId>, typ::RpcError> {
        self.call("/raft/append", &rpc, &option).await
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> std::result::Result<InstallSnapshotResponse<NodeId>, typ::RpcError<InstallSnapshotError>>
    {
        self.call("/raft/snapshot", &rpc, &option).await
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> std::result::Result<VoteResponse<NodeId>, typ::RpcError> {
        self.call("/raft/vote", &rpc, &option).await
    }

    fn backoff(&self) -> Backoff {
        // After `Unreachable`: 200 ms, doubling to 3.2 s, so a down peer is not hammered but a
        // restarted one is found again quickly.
        Backoff::new((0u32..).map(|i| Duration::from_millis(200) * 2u32.pow(i.min(4))))
    }
}

/// Shoal's own node-to-node calls. Clones share one record of which peers failed to answer
/// lately, so that callers can skip a peer that is probably down instead of waiting for it.
#[derive(Clone)]
pub struct PeerClient {
    client: reqwest::Client,
    auth: Option<(String, String)>,
    cluster: String,
    /// Peers (by address) whose last call failed, with the time it failed.
    failed: Arc<parking_lot::Mutex<HashMap<String, Instant>>>,
}

impl PeerClient {
    pub fn new(client: reqwest::Client, auth: Option<(String, String)>, cluster: String) -> Self {
        PeerClient {
            client,
            auth,
            cluster,
            failed: Arc::default(),
        }
    }

    /// Whether the last call to `addr` failed less than `within` ago.
    pub fn seems_down(&self, addr: &str, within: Duration) -> bool {
        self.failed
            .lock()
            .get(addr)
            .is_some_and(|t| t.elapsed() < within)
    }

    fn note_answer(&self, addr: &str, answered: bool) {
        let mut failed = self.failed.lock();
        if answered {
            failed.remove(addr);
        } else {
            failed.insert(addr.to_string(), Instant::now());
        }
    }

    fn request(
        &self,
        builder: reqwest::RequestBuilder,
        timeout: Duration,
    ) -> reqwest::RequestBuilder {
        let builder = builder.timeout(timeout);
        match &self.auth {
            Some((user, pass)) => builder.basic_auth(user, Some(pass)),
            None => builder,
        }
    }

    /// `GET http://{addr}{path}` decoded as JSON. A timeout is `Timeout`; any other failure
    /// (connection, non-2xx status, bad body) is `Unavailable`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        addr: &str,
        path: &str,
        timeout: Duration,
    ) -> Result<T> {
        let builder = self.client.get(format!("http://{addr}{path}"));
        self.call_json(builder, addr, path, timeout).await
    }

    /// `POST http://{addr}{path}` with a JSON body, the answer decoded as JSON; failures as in
    /// [`PeerClient::get_json`].
    pub async fn post_json<Req: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        addr: &str,
        path: &str,
        body: &Req,
        timeout: Duration,
    ) -> Result<T> {
        let builder = self.client.post(format!("http://{addr}{path}")).json(body);
        self.call_json(builder, addr, path, timeout).await
    }

    /// `GET /cluster/status` of the node at `addr`.
    pub async fn status(&self, addr: &str, timeout: Duration) -> Result<ClusterStatus> {
        self.get_json(addr, "/cluster/status", timeout).await
    }

    async fn call_json<T: DeserializeOwned>(
        &self,
        builder: reqwest::RequestBuilder,
        addr: &str,
        path: &str,
        timeout: Duration,
    ) -> Result<T> {
        let answer = self.send_json(builder, addr, path, timeout).await;
        self.note_answer(addr, answer.is_ok());
        answer
    }

    async fn send_json<T: DeserializeOwned>(
        &self,
        builder: reqwest::RequestBuilder,
        addr: &str,
        path: &str,
        timeout: Duration,
    ) -> Result<T> {
        let response = self
            .request(builder, timeout)
            .send()
            .await
            .map_err(|e| send_error(addr, path, e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::Unavailable(format!(
                "{addr}{path} answered {status}"
            )));
        }
        crate::wire::read_json(&format!("{addr}{path}"), response).await
    }

    /// Sends `body` to a leader-only endpoint of node `target` at `addr`; with `hop_from`, marked
    /// as forwarded by that node (the receiver will not forward it again). Transport failures
    /// come back as `Unavailable` replies.
    pub async fn leader_call<Req: Serialize, T: DeserializeOwned>(
        &self,
        addr: &str,
        path: &str,
        target: Option<NodeId>,
        hop_from: Option<NodeId>,
        body: &Req,
        timeout: Duration,
    ) -> LeaderReply<T> {
        let mut builder = self.client.post(format!("http://{addr}{path}")).json(body);
        if let Some(from) = hop_from {
            builder = builder.header(HOP_HEADER, from.to_string());
        }
        if let Some(target) = target {
            builder = builder
                .header(TARGET_HEADER, target.to_string())
                .header(CLUSTER_HEADER, &self.cluster);
        }
        let response = match self.request(builder, timeout).send().await {
            Ok(r) => r,
            Err(e) => return LeaderReply::Unavailable(format!("{addr}{path}: {e}")),
        };
        match decode_json(addr, response).await {
            Ok(reply) => reply,
            Err(e) => LeaderReply::Unavailable(e.to_string()),
        }
    }

    /// Forwards a write to the leader.
    pub async fn forward_write(
        &self,
        leader: (NodeId, &NodeInfo),
        from: NodeId,
        request: &MetaRequest,
        timeout: Duration,
    ) -> LeaderReply<WriteDone> {
        let (id, info) = leader;
        self.leader_call(
            &info.raft_addr,
            "/raft/write",
            Some(id),
            Some(from),
            request,
            timeout,
        )
        .await
    }

    /// Asks the leader for its read index (the log index a linearizable read must wait for).
    pub async fn read_index(
        &self,
        leader: (NodeId, &NodeInfo),
        from: NodeId,
        timeout: Duration,
    ) -> LeaderReply<Option<u64>> {
        let (id, info) = leader;
        self.leader_call(
            &info.raft_addr,
            "/raft/read-index",
            Some(id),
            Some(from),
            &(),
            timeout,
        )
        .await
    }
}

/// Decodes a 2xx JSON body; anything else is `Unavailable`.
async fn decode_json<T: DeserializeOwned>(addr: &str, response: reqwest::Response) -> Result<T> {
    let status = response.status();
    if !status.is_success() {
        return Err(Error::Unavailable(format!("{addr} answered {status}")));
    }
    crate::wire::read_json(addr, response).await
}

/// A failed send: `Timeout` when the peer did not answer in time, else `Unavailable`.
fn send_error(addr: &str, path: &str, e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout(format!("{addr}{path}: {e}"))
    } else {
        Error::Unavailable(format!("{addr}{path}: {e}"))
    }
}

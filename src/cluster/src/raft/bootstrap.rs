//! Forming the cluster from configuration alone, and keeping it whole (openraft.md §8).
//!
//! Every `reconcile_interval`, each node:
//! - if it has no Raft state: probes `/cluster/status` of every `join` address. If some peer is
//!   initialized, the cluster exists and this node asks to join it. Otherwise, once
//!   `bootstrap_expect` nodes of the join list answer (itself included when it is listed), the
//!   `bootstrap_expect` lowest ids are the voters, and only the lowest of them calls
//!   `initialize`, with every voter's addresses. A node whose own address is not in a non-empty
//!   join list is never a voter: it waits for the cluster to exist and joins it, so a
//!   StatefulSet's extra pods cannot form clusters of their own however they start.
//!   A node that has Raft state never initializes again (openraft #1535, #898).
//! - if it leads: adds the `join` peers that answer and have no Raft state as learners.
//! - if it is initialized but not a member (it was started after formation with a join list the
//!   leader does not know): asks the leader to add it (`POST /cluster/join`).
//!
//! Learners are never promoted automatically: the voter set stays the configured size.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use openraft::error::{InitializeError, RaftError};

use crate::raft::network::{ClusterStatus, JoinRequest, LeaderReply, PeerClient};
use crate::raft::node::Inner;
use crate::raft::types::{NodeId, NodeInfo};
use crate::{Error, Result};

/// How long a status probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// Runs until aborted.
pub(crate) async fn run(inner: Arc<Inner>, peers: PeerClient) {
    let mut tick = tokio::time::interval(inner.config.reconcile_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = step(&inner, &peers).await {
            tracing::debug!(error = %e, "cluster reconcile step");
        }
    }
}

async fn step(inner: &Inner, peers: &PeerClient) -> Result<()> {
    let initialized = inner
        .raft
        .is_initialized()
        .await
        .map_err(|e| Error::Raft(e.to_string()))?;
    if !initialized {
        return bootstrap(inner, peers).await;
    }
    let (leader, member) = {
        let metrics = inner.raft.metrics();
        let m = metrics.borrow();
        let member = m
            .membership_config
            .membership()
            .get_node(&inner.id)
            .is_some();
        (m.current_leader, member)
    };
    if leader == Some(inner.id) {
        add_learners(inner, peers).await
    } else if !member && leader.is_some() {
        ask_to_join(inner, peers).await
    } else {
        Ok(())
    }
}

/// The answers of the `join` peers that responded, by node id (this node excluded).
async fn probe(inner: &Inner, peers: &PeerClient) -> BTreeMap<NodeId, ClusterStatus> {
    let calls = inner
        .config
        .join
        .iter()
        .filter(|addr| **addr != inner.info.raft_addr)
        .map(|addr| {
            let (peers, addr) = (peers.clone(), addr.clone());
            async move { peers.status(&addr, PROBE_TIMEOUT).await }
        });
    let mut out = BTreeMap::new();
    for status in futures_join(calls).await.into_iter().flatten() {
        if status.cluster_name != inner.config.cluster_name {
            // A misconfigured join list: never form or join a cluster with it.
            tracing::error!(
                peer = %status.raft_addr,
                theirs = %status.cluster_name,
                ours = %inner.config.cluster_name,
                "a join peer belongs to another cluster; ignoring it"
            );
        } else if status.node_id != inner.id {
            out.insert(status.node_id, status);
        }
    }
    out
}

/// Awaits all futures concurrently (spawned on the raft runtime).
async fn futures_join<F, T>(futures: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        if let Ok(value) = handle.await {
            out.push(value);
        }
    }
    out
}

async fn bootstrap(inner: &Inner, peers: &PeerClient) -> Result<()> {
    let statuses = probe(inner, peers).await;
    if statuses.values().any(|s| s.initialized) {
        return ask_to_join(inner, peers).await;
    }
    if !is_listed(inner) {
        tracing::debug!("not in CLUSTER_JOIN: waiting for the cluster to form, to join it");
        return Ok(());
    }
    let mut candidates: BTreeMap<NodeId, NodeInfo> = statuses
        .values()
        .map(|s| (s.node_id, node_info(s)))
        .collect();
    candidates.insert(inner.id, inner.info.clone());
    let expect = inner.config.bootstrap_expect;
    if candidates.len() < expect {
        tracing::info!(
            reachable = candidates.len(),
            expect,
            "waiting for the expected voters before forming the cluster"
        );
        return Ok(());
    }
    let voters: BTreeMap<NodeId, NodeInfo> = candidates.into_iter().take(expect).collect();
    if voters.keys().next() != Some(&inner.id) {
        // The lowest-id voter initializes; the others are told by its first vote request.
        return Ok(());
    }
    tracing::info!(voters = ?voters.values().map(|n| &n.name).collect::<Vec<_>>(), "forming the cluster");
    match inner.raft.initialize(voters).await {
        Ok(()) | Err(RaftError::APIError(InitializeError::NotAllowed(_))) => Ok(()),
        Err(e) => Err(Error::Raft(format!("initialize: {e}"))),
    }
}

/// Whether this node may be a voter at formation: its address is in the join list, or there is
/// no list (a node alone).
fn is_listed(inner: &Inner) -> bool {
    let join = &inner.config.join;
    join.is_empty() || join.contains(&inner.info.raft_addr)
}

fn node_info(status: &ClusterStatus) -> NodeInfo {
    NodeInfo {
        name: status.name.clone(),
        raft_addr: status.raft_addr.clone(),
        api_addr: status.api_addr.clone(),
    }
}

/// Leader only: adds reachable `join` peers without Raft state as learners.
async fn add_learners(inner: &Inner, peers: &PeerClient) -> Result<()> {
    let members = {
        let metrics = inner.raft.metrics();
        let m = metrics.borrow();
        crate::raft::state_machine::members_of(&m.membership_config)
    };
    for status in probe(inner, peers).await.into_values() {
        if status.initialized || members.contains_key(&status.node_id) {
            continue;
        }
        tracing::info!(node = %status.name, "adding a learner");
        let added = tokio::time::timeout(
            inner.config.timeouts.write,
            inner
                .raft
                .add_learner(status.node_id, node_info(&status), false),
        )
        .await;
        match added {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(node = %status.name, error = %e, "adding a learner failed")
            }
            Err(_) => tracing::warn!(node = %status.name, "adding a learner timed out"),
        }
    }
    Ok(())
}

/// Asks the `join` peers, one after another, to have this node added as a learner.
async fn ask_to_join(inner: &Inner, peers: &PeerClient) -> Result<()> {
    let request = JoinRequest {
        node_id: inner.id,
        info: inner.info.clone(),
    };
    for addr in inner
        .config
        .join
        .iter()
        .filter(|a| **a != inner.info.raft_addr)
    {
        let reply: LeaderReply<()> = peers
            .leader_call(
                addr,
                "/cluster/join",
                None,
                None,
                &request,
                PROBE_TIMEOUT * 5,
            )
            .await;
        if let LeaderReply::Done(()) = reply {
            tracing::info!(via = %addr, "asked the leader to add this node as a learner");
            return Ok(());
        }
    }
    Err(Error::Unavailable(
        "no join peer could add this node yet".to_string(),
    ))
}

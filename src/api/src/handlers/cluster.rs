//! `GET /v1/cluster/statistics` (weaviate-api.md 1.8): every member of the metadata Raft group
//! with its own view of Raft. The `raft` values are strings, as hashicorp raft's `Stats()` gives
//! them to Weaviate.

use axum::extract::State;
use axum::Json;
use coordinator::nodes::{RaftMemberReport, RaftView};
use serde_json::{json, Value};

use crate::state::AppState;

/// `GET /v1/cluster/statistics`.
pub(crate) async fn statistics(State(state): State<AppState>) -> Json<Value> {
    let (members, synchronized) = state.coordinator.cluster_statistics().await;
    let statistics: Vec<Value> = members.iter().map(member).collect();
    Json(json!({ "statistics": statistics, "synchronized": synchronized }))
}

fn member(m: &RaftMemberReport) -> Value {
    let Some(view) = &m.raft else {
        return json!({
            "name": m.name,
            "status": m.status,
            "isVoter": m.is_voter,
            "ready": false,
            "open": false,
        });
    };
    json!({
        "name": m.name,
        "status": m.status,
        "bootstrapped": true,
        "dbLoaded": true,
        "ready": view.ready,
        "open": true,
        "isVoter": m.is_voter,
        "leaderId": view.leader_name.clone().unwrap_or_default(),
        "leaderAddress": view.leader_addr.clone().unwrap_or_default(),
        "candidates": {},
        "lastAppliedIndex": view.applied_index,
        "raft": raft_stats(view),
    })
}

fn raft_stats(view: &RaftView) -> Value {
    let configuration: Vec<Value> = view
        .members
        .iter()
        .map(|(name, addr, voter)| {
            let suffrage = if *voter { "Voter" } else { "Nonvoter" };
            json!({ "id": name, "address": addr, "suffrage": suffrage })
        })
        .collect();
    json!({
        "appliedIndex": view.applied_index.to_string(),
        "commitIndex": view.applied_index.to_string(),
        "fsmPending": "0",
        "lastLogIndex": view.last_log_index.to_string(),
        "lastLogTerm": view.term.to_string(),
        "lastSnapshotIndex": view.snapshot_index.to_string(),
        "latestConfiguration": configuration,
        "numPeers": view.members.len().saturating_sub(1).to_string(),
        "state": view.state,
        "term": view.term.to_string(),
    })
}

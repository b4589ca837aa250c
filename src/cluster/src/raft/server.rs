//! The internal HTTP routes of the Raft layer (an axum `Router` the server mounts on the
//! internal port).
//!
//! Raft RPCs always answer 200 with the serialized `Result`, so the client can tell a peer's
//! Raft error from a transport failure. Requests addressed to another node id get 409. With
//! credentials configured, every request to the port needs HTTP basic auth ([`guard`] wraps
//! the whole router, unknown paths included) and is otherwise refused as Weaviate's data port
//! refuses it: 401 with no body.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use openraft::error::InstallSnapshotError;
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::raft::network::{
    ClusterStatus, JoinRequest, LeaderReply, WriteDone, CLUSTER_HEADER, HOP_HEADER, TARGET_HEADER,
};
use crate::raft::node::Inner;
use crate::raft::types::{node_id_for, typ, MetaRequest, NodeId, TypeConfig};
use crate::wire::DeepJson;

/// Snapshot chunks are 1 MiB, about 4 MiB as JSON; axum's default limit of 2 MiB would reject
/// them (openraft.md §6.3).
const BODY_LIMIT: usize = 64 << 20;

/// `router` (every route of the internal port, and its fallback) behind the basic-auth check.
/// Apply it last, to the merged router, so that nothing is left outside.
pub(crate) fn guard(inner: Arc<Inner>, router: Router) -> Router {
    router.layer(middleware::from_fn_with_state(inner, check_auth))
}

/// The Raft and cluster routes, with their state (see [`guard`]).
pub(crate) fn router(inner: Arc<Inner>) -> Router {
    let raft_routes = Router::new()
        .route("/raft/append", post(append))
        .route("/raft/vote", post(vote))
        .route("/raft/snapshot", post(snapshot))
        .route("/raft/write", post(write))
        .route("/raft/read-index", post(read_index))
        .route_layer(middleware::from_fn_with_state(inner.clone(), check_target));
    let cluster_routes = Router::new()
        .route("/cluster/status", get(status))
        .route("/cluster/join", post(join));
    raft_routes
        .merge(cluster_routes)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(inner)
}

/// 409 unless the request names this node in [`TARGET_HEADER`] and this cluster in
/// [`CLUSTER_HEADER`].
async fn check_target(State(inner): State<Arc<Inner>>, request: Request, next: Next) -> Response {
    let cluster = request
        .headers()
        .get(CLUSTER_HEADER)
        .and_then(|v| v.to_str().ok());
    match cluster {
        Some(name) if name == inner.config.cluster_name => {}
        Some(name) => {
            let message = format!(
                "this node belongs to cluster {:?}, not {name:?}",
                inner.config.cluster_name
            );
            return (StatusCode::CONFLICT, message).into_response();
        }
        None => {
            let message = format!("missing {CLUSTER_HEADER} header");
            return (StatusCode::BAD_REQUEST, message).into_response();
        }
    }
    let target = request
        .headers()
        .get(TARGET_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<NodeId>().ok());
    match target {
        Some(id) if id == inner.id => next.run(request).await,
        Some(id) => (
            StatusCode::CONFLICT,
            format!("this is node {}, not node {id}", inner.id),
        )
            .into_response(),
        None => (
            StatusCode::BAD_REQUEST,
            format!("missing or invalid {TARGET_HEADER} header"),
        )
            .into_response(),
    }
}

/// 401 unless the request carries the configured basic-auth credentials.
async fn check_auth(State(inner): State<Arc<Inner>>, request: Request, next: Next) -> Response {
    let Some((user, pass)) = &inner.config.basic_auth else {
        return next.run(request).await;
    };
    let given = request.headers().get(header::AUTHORIZATION);
    match given.and_then(basic_credentials) {
        Some((u, p)) if credentials_match((&u, &p), (user, pass)) => next.run(request).await,
        // Weaviate's data port: a bare 401, no body and no challenge.
        Some(_) | None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

/// User and password of a `Basic` header (the scheme in any case, as Go's `BasicAuth` reads it).
fn basic_credentials(value: &HeaderValue) -> Option<(String, String)> {
    let value = value.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, pass) = decoded.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

/// Both parts compared, each over SHA-256 digests in constant time, so that neither a matching
/// prefix, a length nor which part was wrong shows in the time taken.
fn credentials_match(given: (&str, &str), expected: (&str, &str)) -> bool {
    let digest = |s: &str| -> [u8; 32] { Sha256::digest(s.as_bytes()).into() };
    let user = digest(given.0)[..].ct_eq(&digest(expected.0)[..]);
    let pass = digest(given.1)[..].ct_eq(&digest(expected.1)[..]);
    bool::from(user & pass)
}

async fn append(
    State(inner): State<Arc<Inner>>,
    DeepJson(req): DeepJson<AppendEntriesRequest<TypeConfig>>,
) -> Json<Result<AppendEntriesResponse<NodeId>, typ::RaftError>> {
    Json(inner.raft.append_entries(req).await)
}

async fn vote(
    State(inner): State<Arc<Inner>>,
    DeepJson(req): DeepJson<VoteRequest<NodeId>>,
) -> Json<Result<VoteResponse<NodeId>, typ::RaftError>> {
    Json(inner.raft.vote(req).await)
}

async fn snapshot(
    State(inner): State<Arc<Inner>>,
    DeepJson(req): DeepJson<InstallSnapshotRequest<TypeConfig>>,
) -> Json<Result<InstallSnapshotResponse<NodeId>, typ::RaftError<InstallSnapshotError>>> {
    Json(inner.raft.install_snapshot(req).await)
}

/// A client write from another node: proposed here, or forwarded once to the leader when it
/// did not come forwarded already.
async fn write(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    DeepJson(request): DeepJson<MetaRequest>,
) -> Json<LeaderReply<WriteDone>> {
    let timeout = inner.config.timeouts.write;
    let reply = inner.propose(request.clone(), timeout).await;
    if let LeaderReply::NotLeader {
        leader: Some((id, info)),
    } = &reply
    {
        if !headers.contains_key(HOP_HEADER) && *id != inner.id {
            let forwarded = inner
                .peers
                .forward_write((*id, info), inner.id, &request, timeout)
                .await;
            return Json(forwarded);
        }
    }
    Json(reply)
}

/// The leader's read index for a follower's linearizable read.
async fn read_index(State(inner): State<Arc<Inner>>) -> Json<LeaderReply<Option<u64>>> {
    Json(inner.local_read_index(inner.config.timeouts.write).await)
}

async fn status(State(inner): State<Arc<Inner>>) -> Json<ClusterStatus> {
    Json(inner.status().await)
}

/// A node asks to be added as a learner: done by the leader, forwarded once otherwise.
async fn join(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    DeepJson(request): DeepJson<JoinRequest>,
) -> Json<LeaderReply<()>> {
    if request.node_id != node_id_for(&request.info.name) {
        return Json(LeaderReply::Unavailable(format!(
            "node id {} does not belong to name {:?}",
            request.node_id, request.info.name
        )));
    }
    let already_member = {
        let metrics = inner.raft.metrics();
        let m = metrics.borrow();
        m.membership_config
            .membership()
            .get_node(&request.node_id)
            .is_some()
    };
    if already_member {
        return Json(LeaderReply::Done(()));
    }
    let timeout = inner.config.timeouts.write;
    let added = tokio::time::timeout(
        timeout,
        // Not blocking: a learner that is down would block the call forever (openraft.md §9).
        inner
            .raft
            .add_learner(request.node_id, request.info.clone(), false),
    )
    .await;
    let reply = match added {
        Err(_) => LeaderReply::Timeout("adding the learner timed out".to_string()),
        Ok(Ok(_)) => LeaderReply::Done(()),
        Ok(Err(e)) => match e.forward_to_leader::<crate::raft::NodeInfo>() {
            Some(f) => LeaderReply::NotLeader {
                leader: f.leader_id.zip(f.leader_node.clone()),
            },
            None => LeaderReply::Unavailable(e.to_string()),
        },
    };
    if let LeaderReply::NotLeader {
        leader: Some((id, info)),
    } = &reply
    {
        if !headers.contains_key(HOP_HEADER) && *id != inner.id {
            let path = "/cluster/join";
            let hop = Some(inner.id);
            let forwarded = inner
                .peers
                .leader_call(&info.raft_addr, path, None, hop, &request, timeout)
                .await;
            return Json(forwarded);
        }
    }
    Json(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(value: &str) -> HeaderValue {
        HeaderValue::from_str(value).unwrap()
    }

    fn basic(user_pass: &str) -> HeaderValue {
        let encoded = base64::engine::general_purpose::STANDARD.encode(user_pass);
        header(&format!("Basic {encoded}"))
    }

    #[test]
    fn basic_headers_are_read_like_go_reads_them() {
        let pair = |u: &str, p: &str| Some((u.to_string(), p.to_string()));
        assert_eq!(basic_credentials(&basic("u:p")), pair("u", "p"));
        assert_eq!(basic_credentials(&basic("u:p:q")), pair("u", "p:q"));
        let lower = header(&format!(
            "basic {}",
            base64::engine::general_purpose::STANDARD.encode("u:p")
        ));
        assert_eq!(basic_credentials(&lower), pair("u", "p"));
        assert_eq!(basic_credentials(&basic("no-colon")), None);
        assert_eq!(basic_credentials(&header("Bearer abc")), None);
        assert_eq!(basic_credentials(&header("Basic !!!")), None);
    }

    #[test]
    fn credentials_must_match_in_both_parts() {
        assert!(credentials_match(("u", "p"), ("u", "p")));
        assert!(!credentials_match(("u", "q"), ("u", "p")));
        assert!(!credentials_match(("v", "p"), ("u", "p")));
        assert!(!credentials_match(("u", "pp"), ("u", "p")));
        assert!(!credentials_match(("", ""), ("u", "p")));
    }
}

//! The data plane between nodes: one shard-level operation ([`ShardCall`]) runs on a replica of
//! a shard, here on the blocking pool when the replica is this node, else over the internal
//! port at `POST /shards/{class}/{shard}/{op}` on the node that holds it.
//!
//! Local and remote replicas run the same `ShardCall::run`, so a shard behaves the same
//! whichever node coordinates. A remote node always answers 200 with a serialized `Result`:
//! a non-2xx status or a broken connection is a transport failure (`Unavailable` or
//! `Timeout`), which callers may fail over; an `Err` in the body is the shard's own answer.

pub(crate) mod calls;
pub(crate) mod keyword_stats;
pub(crate) mod repair;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::routing::post;
use axum::{Json, Router};
use cluster::raft::PeerClient;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shard::Shard;
use types::ErrorKind;

use crate::{run_blocking, Coordinator, Error, Result};

/// How long a node waits for a peer's answer to one shard call.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a node waits for its metadata to reach a caller's version.
const CATCH_UP: Duration = Duration::from_secs(5);
/// Batches with vectors are large; the public port limits what a client may send.
const BODY_LIMIT: usize = 512 << 20;

/// One operation on one shard, runnable on a local shard or sent to the node holding it.
pub(crate) trait ShardCall:
    Serialize + DeserializeOwned + Clone + Send + Sync + 'static
{
    /// The last path segment of the call's route.
    const OP: &'static str;
    type Output: Serialize + DeserializeOwned + Send + 'static;
    /// Runs on the node that holds the shard; synchronous engine work.
    fn run(self, shard: &Shard) -> Result<Self::Output>;
}

/// Where one replica of a shard is, as seen from this node.
#[derive(Clone)]
pub(crate) enum Target {
    Local(Arc<Shard>),
    Remote {
        node: String,
        addr: String,
        peers: PeerClient,
        /// The metadata version (applied commands) this node had: the peer first waits until
        /// it has applied as much, so that a class or property just added exists there too.
        version: u64,
    },
    /// Named in `belongsToNodes` but not a member this node can address, or, for this very
    /// node, a shard it has not opened (yet).
    Missing(String),
}

impl Target {
    /// The node name, for messages.
    pub(crate) fn node(&self) -> &str {
        match self {
            Target::Local(_) => "local",
            Target::Remote { node, .. } | Target::Missing(node) => node,
        }
    }

    /// [`Target::run`] for a call not needed afterwards: a local replica takes it as is.
    pub(crate) async fn run_owned<C: ShardCall>(
        &self,
        class: &str,
        shard: &str,
        call: C,
    ) -> Result<C::Output> {
        match self {
            Target::Local(s) => {
                let s = s.clone();
                run_blocking(move || call.run(&s)).await
            }
            Target::Remote { .. } | Target::Missing(_) => self.run(class, shard, &call).await,
        }
    }

    /// Runs `call` on this replica of `class`/`shard`.
    pub(crate) async fn run<C: ShardCall>(
        &self,
        class: &str,
        shard: &str,
        call: &C,
    ) -> Result<C::Output> {
        match self {
            Target::Local(s) => {
                let (s, call) = (s.clone(), call.clone());
                run_blocking(move || call.run(&s)).await
            }
            Target::Remote {
                node,
                addr,
                peers,
                version,
            } => {
                let path = format!("/shards/{class}/{shard}/{}?v={version}", C::OP);
                let answer: cluster::Result<WireResult<C::Output>> =
                    peers.post_json(addr, &path, call, CALL_TIMEOUT).await;
                answer
                    .map_err(|e| transport_error(node, e))?
                    .map_err(Error::from)
            }
            Target::Missing(node) => Err(Error::Unavailable(format!(
                "shard {shard} of class {class}: node {node} is not reachable"
            ))),
        }
    }
}

/// Whether an error means the replica could not be asked (so another one may be).
pub(crate) fn is_transport(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::Unavailable | ErrorKind::Timeout)
}

fn transport_error(node: &str, e: cluster::Error) -> Error {
    let detail = match &e {
        cluster::Error::Timeout(m) | cluster::Error::Unavailable(m) => m.clone(),
        other @ (cluster::Error::ClassExists(_)
        | cluster::Error::SimilarClassExists { .. }
        | cluster::Error::ClassNotFound(_)
        | cluster::Error::PropertyExists { .. }
        | cluster::Error::ShardNotFound { .. }
        | cluster::Error::TenantNotFound { .. }
        | cluster::Error::AliasExists(_)
        | cluster::Error::AliasIsClassName(_)
        | cluster::Error::ClassIsAliasName(_)
        | cluster::Error::SimilarAliasExists { .. }
        | cluster::Error::AliasNotFound(_)
        | cluster::Error::Invalid(_)
        | cluster::Error::VectorLength { .. }
        | cluster::Error::Storage(_)
        | cluster::Error::Corrupt(_)
        | cluster::Error::Raft(_)) => other.to_string(),
    };
    if e.kind() == ErrorKind::Timeout {
        Error::Timeout(format!("node {node} did not answer: {detail}"))
    } else {
        Error::Unavailable(format!("node {node} is unreachable: {detail}"))
    }
}

/// How long a replica that failed to answer counts as down: a write whose level the others
/// cannot meet then fails before writing anything, as Weaviate's does when its member list has
/// dropped a node (otherwise it would be applied on the live replicas and still reported as
/// failed), and reads and searches ask it last.
const DOWN_FOR: Duration = Duration::from_secs(3);

impl Target {
    /// Whether the replica failed to answer within the last [`DOWN_FOR`] (always for a
    /// replica that cannot be addressed).
    pub(crate) fn seems_down(&self) -> bool {
        match self {
            Target::Local(_) => false,
            Target::Missing(_) => true,
            Target::Remote { addr, peers, .. } => peers.seems_down(addr, DOWN_FOR),
        }
    }
}

/// A shard's answer on the wire.
pub(crate) type WireResult<T> = std::result::Result<T, WireError>;

/// A coordinator error on the wire: its kind survives, so a remote "already exists" is still a
/// conflict for the client.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WireError {
    kind: ErrorKind,
    message: String,
}

impl From<Error> for WireError {
    fn from(e: Error) -> Self {
        WireError::of(&e)
    }
}

impl WireError {
    /// The wire form of `e`, which stays usable.
    pub(crate) fn of(e: &Error) -> WireError {
        WireError {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

impl From<WireError> for Error {
    fn from(e: WireError) -> Self {
        let m = e.message;
        match e.kind {
            ErrorKind::InvalidInput => Error::InvalidInput(m),
            ErrorKind::BadRequest => Error::BadRequest(m),
            ErrorKind::NotFound => Error::NotFound(m),
            ErrorKind::Conflict => Error::Conflict(m),
            ErrorKind::Unavailable => Error::Unavailable(m),
            ErrorKind::Timeout => Error::Timeout(m),
            ErrorKind::Internal => Error::Internal(m),
        }
    }
}

/// The data-plane routes of the internal port.
pub(crate) fn routes() -> Router<Arc<Coordinator>> {
    use calls::*;
    use repair::*;
    Router::new()
        .route(&route::<Put>(), post(handle::<Put>))
        .route(&route::<Exists>(), post(handle::<Exists>))
        .route(&route::<Delete>(), post(handle::<Delete>))
        .route(&route::<DeleteMany>(), post(handle::<DeleteMany>))
        .route(&route::<VectorSearch>(), post(handle::<VectorSearch>))
        .route(&route::<KeywordSearch>(), post(handle::<KeywordSearch>))
        .route(
            &route::<keyword_stats::KeywordStats>(),
            post(handle::<keyword_stats::KeywordStats>),
        )
        .route(&route::<List>(), post(handle::<List>))
        .route(&route::<Matching>(), post(handle::<Matching>))
        .route(&route::<MatchingIds>(), post(handle::<MatchingIds>))
        .route(&route::<Count>(), post(handle::<Count>))
        .route(&route::<HashTreeLeaves>(), post(handle::<HashTreeLeaves>))
        .route(&route::<Digests>(), post(handle::<Digests>))
        .route(&route::<ReadVersioned>(), post(handle::<ReadVersioned>))
        .route(&route::<ApplyRepairs>(), post(handle::<ApplyRepairs>))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

fn route<C: ShardCall>() -> String {
    format!("/shards/{{class}}/{{shard}}/{}", C::OP)
}

/// The metadata version a call needs (`?v=`).
#[derive(Deserialize)]
struct Version {
    #[serde(default)]
    v: u64,
}

/// Runs a call a peer sent on the local shard it names, once this node's metadata is as new
/// as the caller's (bounded by [`CATCH_UP`]).
async fn handle<C: ShardCall>(
    State(coordinator): State<Arc<Coordinator>>,
    Path((class, shard)): Path<(String, String)>,
    Query(Version { v }): Query<Version>,
    cluster::wire::DeepJson(call): cluster::wire::DeepJson<C>,
) -> Json<WireResult<C::Output>> {
    let deadline = Instant::now() + CATCH_UP;
    // A published state's shards are open (the listener runs before publication).
    while coordinator.meta.snapshot().applied < v && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let result = match coordinator.local_shard(&class, &shard).await {
        Ok(Some(s)) => run_blocking(move || call.run(&s)).await,
        Ok(None) => Err(Error::Unavailable(format!(
            "shard {shard} of class {class} is not open on node {}",
            coordinator.config.node_name
        ))),
        Err(e) => Err(e),
    };
    Json(result.map_err(WireError::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds_survive_the_wire() {
        for e in [
            Error::Conflict("id 'x' already exists".into()),
            Error::NotFound("gone".into()),
            Error::Timeout("slow".into()),
            Error::InvalidInput("bad vector".into()),
        ] {
            let (kind, message) = (e.kind(), e.to_string());
            let json = serde_json::to_string(&WireError::from(e)).unwrap();
            let back = Error::from(serde_json::from_str::<WireError>(&json).unwrap());
            assert_eq!(back.kind(), kind);
            assert_eq!(back.to_string(), message);
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod wire_tests;

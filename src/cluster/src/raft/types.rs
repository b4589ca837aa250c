//! The openraft type configuration: who the nodes are and what the log carries.

use std::io::Cursor;

use serde::{Deserialize, Serialize};

use crate::meta::MetaCommand;
use crate::Error;

/// A Raft node id.
///
/// Derived from the node name ([`node_id_for`]) rather than generated and persisted: in Shoal the
/// name (`CLUSTER_HOSTNAME`) already is the node's identity (shard ownership is stored by name),
/// so peers can compute each other's ids from configuration alone, and a node that lost its disk
/// comes back under the same id only if it keeps its name, which is the same rule shards follow.
/// The name is persisted next to the log, and a directory refuses to start under another name.
pub type NodeId = u64;

/// What every member of the cluster knows about a node; stored in each membership entry, so peer
/// addresses come from the replicated membership once the cluster exists, not from config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    /// The node name (`CLUSTER_HOSTNAME`).
    pub name: String,
    /// The internal `host:port` peers use for Raft and the data plane (`CLUSTER_ADVERTISE_ADDR`).
    pub raft_addr: String,
    /// The public REST `host:port`.
    pub api_addr: String,
}

/// The id of the node called `name`: the first 64-bit half of murmur3 x64_128 (seed 0) of the
/// UTF-8 name, the hash the sharding code already uses. Stable across versions and machines.
pub fn node_id_for(name: &str) -> NodeId {
    // Reading from an in-memory cursor cannot fail.
    let hash = murmur3::murmur3_x64_128(&mut Cursor::new(name.as_bytes()), 0).unwrap_or(0);
    hash as u64
}

/// The application entry: a command plus the id that makes retries idempotent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaRequest {
    /// Unique per logical request; a retry reuses it and gets the first outcome back.
    pub request_id: String,
    pub command: MetaCommand,
}

/// The outcome of applying one log entry. A command that applies cleanly and one the state
/// rejects deterministically (the class exists, ...) both are *responses*: only I/O failures are
/// storage errors, and openraft sees exactly one response per entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaResponse {
    pub outcome: Result<(), ApplyError>,
}

impl MetaResponse {
    /// The response of entries that carry no command (blank and membership entries).
    pub fn none() -> Self {
        MetaResponse { outcome: Ok(()) }
    }
}

/// A deterministic rejection by [`crate::MetaState::apply`], in a form that crosses the wire and
/// converts back into the same [`Error`] the local `MetaStore` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyError {
    ClassExists(String),
    SimilarClassExists {
        existing: String,
        requested: String,
    },
    ClassNotFound(String),
    PropertyExists {
        class: String,
        property: String,
    },
    ShardNotFound {
        class: String,
        shard: String,
    },
    TenantNotFound {
        class: String,
        tenant: String,
    },
    AliasExists(String),
    AliasIsClassName(String),
    ClassIsAliasName(String),
    SimilarAliasExists {
        existing: String,
        requested: String,
    },
    AliasNotFound(String),
    Invalid(String),
    /// A vector length other than the one the class's target has fixed (both lengths, so that
    /// the node that took the request words it).
    VectorLength {
        expected: usize,
        got: usize,
    },
    /// Any other error; `apply` only returns the variants above today.
    Other(String),
}

impl From<Error> for ApplyError {
    fn from(e: Error) -> Self {
        match e {
            Error::ClassExists(c) => ApplyError::ClassExists(c),
            Error::SimilarClassExists {
                existing,
                requested,
            } => ApplyError::SimilarClassExists {
                existing,
                requested,
            },
            Error::ClassNotFound(c) => ApplyError::ClassNotFound(c),
            Error::PropertyExists { class, property } => {
                ApplyError::PropertyExists { class, property }
            }
            Error::ShardNotFound { class, shard } => ApplyError::ShardNotFound { class, shard },
            Error::TenantNotFound { class, tenant } => ApplyError::TenantNotFound { class, tenant },
            Error::AliasExists(a) => ApplyError::AliasExists(a),
            Error::AliasIsClassName(a) => ApplyError::AliasIsClassName(a),
            Error::ClassIsAliasName(c) => ApplyError::ClassIsAliasName(c),
            Error::SimilarAliasExists {
                existing,
                requested,
            } => ApplyError::SimilarAliasExists {
                existing,
                requested,
            },
            Error::AliasNotFound(a) => ApplyError::AliasNotFound(a),
            Error::Invalid(m) => ApplyError::Invalid(m),
            Error::VectorLength { expected, got } => ApplyError::VectorLength { expected, got },
            other @ (Error::Storage(_)
            | Error::Corrupt(_)
            | Error::Unavailable(_)
            | Error::Timeout(_)
            | Error::Raft(_)) => ApplyError::Other(other.to_string()),
        }
    }
}

impl From<ApplyError> for Error {
    fn from(e: ApplyError) -> Self {
        match e {
            ApplyError::ClassExists(c) => Error::ClassExists(c),
            ApplyError::SimilarClassExists {
                existing,
                requested,
            } => Error::SimilarClassExists {
                existing,
                requested,
            },
            ApplyError::ClassNotFound(c) => Error::ClassNotFound(c),
            ApplyError::PropertyExists { class, property } => {
                Error::PropertyExists { class, property }
            }
            ApplyError::ShardNotFound { class, shard } => Error::ShardNotFound { class, shard },
            ApplyError::TenantNotFound { class, tenant } => Error::TenantNotFound { class, tenant },
            ApplyError::AliasExists(a) => Error::AliasExists(a),
            ApplyError::AliasIsClassName(a) => Error::AliasIsClassName(a),
            ApplyError::ClassIsAliasName(c) => Error::ClassIsAliasName(c),
            ApplyError::SimilarAliasExists {
                existing,
                requested,
            } => Error::SimilarAliasExists {
                existing,
                requested,
            },
            ApplyError::AliasNotFound(a) => Error::AliasNotFound(a),
            ApplyError::Invalid(m) => Error::Invalid(m),
            ApplyError::VectorLength { expected, got } => Error::VectorLength { expected, got },
            ApplyError::Other(m) => Error::Corrupt(m),
        }
    }
}

openraft::declare_raft_types!(
    /// Shoal's Raft types: metadata commands, node addresses, in-memory snapshots.
    pub TypeConfig:
        D = MetaRequest,
        R = MetaResponse,
        NodeId = NodeId,
        Node = NodeInfo,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = Cursor<Vec<u8>>,
        AsyncRuntime = openraft::TokioRuntime,
);

/// The Raft handle of this crate's type configuration.
pub type MetaRaft = openraft::Raft<TypeConfig>;

/// Shorthands for openraft's generic types.
pub mod typ {
    use super::{NodeId, NodeInfo, TypeConfig};

    pub type Entry = openraft::Entry<TypeConfig>;
    pub type LogId = openraft::LogId<NodeId>;
    pub type Vote = openraft::Vote<NodeId>;
    pub type StorageError = openraft::StorageError<NodeId>;
    pub type StoredMembership = openraft::StoredMembership<NodeId, NodeInfo>;
    pub type SnapshotMeta = openraft::SnapshotMeta<NodeId, NodeInfo>;
    pub type Snapshot = openraft::storage::Snapshot<TypeConfig>;
    pub type RaftError<E = openraft::error::Infallible> = openraft::error::RaftError<NodeId, E>;
    pub type RpcError<E = openraft::error::Infallible> =
        openraft::error::RPCError<NodeId, NodeInfo, RaftError<E>>;
    pub type ClientWriteError = openraft::error::ClientWriteError<NodeId, NodeInfo>;
    pub type CheckIsLeaderError = openraft::error::CheckIsLeaderError<NodeId, NodeInfo>;
    pub type ForwardToLeader = openraft::error::ForwardToLeader<NodeId, NodeInfo>;
}

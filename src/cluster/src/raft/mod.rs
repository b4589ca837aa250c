//! The metadata Raft group (openraft 0.9): durable log and state machine in `<data>/raft`,
//! HTTP transport, cluster formation, and the [`RaftMeta`] handle.
//!
//! ```text
//! RaftMeta::write(cmd) ──forward once (/raft/write)──> leader: client_write ──replicate──> quorum
//!        └── waits until THIS node applied the entry (read-your-writes)
//! openraft ── LogStore (Cf::RaftLog + Cf::RaftMeta) ── StateMachine (MetaState, membership) ──> MetaListener
//!          ── HttpNetwork (reqwest) ──> peers' router(): /raft/{append,vote,snapshot}
//! ```
//!
//! Files: `types` (type config, node ids), `codec` (record format), `log_store`,
//! `state_machine`, `network` (clients and wire types), `server` (routes), `bootstrap`
//! (formation and learners), `node` (the handle), `config`, `stats` (monitoring).

mod bootstrap;
mod codec;
mod config;
#[doc(hidden)]
pub mod fuzz;
mod log_store;
mod network;
mod node;
mod rows;
mod server;
mod state_machine;
mod stats;
mod types;

pub use codec::{decode as decode_record, encode as encode_record};
pub use config::{RaftMetaConfig, RaftTimeouts};
pub use log_store::LogStore;
pub use network::{
    ClusterStatus, HttpNetwork, JoinRequest, LeaderReply, PeerClient, WriteDone, CLUSTER_HEADER,
    HOP_HEADER, TARGET_HEADER,
};
pub use node::RaftMeta;
pub use state_machine::{SmData, SmShared, SnapshotBuilder, StateMachine};
pub use stats::RaftStats;
pub use types::{
    node_id_for, typ, ApplyError, MetaRaft, MetaRequest, MetaResponse, NodeId, NodeInfo, TypeConfig,
};

/// Opens the Raft log store and state machine of a RocksDB directory, as [`RaftMeta::start`]
/// does; for tests (openraft's storage suite) and tools.
pub fn open_stores(
    path: &std::path::Path,
    listener: std::sync::Arc<dyn crate::MetaListener>,
) -> crate::Result<(LogStore, StateMachine)> {
    let rocks = storage::RocksConfig {
        sync_writes: true,
        block_cache_bytes: 8 << 20,
        write_buffer_bytes: 16 << 20,
    };
    let db = std::sync::Arc::new(storage::RocksStore::open(path, &rocks)?);
    Ok((LogStore::new(db.clone()), StateMachine::open(db, listener)?))
}

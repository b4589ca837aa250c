//! This node's Raft figures for monitoring, read when a scrape asks for them.

use openraft::ServerState;
use storage::keys::raft as rk;
use storage::{KvStore, StoreStats};

use crate::raft::codec::get_meta;
use crate::raft::node::RaftMeta;
use crate::raft::types::typ;

/// One node's view of the metadata Raft group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaftStats {
    pub term: u64,
    pub is_leader: bool,
    /// The last entry in this node's log (0 for an empty log).
    pub last_log_index: u64,
    /// The last entry this node knows to be committed, as openraft last persisted it; it may
    /// trail the leader's by the entries of one heartbeat.
    pub commit_index: u64,
    /// The last entry this node's state machine applied.
    pub applied_index: u64,
    /// The Raft database's sizes.
    pub store: StoreStats,
}

impl RaftMeta {
    /// This node's Raft figures. A commit index the store cannot read (or a store already
    /// closed) counts as 0: a scrape must not fail.
    pub fn stats(&self) -> RaftStats {
        let inner = &self.inner;
        let db = inner.db.upgrade();
        let committed = db
            .as_deref()
            .and_then(|db| get_meta::<Option<typ::LogId>>(db, rk::COMMITTED).ok())
            .flatten()
            .flatten();
        let metrics = inner.raft.metrics();
        let m = metrics.borrow();
        RaftStats {
            term: m.current_term,
            is_leader: m.state == ServerState::Leader,
            last_log_index: m.last_log_index.unwrap_or(0),
            commit_index: committed.map_or(0, |l| l.index),
            applied_index: m.last_applied.map_or(0, |l| l.index),
            store: db.map(|db| db.stats()).unwrap_or_default(),
        }
    }
}

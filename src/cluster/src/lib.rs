//! Cluster metadata: the collections, their sharding state and shard statuses, tenants and
//! aliases, changed only by [`MetaCommand`]s applied in order to a [`MetaState`], plus the
//! Weaviate-compatible sharding functions (murmur3 token -> virtual shard -> physical shard ->
//! nodes).
//!
//! Every node applies the commands through Raft ([`raft`]; a standalone node is a group of
//! one). This crate knows nothing of objects, vectors or shards' contents: it announces applied
//! changes through the [`MetaListener`] trait, which the coordinator implements to create and
//! drop local shards. [`MetaStore`] is the store nodes kept before they ran Raft: it is only
//! read to export that state once ([`export_local_state`]) so the coordinator can adopt it.
//!
//! # The Raft layer ([`raft`])
//!
//! [`raft::RaftMeta`] replicates the same commands through openraft 0.9 so that every node holds
//! the same [`MetaState`]: collections, their sharding state and shard statuses, and (in the
//! Raft membership) every node's name and addresses, the tenants of multi-tenant classes
//! ([`tenants`]), each served as a shard of its own, and the collection aliases ([`aliases`]).
//!
//! What it is:
//! - a durable log, vote and state machine in the node's `<data>/raft` RocksDB (column families
//!   `raft_log` and `raft_meta`), every write fsynced; each apply batch is atomic with
//!   `last_applied` and the membership, and the listener is told after it is durable;
//! - node-to-node RPC over the internal HTTP port (routes from [`raft::RaftMeta::router`],
//!   optional basic auth), with writes from any node forwarded once to the leader and answered
//!   after the receiving node applied them (read-your-writes); deterministic rejections such as
//!   "class exists" are responses, not Raft failures;
//! - cluster formation from `CLUSTER_JOIN` / `RAFT_BOOTSTRAP_EXPECT` (one designated
//!   initializer, never on restart), with later nodes added as learners.
//!
//! What it is not: a data path. Objects, vectors and index postings never go through Raft;
//! they are replicated per shard by the coordinator. Nor does it move shards, promote learners
//! to voters or remove dead nodes: membership beyond formation and learner joins is manual.
//!
//! Deliberate differences from `../shared/reference/openraft.md`:
//! - Node ids are derived from the node name (murmur3), not configured: the name already is
//!   the node's identity for shard ownership, and peers learn each other's ids by probing the
//!   `CLUSTER_JOIN` addresses. The directory records its name and refuses to start under another.
//!   The voters are the `bootstrap_expect` lowest ids among the nodes that answer.
//! - Two column families (`raft_log`, `raft_meta`) instead of four: the state machine's classes
//!   and dedup records live beside Raft's records under key prefixes; one DB, one WAL, atomic
//!   batches either way. Every write is synced (the commit hint too: commits are rare).
//! - Records are JSON behind a format byte, not bincode: schema types use serde features bincode
//!   cannot decode.
//! - Snapshots serialize the in-memory state, an immutable version swapped after each durable
//!   apply batch, instead of scanning a RocksDB point-in-time view: same consistency, less code.
//! - RocksDB calls run inline rather than through `spawn_blocking`: openraft has its own runtime.
//! - `linearizable_read` asks the leader for `get_read_log_id` (locally when this node leads)
//!   and waits for the local apply, rather than calling `ensure_linearizable`, whose wait has no
//!   time limit; the guarantee is the same.
//! - Besides the leader adding `CLUSTER_JOIN` peers as learners, a node can ask to be added
//!   (`POST /cluster/join`), so a node listed only in its own join list still joins.
//! - A snapshot install is announced through [`MetaListener::on_reset`] (a provided method)
//!   rather than a new `MetaChange::Reset` variant, which would break every exhaustive `match`.

pub mod aliases;
pub mod copies;
mod error;
mod meta;
pub mod raft;
pub mod sharding;
mod store;
pub mod tenants;
pub mod wire;

pub use error::{Error, Result};
pub use meta::{changes_between, ClassMeta, MetaChange, MetaCommand, MetaState};
pub use sharding::{PhysicalShard, ShardingState, VirtualShard};
pub use store::{export_local_state, read_exported_state, MetaListener, MetaStore};

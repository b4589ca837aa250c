//! Cluster metadata: the collections, their sharding state and shard statuses, changed only by
//! [`MetaCommand`]s applied in order to a [`MetaState`], plus the Weaviate-compatible sharding
//! functions (murmur3 token -> virtual shard -> physical shard -> nodes).
//!
//! Today a single node applies commands locally and persists the state in `<data>/raft`; the
//! command vocabulary and the pure `apply` are what Raft will replicate. This crate knows nothing
//! of objects, vectors or shards' contents: it announces applied changes through the
//! [`MetaListener`] trait, which the coordinator implements to create and drop local shards.

mod error;
mod meta;
pub mod sharding;
mod store;

pub use error::{Error, Result};
pub use meta::{ClassMeta, MetaChange, MetaCommand, MetaState};
pub use sharding::{PhysicalShard, ShardingState, VirtualShard};
pub use store::{MetaListener, MetaStore};

//! The shard calls replicas use to converge: hash-tree leaves, versions in token ranges, and
//! compare-and-set repairs (anti-entropy and read repair).

use serde::{Deserialize, Serialize};
use shard::{Digest, Repair, Shard, Version};
use types::Object;
use uuid::Uuid;

use super::ShardCall;
use crate::Result;

/// The replica's hash-tree leaves, unless its root equals `root` (then `None`: in sync, and
/// only one number crossed the network).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct HashTreeLeaves {
    pub root: u128,
}

impl ShardCall for HashTreeLeaves {
    const OP: &'static str = "hashtree";
    type Output = Option<Vec<u128>>;
    fn run(self, shard: &Shard) -> Result<Self::Output> {
        let tree = shard.hash_tree()?;
        Ok((tree.root() != self.root).then(|| tree.leaves().to_vec()))
    }
}

/// Versions with a token in `first..=last` after `after`, at most `limit`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Digests {
    pub first: u64,
    pub last: u64,
    pub after: Option<(u64, Uuid)>,
    pub limit: usize,
}

impl ShardCall for Digests {
    const OP: &'static str = "digests";
    type Output = Vec<Digest>;
    fn run(self, shard: &Shard) -> Result<Self::Output> {
        Ok(shard.digests(self.first, self.last, self.after, self.limit)?)
    }
}

/// One object as a replica holds it: the object if live, and its version (which also tells a
/// deletion from an object never seen).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReadVersioned {
    pub id: Uuid,
    pub vectors: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Versioned {
    pub object: Option<Object>,
    pub version: Option<Version>,
}

impl ShardCall for ReadVersioned {
    const OP: &'static str = "read-versioned";
    type Output = Versioned;
    fn run(self, shard: &Shard) -> Result<Versioned> {
        let object = shard.get(&self.id, self.vectors)?;
        let version = shard.versions(&[self.id])?.pop().flatten();
        Ok(Versioned { object, version })
    }
}

/// Compare-and-set repairs; per repair, whether it applied.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApplyRepairs {
    pub repairs: Vec<Repair>,
}

impl ShardCall for ApplyRepairs {
    const OP: &'static str = "repair";
    type Output = Vec<bool>;
    fn run(self, shard: &Shard) -> Result<Vec<bool>> {
        Ok(shard.apply_repairs(self.repairs)?)
    }
}

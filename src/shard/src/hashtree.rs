//! A shard's hash tree for anti-entropy: the token space split into [`LEAVES`] equal ranges,
//! each leaf the XOR of the digests ([`Version::digest`]) of the objects whose token falls in
//! it. XOR lets a write update its leaf in O(1) (the old version out, the new one in) and makes
//! a leaf independent of write order, so two replicas holding the same versions have the same
//! leaves whatever order the writes reached them in.
//!
//! Only the leaves are kept: replicas compare the root first (one number), then all leaves
//! (64 KiB of digests) only when the roots differ: one round trip where walking the inner
//! levels would take one per level, and the same leaves found in the end. (Not measured
//! against a level walk.)

use uuid::Uuid;

use crate::version::Version;

/// Bits of the token that choose a leaf.
pub const LEAF_BITS: u32 = 12;
/// Leaves of every tree: 4,096, so a shard of a million objects has ~250 per leaf.
pub const LEAVES: usize = 1 << LEAF_BITS;

/// The leaf digests of one shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashTree {
    leaves: Vec<u128>,
}

impl Default for HashTree {
    fn default() -> Self {
        HashTree {
            leaves: vec![0; LEAVES],
        }
    }
}

impl HashTree {
    /// The leaf of `token`: its top [`LEAF_BITS`] bits.
    pub fn leaf_of(token: u64) -> usize {
        (token >> (64 - LEAF_BITS)) as usize
    }

    /// The tokens of `leaf`, inclusive.
    pub fn token_range(leaf: usize) -> (u64, u64) {
        let shift = 64 - LEAF_BITS;
        let first = (leaf as u64) << shift;
        (first, first | ((1u64 << shift) - 1))
    }

    /// Adds a version, or removes it when it is already counted (XOR).
    pub(crate) fn toggle(&mut self, id: &Uuid, token: u64, version: Version) {
        self.leaves[Self::leaf_of(token)] ^= version.digest(id);
    }

    /// Replaces `old` (if any) by `new` for one object.
    pub(crate) fn replace(&mut self, id: &Uuid, token: u64, old: Option<Version>, new: Version) {
        if let Some(old) = old {
            self.toggle(id, token, old);
        }
        self.toggle(id, token, new);
    }

    /// The XOR of every leaf: equal roots mean (but for a 2^-128 chance) equal trees.
    pub fn root(&self) -> u128 {
        self.leaves.iter().fold(0, |acc, l| acc ^ l)
    }

    pub fn leaves(&self) -> &[u128] {
        &self.leaves
    }

    /// The leaves where `self` and `other` differ, ascending; every leaf when `other` does not
    /// have [`LEAVES`] entries.
    pub fn differing_leaves(&self, other: &[u128]) -> Vec<usize> {
        if other.len() != LEAVES {
            return (0..LEAVES).collect();
        }
        (0..LEAVES)
            .filter(|&i| self.leaves[i] != other[i])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn leaves_cover_the_token_space_in_order() {
        assert_eq!(HashTree::token_range(0).0, 0);
        assert_eq!(HashTree::token_range(LEAVES - 1).1, u64::MAX);
        for leaf in [0, 1, 77, LEAVES - 2] {
            let (_, last) = HashTree::token_range(leaf);
            assert_eq!(HashTree::token_range(leaf + 1).0, last + 1);
            assert_eq!(HashTree::leaf_of(last), leaf);
            assert_eq!(HashTree::leaf_of(last + 1), leaf + 1);
        }
    }

    proptest! {
        /// The leaves depend only on the final versions, not on the order or history of writes.
        #[test]
        fn trees_agree_on_the_same_final_versions(
            writes in proptest::collection::vec((0u128..20, 0i64..5, any::<bool>()), 1..60),
        ) {
            let mut incremental = HashTree::default();
            let mut current = std::collections::HashMap::new();
            for (id, time, deleted) in &writes {
                let id = Uuid::from_u128(*id);
                let v = if *deleted {
                    Version::Deleted { at_ms: *time }
                } else {
                    Version::Live { updated_ms: *time }
                };
                let token = types::token(&id);
                incremental.replace(&id, token, current.insert(id, v), v);
            }
            let mut rebuilt = HashTree::default();
            let mut finals: Vec<_> = current.into_iter().collect();
            finals.reverse();
            for (id, v) in finals {
                rebuilt.toggle(&id, types::token(&id), v);
            }
            prop_assert_eq!(incremental.root(), rebuilt.root());
            prop_assert!(incremental.differing_leaves(rebuilt.leaves()).is_empty());
        }
    }
}

//! Weaviate-compatible sharding (weaviate-api.md section 4).
//!
//! ```text
//! uuid --murmur3_x64_128(16 raw bytes, seed 0).h1--> token
//! token --first virtual shard with token <= upper (wrap to the first)--> virtual shard
//! virtual shard --assignedToPhysical--> physical shard --belongsToNodes--> nodes
//! ```
//! Virtual tokens and assignments are random, chosen once at creation and stored in the
//! metadata: never recomputed.

use std::collections::BTreeMap;
use std::io::Cursor;

use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a class's data lives. Empty for a multi-tenant class, whose tenants are its shards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardingState {
    /// Sorted by `upper`.
    pub virtual_shards: Vec<VirtualShard>,
    /// Physical shards by name.
    pub physical: BTreeMap<String, PhysicalShard>,
}

/// A token range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualShard {
    pub name: String,
    /// Inclusive upper token bound.
    pub upper: u64,
    pub owns_percentage: f64,
    pub assigned_to_physical: String,
}

/// A unit of storage and replication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhysicalShard {
    pub name: String,
    pub owns_virtual: Vec<String>,
    pub owns_percentage: f64,
    pub belongs_to_nodes: Vec<String>,
    /// `READY` or `READONLY`.
    pub status: String,
}

/// The sharding token of an object: the first 64-bit half (h1) of murmur3 x64_128 with seed 0
/// over the 16 raw uuid bytes.
pub fn token(id: &Uuid) -> u64 {
    types::token(id)
}

fn murmur3_h1(bytes: &[u8]) -> u64 {
    // Reading from an in-memory cursor cannot fail.
    let h = murmur3::murmur3_x64_128(&mut Cursor::new(bytes), 0).unwrap_or(0);
    h as u64
}

/// Weaviate's random shard names: 12 ASCII letters and digits.
pub fn random_name(rng: &mut impl Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

impl ShardingState {
    /// Creates `physical_count` shards of `virtual_per_physical` virtual shards each, placing each
    /// physical shard on `factor` of `nodes` (round robin, as Weaviate's `initPhysical`).
    pub fn new(
        physical_count: usize,
        virtual_per_physical: usize,
        nodes: &[String],
        factor: usize,
        rng: &mut impl Rng,
    ) -> ShardingState {
        let mut virtual_shards = init_virtual(physical_count * virtual_per_physical, rng);
        let mut physical = init_physical(physical_count, nodes, factor, rng);
        distribute(&mut virtual_shards, &mut physical, rng);
        ShardingState {
            virtual_shards,
            physical: physical.into_iter().map(|p| (p.name.clone(), p)).collect(),
        }
    }

    /// The physical shard that owns `id`.
    pub fn shard_for(&self, id: &Uuid) -> Option<&str> {
        let t = token(id);
        let virt = self
            .virtual_shards
            .iter()
            .find(|v| t <= v.upper)
            .or_else(|| self.virtual_shards.first())?;
        Some(virt.assigned_to_physical.as_str())
    }

    /// Physical shard names, sorted.
    pub fn shard_names(&self) -> Vec<String> {
        self.physical.keys().cloned().collect()
    }

    /// Physical shards that `node` holds a replica of.
    pub fn shards_on(&self, node: &str) -> Vec<&PhysicalShard> {
        self.physical
            .values()
            .filter(|p| p.belongs_to_nodes.iter().any(|n| n == node))
            .collect()
    }
}

fn init_virtual(count: usize, rng: &mut impl Rng) -> Vec<VirtualShard> {
    let mut shards: Vec<VirtualShard> = (0..count)
        .map(|_| {
            let name = random_name(rng);
            let upper = murmur3_h1(name.as_bytes());
            VirtualShard {
                name,
                upper,
                owns_percentage: 0.0,
                assigned_to_physical: String::new(),
            }
        })
        .collect();
    shards.sort_by_key(|v| v.upper);
    let last = shards.last().map(|v| v.upper).unwrap_or(0);
    let mut prev = None;
    for v in &mut shards {
        let width = match prev {
            Some(p) => v.upper - p,
            // The first range wraps around from the last upper bound.
            None => v.upper.wrapping_add(u64::MAX - last),
        };
        v.owns_percentage = width as f64 / u64::MAX as f64;
        prev = Some(v.upper);
    }
    shards
}

fn init_physical(
    count: usize,
    nodes: &[String],
    factor: usize,
    rng: &mut impl Rng,
) -> Vec<PhysicalShard> {
    let mut ring = NodeRing { nodes, next: 0 };
    let mut primaries: Vec<&String> = Vec::new();
    (0..count)
        .map(|_| {
            let name = random_name(rng);
            let mut belongs = Vec::with_capacity(factor);
            if let Some(primary) = ring.next_primary(&mut primaries) {
                belongs.push(primary.clone());
            }
            for _ in 1..factor {
                if let Some(n) = ring.advance() {
                    belongs.push(n.clone());
                }
            }
            PhysicalShard {
                name,
                owns_virtual: Vec::new(),
                owns_percentage: 0.0,
                belongs_to_nodes: belongs,
                status: "READY".to_string(),
            }
        })
        .collect()
}

/// Round robin over the candidate nodes.
struct NodeRing<'a> {
    nodes: &'a [String],
    next: usize,
}

impl<'a> NodeRing<'a> {
    fn advance(&mut self) -> Option<&'a String> {
        let n = self.nodes.get(self.next % self.nodes.len().max(1))?;
        self.next += 1;
        Some(n)
    }

    /// The next node that has not been a primary since every node last was one.
    fn next_primary(&mut self, primaries: &mut Vec<&'a String>) -> Option<&'a String> {
        for _ in 0..=self.nodes.len() {
            let n = self.advance()?;
            if primaries.len() == self.nodes.len() {
                primaries.clear();
            }
            if !primaries.contains(&n) {
                primaries.push(n);
                return Some(n);
            }
        }
        None
    }
}

fn distribute(
    virtual_shards: &mut [VirtualShard],
    physical: &mut [PhysicalShard],
    rng: &mut impl Rng,
) {
    if physical.is_empty() {
        return;
    }
    let mut order: Vec<usize> = (0..virtual_shards.len()).collect();
    order.shuffle(rng);
    for (k, vi) in order.into_iter().enumerate() {
        let p = &mut physical[k % physical.len()];
        let v = &mut virtual_shards[vi];
        v.assigned_to_physical = p.name.clone();
        p.owns_virtual.push(v.name.clone());
        p.owns_percentage += v.owns_percentage;
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn tokens_match_weaviate_test_vectors() {
        let cases = [
            (
                "00000000-0000-0000-0000-000000000000",
                0x4bbd1bf27da918d6u64,
            ),
            ("36ddd591-2dee-4e7e-a3cc-eb86d30a4303", 0xfac1e668458e894f),
            ("12345678-1234-1234-1234-123456789abc", 0x8a11c0592690b51c),
        ];
        for (id, want) in cases {
            assert_eq!(token(&Uuid::parse_str(id).expect("uuid")), want, "{id}");
        }
    }

    #[test]
    fn placement_is_round_robin_with_replicas_on_next_nodes() {
        let nodes: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let mut rng = StdRng::seed_from_u64(1);
        let state = ShardingState::new(2, 4, &nodes, 2, &mut rng);
        let mut placements: Vec<Vec<String>> = state
            .physical
            .values()
            .map(|p| p.belongs_to_nodes.clone())
            .collect();
        placements.sort();
        assert_eq!(
            placements,
            vec![
                vec!["A".to_string(), "B".into()],
                vec!["C".into(), "A".into()]
            ]
        );
    }

    #[test]
    fn every_virtual_shard_is_assigned_and_percentages_sum_to_one() {
        let nodes = vec!["n1".to_string()];
        let state = ShardingState::new(3, 128, &nodes, 1, &mut StdRng::seed_from_u64(7));
        assert_eq!(state.virtual_shards.len(), 384);
        assert!(state
            .virtual_shards
            .windows(2)
            .all(|w| w[0].upper <= w[1].upper));
        let total: f64 = state.physical.values().map(|p| p.owns_percentage).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert!(state.physical.values().all(|p| p.owns_virtual.len() == 128));
    }

    proptest::proptest! {
        #[test]
        fn routing_is_stable_and_total(bytes in proptest::array::uniform16(0u8..)) {
            let state = ShardingState::new(3, 16, &["n".to_string()], 1, &mut StdRng::seed_from_u64(3));
            let id = Uuid::from_bytes(bytes);
            let shard = state.shard_for(&id).map(str::to_string);
            proptest::prop_assert!(shard.as_ref().is_some_and(|s| state.physical.contains_key(s)));
            let copy: ShardingState = serde_json::from_value(serde_json::to_value(&state).unwrap()).unwrap();
            proptest::prop_assert_eq!(copy.shard_for(&id).map(str::to_string), shard);
        }
    }
}

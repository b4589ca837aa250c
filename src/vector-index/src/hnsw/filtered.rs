//! Filtered graph search (allow-lists at or above `flat_search_cutoff`).
//!
//! With a permissive filter the plain layer search works: every node is traversed and only
//! allowed live nodes become results. With a restrictive one that search wastes most distance
//! computations on disallowed nodes and, worse, the allowed nodes may not be connected through
//! allowed nodes alone. Then the search switches to an ACORN-style expansion (Patel et al.
//! 2024, as in Weaviate's `acorn` filter strategy): only allowed nodes are scored and become
//! candidates; a disallowed neighbour is not scored but its own neighbours are looked at (two
//! hops), so that the allowed subgraph stays connected. A few allowed nodes spread over the
//! allow-list seed the search as well, for filters whose matches lie far from the query.

use std::sync::atomic::Ordering;

use roaring::RoaringBitmap;

use super::search::len_of;
use super::space::Space;
use super::storage::Storage;
use super::visited::Scratch;
use super::{HnswIndex, Ids};
use crate::topk::{decode, encode};

/// Allowed fraction of the live nodes below which the two-hop expansion is used.
pub(super) const ACORN_MAX_SELECTIVITY: f64 = 0.4;
/// At most this many allowed nodes, spread over the allow-list, are added as extra entry points
/// (fewer when `ef` is smaller), as in Weaviate which seeds up to `2M`.
const SEEDS: usize = 64;
/// A filter leaving at most one node in this many is sparse: its allowed nodes are seldom
/// within two hops of each other, and the search leans on seeds from the allow-list.
const SPARSE_FILTER: usize = 20;
/// See [`seed_count`].
const SEED_DIVISOR: usize = 2;

impl HnswIndex {
    /// Layer-0 search from `ep` keeping the `ef` closest live allowed nodes in `s.sorted`.
    pub(super) fn search_layer0_filtered<S: Space>(
        &self,
        st: S,
        q: &S::Query,
        ep: (u32, f32),
        ef: usize,
        allow: &RoaringBitmap,
        s: &mut Scratch,
    ) {
        let selectivity = len_of(allow) as f64 / self.len().max(1) as f64;
        if selectivity >= ACORN_MAX_SELECTIVITY {
            let accept = |n: u32| st.is_live(n) && allow.contains(st.doc(n));
            self.search_layer(st, q, ep, ef, 0, accept, true, s);
        } else {
            self.search_layer0_acorn(st, q, ep, ef, allow, s);
        }
    }

    /// The two-hop search described in the module docs.
    fn search_layer0_acorn<S: Space>(
        &self,
        st: S,
        q: &S::Query,
        ep: (u32, f32),
        ef: usize,
        allow: &RoaringBitmap,
        s: &mut Scratch,
    ) {
        s.visited.reset(st.capacity());
        s.expanded.reset(st.capacity());
        s.candidates.clear();
        s.results.clear();
        // The live allowed nodes as a bitset over node slots: a membership test is then one
        // load, instead of the node's doc id plus a bitmap lookup.
        let mut bits = std::mem::take(&mut s.allowed);
        bits.clear();
        bits.resize(st.capacity().div_ceil(64), 0);
        let mut lower = f32::INFINITY;
        s.visited.insert(ep.0);
        {
            let ids = self.ids.read();
            for doc in allow {
                if let Some(node) = ids.node_of(doc) {
                    bits[node as usize / 64] |= 1 << (node % 64);
                }
            }
            // An entry point without a usable vector (capped index) is only a way in.
            if bit(&bits, ep.0) && (S::COMPLETE || ep.1 < f32::INFINITY) {
                offer(&st, s, ef, &mut lower, ep.0, ep.1);
            } else {
                s.candidates.push(!encode(ep.1, ep.0));
            }
            if self.seed(st, q, allow, &ids, ef, &mut lower, s) {
                // Every allowed node is scored: the results are exact and no walk can improve
                // them.
                s.candidates.clear();
            }
        }
        let allowed = |n: u32| bit(&bits, n);
        let m0 = st.m0;
        // Weaviate's budget: up to min(live / allowed, 8) * 2M allowed nodes per expansion.
        let budget = m0 * (self.len() / len_of(allow).max(1)).clamp(1, 8);
        while let Some(key) = s.candidates.pop() {
            let (node, d) = decode(!key);
            if d > lower && s.results.len() >= ef {
                break;
            }
            st.neighbors_into(node, 0, &mut s.links);
            // Allowed neighbours are scored; each disallowed one is expanded once per search
            // (`expanded` marks it) to reach the allowed nodes two hops away.
            s.links2.clear();
            for i in 0..s.links.len() {
                if s.links2.len() >= budget {
                    break;
                }
                let hop = s.links[i];
                if s.visited.contains(hop) || s.expanded.contains(hop) {
                    continue;
                }
                if allowed(hop) {
                    s.visited.insert(hop);
                    s.links2.push(hop);
                    continue;
                }
                s.expanded.insert(hop);
                for word in st.links0(hop) {
                    if s.links2.len() >= budget {
                        break;
                    }
                    let next = word.load(Ordering::Acquire);
                    if !s.visited.contains(next) && !s.expanded.contains(next) && allowed(next) {
                        s.visited.insert(next);
                        s.links2.push(next);
                    }
                }
            }
            for i in 0..s.links2.len() {
                let next = s.links2[i];
                if let Some(&after) = s.links2.get(i + 1) {
                    st.prefetch(after);
                }
                let Some(d) = st.to(q, next) else {
                    continue;
                };
                offer(&st, s, ef, &mut lower, next, d);
            }
        }
        s.sorted.clear();
        s.sorted.extend(s.results.drain());
        s.sorted.sort_unstable();
        s.allowed = bits;
    }

    /// Scores a sample of the allow-list, spread evenly over it, and offers every sampled node
    /// (see [`seed_count`]). Returns whether the sample was the whole allow-list, which makes
    /// the results exact.
    #[allow(clippy::too_many_arguments)]
    fn seed<S: Space>(
        &self,
        st: S,
        q: &S::Query,
        allow: &RoaringBitmap,
        ids: &Ids,
        ef: usize,
        lower: &mut f32,
        s: &mut Scratch,
    ) -> bool {
        let n = len_of(allow);
        let seeds = seed_count(n, ef, st.m0, self.len());
        if seeds == 0 {
            return n == 0;
        }
        // Every `n / seeds`-th allowed id (by rank), as one pass over the bitmap.
        let mut next_rank = 0usize;
        let mut taken = 0usize;
        for (rank, doc) in allow.iter().enumerate() {
            if rank < next_rank {
                continue;
            }
            taken += 1;
            next_rank = taken.saturating_mul(n) / seeds;
            let Some(node) = ids.node_of(doc) else {
                continue;
            };
            if !s.visited.insert(node) {
                if let Some(d) = st.to(q, node) {
                    offer(&st, s, ef, lower, node, d);
                }
            }
            if taken >= seeds {
                break;
            }
        }
        seeds >= n
    }
}

/// How many allowed nodes seed a filtered search of `allowed` ids among `live` with `ef` and
/// layer-0 degree `m0`.
///
/// A filter of many ids gets up to [`SEEDS`] (at most `m0`, fewer than `ef`), as in Weaviate,
/// which seeds up to `2M`. A sparse filter (at most one node in [`SPARSE_FILTER`]) gets a
/// sample of `ef * m0 / SEED_DIVISOR`: its allowed nodes are seldom within two hops of each
/// other (on clustered data a 1% filter leaves about one per cluster), so the walk finds few of
/// them, while the sample costs about what the walk's expansions cost and is never trapped
/// in a part of the graph without allowed nodes.
fn seed_count(allowed: usize, ef: usize, m0: usize, live: usize) -> usize {
    let spread = SEEDS.min(m0).min(ef.saturating_sub(1));
    let budget = if live / allowed.max(1) >= SPARSE_FILTER {
        spread.max(ef.saturating_mul(m0) / SEED_DIVISOR)
    } else {
        spread
    };
    budget.min(allowed)
}

/// Whether `node`'s bit is set (out of range: no).
#[inline]
fn bit(bits: &[u64], node: u32) -> bool {
    bits.get(node as usize / 64)
        .is_some_and(|word| word & (1 << (node % 64)) != 0)
}

/// Makes a scored allowed node a candidate if it may improve the results, and a result too if
/// it is live; keeps `lower` at the worst result's distance.
#[inline]
fn offer(st: &Storage, s: &mut Scratch, ef: usize, lower: &mut f32, node: u32, d: f32) {
    if s.results.len() < ef || d < *lower {
        s.candidates.push(!encode(d, node));
        if st.is_live(node) {
            s.results.push(encode(d, node));
            if s.results.len() > ef {
                s.results.pop();
            }
        }
        if let Some(&worst) = s.results.peek() {
            *lower = decode(worst).1;
        }
    }
}

//! Searching: greedy descent through the upper layers, the bounded best-first search of one
//! layer (hnswlib's `searchBaseLayer`), the exact path for small allow-lists, and range search.

use roaring::RoaringBitmap;
use types::schema::Distance;
use types::DocId;

use super::space::Space;
use super::storage::Storage;
use super::visited::Scratch;
use super::HnswIndex;
use crate::distance;
use crate::error::{Error, Result};
use crate::topk::{decode, encode, TopK};
use crate::validate;

/// The first `k` a range search tries; it doubles until the results pass the bound.
const WITHIN_FIRST_K: usize = 64;

impl HnswIndex {
    /// The `k` nearest live vectors as `(id, distance)`, closest first (ties by id), restricted
    /// to `allow` when given, with `ef = params.ef_for(k)`.
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        allow: Option<&RoaringBitmap>,
    ) -> Result<Vec<(DocId, f32)>> {
        let ef = self.params.read().ef_for(k);
        self.search_with_ef(query, k, ef, allow)
    }

    /// As [`HnswIndex::search`] with an explicit `ef` (raised to `k` if smaller).
    ///
    /// An allow-list with fewer ids than `flat_search_cutoff` is searched exactly; a larger
    /// one walks the graph, where only allowed nodes become results.
    pub fn search_with_ef(
        &self,
        query: &[f32],
        k: usize,
        ef: usize,
        allow: Option<&RoaringBitmap>,
    ) -> Result<Vec<(DocId, f32)>> {
        validate::components(query)?;
        let (hits, over) = {
            let st = self.storage.read();
            let hits = self.search_locked(&st, query, k, ef, allow)?;
            (hits, Self::over_cache(&st))
        };
        if over {
            self.evict_if_over();
        }
        Ok(hits)
    }

    /// [`HnswIndex::search_with_ef`] under the storage read lock.
    fn search_locked(
        &self,
        st: &Storage,
        query: &[f32],
        k: usize,
        ef: usize,
        allow: Option<&RoaringBitmap>,
    ) -> Result<Vec<(DocId, f32)>> {
        if st.dim == 0 || k == 0 {
            return Ok(Vec::new());
        }
        if query.len() != st.dim {
            return Err(Error::QueryDimensionMismatch {
                expected: st.dim,
                got: query.len(),
            });
        }
        let mut s = self.scratch.get();
        let mut q = std::mem::take(&mut s.query);
        q.clear();
        q.extend_from_slice(query);
        if self.metric == Distance::Cosine {
            distance::normalize(&mut q);
        }
        let cutoff = self.params.read().flat_search_cutoff;
        // A compressed index collects more candidates by their codes, then rescores (some of)
        // them: see `Compression::hnsw_rescored`.
        let keep = st
            .quant
            .as_ref()
            .map_or(k, |quant| quant.rescore_count(k).max(ef));
        let mut prepared = std::mem::take(&mut s.prepared);
        let mut hits = with_space!(self, st, |sp| {
            let pq = sp.prepare(&q, &mut prepared);
            match allow {
                Some(allow) if len_of(allow) < cutoff => self.exact(sp, pq, keep, allow),
                _ => self.graph_search(sp, pq, keep, ef.max(keep), allow, &mut s),
            }
        });
        s.prepared = prepared;
        if let Some(quant) = &st.quant {
            let rescored = quant.params().hnsw_rescored(k, hits.len());
            hits.truncate(rescored.unwrap_or(k));
            if rescored.is_some() {
                hits = self.rescore(st, &q, hits, k);
            }
        }
        s.query = q;
        Ok(hits)
    }

    /// Every live vector within `max_distance` of `query` (inclusive), closest first, at most
    /// `limit`. Like Weaviate, searches with a growing `k` until the farthest result passes the
    /// bound (or the index is exhausted). A NaN `max_distance` matches nothing.
    pub fn search_within(
        &self,
        query: &[f32],
        max_distance: f32,
        limit: usize,
        allow: Option<&RoaringBitmap>,
    ) -> Result<Vec<(DocId, f32)>> {
        validate::components(query)?;
        let cap = limit.min(self.len());
        if max_distance.is_nan() || cap == 0 {
            // Still report a query of the wrong length.
            self.search_with_ef(query, 0, 0, allow)?;
            return Ok(Vec::new());
        }
        let mut k = cap.min(WITHIN_FIRST_K);
        loop {
            let ef = self.params.read().ef_for(k);
            let mut hits = self.search_with_ef(query, k, ef, allow)?;
            let passed = hits.last().is_none_or(|&(_, d)| d > max_distance);
            if passed || hits.len() < k || k >= cap {
                hits.retain(|&(_, d)| d <= max_distance);
                hits.truncate(limit);
                return Ok(hits);
            }
            k = k.saturating_mul(2).min(cap);
        }
    }

    /// Exact top-`k` over the allowed ids.
    fn exact<S: Space>(
        &self,
        sp: S,
        q: &S::Query,
        k: usize,
        allow: &RoaringBitmap,
    ) -> Vec<(DocId, f32)> {
        let ids = self.ids.read();
        let k = k.min(len_of(allow)).min(ids.live);
        let mut top = TopK::new(k);
        if k > 0 {
            for doc in allow {
                if let Some(d) = ids.node_of(doc).and_then(|node| sp.to(q, node)) {
                    top.push(d, doc);
                }
            }
        }
        top.into_sorted()
    }

    /// Descends from the entry point, then searches layer 0 with `ef`.
    fn graph_search<S: Space>(
        &self,
        st: S,
        q: &S::Query,
        k: usize,
        ef: usize,
        allow: Option<&RoaringBitmap>,
        s: &mut Scratch,
    ) -> Vec<(DocId, f32)> {
        let Some((ep, top)) = self.entry() else {
            return Vec::new();
        };
        let mut cur = (ep, self.dist_to(st, q, ep));
        for level in (1..=top).rev() {
            self.greedy(st, q, &mut cur, level, &mut s.links);
        }
        let layer0 = |from: (u32, f32), s: &mut Scratch| match allow {
            // Without tombstones every reachable node is live, so the per-candidate flag read
            // is skipped (as hnswlib's bare-bone search does); a node deleted during the search
            // is still dropped from the hits below.
            None if self.tombstones() == 0 => {
                self.search_layer(st, q, from, ef, 0, |_| true, false, s);
            }
            None => self.search_layer(st, q, from, ef, 0, |n| st.is_live(n), true, s),
            Some(allow) => self.search_layer0_filtered(st, q, from, ef, allow, s),
        };
        layer0(cur, s);
        if s.sorted.is_empty() && cur.0 != ep {
            // The descent ended on an island: a node an insert in flight has linked on the
            // upper layers but not yet on layer 0, deleted meanwhile. The entry point's layer 0
            // is the graph.
            layer0((ep, self.dist_to(st, q, ep)), s);
        }
        let mut hits: Vec<(DocId, f32)> = s
            .sorted
            .iter()
            .map(|&key| decode(key))
            .filter(|&(node, _)| st.is_live(node))
            .map(|(node, d)| (st.doc(node), d))
            .collect();
        hits.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        hits.truncate(k);
        hits
    }

    /// Greedy walk at one upper layer: moves to the closest neighbour while that improves.
    pub(super) fn greedy<S: Space>(
        &self,
        st: S,
        q: &S::Query,
        cur: &mut (u32, f32),
        level: usize,
        links: &mut Vec<u32>,
    ) {
        loop {
            let mut changed = false;
            st.neighbors_into(cur.0, level, links);
            for &next in links.iter() {
                if next as usize >= st.capacity() {
                    continue;
                }
                let Some(d) = st.to(q, next) else {
                    continue;
                };
                if d < cur.1 {
                    *cur = (next, d);
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// Best-first search of one layer from `ep` keeping the `ef` closest nodes that `accept`
    /// admits; all nodes are traversed. Leaves the results in `s.sorted`, ascending.
    ///
    /// `bounded` is hnswlib's rule for stopping early: without a filter or tombstones the
    /// search stops at the first candidate farther than the worst result even when fewer than
    /// `ef` were found; with one, only once `ef` results are in.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn search_layer<S: Space>(
        &self,
        st: S,
        q: &S::Query,
        ep: (u32, f32),
        ef: usize,
        level: usize,
        accept: impl Fn(u32) -> bool,
        bounded: bool,
        s: &mut Scratch,
    ) {
        s.visited.reset(st.capacity());
        s.candidates.clear();
        s.results.clear();
        s.visited.insert(ep.0);
        let mut lower = f32::INFINITY;
        // An entry point without a usable vector (capped index) is only a way in.
        if (S::COMPLETE || ep.1 < f32::INFINITY) && accept(ep.0) {
            s.results.push(encode(ep.1, ep.0));
            lower = ep.1;
        }
        s.candidates.push(!encode(ep.1, ep.0));
        while let Some(key) = s.candidates.pop() {
            let (node, d) = decode(!key);
            if d > lower && (s.results.len() >= ef || !bounded) {
                break;
            }
            st.neighbors_into(node, level, &mut s.links);
            if let Some(&first) = s.links.first() {
                s.visited.prefetch(first);
                st.prefetch(first);
            }
            for i in 0..s.links.len() {
                let next = s.links[i];
                if let Some(&after) = s.links.get(i + 1) {
                    s.visited.prefetch(after);
                    st.prefetch(after);
                }
                if s.visited.insert(next) {
                    continue;
                }
                let Some(d) = st.to(q, next) else {
                    continue;
                };
                if s.results.len() < ef || d < lower {
                    s.candidates.push(!encode(d, next));
                    if let Some(&best) = s.candidates.peek() {
                        st.prefetch_links0(decode(!best).0);
                    }
                    if accept(next) {
                        s.results.push(encode(d, next));
                        if s.results.len() > ef {
                            s.results.pop();
                        }
                    }
                    if let Some(&worst) = s.results.peek() {
                        lower = decode(worst).1;
                    }
                }
            }
        }
        s.sorted.clear();
        s.sorted.extend(s.results.drain());
        s.sorted.sort_unstable();
    }
}

/// A bitmap's cardinality as `usize`, saturating.
pub(super) fn len_of(bitmap: &RoaringBitmap) -> usize {
    usize::try_from(bitmap.len()).unwrap_or(usize::MAX)
}

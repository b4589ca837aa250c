//! The parameters of Weaviate's `hnsw` vector index config that shape the graph and its
//! searches, with Weaviate 1.27's defaults.

/// Build and search parameters. `max_connections` and `ef_construction` are fixed when an index
/// is created; the others may change at runtime ([`super::HnswIndex::set_params`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HnswParams {
    /// `maxConnections`: links per node on the upper layers; layer 0 allows twice as many.
    pub max_connections: usize,
    /// `efConstruction`: the candidate list length while inserting.
    pub ef_construction: usize,
    /// `ef`: the candidate list length while searching; `-1` (any value below 1) means dynamic,
    /// derived from the limit by the three `dynamic_ef_*` values.
    pub ef: i64,
    /// `dynamicEfMin`.
    pub dynamic_ef_min: usize,
    /// `dynamicEfMax`.
    pub dynamic_ef_max: usize,
    /// `dynamicEfFactor`.
    pub dynamic_ef_factor: usize,
    /// `flatSearchCutoff`: filtered searches whose allow-list has fewer ids than this are
    /// answered exactly by scanning the allowed vectors instead of walking the graph.
    pub flat_search_cutoff: usize,
}

impl Default for HnswParams {
    fn default() -> Self {
        HnswParams {
            max_connections: 32,
            ef_construction: 128,
            ef: -1,
            dynamic_ef_min: 100,
            dynamic_ef_max: 500,
            dynamic_ef_factor: 8,
            flat_search_cutoff: 40_000,
        }
    }
}

impl HnswParams {
    /// The `ef` a search for `k` results uses: the fixed `ef` when it is positive, otherwise
    /// `k * dynamic_ef_factor` capped at `dynamic_ef_max` and raised to `dynamic_ef_min` (the
    /// minimum wins over the maximum, as in Weaviate); never below `k`.
    pub fn ef_for(&self, k: usize) -> usize {
        let ef = if self.ef > 0 {
            usize::try_from(self.ef).unwrap_or(usize::MAX)
        } else {
            k.saturating_mul(self.dynamic_ef_factor)
                .min(self.dynamic_ef_max)
                .max(self.dynamic_ef_min)
        };
        ef.max(k)
    }

    /// Upper-layer degree bound actually used: at least 2, so that the level multiplier
    /// `1 / ln(M)` stays finite.
    pub(super) fn m(&self) -> usize {
        self.max_connections.clamp(2, MAX_CONNECTIONS_LIMIT)
    }

    /// The construction list length actually used: at least `M`, as in hnswlib.
    pub(super) fn ef_construction(&self) -> usize {
        self.ef_construction.max(self.m())
    }
}

/// Links are counted in `u16` in the snapshot format and layer 0 holds `2 M` of them.
pub(super) const MAX_CONNECTIONS_LIMIT: usize = 4096;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_weaviates() {
        let p = HnswParams::default();
        assert_eq!(
            (
                p.max_connections,
                p.ef_construction,
                p.ef,
                p.flat_search_cutoff
            ),
            (32, 128, -1, 40_000)
        );
        assert_eq!(
            (p.dynamic_ef_min, p.dynamic_ef_max, p.dynamic_ef_factor),
            (100, 500, 8)
        );
    }

    #[test]
    fn ef_for_follows_weaviates_rules() {
        let p = HnswParams::default();
        assert_eq!(p.ef_for(1), 100);
        assert_eq!(p.ef_for(10), 100);
        assert_eq!(p.ef_for(20), 160);
        assert_eq!(p.ef_for(100), 500);
        assert_eq!(p.ef_for(1000), 1000);
        let fixed = HnswParams { ef: 64, ..p };
        assert_eq!((fixed.ef_for(10), fixed.ef_for(100)), (64, 100));
        let inverted = HnswParams {
            dynamic_ef_min: 300,
            dynamic_ef_max: 200,
            ..p
        };
        assert_eq!(inverted.ef_for(10), 300);
        let zero = HnswParams { ef: 0, ..p };
        assert_eq!(zero.ef_for(10), 100);
    }
}

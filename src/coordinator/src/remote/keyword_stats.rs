//! Phase one of a keyword search on a class with several shards: each shard's BM25 statistics
//! for the query, which the coordinator sums and sends back with the search itself
//! ([`super::calls::KeywordSearch`]). A shard scored with its own statistics ranks its docs as
//! if it were the whole class, so the scores of two shards would not compare; with the sum,
//! every shard scores as one shard holding every object would.

use serde::{Deserialize, Serialize};
use shard::{Bm25Stats, Shard};

use super::ShardCall;
use crate::Result;

/// The shard's statistics for `query` over `properties` (as the search will name them).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeywordStats {
    pub query: String,
    pub properties: Vec<(String, f32)>,
}

impl ShardCall for KeywordStats {
    const OP: &'static str = "keyword-stats";
    type Output = Bm25Stats;
    fn run(self, shard: &Shard) -> Result<Bm25Stats> {
        Ok(shard.keyword_stats(&self.query, &self.properties)?)
    }
}

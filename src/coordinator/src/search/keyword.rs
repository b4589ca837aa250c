//! Keyword (BM25) and hybrid searches.
//!
//! On a class with several shards a keyword search runs in two phases: every shard first
//! reports its BM25 statistics for the query (`remote::keyword_stats`), then every shard
//! scores with their sum, so that scores compare across shards and equal those of one shard
//! holding every object (Weaviate scores each shard with its own statistics instead). A class
//! with one shard skips the first phase.

use cluster::ClassMeta;
use model::{
    results, HybridSearch, KeywordSearch, SearchHit, SearchQuery, SearchResult, VectorSearch,
};
use shard::Bm25Stats;
use types::filter::Filter;
use types::schema::Class;

use super::by_score;
use crate::remote::calls;
use crate::remote::keyword_stats::KeywordStats;
use crate::{Coordinator, Error, Result};

/// Candidates each half of a hybrid search contributes before fusion, at least.
const HYBRID_CANDIDATES: usize = 100;

impl Coordinator {
    /// `Get` with bm25: the best `wanted` hits by score.
    pub(super) async fn keyword_get(
        &self,
        meta: &ClassMeta,
        q: &SearchQuery,
        keyword: &KeywordSearch,
        wanted: usize,
    ) -> Result<SearchResult> {
        let mut hits = self
            .keyword_hits(meta, keyword, q.filter.as_ref(), wanted, q.with_vectors)
            .await?;
        if !q.explain {
            hits.iter_mut().for_each(|h| h.explain_score = None);
        }
        Ok(SearchResult {
            hits,
            metric: None,
            groups: Vec::new(),
        })
    }

    /// `Get` with hybrid: keyword and vector candidates fused into one ranking.
    pub(super) async fn hybrid_get(
        &self,
        meta: &ClassMeta,
        q: &SearchQuery,
        hybrid: &HybridSearch,
        wanted: usize,
    ) -> Result<SearchResult> {
        let (hits, metric) = self
            .hybrid_hits(
                meta,
                hybrid,
                q.filter.as_ref(),
                wanted,
                q.with_vectors,
                q.explain,
            )
            .await?;
        Ok(SearchResult {
            hits,
            metric,
            groups: Vec::new(),
        })
    }

    /// The best `wanted` BM25 hits over every shard of `meta`'s class, within `filter`.
    pub(crate) async fn keyword_hits(
        &self,
        meta: &ClassMeta,
        keyword: &KeywordSearch,
        filter: Option<&Filter>,
        wanted: usize,
        with_vectors: bool,
    ) -> Result<Vec<SearchHit>> {
        let call = calls::KeywordSearch {
            query: keyword.query.clone(),
            properties: keyword.properties.clone(),
            k: wanted,
            filter: filter.cloned(),
            with_vectors,
            stats: self.keyword_stats(meta, keyword).await?,
            matching: keyword.matching,
        };
        let mut hits: Vec<SearchHit> = self
            .on_every_shard(meta, call)
            .await?
            .into_iter()
            .flatten()
            .map(|(object, score, explain)| SearchHit {
                object,
                distance: None,
                score: Some(score),
                explain_score: Some(explain),
                is_consistent: None,
                references: Default::default(),
            })
            .collect();
        by_score(&mut hits);
        hits.truncate(wanted);
        Ok(hits)
    }

    /// The class-wide BM25 statistics of `keyword`, summed over one replica of every shard;
    /// `None` for a class with one shard, whose own statistics are the class's.
    async fn keyword_stats(
        &self,
        meta: &ClassMeta,
        keyword: &KeywordSearch,
    ) -> Result<Option<Bm25Stats>> {
        if meta.sharding.physical.len() < 2 {
            return Ok(None);
        }
        let call = KeywordStats {
            query: keyword.query.clone(),
            properties: keyword.properties.clone(),
        };
        let parts = self.on_every_shard(meta, call).await?;
        Ok(Some(parts.into_iter().sum()))
    }

    /// Hybrid candidates fused, best first, with the metric of the vector half if it ran.
    pub(crate) async fn hybrid_hits(
        &self,
        meta: &ClassMeta,
        hybrid: &HybridSearch,
        filter: Option<&Filter>,
        wanted: usize,
        with_vectors: bool,
        explain: bool,
    ) -> Result<(Vec<SearchHit>, Option<types::schema::Distance>)> {
        let candidates = wanted.max(HYBRID_CANDIDATES);
        let keyword = KeywordSearch {
            query: hybrid.query.clone(),
            properties: hybrid.properties.clone(),
            matching: hybrid.keyword_matching,
        };
        let keyword_hits = if hybrid.alpha < 1.0 {
            self.keyword_hits(meta, &keyword, filter, candidates, with_vectors)
                .await?
        } else {
            Vec::new()
        };
        let (vector_hits, metric) = match (&hybrid.vector, hybrid.alpha > 0.0) {
            (Some(vector), true) => {
                let search = VectorSearch::NearVector {
                    vector: vector.clone(),
                    target_vectors: hybrid.target_vectors.clone(),
                    threshold: None,
                    per_target: Default::default(),
                    combination: Default::default(),
                };
                let plan = self.plan(meta, search).await?;
                let hits = self
                    .vector_hits(meta, &plan, filter, candidates, with_vectors)
                    .await?;
                (hits, Some(plan.metric))
            }
            // Weaviate vectorizes the query for the vector half; with no vectorizer that fails
            // (modules/provider.go, VectorFromInput) rather than running keyword-only.
            (None, true) => {
                let message = no_vectorizer(&meta.class, &hybrid.query);
                return Err(Error::InvalidInput(message));
            }
            (_, false) => (Vec::new(), None),
        };
        let mut fused = results::fusion::fuse(
            keyword_hits,
            vector_hits,
            hybrid.alpha,
            hybrid.fusion,
            explain,
        );
        fused.truncate(wanted);
        Ok((fused, metric))
    }
}

/// Weaviate's answer to a search that needs the query vectorized on a class without a
/// vectorizer.
fn no_vectorizer(class: &Class, query: &str) -> String {
    format!(
        "VectorFromInput was called without vectorizer on class {} for input {query}",
        class.class
    )
}

//! `Get` queries over every shard of a class. One dispatcher picks the mode (plain listing,
//! vector search, keyword search or hybrid), each mode gathers its candidates from the shards,
//! and the shared tail applies autocut, grouping, offset and limit.

mod keyword;
mod multi_target;
mod plain;
mod vector;

use std::time::Instant;

use model::{results, SearchHit, SearchQuery, SearchResult, VectorSearch};

use crate::objects::elapsed_ms;
use crate::tenants::Access;
use crate::{Coordinator, Error, Result};

impl Coordinator {
    /// Runs a `Get` over one class, timed into `queries_durations_ms`.
    pub async fn search(&self, q: SearchQuery) -> Result<SearchResult> {
        let (class, kind, started) = (q.class.clone(), q.kind(), Instant::now());
        let result = self.run_search(q).await;
        self.metrics
            .observe_query(&class, kind, elapsed_ms(started));
        result
    }

    /// Resolves the class once; every mode below searches that snapshot of its metadata.
    async fn run_search(&self, mut q: SearchQuery) -> Result<SearchResult> {
        let meta = self.require_class(&q.class)?;
        let meta = self.scoped(meta, q.tenant.as_deref(), Access::Read).await?;
        q.filter = self
            .checked_filter(
                &meta.class,
                q.filter.take(),
                "invalid 'where' filter",
                q.tenant.as_deref(),
            )
            .await?;
        self.check_reference_depth(&q.references)?;
        let modes = [
            q.vector_search.is_some(),
            q.keyword.is_some(),
            q.hybrid.is_some(),
        ];
        if modes.iter().filter(|m| **m).count() > 1 {
            return Err(Error::invalid(
                "conflicting search operators: use only one of nearVector, nearObject, bm25 and hybrid",
            ));
        }
        if !q.sort.is_empty() && modes.iter().any(|m| *m) {
            return Err(Error::invalid(
                "sort cannot be combined with nearVector, nearObject, bm25 or hybrid",
            ));
        }
        let limit = self.effective_limit(&q);
        let wanted = self.check_window(q.offset, limit)?;
        let mut result = if q
            .vector_search
            .as_ref()
            .is_some_and(VectorSearch::is_multi_target)
        {
            self.multi_target_get(&meta, &q, wanted).await?
        } else if q.vector_search.is_some() {
            self.vector_get(&meta, &q, wanted).await?
        } else if let Some(k) = &q.keyword {
            self.keyword_get(&meta, &q, k, wanted).await?
        } else if let Some(h) = &q.hybrid {
            self.hybrid_get(&meta, &q, h, wanted).await?
        } else {
            self.plain_get(&meta, &q, limit).await?
        };
        if modes.iter().any(|m| *m) {
            // A plain Get already paged (and sorted) its objects.
            self.finish(&mut result, &q, limit);
        }
        if let Some(level) = q.consistency {
            self.check_consistency(&meta, &mut result.hits, level)
                .await?;
        }
        self.resolve_hit_references(&mut result, &q).await?;
        Ok(result)
    }

    /// The limit of a query: given, or everything within a distance threshold, or the default.
    fn effective_limit(&self, q: &SearchQuery) -> usize {
        let has_threshold = matches!(
            &q.vector_search,
            Some(
                VectorSearch::NearVector {
                    threshold: Some(_),
                    ..
                } | VectorSearch::NearObject {
                    threshold: Some(_),
                    ..
                }
            )
        );
        match (q.limit, has_threshold) {
            (Some(l), _) => l,
            (None, true) => self.config.query_maximum_results.saturating_sub(q.offset),
            (None, false) => self.config.query_defaults_limit,
        }
    }

    /// The shared tail of ranked searches: groups, autocut, offset and limit.
    fn finish(&self, result: &mut SearchResult, q: &SearchQuery, limit: usize) {
        if let Some(group_by) = &q.group_by {
            let hits = std::mem::take(&mut result.hits);
            result.groups = results::group::group_hits(hits, group_by);
            result.hits = result
                .groups
                .iter()
                .filter_map(|g| g.hits.first().cloned())
                .collect();
            return;
        }
        // Weaviate autocuts the first offset + limit results, then applies the offset.
        let mut hits = std::mem::take(&mut result.hits);
        hits.truncate(q.offset.saturating_add(limit));
        if let Some(cut) = q.autocut.filter(|c| *c > 0) {
            let values: Vec<f32> = hits
                .iter()
                .map(|h| h.score.or(h.distance.map(|d| -d)).unwrap_or(0.0))
                .collect();
            hits.truncate(results::autocut::autocut(&values, cut));
        }
        let hits: Vec<SearchHit> = hits.into_iter().skip(q.offset).collect();
        result.hits = hits;
    }
}

/// Orders best-first by score (higher first), ties by id.
pub(crate) fn by_score(hits: &mut [SearchHit]) {
    hits.sort_by(|a, b| {
        let (sa, sb) = (a.score.unwrap_or(f32::MIN), b.score.unwrap_or(f32::MIN));
        sb.total_cmp(&sa)
            .then_with(|| a.object.id.cmp(&b.object.id))
    });
}

/// Orders best-first by distance (lower first), ties by id.
pub(crate) fn by_distance(hits: &mut [SearchHit]) {
    hits.sort_by(|a, b| {
        let (da, db) = (
            a.distance.unwrap_or(f32::MAX),
            b.distance.unwrap_or(f32::MAX),
        );
        da.total_cmp(&db)
            .then_with(|| a.object.id.cmp(&b.object.id))
    });
}

//! `Get` without a search operator: a listing in uuid order (with the `after` cursor), the
//! objects a filter matches, or every matching object sorted by properties.

use cluster::ClassMeta;
use model::{results, ListQuery, SearchHit, SearchQuery, SearchResult};
use types::Object;

use crate::remote::calls;
use crate::{Coordinator, Result};

impl Coordinator {
    pub(super) async fn plain_get(
        &self,
        meta: &ClassMeta,
        q: &SearchQuery,
        limit: usize,
    ) -> Result<SearchResult> {
        let class = &meta.class;
        let objects = if q.filter.is_none() && q.sort.is_empty() {
            let list = ListQuery {
                class: Some(class.class.clone()),
                tenant: q.tenant.clone(),
                limit: Some(limit),
                offset: q.offset,
                after: q.after,
                with_vectors: q.with_vectors,
                sort: Vec::new(),
            };
            self.list_objects(list).await?
        } else {
            // Sorting needs every match; otherwise the first offset + limit are enough.
            let cap = if q.sort.is_empty() {
                q.offset.saturating_add(limit)
            } else {
                self.config.query_maximum_results
            };
            let mut matching = self
                .matching_objects(meta, q.filter.as_ref(), cap, q.with_vectors)
                .await?;
            results::sort::sort_objects(class, &mut matching, &q.sort)?;
            matching.into_iter().skip(q.offset).take(limit).collect()
        };
        let hits = objects
            .into_iter()
            .map(|object| SearchHit {
                object,
                distance: None,
                score: None,
                explain_score: None,
                is_consistent: None,
                references: Default::default(),
            })
            .collect();
        Ok(SearchResult {
            hits,
            metric: None,
            groups: Vec::new(),
        })
    }

    /// Objects of `meta`'s class matching `filter` (all objects without one), at most `cap`, in
    /// uuid order.
    pub(crate) async fn matching_objects(
        &self,
        meta: &ClassMeta,
        filter: Option<&types::filter::Filter>,
        cap: usize,
        with_vectors: bool,
    ) -> Result<Vec<Object>> {
        let call = calls::Matching {
            filter: filter.cloned(),
            limit: cap,
            with_vectors,
        };
        let mut out: Vec<Object> = self
            .on_every_shard(meta, call)
            .await?
            .into_iter()
            .flatten()
            .collect();
        out.sort_by_key(|o| o.id);
        out.truncate(cap);
        Ok(out)
    }
}

//! `Get` queries: listings and vector searches over every shard of a class, merged by distance
//! before offset and limit are applied.

use types::schema::{Class, Distance};

use crate::query::{ListQuery, SearchHit, SearchQuery, SearchResult, Threshold, VectorSearch};
use crate::{run_blocking, Coordinator, Error, Result};

/// A resolved vector search: which target, which query vector, how far.
struct Plan {
    target: String,
    metric: Distance,
    vector: Vec<f32>,
    max_distance: Option<f32>,
}

impl Coordinator {
    /// Runs a `Get` over one class.
    pub async fn search(&self, q: SearchQuery) -> Result<SearchResult> {
        let meta = self.require_class(&q.class)?;
        let Some(search) = q.vector_search.clone() else {
            return self.plain_get(q).await;
        };
        let has_threshold = matches!(
            &search,
            VectorSearch::NearVector {
                threshold: Some(_),
                ..
            } | VectorSearch::NearObject {
                threshold: Some(_),
                ..
            }
        );
        let limit = match (q.limit, has_threshold) {
            (Some(l), _) => l,
            // A threshold without a limit returns everything within it.
            (None, true) => self.config.query_maximum_results.saturating_sub(q.offset),
            (None, false) => self.config.query_defaults_limit,
        };
        let wanted = self.check_window(q.offset, limit)?;
        let plan = self.plan(&meta.class, search).await?;
        let mut hits = Vec::new();
        for shard in self.shards.shards_of(&meta.class.class) {
            let (target, vector, max, with_vectors) = (
                plan.target.clone(),
                plan.vector.clone(),
                plan.max_distance,
                q.with_vectors,
            );
            let found = run_blocking(move || {
                Ok(shard.vector_search(&target, &vector, wanted, max, with_vectors)?)
            })
            .await?;
            hits.extend(found.into_iter().map(|h| SearchHit {
                object: h.object,
                distance: Some(h.distance),
            }));
        }
        hits.sort_by(|a, b| {
            let (da, db) = (
                a.distance.unwrap_or(f32::MAX),
                b.distance.unwrap_or(f32::MAX),
            );
            da.total_cmp(&db)
                .then_with(|| a.object.id.cmp(&b.object.id))
        });
        let hits = hits.into_iter().skip(q.offset).take(limit).collect();
        Ok(SearchResult {
            hits,
            metric: Some(plan.metric),
        })
    }

    /// `Aggregate { meta { count } }`.
    pub async fn count(&self, class: &str, _tenant: Option<&str>) -> Result<u64> {
        let meta = self.require_class(class)?;
        Ok(self
            .shards
            .shards_of(&meta.class.class)
            .iter()
            .map(|s| s.object_count())
            .sum())
    }

    async fn plain_get(&self, q: SearchQuery) -> Result<SearchResult> {
        let list = ListQuery {
            class: Some(q.class),
            tenant: q.tenant,
            limit: q.limit,
            offset: q.offset,
            after: q.after,
            with_vectors: q.with_vectors,
        };
        let hits = self
            .list_objects(list)
            .await?
            .into_iter()
            .map(|object| SearchHit {
                object,
                distance: None,
            });
        Ok(SearchResult {
            hits: hits.collect(),
            metric: None,
        })
    }

    async fn plan(&self, class: &Class, search: VectorSearch) -> Result<Plan> {
        let (targets, threshold) = match &search {
            VectorSearch::NearVector {
                target_vectors,
                threshold,
                ..
            }
            | VectorSearch::NearObject {
                target_vectors,
                threshold,
                ..
            } => (target_vectors.clone(), *threshold),
        };
        let (target, metric) = resolve_target(class, &targets)?;
        let vector = match search {
            VectorSearch::NearVector { vector, .. } => vector,
            VectorSearch::NearObject { id, .. } => {
                self.vector_of_object(class, &target, id).await?
            }
        };
        let max_distance = threshold.map(|t| max_distance(t, metric)).transpose()?;
        Ok(Plan {
            target,
            metric,
            vector,
            max_distance,
        })
    }

    async fn vector_of_object(
        &self,
        class: &Class,
        target: &str,
        id: uuid::Uuid,
    ) -> Result<Vec<f32>> {
        let obj = self
            .get_object(Some(&class.class), id, None, true)
            .await?
            .ok_or_else(|| {
                Error::invalid(format!(
                    "nearObject: no object with id {id} in class {}",
                    class.class
                ))
            })?;
        obj.vectors.get(target).cloned().ok_or_else(|| {
            Error::invalid(format!(
                "nearObject: object {id} has no vector for target {target:?}"
            ))
        })
    }
}

/// The single target a search runs on.
fn resolve_target(class: &Class, requested: &[String]) -> Result<(String, Distance)> {
    let targets = class.vector_targets();
    let pick = match requested {
        [] if targets.len() == 1 => &targets[0],
        [] => {
            let names: Vec<&str> = targets.iter().map(|(n, _, _)| n.as_str()).collect();
            return Err(Error::invalid(format!(
                "class {} has multiple target vectors {names:?}: name one in targetVectors",
                class.class
            )));
        }
        [one] => targets.iter().find(|(n, _, _)| n == one).ok_or_else(|| {
            Error::invalid(format!("target vector {one:?} does not exist in class {}", class.class))
        })?,
        _ => {
            return Err(Error::invalid(
                "searching several target vectors at once is not supported yet: name one in targetVectors",
            ))
        }
    };
    Ok((pick.0.clone(), pick.2.distance()))
}

/// The distance bound a threshold means under `metric`.
fn max_distance(threshold: Threshold, metric: Distance) -> Result<f32> {
    match threshold {
        Threshold::Distance(d) => Ok(d),
        Threshold::Certainty(c) if metric == Distance::Cosine => Ok(2.0 * (1.0 - c)),
        Threshold::Certainty(_) => Err(Error::invalid(format!(
            "can't compute and return certainty when vector index is configured with {} distance",
            metric.as_str()
        ))),
    }
}

//! Vector searches (`nearVector`, `nearObject`): every shard's top candidates, merged by distance.

use cluster::ClassMeta;
use model::search_rules::certainty_metric;
use model::{ConsistencyLevel, SearchHit, SearchQuery, SearchResult, Threshold, VectorSearch};
use types::filter::Filter;
use types::schema::{Class, Distance};

use super::by_distance;
use crate::remote::calls;
use crate::{Coordinator, Error, Result};

/// A resolved vector search: which target, which query vector, how far.
pub(crate) struct Plan {
    pub target: String,
    pub metric: Distance,
    pub vector: Vec<f32>,
    pub max_distance: Option<f32>,
}

impl Coordinator {
    /// `Get` with nearVector / nearObject: the best `wanted` hits, best first.
    pub(super) async fn vector_get(
        &self,
        meta: &ClassMeta,
        q: &SearchQuery,
        wanted: usize,
    ) -> Result<SearchResult> {
        let search = q
            .vector_search
            .clone()
            .ok_or_else(|| Error::Internal("no vector search".into()))?;
        let plan = self.plan(meta, search).await?;
        let hits = self
            .vector_hits(meta, &plan, q.filter.as_ref(), wanted, q.with_vectors)
            .await?;
        Ok(SearchResult {
            hits,
            metric: Some(plan.metric),
            groups: Vec::new(),
        })
    }

    /// The best `wanted` hits of a resolved vector search over every shard of `meta`'s
    /// class, within `filter`.
    pub(crate) async fn vector_hits(
        &self,
        meta: &ClassMeta,
        plan: &Plan,
        filter: Option<&Filter>,
        wanted: usize,
        with_vectors: bool,
    ) -> Result<Vec<SearchHit>> {
        let call = calls::VectorSearch {
            target: plan.target.clone(),
            vector: plan.vector.clone(),
            k: wanted,
            max_distance: plan.max_distance,
            filter: filter.cloned(),
            with_vectors,
        };
        let mut hits: Vec<SearchHit> = self
            .on_every_shard(meta, call)
            .await?
            .into_iter()
            .flatten()
            .map(|(object, distance)| SearchHit {
                object,
                distance: Some(distance),
                score: None,
                explain_score: None,
                is_consistent: None,
                references: Default::default(),
            })
            .collect();
        by_distance(&mut hits);
        hits.truncate(wanted);
        Ok(hits)
    }

    /// Resolves `search` against the class it runs on: the target, its metric, the query
    /// vector (read from the object for nearObject) and the distance bound.
    pub(crate) async fn plan(&self, meta: &ClassMeta, search: VectorSearch) -> Result<Plan> {
        let class = &meta.class;
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
            VectorSearch::NearVector {
                vector, per_target, ..
            } => per_target.get(&target).cloned().unwrap_or(vector),
            VectorSearch::NearObject { id, .. } => self.vector_of_object(meta, &target, id).await?,
        };
        let max_distance = threshold.map(|t| max_distance(t, metric)).transpose()?;
        Ok(Plan {
            target,
            metric,
            vector,
            max_distance,
        })
    }

    /// The vector of object `id` of `meta`'s class (a tenant's view reads in that tenant).
    async fn vector_of_object(
        &self,
        meta: &ClassMeta,
        target: &str,
        id: uuid::Uuid,
    ) -> Result<Vec<f32>> {
        let class = &meta.class;
        let (shard, replicas) = self.placement(meta, &id)?;
        let obj = self
            .read_resolved(class, &shard, &replicas, id, true, ConsistencyLevel::One)
            .await?
            .object
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
        Threshold::Certainty(c) => {
            certainty_metric(metric).map_err(Error::invalid)?;
            Ok(2.0 * (1.0 - c))
        }
    }
}

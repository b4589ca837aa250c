//! Vector searches over several target vectors at once (`targetVectors: ["a", "b"]`): each
//! target is searched on its own, the candidates are pooled, a candidate's distance to a target
//! that did not find it is computed from its stored vector, and the distances are combined
//! ([`results::targets::combine`]) into the one the results are ranked by.

use std::collections::BTreeMap;

use cluster::ClassMeta;
use model::results;
use model::{ConsistencyLevel, SearchHit, SearchQuery, SearchResult, Threshold, VectorSearch};
use types::schema::{Class, Distance};
use types::Object;
use uuid::Uuid;

use super::by_distance;
use super::vector::Plan;
use crate::{Coordinator, Error, Result};

/// One target of the search: its name, metric and query vector.
struct Target {
    name: String,
    metric: Distance,
    vector: Vec<f32>,
}

impl Coordinator {
    /// `Get` with a vector search over several targets: the best `wanted` by combined distance.
    pub(super) async fn multi_target_get(
        &self,
        meta: &ClassMeta,
        q: &SearchQuery,
        wanted: usize,
    ) -> Result<SearchResult> {
        let class = &meta.class;
        let search = q
            .vector_search
            .as_ref()
            .ok_or_else(|| Error::Internal("no vector search".into()))?;
        let (threshold, combination) = match search {
            VectorSearch::NearVector {
                threshold,
                combination,
                ..
            }
            | VectorSearch::NearObject {
                threshold,
                combination,
                ..
            } => (*threshold, combination),
        };
        let targets = self.targets_of(class, search).await?;
        let mut pooled: BTreeMap<Uuid, (Object, BTreeMap<String, f32>)> = BTreeMap::new();
        for target in &targets {
            let plan = Plan {
                target: target.name.clone(),
                metric: target.metric,
                vector: target.vector.clone(),
                max_distance: None,
            };
            let hits = self
                .vector_hits(meta, &plan, q.filter.as_ref(), wanted, true)
                .await?;
            for hit in hits {
                let distance = hit.distance.unwrap_or(f32::INFINITY);
                let entry = pooled
                    .entry(hit.object.id)
                    .or_insert_with(|| (hit.object, BTreeMap::new()));
                entry.1.insert(target.name.clone(), distance);
            }
        }
        let (objects, distances) = complete(pooled, &targets);
        let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
        let combined =
            results::targets::combine(combination, &names, &distances).map_err(Error::invalid)?;
        let max = match threshold {
            None => f32::INFINITY,
            Some(Threshold::Distance(d)) => d,
            Some(Threshold::Certainty(_)) => {
                return Err(Error::invalid(
                    model::sentences::CERTAINTY_WITH_SEVERAL_TARGETS,
                ))
            }
        };
        let mut hits: Vec<SearchHit> = objects
            .into_iter()
            .zip(combined)
            .filter(|(_, d)| *d <= max)
            .map(|(mut object, distance)| {
                if !q.with_vectors {
                    object.vectors.clear();
                }
                SearchHit {
                    object,
                    distance: Some(distance),
                    score: None,
                    explain_score: None,
                    is_consistent: None,
                    references: Default::default(),
                }
            })
            .collect();
        by_distance(&mut hits);
        hits.truncate(wanted);
        Ok(SearchResult {
            hits,
            metric: targets.first().map(|t| t.metric),
            groups: Vec::new(),
        })
    }

    /// Each named target with its metric and query vector (for nearObject, the object's own).
    async fn targets_of(&self, class: &Class, search: &VectorSearch) -> Result<Vec<Target>> {
        let configured = class.vector_targets();
        let (names, source) = match search {
            VectorSearch::NearVector { target_vectors, .. } => (target_vectors, None),
            VectorSearch::NearObject {
                id, target_vectors, ..
            } => {
                let object = self
                    .get_object(Some(&class.class), *id, None, true, ConsistencyLevel::One)
                    .await?
                    .ok_or_else(|| {
                        Error::invalid(format!(
                            "nearObject: no object with id {id} in class {}",
                            class.class
                        ))
                    })?;
                (target_vectors, Some(object))
            }
        };
        names
            .iter()
            .map(|name| {
                let (_, _, config) =
                    configured
                        .iter()
                        .find(|(n, _, _)| n == name)
                        .ok_or_else(|| {
                            Error::invalid(format!(
                                "target vector {name:?} does not exist in class {}",
                                class.class
                            ))
                        })?;
                let vector = match (search, &source) {
                    (
                        VectorSearch::NearVector {
                            vector, per_target, ..
                        },
                        _,
                    ) => per_target.get(name).unwrap_or(vector).clone(),
                    (VectorSearch::NearObject { id, .. }, Some(object)) => {
                        object.vectors.get(name).cloned().ok_or_else(|| {
                            Error::invalid(format!(
                                "nearObject: object {id} has no vector for target {name:?}"
                            ))
                        })?
                    }
                    (VectorSearch::NearObject { .. }, None) => {
                        return Err(Error::Internal("nearObject without its object".into()))
                    }
                };
                Ok(Target {
                    name: name.clone(),
                    metric: config.distance(),
                    vector,
                })
            })
            .collect()
    }
}

/// Every pooled candidate with its distance to every target, computing the ones its targets'
/// searches did not return. A candidate without a vector for some target is left out.
fn complete(
    pooled: BTreeMap<Uuid, (Object, BTreeMap<String, f32>)>,
    targets: &[Target],
) -> (Vec<Object>, Vec<Vec<f32>>) {
    let mut objects = Vec::with_capacity(pooled.len());
    let mut rows = Vec::with_capacity(pooled.len());
    'candidates: for (object, found) in pooled.into_values() {
        let mut row = Vec::with_capacity(targets.len());
        for target in targets {
            let distance = match found.get(&target.name) {
                Some(d) => *d,
                None => match object
                    .vectors
                    .get(&target.name)
                    .and_then(|v| shard::distance_of_raw(target.metric, &target.vector, v))
                {
                    Some(d) => d,
                    None => continue 'candidates,
                },
            };
            row.push(distance);
        }
        objects.push(object);
        rows.push(row);
    }
    (objects, rows)
}

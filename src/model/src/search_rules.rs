//! The checks a search or an aggregation must pass whichever wire format it came in on
//! (GraphQL `Get`/`Aggregate`, gRPC `Search`/`Aggregate`), written once: certainty only on
//! cosine, the cursor's exclusions, search operators that cannot be combined, and the result
//! window. Each wire format first reads its own syntax into a [`SearchQuery`] (property boosts
//! with [`boost`]); [`finish`] then applies these rules in the order Weaviate checks them
//! (`resolveGet`, then `GetClass` in usecases/traverser/explorer.go).
//!
//! `Err` is Weaviate's message, which each wire format wraps in its own error shape.

use types::schema::{Class, Distance};
use uuid::Uuid;

use crate::query::{AggregateQuery, SearchQuery, Threshold, VectorSearch};

/// Paging limits of the node (`QUERY_DEFAULTS_LIMIT`, `QUERY_MAXIMUM_RESULTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub defaults_limit: usize,
    pub maximum_results: usize,
}

/// Checks `query` against `class` and the node's limits and sets its cursor from `after` (the
/// raw `after` argument, if given). `wants_certainty`: the caller asked for certainty in the
/// results. `Err` is Weaviate's message.
pub fn finish(
    class: &Class,
    mut query: SearchQuery,
    after: Option<&str>,
    wants_certainty: bool,
    limits: &Limits,
) -> Result<SearchQuery, String> {
    let (targets, threshold) = targets_and_threshold(query.vector_search.as_ref());
    if wants_certainty || matches!(threshold, Some(Threshold::Certainty(_))) {
        check_certainty(class, targets)?;
    }
    if let Some(after) = after {
        let id = cursor(after, &query)
            .map_err(|e| format!("cursor api: invalid 'after' parameter: {e}"))?;
        query.after = Some(id);
    }
    conflicts(&query)?;
    check_window(&query, threshold, limits)?;
    // Weaviate ignores `sort` in a vector search (results stay in distance order).
    if query.vector_search.is_some() {
        query.sort.clear();
    }
    Ok(query)
}

/// Weaviate's cursor rules (`validateCursor`, `filters.ValidateCursor`). An empty `after`
/// starts from the beginning: the nil uuid sorts before every other.
fn cursor(after: &str, query: &SearchQuery) -> Result<Uuid, String> {
    let searching = query.vector_search.is_some()
        || query.keyword.is_some()
        || query.hybrid.is_some()
        || query.group_by.is_some();
    if searching {
        return Err("other params cannot be set with after and limit parameters".into());
    }
    let set: Vec<&str> = [
        (query.offset > 0, "offset"),
        (query.filter.is_some(), "where"),
        (!query.sort.is_empty(), "sort"),
    ]
    .into_iter()
    .filter_map(|(is_set, name)| is_set.then_some(name))
    .collect();
    if !set.is_empty() {
        return Err(format!(
            "{} cannot be set with after and limit parameters",
            set.join(",")
        ));
    }
    let id = if after.is_empty() {
        Uuid::nil()
    } else {
        Uuid::parse_str(after)
            .map_err(|_| format!("after parameter '{after}' is not a valid uuid"))?
    };
    if query.limit.is_none() {
        return Err("limit parameter must be set".into());
    }
    Ok(id)
}

/// Search operators that cannot be combined. The bm25 messages are Weaviate's
/// (explorer.getClassKeywordBased); Weaviate silently prefers one operator in the other cases,
/// which Shoal refuses instead of guessing.
fn conflicts(query: &SearchQuery) -> Result<(), String> {
    let near = query.vector_search.is_some();
    if let Some(keyword) = &query.keyword {
        if near {
            return Err(
                "conflict: both near<Media> and keyword-based (bm25) arguments present, choose one"
                    .into(),
            );
        }
        if query.hybrid.is_some() {
            return Err("conflict: both bm25 and hybrid arguments present, choose one".into());
        }
        if keyword.query.is_empty() {
            return Err("keyword search (bm25) must have query set".into());
        }
    }
    if near && query.hybrid.is_some() {
        return Err("conflict: both near<Media> and hybrid arguments present, choose one".into());
    }
    if query.group_by.is_some() && !near && query.hybrid.is_none() {
        return Err(
            "groupBy needs a vector search: combine it with nearVector, nearObject or hybrid"
                .into(),
        );
    }
    Ok(())
}

/// `offset + limit` must stay within `QUERY_MAXIMUM_RESULTS`. A vector search bounded by a
/// threshold and without a limit is capped by the coordinator instead.
fn check_window(
    query: &SearchQuery,
    threshold: Option<Threshold>,
    limits: &Limits,
) -> Result<(), String> {
    let unbounded = threshold.is_some() && query.limit.is_none();
    let window = query
        .offset
        .saturating_add(query.limit.unwrap_or(limits.defaults_limit));
    if !unbounded && window > limits.maximum_results {
        return Err("query maximum results exceeded".into());
    }
    Ok(())
}

/// The rules of an aggregation's arguments taken together (`Traverser.Aggregate`): an object
/// limit needs a search, one search at a time, and a vector search needs a bound.
pub fn check_aggregate(class: &Class, query: &AggregateQuery) -> Result<(), String> {
    let searching = query.vector_search.is_some() || query.hybrid.is_some();
    if query.object_limit.is_some() && !searching {
        return Err("objectLimit can only be used with a near<Media> or hybrid filter".into());
    }
    if query.vector_search.is_some() && query.hybrid.is_some() {
        // Weaviate would silently aggregate over the near<Media> results only.
        return Err("conflict: both near<Media> and hybrid arguments present, choose one".into());
    }
    let (targets, threshold) = targets_and_threshold(query.vector_search.as_ref());
    if query.vector_search.is_some() && threshold.is_none() && query.object_limit.is_none() {
        return Err("must provide certainty or objectLimit with vector search".into());
    }
    if matches!(threshold, Some(Threshold::Certainty(_))) {
        check_certainty(class, targets)?;
    }
    Ok(())
}

/// The target vectors and threshold of a vector search.
pub fn targets_and_threshold(search: Option<&VectorSearch>) -> (&[String], Option<Threshold>) {
    match search {
        Some(VectorSearch::NearVector {
            target_vectors,
            threshold,
            ..
        })
        | Some(VectorSearch::NearObject {
            target_vectors,
            threshold,
            ..
        }) => (target_vectors.as_slice(), *threshold),
        None => (&[], None),
    }
}

/// Certainty is only defined for cosine (configvalidation.CheckCertaintyCompatibility).
pub fn check_certainty(class: &Class, targets: &[String]) -> Result<(), String> {
    if targets.len() > 1 {
        return Err(crate::sentences::CERTAINTY_WITH_SEVERAL_TARGETS.into());
    }
    let metric = match class
        .vector_config
        .as_ref()
        .filter(|named| !named.is_empty())
    {
        None => match &class.vector_index_config {
            Some(config) => config.distance(),
            None => return Ok(()),
        },
        Some(named) if named.len() == 1 => match named.values().next() {
            Some(only) => only.vector_index_config.distance(),
            None => return Ok(()),
        },
        Some(named) => {
            let target = targets.first().ok_or_else(|| {
                format!(
                    "multiple vector configs found for class '{}', but no target vector specified",
                    class.class
                )
            })?;
            let config = named
                .get(target)
                .ok_or_else(|| format!("vector config not found for target vector: {target}"))?;
            config.vector_index_config.distance()
        }
    };
    certainty_metric(metric)
}

/// The error for certainty on a metric other than cosine.
pub fn certainty_metric(metric: Distance) -> Result<(), String> {
    if metric == Distance::Cosine {
        Ok(())
    } else {
        Err(format!(
            "can't compute and return certainty when vector index is configured with {} distance",
            metric.as_str()
        ))
    }
}

/// One property of a keyword search with an optional `^boost`: `"title^2"` -> `("title", 2.0)`,
/// `"body"` -> `("body", 1.0)`.
pub fn boost(spec: &str) -> Result<(String, f32), String> {
    let Some((name, factor)) = spec.split_once('^') else {
        return Ok((spec.to_string(), 1.0));
    };
    match factor.parse::<f32>() {
        Ok(b) if b.is_finite() && b >= 0.0 => Ok((name.to_string(), b)),
        _ => Err(format!(
            "invalid boost in property '{spec}': the part after '^' must be a non-negative number"
        )),
    }
}

#[cfg(test)]
#[path = "search_rules_tests.rs"]
mod tests;

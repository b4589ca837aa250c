//! The checks a search must pass whichever wire format it came in on (GraphQL `Get`, gRPC
//! `Search`), written once: certainty only on cosine, the cursor's exclusions, search operators
//! that cannot be combined, and the result window. Each wire format first reads its own syntax
//! into a [`SearchQuery`]; [`finish`] then applies these rules in the order Weaviate checks them
//! (`resolveGet`, then `GetClass` in usecases/traverser/explorer.go).

use model::{AggregateQuery, SearchQuery, Threshold};
use types::schema::Class;
use uuid::Uuid;

use crate::graphql::args::{check_certainty, targets_and_threshold, Limits};

/// Checks `query` against `class` and the node's limits and sets its cursor from `after` (the
/// raw `after` argument, if given). `wants_certainty`: the caller asked for certainty in the
/// results. `Err` is Weaviate's message.
pub(crate) fn finish(
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
pub(crate) fn check_aggregate(class: &Class, query: &AggregateQuery) -> Result<(), String> {
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

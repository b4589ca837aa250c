//! The arguments of `Aggregate { <Class>(...) }` -> [`AggregateQuery`], checked in the order of
//! Weaviate's `resolveAggregate` (aggregate/resolver.go) and `Traverser.Aggregate`
//! (usecases/traverser/traverser_aggregate.go), with their messages.

use ::types::filter::FilterPath;
use ::types::schema::Class;
use model::{search_rules, AggregateQuery};

use crate::graphql::args::{filter, near, search, types, ArgSpec};
use crate::graphql::value::{self, as_int, as_str, as_string_list, InputType, Value};

/// The arguments of `Aggregate { <class>(...) }` as Weaviate 1.27 declares them.
pub(super) fn aggregate_arg(class: &Class, name: &str) -> Option<ArgSpec> {
    Some(match name {
        "tenant" if class.multi_tenancy_config.enabled => ArgSpec::Typed(InputType::String),
        "where" => ArgSpec::Typed(types::WHERE),
        "groupBy" => ArgSpec::Typed(InputType::List(&InputType::String)),
        "limit" | "objectLimit" => ArgSpec::Typed(InputType::Int),
        "nearVector" => ArgSpec::Typed(types::NEAR_VECTOR),
        "nearObject" => ArgSpec::Typed(types::NEAR_OBJECT),
        "hybrid" => ArgSpec::Typed(types::HYBRID),
        "nearText" => ArgSpec::Unsupported,
        _ => return None,
    })
}

/// Translates validated arguments; `properties` are the aggregated properties selected.
/// `Err` is a resolver error message.
pub(super) fn aggregate_query(
    class: &Class,
    args: &[(String, Value)],
    properties: Vec<String>,
) -> Result<AggregateQuery, String> {
    let group_by =
        group_by(class, args).map_err(|e| format!("could not extract groupBy path: {e}"))?;
    // A negative limit is "not set", as for Get.
    let limit = value::arg(args, "limit")
        .and_then(as_int)
        .and_then(|n| usize::try_from(n).ok());
    let object_limit = object_limit(args)?;
    let filter =
        filter::where_filter(args).map_err(|e| format!("could not extract filters: {e}"))?;
    let vector_search = near::vector_search(&class.class, args)?;
    let hybrid = search::hybrid(args, false)?;
    let query = AggregateQuery {
        class: class.class.clone(),
        tenant: value::arg(args, "tenant")
            .and_then(as_str)
            .map(str::to_string),
        filter,
        group_by,
        vector_search,
        hybrid,
        object_limit,
        limit,
        properties,
        // Set by the caller from the selection.
        top_occurrences_limit: None,
    };
    search_rules::check_aggregate(class, &query)?;
    Ok(query)
}

/// `objectLimit`: when given, a positive number.
fn object_limit(args: &[(String, Value)]) -> Result<Option<usize>, String> {
    match value::arg(args, "objectLimit").and_then(as_int) {
        None => Ok(None),
        Some(n) => usize::try_from(n)
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| "objectLimit must be a positive integer".to_string()),
    }
}

/// `groupBy: ["prop"]`: a path like a filter's (filters.ParsePath), which must name a
/// property of the class.
fn group_by(class: &Class, args: &[(String, Value)]) -> Result<Option<String>, String> {
    let Some(v) = value::arg(args, "groupBy") else {
        return Ok(None);
    };
    let path = as_string_list(v).unwrap_or_default();
    if path.is_empty() {
        // Weaviate walks [Class, ...path]: nothing follows the class name.
        return Err(format!("missing an argument after '{}'", class.class));
    }
    match crate::filter::parse_path(&path)? {
        FilterPath::Property(name) => Ok(Some(name)),
        FilterPath::Id
        | FilterPath::CreationTime
        | FilterPath::UpdateTime
        | FilterPath::Length(_)
        | FilterPath::Reference { .. } => Err(format!(
            "grouping by '{}' is not supported: group by a property of the class",
            path.join(".")
        )),
    }
}

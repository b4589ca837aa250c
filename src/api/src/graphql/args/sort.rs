//! `sort: [{path: ["prop"], order: asc|desc}]` (get/sort_argument.go, entities/filters/sort.go
//! and sort_validator.go). Whether the property exists and is sortable is the coordinator's
//! check; the shape of each clause is checked here with Weaviate's messages.

use model::SortBy;

use crate::graphql::value::{self, as_enum, as_string_list, Value};

/// One sort clause as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawSort {
    pub path: Vec<String>,
    pub descending: bool,
}

/// Reads `sort` (a single object counts as a list of one). Never fails: shapes are checked by
/// [`validate`], after the other arguments, as Weaviate does.
pub(crate) fn extract(args: &[(String, Value)]) -> Vec<RawSort> {
    let items: Vec<&Value> = match value::arg(args, "sort") {
        None => return Vec::new(),
        Some(Value::List(items)) => items.iter().collect(),
        Some(single) => vec![single],
    };
    items.into_iter().filter_map(clause).collect()
}

fn clause(v: &Value) -> Option<RawSort> {
    let Value::Object(map) = v else {
        return None;
    };
    Some(RawSort {
        path: value::field(map, "path")
            .and_then(as_string_list)
            .unwrap_or_default(),
        descending: value::field(map, "order").and_then(as_enum) == Some("desc"),
    })
}

/// The clauses as sort keys (filters.ValidateSort): each path must have exactly one element.
/// `Err` is `invalid 'sort' parameter: sort parameter at position 0: ...`.
pub(crate) fn validate(raw: Vec<RawSort>) -> Result<Vec<SortBy>, String> {
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, clause) in raw.into_iter().enumerate() {
        match <[String; 1]>::try_from(clause.path) {
            Ok([path]) => out.push(SortBy {
                path,
                descending: clause.descending,
            }),
            Err(path) => errors.push(format!("sort parameter at position {i}: {}", shape(&path))),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(format!("invalid 'sort' parameter: {}", errors.join(", ")))
    }
}

fn shape(path: &[String]) -> &'static str {
    if path.is_empty() {
        "path parameter cannot be empty"
    } else {
        "sorting by reference not supported, path must have exactly one argument"
    }
}

//! Arguments of a `Get` class field: validation (unknown names, literal types) and their
//! translation into a [`SearchQuery`], with Weaviate's semantics and resolver error messages
//! (usecases/traverser/explorer.go, entities/filters/cursor_validator.go,
//! adapters/handlers/graphql/local/common_filters/near_*.go in Weaviate 1.27).

use std::collections::BTreeMap;

use coordinator::{SearchQuery, Threshold, VectorSearch};
use types::schema::{Class, Distance};
use uuid::Uuid;

use super::error::{self, Diag, GqlError};
use super::fields::Merged;
use super::value::{
    self, as_float, as_float_list, as_int, as_str, as_string_list, InputType, Value,
};

/// Paging limits of the node (`QUERY_DEFAULTS_LIMIT`, `QUERY_MAXIMUM_RESULTS`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub defaults_limit: usize,
    pub maximum_results: usize,
}

/// How an argument Weaviate declares is handled.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ArgSpec {
    /// Served: its literal is checked against this type.
    Typed(InputType),
    /// Declared by Weaviate but not implemented by Shoal: a resolver error names it.
    Unsupported,
}

const NEAR_VECTOR: InputType = InputType::Object(
    "NearVectorInpObj",
    &[
        ("vector", InputType::List(&InputType::Float)),
        ("vectorPerTarget", InputType::Any),
        ("certainty", InputType::Float),
        ("distance", InputType::Float),
        ("targetVectors", InputType::List(&InputType::String)),
        ("targets", InputType::Any),
    ],
);

const NEAR_OBJECT: InputType = InputType::Object(
    "NearObjectInpObj",
    &[
        ("id", InputType::String),
        ("beacon", InputType::String),
        ("certainty", InputType::Float),
        ("distance", InputType::Float),
        ("targetVectors", InputType::List(&InputType::String)),
        ("targets", InputType::Any),
    ],
);

/// The arguments of `Get { <class>(...) }` as Weaviate 1.27 declares them for this class
/// (`tenant` only on multi-tenant classes, `consistencyLevel` only with replication).
pub(crate) fn get_arg(class: &Class, name: &str) -> Option<ArgSpec> {
    Some(match name {
        "limit" | "offset" => ArgSpec::Typed(InputType::Int),
        "after" => ArgSpec::Typed(InputType::String),
        "nearVector" => ArgSpec::Typed(NEAR_VECTOR),
        "nearObject" => ArgSpec::Typed(NEAR_OBJECT),
        "tenant" if class.multi_tenancy_config.enabled => ArgSpec::Typed(InputType::String),
        "consistencyLevel" if class.replication_config.factor > 1 => ArgSpec::Unsupported,
        // nearText only exists with a text vectorizer module; refusing it by name is clearer
        // than graphql-go's "Unknown argument".
        "autocut" | "sort" | "where" | "group" | "groupBy" | "bm25" | "hybrid" | "nearText" => {
            ArgSpec::Unsupported
        }
        _ => return None,
    })
}

/// Checks the arguments of `field` (a class under `root`): unknown and repeated names and
/// literal types are validation errors, unsupported ones are deferred to the resolver.
/// `parent_type` is the type owning the field (`GetObjectsObj`), `prefix` prefixes input types.
pub(crate) fn validate(
    field: &Merged<'_>,
    root: &str,
    parent_type: &str,
    prefix: &str,
    spec: impl Fn(&str) -> Option<ArgSpec>,
    diag: &mut Diag,
) {
    for (i, (name, v)) in field.args.iter().enumerate() {
        if field.args[..i].iter().any(|(n, _)| n == name) {
            diag.invalid(error::duplicate_argument(name, field.pos));
            continue;
        }
        match spec(name) {
            None => diag.invalid(error::unknown_argument(
                name,
                &field.name,
                parent_type,
                field.pos,
            )),
            Some(ArgSpec::Unsupported) => diag.unsupported(error::argument_not_supported(
                name,
                root,
                &field.name,
                field.pos,
            )),
            Some(ArgSpec::Typed(ty)) => {
                if let Err(lines) = value::check(&ty, v, prefix) {
                    let msg = format!(
                        "Argument \"{name}\" has invalid value {}.\n{}",
                        value::print(v),
                        lines.join("\n")
                    );
                    diag.invalid(GqlError::new(msg, field.pos));
                }
            }
        }
    }
}

/// Translates validated `Get` arguments into a search. `Err` is a resolver error message.
/// `wants_certainty` is true when `_additional { certainty }` is selected.
pub(crate) fn search_query(
    class: &Class,
    args: &[(String, Value)],
    wants_certainty: bool,
    limits: &Limits,
) -> Result<SearchQuery, String> {
    // A negative limit means "not set", as in Weaviate's ExtractPaginationFromArgs.
    let limit = value::arg(args, "limit")
        .and_then(as_int)
        .and_then(|n| usize::try_from(n).ok());
    let offset = match value::arg(args, "offset").and_then(as_int).unwrap_or(0) {
        n if n < 0 => {
            return Err(format!(
                "invalid 'offset' parameter: must not be negative, got {n}"
            ))
        }
        n => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let near_vector = value::arg(args, "nearVector")
        .map(near_vector)
        .transpose()
        .map_err(|e| format!("failed to extract nearVector params: {e}"))?;
    let near_object = value::arg(args, "nearObject")
        .map(|v| near_object(&class.class, v))
        .transpose()
        .map_err(|e| format!("failed to extract nearObject params: {e}"))?;
    let vector_search = match (near_vector, near_object) {
        (Some(_), Some(_)) => {
            return Err(
                "found both 'nearVector' and 'nearObject' parameters which are conflicting, \
                        choose one instead"
                    .into(),
            )
        }
        (v, o) => v.or(o),
    };
    let (targets, threshold) = match &vector_search {
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
        None => (&[][..], None),
    };
    if wants_certainty || matches!(threshold, Some(Threshold::Certainty(_))) {
        check_certainty(class, targets)?;
    }
    let after = value::arg(args, "after").and_then(as_str);
    let after = match after {
        Some(after) => Some(
            cursor(after, limit, offset, vector_search.is_some())
                .map_err(|e| format!("cursor api: invalid 'after' parameter: {e}"))?,
        ),
        None => None,
    };
    // A search bounded by a threshold and without a limit is capped by the coordinator instead.
    let unbounded = threshold.is_some() && limit.is_none();
    if !unbounded
        && offset.saturating_add(limit.unwrap_or(limits.defaults_limit)) > limits.maximum_results
    {
        return Err("query maximum results exceeded".into());
    }
    Ok(SearchQuery {
        class: class.class.clone(),
        tenant: value::arg(args, "tenant")
            .and_then(as_str)
            .map(str::to_string),
        limit,
        offset,
        after,
        vector_search,
        with_vectors: false,
    })
}

/// `nearVector: {vector, certainty | distance, targetVectors}`.
fn near_vector(v: &Value) -> Result<VectorSearch, String> {
    let map = object(v)?;
    let vector = match (
        value::field(map, "vector"),
        value::field(map, "vectorPerTarget"),
    ) {
        (Some(_), Some(_)) | (None, None) => {
            return Err("vector or vectorPerTarget is required field".into())
        }
        (None, Some(_)) => return Err(not_supported("nearVector", "vectorPerTarget")),
        (Some(v), None) => as_float_list(v).ok_or("vector must be a list of numbers")?,
    };
    Ok(VectorSearch::NearVector {
        vector,
        target_vectors: targets(map, "nearVector")?,
        threshold: threshold(map)?,
    })
}

/// `nearObject: {id | beacon, certainty | distance, targetVectors}`.
fn near_object(class: &str, v: &Value) -> Result<VectorSearch, String> {
    let map = object(v)?;
    let threshold = threshold(map)?;
    let target_vectors = targets(map, "nearObject")?;
    let id = match (
        value::field(map, "id").and_then(as_str),
        value::field(map, "beacon").and_then(as_str),
    ) {
        (Some(id), _) => {
            Uuid::parse_str(id).map_err(|_| format!("id '{id}' is not a valid uuid"))?
        }
        (None, Some(beacon)) => beacon_id(class, beacon)?,
        (None, None) => return Err("empty id and beacon".into()),
    };
    Ok(VectorSearch::NearObject {
        id,
        target_vectors,
        threshold,
    })
}

fn object(v: &Value) -> Result<&BTreeMap<String, Value>, String> {
    if let Value::Object(map) = v {
        Ok(map)
    } else {
        Err(format!("expected an object, got {}", value::print(v)))
    }
}

/// `certainty` / `distance`. A certainty of 0 is "not set", as in Weaviate.
fn threshold(map: &BTreeMap<String, Value>) -> Result<Option<Threshold>, String> {
    let certainty = value::field(map, "certainty").and_then(as_float);
    let distance = value::field(map, "distance").and_then(as_float);
    match (certainty, distance) {
        (Some(_), Some(_)) => Err("cannot provide distance and certainty".into()),
        (Some(c), None) if c != 0.0 => Ok(Some(Threshold::Certainty(c as f32))),
        (_, Some(d)) => Ok(Some(Threshold::Distance(d as f32))),
        _ => Ok(None),
    }
}

fn targets(map: &BTreeMap<String, Value>, arg: &str) -> Result<Vec<String>, String> {
    if value::field(map, "targets").is_some() {
        return Err(not_supported(arg, "targets"));
    }
    Ok(value::field(map, "targetVectors")
        .and_then(as_string_list)
        .unwrap_or_default())
}

fn not_supported(arg: &str, field: &str) -> String {
    format!("{arg}.{field} is not supported by Shoal yet")
}

/// The object id of a beacon, `weaviate://localhost/<Class>/<uuid>` or `weaviate://localhost/<uuid>`
/// (crossref.Parse). Searching with an object of another class is not supported.
fn beacon_id(class: &str, beacon: &str) -> Result<Uuid, String> {
    let path = match beacon.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => beacon,
    };
    let segments: Vec<&str> = path.split('/').collect();
    let (beacon_class, id, idx) = match segments.as_slice() {
        ["", c, id] => (Some(*c), *id, 2),
        ["", id] => (None, *id, 1),
        _ => {
            return Err(format!(
                "invalid cref URI: path must be of format '<class>/<uuid>', but got '{path}'"
            ))
        }
    };
    let id = Uuid::parse_str(id).map_err(|_| {
        format!("invalid cref URI: {idx}nd path segment must be uuid, but got '{id}'")
    })?;
    match beacon_class {
        Some(c) if c != class => Err(format!(
            "searching class '{class}' with an object of class '{c}' is not supported by Shoal yet"
        )),
        _ => Ok(id),
    }
}

/// Weaviate's cursor rules (`validateCursor`, `filters.ValidateCursor`). An empty `after`
/// starts from the beginning: the nil uuid sorts before every other.
fn cursor(
    after: &str,
    limit: Option<usize>,
    offset: usize,
    searching: bool,
) -> Result<Uuid, String> {
    if searching {
        return Err("other params cannot be set with after and limit parameters".into());
    }
    if offset > 0 {
        return Err("offset cannot be set with after and limit parameters".into());
    }
    let id = if after.is_empty() {
        Uuid::nil()
    } else {
        Uuid::parse_str(after)
            .map_err(|_| format!("after parameter '{after}' is not a valid uuid"))?
    };
    if limit.is_none() {
        return Err("limit parameter must be set".into());
    }
    Ok(id)
}

/// Certainty is only defined for cosine (configvalidation.CheckCertaintyCompatibility).
pub(crate) fn check_certainty(class: &Class, targets: &[String]) -> Result<(), String> {
    if targets.len() > 1 {
        return Err("multiple target vectors are not supported with certainty".into());
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
pub(crate) fn certainty_metric(metric: Distance) -> Result<(), String> {
    if metric == Distance::Cosine {
        Ok(())
    } else {
        Err(format!(
            "can't compute and return certainty when vector index is configured with {} distance",
            metric.as_str()
        ))
    }
}

#[cfg(test)]
#[path = "args_tests.rs"]
mod tests;

//! Rendering search hits into response rows: only the requested fields, in request order, under
//! their response keys. Missing properties are `null`; timestamps, scores and explanations are
//! strings; distances, certainties and vectors are floats. A grouped search has one row per
//! group: its first hit, with the group under `_additional { group }`.

use model::{gofmt, HitGroup, SearchHit, SearchResult};
use serde_json::{json, Map, Value};
use types::schema::Distance;
use types::Object;

use super::select::{AddField, AddKind, GroupField, GroupKind, GroupedByKind, OutField};
use super::select::{RefTarget, SelectPlan, Shape};

/// One row per hit, or per group when the search was grouped.
pub(crate) fn rows(plan: &SelectPlan, result: &SearchResult, grouped: bool) -> Vec<Value> {
    let metric = result.metric;
    if grouped {
        return result
            .groups
            .iter()
            .filter_map(|g| {
                let first = g.hits.first()?;
                Some(Value::Object(row(&plan.fields, first, metric, Some(g))))
            })
            .collect();
    }
    result
        .hits
        .iter()
        .map(|hit| Value::Object(row(&plan.fields, hit, metric, None)))
        .collect()
}

fn row(
    fields: &[OutField],
    hit: &SearchHit,
    metric: Option<Distance>,
    group: Option<&HitGroup>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for field in fields {
        match field {
            OutField::Typename { key, value } => {
                out.insert(key.clone(), Value::String(value.clone()));
            }
            OutField::Value { key, name, shape } => {
                out.insert(key.clone(), shaped(shape, hit.object.properties.get(name)));
            }
            OutField::Additional { key, fields } => {
                let value = additional(fields, hit, metric, group);
                out.insert(key.clone(), Value::Object(value));
            }
            OutField::Reference { key, name, targets } => {
                out.insert(key.clone(), references(targets, hit, name, metric));
            }
        }
    }
    out
}

/// A reference property: `null` when the object has none, else its resolved targets (of the
/// classes asked for, dangling ones left out), each with its fragment's fields.
fn references(
    targets: &[RefTarget],
    hit: &SearchHit,
    name: &str,
    metric: Option<Distance>,
) -> Value {
    let stored = hit.object.properties.get(name);
    if stored
        .and_then(Value::as_array)
        .is_none_or(|refs| refs.is_empty())
    {
        return Value::Null;
    }
    let resolved = hit
        .references
        .get(name)
        .map(Vec::as_slice)
        .unwrap_or_default();
    // Weaviate lists the objects fragment by fragment, each in beacon order.
    let rows = targets
        .iter()
        .flat_map(|t| {
            resolved
                .iter()
                .filter(|r| r.object.class == t.class)
                .map(|r| Value::Object(row(&t.fields, &r.as_hit(), metric, None)))
        })
        .collect();
    Value::Array(rows)
}

/// A stored value with only the requested subfields (objects, lists of objects, geo, phone).
fn shaped(shape: &Shape, value: Option<&Value>) -> Value {
    match (shape, value) {
        (_, None) => Value::Null,
        (Shape::Leaf, Some(v)) => v.clone(),
        (Shape::Object(fields), Some(Value::Object(map))) => Value::Object(pick(fields, map)),
        (Shape::Object(_), Some(Value::Array(items))) => {
            Value::Array(items.iter().map(|item| shaped(shape, Some(item))).collect())
        }
        (Shape::Object(_), Some(_)) => Value::Null,
    }
}

fn pick(fields: &[OutField], map: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for field in fields {
        match field {
            OutField::Typename { key, value } => {
                out.insert(key.clone(), Value::String(value.clone()));
            }
            OutField::Value { key, name, shape } => {
                out.insert(key.clone(), shaped(shape, map.get(name)));
            }
            // `_additional` and references only exist on the class level.
            OutField::Additional { .. } | OutField::Reference { .. } => {}
        }
    }
    out
}

fn additional(
    fields: &[AddField],
    hit: &SearchHit,
    metric: Option<Distance>,
    group: Option<&HitGroup>,
) -> Map<String, Value> {
    let object = &hit.object;
    let mut out = Map::new();
    for AddField { key, kind } in fields {
        let value = match kind {
            AddKind::Typename(name) => Value::String(name.clone()),
            AddKind::Id => Value::String(object.id.hyphenated().to_string()),
            // Weaviate marks every result consistent when no check ran (level ONE).
            AddKind::IsConsistent => Value::Bool(hit.is_consistent.unwrap_or(true)),
            AddKind::Distance => hit.distance.map_or(Value::Null, float),
            AddKind::Certainty => match (hit.distance, metric) {
                (Some(d), Some(Distance::Cosine)) => float(1.0 - d / 2.0),
                _ => Value::Null,
            },
            AddKind::Vector => object.default_vector().map_or(Value::Null, |v| vector(v)),
            AddKind::Vectors(targets) => Value::Object(named_vectors(targets, object)),
            AddKind::CreationTimeUnix => Value::String(object.creation_time_ms.to_string()),
            AddKind::LastUpdateTimeUnix => Value::String(object.last_update_time_ms.to_string()),
            AddKind::Score => hit.score.map_or(Value::Null, score),
            AddKind::ExplainScore => hit.explain_score.clone().map_or(Value::Null, Value::String),
            AddKind::Group(fields) => group.map_or(Value::Null, |g| group_value(fields, g, metric)),
        };
        out.insert(key.clone(), value);
    }
    out
}

/// `_additional { group { ... } }`: the group's fields; its hits render like rows.
fn group_value(fields: &[GroupField], group: &HitGroup, metric: Option<Distance>) -> Value {
    let mut out = Map::new();
    for GroupField { key, kind } in fields {
        let value = match kind {
            GroupKind::Typename(name) => Value::String(name.clone()),
            GroupKind::Id => json!(group.id),
            GroupKind::Count => json!(group.hits.len()),
            GroupKind::MinDistance => float(group.min_distance),
            GroupKind::MaxDistance => float(group.max_distance),
            GroupKind::GroupedBy(fields) => grouped_by(fields, &group.property, &group.value),
            GroupKind::Hits(fields) => Value::Array(
                group
                    .hits
                    .iter()
                    .map(|hit| Value::Object(row(fields, hit, metric, None)))
                    .collect(),
            ),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

/// `groupedBy { path value }`: the path as a list, the value as a GraphQL String.
pub(crate) fn grouped_by(fields: &[(String, GroupedByKind)], path: &str, value: &Value) -> Value {
    let mut out = Map::new();
    for (key, kind) in fields {
        let v = match kind {
            GroupedByKind::Typename(name) => Value::String(name.clone()),
            GroupedByKind::Path => json!([path]),
            GroupedByKind::Value => graphql_string(value),
        };
        out.insert(key.clone(), v);
    }
    Value::Object(out)
}

/// A value as a GraphQL `String` field returns it (graphql-go coerces booleans and numbers).
pub(crate) fn graphql_string(value: &Value) -> Value {
    match value {
        Value::Null => Value::Null,
        Value::String(s) => Value::String(s.clone()),
        Value::Number(n) => Value::String(gofmt::string_coercion(n)),
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => Value::String(value.to_string()),
    }
}

/// A score as Weaviate returns it: a string of the float32 value (`"0.8234"`).
fn score(x: f32) -> Value {
    if x.is_finite() {
        Value::String(x.to_string())
    } else {
        Value::Null
    }
}

fn named_vectors(targets: &[OutField], object: &Object) -> Map<String, Value> {
    let mut out = Map::new();
    for field in targets {
        match field {
            OutField::Typename { key, value } => {
                out.insert(key.clone(), Value::String(value.clone()));
            }
            OutField::Value { key, name, .. } => {
                out.insert(
                    key.clone(),
                    object.vectors.get(name).map_or(Value::Null, |v| vector(v)),
                );
            }
            OutField::Additional { .. } | OutField::Reference { .. } => {}
        }
    }
    out
}

fn vector(v: &[f32]) -> Value {
    Value::Array(v.iter().copied().map(float).collect())
}

/// An f32 as the JSON number with the shortest decimal form that reads back as the same f32
/// (`0.1`, not `0.10000000149011612`). Non-finite values, which JSON cannot carry, are null.
fn float(x: f32) -> Value {
    if !x.is_finite() {
        return Value::Null;
    }
    let shortest: f64 = x.to_string().parse().unwrap_or(f64::from(x));
    serde_json::Number::from_f64(shortest).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;

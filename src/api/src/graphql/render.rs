//! Rendering search hits into response rows: only the requested fields, in request order, under
//! their response keys. Missing properties are `null`; timestamps are strings of milliseconds;
//! distances, certainties and vectors are floats.

use coordinator::{SearchHit, SearchResult};
use serde_json::{Map, Value};
use types::schema::Distance;
use types::Object;

use super::select::{AddField, AddKind, OutField, SelectPlan, Shape};

/// One row per hit.
pub(crate) fn rows(plan: &SelectPlan, result: &SearchResult) -> Vec<Value> {
    result
        .hits
        .iter()
        .map(|hit| Value::Object(row(&plan.fields, hit, result.metric)))
        .collect()
}

fn row(fields: &[OutField], hit: &SearchHit, metric: Option<Distance>) -> Map<String, Value> {
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
                out.insert(key.clone(), Value::Object(additional(fields, hit, metric)));
            }
        }
    }
    out
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
            // `_additional` only exists on the class level.
            OutField::Additional { .. } => {}
        }
    }
    out
}

fn additional(
    fields: &[AddField],
    hit: &SearchHit,
    metric: Option<Distance>,
) -> Map<String, Value> {
    let object = &hit.object;
    let mut out = Map::new();
    for AddField { key, kind } in fields {
        let value = match kind {
            AddKind::Typename(name) => Value::String(name.clone()),
            AddKind::Id => Value::String(object.id.hyphenated().to_string()),
            AddKind::Distance => hit.distance.map_or(Value::Null, float),
            AddKind::Certainty => match (hit.distance, metric) {
                (Some(d), Some(Distance::Cosine)) => float(1.0 - d / 2.0),
                _ => Value::Null,
            },
            AddKind::Vector => object.default_vector().map_or(Value::Null, |v| vector(v)),
            AddKind::Vectors(targets) => Value::Object(named_vectors(targets, object)),
            AddKind::CreationTimeUnix => Value::String(object.creation_time_ms.to_string()),
            AddKind::LastUpdateTimeUnix => Value::String(object.last_update_time_ms.to_string()),
        };
        out.insert(key.clone(), value);
    }
    out
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
            OutField::Additional { .. } => {}
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
mod tests {
    use super::*;
    use crate::graphql::select::{AddField, AddKind, OutField, SelectPlan, Shape};
    use serde_json::json;
    use std::collections::BTreeMap;
    use uuid::Uuid;

    fn hit(props: Value, vectors: &[(&str, Vec<f32>)], distance: Option<f32>) -> SearchHit {
        let Value::Object(properties) = props else {
            panic!("props must be an object")
        };
        SearchHit {
            object: Object {
                id: Uuid::from_u128(1),
                class: "Article".into(),
                tenant: None,
                properties,
                vectors: vectors
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect::<BTreeMap<_, _>>(),
                creation_time_ms: 1_718_000_000_000,
                last_update_time_ms: 1_718_000_000_123,
            },
            distance,
        }
    }

    fn val(key: &str, name: &str, shape: Shape) -> OutField {
        OutField::Value {
            key: key.into(),
            name: name.into(),
            shape,
        }
    }

    fn add(key: &str, kind: AddKind) -> AddField {
        AddField {
            key: key.into(),
            kind,
        }
    }

    #[test]
    fn renders_requested_fields_in_order() {
        let plan = SelectPlan {
            fields: vec![
                val("t", "title", Shape::Leaf),
                val("missing", "missing", Shape::Leaf),
                OutField::Additional {
                    key: "_additional".into(),
                    fields: vec![
                        add("certainty", AddKind::Certainty),
                        add("creationTimeUnix", AddKind::CreationTimeUnix),
                        add("distance", AddKind::Distance),
                        add("id", AddKind::Id),
                        add("lastUpdateTimeUnix", AddKind::LastUpdateTimeUnix),
                        add("vector", AddKind::Vector),
                    ],
                },
            ],
            with_vectors: true,
            wants_certainty: true,
        };
        let result = SearchResult {
            hits: vec![hit(
                json!({"title": "x", "other": 1}),
                &[("", vec![0.1, -0.5])],
                Some(0.2),
            )],
            metric: Some(Distance::Cosine),
        };
        let rows = rows(&plan, &result);
        assert_eq!(
            serde_json::to_string(&rows[0]).expect("serialises"),
            r#"{"t":"x","missing":null,"_additional":{"certainty":0.9,"creationTimeUnix":"1718000000000","distance":0.2,"id":"00000000-0000-0000-0000-000000000001","lastUpdateTimeUnix":"1718000000123","vector":[0.1,-0.5]}}"#
        );
    }

    #[test]
    fn nested_lists_geo_and_named_vectors() {
        let plan = SelectPlan {
            fields: vec![
                val(
                    "meta",
                    "meta",
                    Shape::Object(vec![val("tag", "tag", Shape::Leaf)]),
                ),
                val(
                    "loc",
                    "loc",
                    Shape::Object(vec![val("lat", "latitude", Shape::Leaf)]),
                ),
                OutField::Additional {
                    key: "a".into(),
                    fields: vec![
                        add(
                            "vectors",
                            AddKind::Vectors(vec![val("t", "title_vec", Shape::Leaf)]),
                        ),
                        add("vector", AddKind::Vector),
                        add("distance", AddKind::Distance),
                        add("certainty", AddKind::Certainty),
                    ],
                },
            ],
            ..SelectPlan::default()
        };
        let props = json!({"meta": [{"tag": "a", "x": 1}, {"x": 2}], "loc": {"latitude": 52.5, "longitude": 13.4}});
        let result = SearchResult {
            hits: vec![hit(props, &[("title_vec", vec![1.0])], None)],
            metric: None,
        };
        assert_eq!(
            rows(&plan, &result)[0],
            json!({"meta": [{"tag": "a"}, {"tag": null}], "loc": {"lat": 52.5},
                   "a": {"vectors": {"t": [1.0]}, "vector": null, "distance": null, "certainty": null}})
        );
    }

    #[test]
    fn floats_are_shortest_and_finite() {
        assert_eq!(float(0.1).to_string(), "0.1");
        assert_eq!(float(f32::NAN), Value::Null);
        assert_eq!(float(3.0), json!(3.0));
    }
}

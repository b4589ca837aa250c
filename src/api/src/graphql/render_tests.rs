//! Rendering of Get rows: field order, shapes, and the wire types of `_additional`.

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
        score: None,
        explain_score: None,
        is_consistent: None,
        references: Default::default(),
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
        explain_score: false,
    };
    let result = SearchResult {
        hits: vec![hit(
            json!({"title": "x", "other": 1}),
            &[("", vec![0.1, -0.5])],
            Some(0.2),
        )],
        metric: Some(Distance::Cosine),
        groups: Vec::new(),
    };
    let rows = rows(&plan, &result, false);
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
        groups: Vec::new(),
    };
    assert_eq!(
        rows(&plan, &result, false)[0],
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

#[test]
fn scores_are_strings_and_explanations_pass_through() {
    let plan = SelectPlan {
        fields: vec![OutField::Additional {
            key: "_additional".into(),
            fields: vec![
                add("explainScore", AddKind::ExplainScore),
                add("score", AddKind::Score),
            ],
        }],
        ..SelectPlan::default()
    };
    let mut scored = hit(json!({}), &[], None);
    scored.score = Some(0.8234);
    scored.explain_score = Some("(keyword) 0.5, (vector) 0.3".into());
    let unscored = hit(json!({}), &[], Some(0.1));
    let result = SearchResult {
        hits: vec![scored, unscored],
        ..SearchResult::default()
    };
    assert_eq!(
        rows(&plan, &result, false),
        [
            json!({"_additional": {"explainScore": "(keyword) 0.5, (vector) 0.3", "score": "0.8234"}}),
            json!({"_additional": {"explainScore": null, "score": null}}),
        ]
    );
}

#[test]
fn grouped_rows_are_the_first_hit_of_each_group() {
    let group_fields = vec![
        GroupField {
            key: "id".into(),
            kind: GroupKind::Id,
        },
        GroupField {
            key: "groupedBy".into(),
            kind: GroupKind::GroupedBy(vec![
                ("value".into(), GroupedByKind::Value),
                ("path".into(), GroupedByKind::Path),
            ]),
        },
        GroupField {
            key: "count".into(),
            kind: GroupKind::Count,
        },
        GroupField {
            key: "minDistance".into(),
            kind: GroupKind::MinDistance,
        },
        GroupField {
            key: "maxDistance".into(),
            kind: GroupKind::MaxDistance,
        },
        GroupField {
            key: "hits".into(),
            kind: GroupKind::Hits(vec![
                val("title", "title", Shape::Leaf),
                OutField::Additional {
                    key: "_additional".into(),
                    fields: vec![add("distance", AddKind::Distance)],
                },
            ]),
        },
    ];
    let plan = SelectPlan {
        fields: vec![
            val("title", "title", Shape::Leaf),
            OutField::Additional {
                key: "_additional".into(),
                fields: vec![add("group", AddKind::Group(group_fields))],
            },
        ],
        ..SelectPlan::default()
    };
    let group = HitGroup {
        id: 0,
        property: "published".into(),
        value: json!(true),
        min_distance: 0.1,
        max_distance: 0.25,
        hits: vec![
            hit(json!({"title": "a"}), &[], Some(0.1)),
            hit(json!({"title": "b"}), &[], Some(0.25)),
        ],
    };
    let result = SearchResult {
        hits: Vec::new(),
        metric: Some(Distance::Cosine),
        groups: vec![group],
    };
    assert_eq!(
        rows(&plan, &result, true),
        [json!({"title": "a", "_additional": {"group": {
            "id": 0, "groupedBy": {"value": "true", "path": ["published"]}, "count": 2,
            "minDistance": 0.1, "maxDistance": 0.25,
            "hits": [{"title": "a", "_additional": {"distance": 0.1}},
                     {"title": "b", "_additional": {"distance": 0.25}}]}}})]
    );
    assert!(
        rows(&plan, &result, false).is_empty(),
        "ungrouped rows come from hits"
    );
}

#[test]
fn group_without_grouping_is_null() {
    let plan = SelectPlan {
        fields: vec![OutField::Additional {
            key: "a".into(),
            fields: vec![add("group", AddKind::Group(Vec::new()))],
        }],
        ..SelectPlan::default()
    };
    let result = SearchResult {
        hits: vec![hit(json!({}), &[], None)],
        ..SearchResult::default()
    };
    assert_eq!(rows(&plan, &result, false), [json!({"a": {"group": null}})]);
}

#[test]
fn graphql_strings() {
    assert_eq!(graphql_string(&json!("x")), json!("x"));
    assert_eq!(graphql_string(&json!(false)), json!("false"));
    assert_eq!(graphql_string(&json!(3)), json!("3"));
    assert_eq!(graphql_string(&json!(3.0)), json!("3"));
    assert_eq!(graphql_string(&json!(2.5)), json!("2.5"));
    assert_eq!(graphql_string(&Value::Null), Value::Null);
    assert_eq!(score(f32::NAN), Value::Null);
    assert_eq!(score(1.5), json!("1.5"));
}

//! Selection planning: request order, aliases, nested levels, and graphql-go's messages.

use super::*;
use crate::graphql::test_support::{class_from_json, class_items};
use serde_json::json;

fn article() -> Class {
    class_from_json(json!({
        "class": "Article",
        "properties": [
            {"name": "title", "dataType": ["text"]},
            {"name": "loc", "dataType": ["geoCoordinates"]},
            {"name": "phone", "dataType": ["phoneNumber"]},
            {"name": "author", "dataType": ["Author"]},
            {"name": "meta", "dataType": ["object[]"], "nestedProperties": [
                {"name": "tag", "dataType": ["text"]},
                {"name": "inner", "dataType": ["object"], "nestedProperties": [
                    {"name": "n", "dataType": ["int"]}]}]}
        ]
    }))
}

fn planned(src: &str) -> (SelectPlan, Diag) {
    let class = article();
    let items = class_items(src);
    let refs: Vec<&QSelection> = items.iter().collect();
    let mut diag = Diag::default();
    let classes = super::super::Classes::from([(class.class.clone(), class.clone())]);
    let plan = plan(&class, &classes, &refs, &mut diag);
    (plan, diag)
}

fn value(key: &str, shape: Shape) -> OutField {
    OutField::Value {
        key: key.into(),
        name: key.into(),
        shape,
    }
}

#[test]
fn additional_in_request_order_with_flags() {
    let (plan, diag) =
        planned("{title _additional {creationTimeUnix id lastUpdateTimeUnix vector }}");
    assert!(
        diag.invalid.is_empty() && diag.unsupported.is_none(),
        "{diag:?}"
    );
    assert!(plan.with_vectors && !plan.wants_certainty);
    let OutField::Additional { fields, .. } = &plan.fields[1] else {
        panic!("{:?}", plan.fields[1])
    };
    let kinds: Vec<&AddKind> = fields.iter().map(|f| &f.kind).collect();
    assert_eq!(
        kinds,
        [
            &AddKind::CreationTimeUnix,
            &AddKind::Id,
            &AddKind::LastUpdateTimeUnix,
            &AddKind::Vector
        ]
    );
}

#[test]
fn nested_geo_and_aliases() {
    let (plan, diag) = planned("{t: title loc {latitude} meta {tag inner {n}}}");
    assert!(diag.invalid.is_empty(), "{diag:?}");
    assert_eq!(
        plan.fields[0],
        OutField::Value {
            key: "t".into(),
            name: "title".into(),
            shape: Shape::Leaf
        }
    );
    assert_eq!(
        plan.fields[1],
        value("loc", Shape::Object(vec![value("latitude", Shape::Leaf)]))
    );
    assert_eq!(
        plan.fields[2],
        value(
            "meta",
            Shape::Object(vec![
                value("tag", Shape::Leaf),
                value("inner", Shape::Object(vec![value("n", Shape::Leaf)])),
            ])
        )
    );
}

#[test]
fn validation_messages() {
    let (_, diag) = planned("{noSuchProperty title {x} loc meta {nope} _additional {vectors {a}}}");
    let messages: Vec<&str> = diag.invalid.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Cannot query field \"noSuchProperty\" on type \"Article\".",
            "Field \"title\" of type \"String\" must not have a sub selection.",
            "Field \"loc\" of type \"ArticlelocGeoCoordinatesObj\" must have a sub selection.",
            "Cannot query field \"nope\" on type \"Article_meta_object\".",
            "Cannot query field \"vectors\" on type \"ArticleAdditional\".",
        ]
    );
}

#[test]
fn unsupported_fields_are_deferred() {
    let (_, diag) = planned("{_additional { classification { id } }}");
    assert!(diag
        .unsupported
        .expect("refused")
        .message
        .contains("classification"));
}

#[test]
fn score_and_explain_score() {
    let (plan, diag) = planned("{title _additional {explainScore score }}");
    assert!(
        diag.invalid.is_empty() && diag.unsupported.is_none(),
        "{diag:?}"
    );
    assert!(plan.explain_score && !plan.with_vectors);
    let OutField::Additional { fields, .. } = &plan.fields[1] else {
        panic!("{:?}", plan.fields[1])
    };
    let kinds: Vec<&AddKind> = fields.iter().map(|f| &f.kind).collect();
    assert_eq!(kinds, [&AddKind::ExplainScore, &AddKind::Score]);
    let (plan, _) = planned("{_additional {score}}");
    assert!(!plan.explain_score);
}

#[test]
fn group_with_hits() {
    let (plan, diag) = planned(
        "{_additional { group { id groupedBy { path value } count minDistance maxDistance \
         hits { title meta { tag } _additional { id distance vector } } } }}",
    );
    assert!(
        diag.invalid.is_empty() && diag.unsupported.is_none(),
        "{diag:?}"
    );
    assert!(plan.with_vectors, "hits ask for their vectors");
    let OutField::Additional { fields, .. } = &plan.fields[0] else {
        panic!("{:?}", plan.fields[0])
    };
    let AddKind::Group(group) = &fields[0].kind else {
        panic!("{:?}", fields[0])
    };
    let kinds: Vec<&GroupKind> = group.iter().map(|f| &f.kind).collect();
    assert_eq!(kinds[0], &GroupKind::Id);
    assert_eq!(
        kinds[1],
        &GroupKind::GroupedBy(vec![
            ("path".into(), GroupedByKind::Path),
            ("value".into(), GroupedByKind::Value)
        ])
    );
    assert_eq!(
        &kinds[2..5],
        [
            &GroupKind::Count,
            &GroupKind::MinDistance,
            &GroupKind::MaxDistance
        ]
    );
    let GroupKind::Hits(hits) = kinds[5] else {
        panic!("{:?}", kinds[5])
    };
    assert_eq!(hits[0], value("title", Shape::Leaf));
    assert_eq!(
        hits[2],
        OutField::Additional {
            key: "_additional".into(),
            fields: vec![
                AddField {
                    key: "id".into(),
                    kind: AddKind::Id
                },
                AddField {
                    key: "distance".into(),
                    kind: AddKind::Distance
                },
                AddField {
                    key: "vector".into(),
                    kind: AddKind::Vector
                },
            ]
        }
    );
}

#[test]
fn group_type_names_in_messages() {
    let (_, diag) = planned(
        "{_additional { group { nope groupedBy { x } hits { _additional { certainty } } } }}",
    );
    let messages: Vec<&str> = diag.invalid.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Cannot query field \"nope\" on type \"ArticleAdditionalGroup\".",
            "Cannot query field \"x\" on type \"ArticleAdditionalGroupGroupedBy\".",
            "Cannot query field \"certainty\" on type \"ArticleAdditionalGroupHitsAdditional\".",
        ]
    );
    let (_, diag) = planned("{_additional { group { hits } }}");
    assert_eq!(
        diag.invalid[0].message,
        "Field \"hits\" of type \"[ArticleAdditionalGroupHits]\" must have a sub selection."
    );
}

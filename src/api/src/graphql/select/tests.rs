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
    let plan = plan(&class, &refs, &mut diag);
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
    let (_, diag) = planned("{author { ... on Author { name } }}");
    assert!(diag.invalid.is_empty());
    assert!(diag
        .unsupported
        .expect("refused")
        .message
        .contains("cross-reference"));
    let (_, diag) = planned("{_additional { score }}");
    assert!(diag.unsupported.expect("refused").message.contains("score"));
}

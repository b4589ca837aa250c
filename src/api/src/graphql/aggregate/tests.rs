//! Aggregate end to end against a fake backend: the strings the v3 client writes
//! (client-wire.md 2.2), the fields of each property type, Weaviate's argument rules, and the
//! rendering of rows (nulls, grouping, top occurrences).

use std::collections::{BTreeMap, HashMap};

use model::{AggregateResult, AggregateRow, PropertyAggregate, Threshold, VectorSearch};
use serde_json::{json, Value};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};

use crate::graphql::test_support::{class_from_json, messages, run_query, FakeBackend};

fn shop() -> FakeBackend {
    let shop = class_from_json(json!({"class": "Shop", "properties": [
        {"name": "category", "dataType": ["text"]}, {"name": "price", "dataType": ["int"]},
        {"name": "rating", "dataType": ["number[]"]}, {"name": "available", "dataType": ["boolean"]},
        {"name": "when", "dataType": ["date"]}, {"name": "loc", "dataType": ["geoCoordinates"]},
        {"name": "ref", "dataType": ["uuid"]}, {"name": "maker", "dataType": ["Shop"]}]}));
    let mt = class_from_json(json!({"class": "Mt", "multiTenancyConfig": {
        "enabled": true, "autoTenantCreation": false, "autoTenantActivation": false}}));
    FakeBackend {
        classes: vec![shop, mt],
        aggregates: HashMap::from([
            ("Shop".to_string(), result()),
            ("Mt".to_string(), AggregateResult::default()),
        ]),
        ..FakeBackend::default()
    }
}

fn result() -> AggregateResult {
    let properties = BTreeMap::from([
        (
            "price".to_string(),
            PropertyAggregate::Numeric {
                count: 3,
                minimum: Some(1.0),
                maximum: Some(7.0),
                mean: Some(4.0),
                median: Some(4.0),
                mode: Some(1.0),
                sum: Some(12.0),
            },
        ),
        (
            "category".to_string(),
            PropertyAggregate::Text {
                count: 3,
                top_occurrences: vec![("a".into(), 2), ("b".into(), 1)],
            },
        ),
        (
            "available".to_string(),
            PropertyAggregate::Boolean {
                count: 3,
                total_true: 2,
                total_false: 1,
                percentage_true: 2.0 / 3.0,
                percentage_false: 1.0 / 3.0,
            },
        ),
        (
            "when".to_string(),
            PropertyAggregate::Date {
                count: 0,
                minimum: None,
                maximum: None,
                median: None,
                mode: None,
            },
        ),
    ]);
    AggregateResult {
        rows: vec![AggregateRow {
            grouped_by: None,
            count: 3,
            properties,
        }],
    }
}

fn data(b: &FakeBackend, q: &str) -> Value {
    let (status, body) = run_query(b, q);
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{q}: {body}");
    body["data"]["Aggregate"]["Shop"].clone()
}

#[test]
fn captured_where_and_numeric_fields() {
    let b = shop();
    let rows = data(
        &b,
        r#"{Aggregate{Shop(where: {path: ["available"] operator: Equal valueBoolean: true} ){meta{count}price { count mean maximum }}}}"#,
    );
    assert_eq!(
        rows,
        json!([{"meta": {"count": 3}, "price": {"count": 3, "mean": 4.0, "maximum": 7.0}}])
    );
    let q = &b.aggregate_queries()[0];
    assert_eq!(
        q.filter,
        Some(Filter::Condition(Condition {
            path: FilterPath::Property("available".into()),
            operator: Operator::Equal,
            value: FilterValue::Boolean(true),
        }))
    );
    assert_eq!(
        (q.properties.clone(), q.group_by.clone()),
        (vec!["price".to_string()], None)
    );
}

#[test]
fn captured_group_by() {
    let mut b = shop();
    let group = |value: Value, count| AggregateRow {
        grouped_by: Some(("available".into(), value)),
        count,
        properties: BTreeMap::new(),
    };
    b.aggregates.insert(
        "Shop".into(),
        AggregateResult {
            rows: vec![group(json!(true), 2), group(json!(false), 1)],
        },
    );
    let rows = data(
        &b,
        r#"{Aggregate{Shop(groupBy: ["available"]){groupedBy { value path } meta { count }}}}"#,
    );
    assert_eq!(
        rows,
        json!([{"groupedBy": {"value": "true", "path": ["available"]}, "meta": {"count": 2}},
               {"groupedBy": {"value": "false", "path": ["available"]}, "meta": {"count": 1}}])
    );
    assert_eq!(
        b.aggregate_queries()[0].group_by.as_deref(),
        Some("available")
    );
    let rows = data(&b, "{Aggregate{Shop{groupedBy { value }}}}");
    assert_eq!(rows[0]["groupedBy"]["value"], "true");
    b.aggregates.insert("Shop".into(), result());
    assert_eq!(
        data(&b, "{Aggregate{Shop{groupedBy { value }}}}"),
        json!([{"groupedBy": null}]),
        "ungrouped rows have no groupedBy"
    );
}

#[test]
fn captured_near_vector_with_object_limit() {
    let b = shop();
    data(
        &b,
        "{Aggregate{Shop(nearVector: {vector: [0.1, 0.2, 0.3] distance: 0.5} objectLimit: 100){meta{count}}}}",
    );
    data(
        &b,
        "{Aggregate{Shop(nearVector: {vector: [0.1, 0.2, 0.3]} objectLimit: 7 limit: 2){meta{count}}}}",
    );
    let queries = b.aggregate_queries();
    assert!(matches!(
        queries[0].vector_search,
        Some(VectorSearch::NearVector {
            threshold: Some(Threshold::Distance(_)),
            ..
        })
    ));
    assert_eq!(queries[0].object_limit, Some(100));
    assert_eq!(
        (queries[1].object_limit, queries[1].limit),
        (Some(7), Some(2))
    );
    data(
        &b,
        r#"{Aggregate{Shop(hybrid: {query: "x"} objectLimit: 5){meta{count}}}}"#,
    );
    assert!(b.aggregate_queries()[2].hybrid.is_some());
}

#[test]
fn every_field_of_each_type() {
    let b = shop();
    let rows = data(
        &b,
        "{Aggregate{Shop{__typename \
         price { count minimum maximum mean median mode sum type } \
         category { count type topOccurrences(limit: 1) { value occurs } all: topOccurrences { value } } \
         available { count totalTrue totalFalse percentageTrue percentageFalse type } \
         when { count minimum maximum median mode } \
         rating { type mean }}}}",
    );
    assert_eq!(
        rows,
        json!([{"__typename": "AggregateShop",
            "price": {"count": 3, "minimum": 1.0, "maximum": 7.0, "mean": 4.0, "median": 4.0,
                      "mode": 1.0, "sum": 12.0, "type": "int"},
            "category": {"count": 3, "type": "text", "topOccurrences": [{"value": "a", "occurs": 2}],
                         "all": [{"value": "a"}, {"value": "b"}]},
            "available": {"count": 3, "totalTrue": 2, "totalFalse": 1,
                          "percentageTrue": 2.0 / 3.0, "percentageFalse": 1.0 / 3.0, "type": "boolean"},
            "when": {"count": 0, "minimum": null, "maximum": null, "median": null, "mode": null},
            "rating": {"type": "number[]", "mean": null}}])
    );
    let q = &b.aggregate_queries()[0];
    assert_eq!(
        q.properties,
        ["price", "category", "available", "when", "rating"]
    );
    assert_eq!(
        q.top_occurrences_limit,
        Some(5),
        "the largest limit asked for"
    );
}

#[test]
fn field_validation_messages() {
    let b = shop();
    let (_, body) = run_query(
        &b,
        "{Aggregate{Shop{loc { count } ref { count } when { type } \
         category { mean topOccurrences(limit: \"x\", n: 1) } meta { total } p: price \
         q: price { count { x } }}}}",
    );
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(
        messages(&body),
        [
            "Cannot query field \"loc\" on type \"AggregateShop\".",
            "Cannot query field \"ref\" on type \"AggregateShop\".",
            "Cannot query field \"type\" on type \"AggregateShopwhenObj\".",
            "Cannot query field \"mean\" on type \"AggregateShopcategoryObj\".",
            "Argument \"limit\" has invalid value \"x\".\nExpected type \"Int\", found \"x\".",
            "Unknown argument \"n\" on field \"topOccurrences\" of type \"AggregateShopcategoryObj\".",
            "Field \"topOccurrences\" of type \"[AggregateShopcategoryTopOccurrencesObj]\" must have a sub selection.",
            "Cannot query field \"total\" on type \"AggregateShopMetaObject\".",
            "Field \"price\" of type \"AggregateShoppriceObj\" must have a sub selection.",
            "Field \"count\" of type \"Int\" must not have a sub selection.",
        ]
    );
    let (_, body) = run_query(&b, "{Aggregate{Shop{maker { type }}}}");
    assert_eq!(body["data"]["Aggregate"]["Shop"], Value::Null);
    assert_eq!(
        messages(&body),
        ["aggregating the cross-reference property \"maker\" is not supported by Shoal yet"]
    );
}

fn refused(b: &FakeBackend, q: &str) -> String {
    let (_, body) = run_query(b, q);
    assert_eq!(
        body["data"]["Aggregate"]["Shop"],
        Value::Null,
        "{q}: {body}"
    );
    messages(&body).join("; ")
}

#[test]
fn argument_rules() {
    let b = shop();
    let cases = [
        ("groupBy: []", "could not extract groupBy path: missing an argument after 'Shop'"),
        (r#"groupBy: ["a", "b"]"#, "could not extract groupBy path: missing an argument after 'b'"),
        (
            r#"groupBy: ["maker", "Shop", "price"]"#,
            "could not extract groupBy path: grouping by 'maker.Shop.price' is not supported: group by a property of the class",
        ),
        (r#"groupBy: ["_id"]"#, "could not extract groupBy path: grouping by '_id' is not supported: group by a property of the class"),
        ("nearVector: {vector: [1]} objectLimit: 0", "objectLimit must be a positive integer"),
        ("nearVector: {vector: [1]}", "must provide certainty or objectLimit with vector search"),
        (
            r#"where: {operator: And operands: []}"#,
            "could not extract filters: invalid where filter: operator 'And', but no operands set - add at least one operand",
        ),
        (
            r#"nearVector: {vector: [1]} hybrid: {query: "x"} objectLimit: 1"#,
            "conflict: both near<Media> and hybrid arguments present, choose one",
        ),
        (
            r#"hybrid: {query: "x", alpha: -0.1}"#,
            "failed to extract hybrid params: alpha should be between 0.0 and 1.0",
        ),
    ];
    for (args, message) in cases {
        assert_eq!(
            refused(
                &b,
                &format!("{{Aggregate{{Shop({args}){{meta{{count}}}}}}}}")
            ),
            message,
            "{args}"
        );
    }
    assert!(b.aggregate_queries().is_empty());
}

#[test]
fn tenant_only_on_multi_tenant_classes() {
    let b = shop();
    let (_, body) = run_query(&b, r#"{Aggregate{Mt(tenant: "t1"){meta{count}}}}"#);
    assert_eq!(body, json!({"data": {"Aggregate": {"Mt": []}}}));
    assert_eq!(b.aggregate_queries()[0].tenant.as_deref(), Some("t1"));
    let (_, body) = run_query(&b, r#"{Aggregate{Shop(tenant: "t1"){meta{count}}}}"#);
    assert_eq!(
        messages(&body),
        ["Unknown argument \"tenant\" on field \"Shop\" of type \"AggregateObjectsObj\"."]
    );
}

#[test]
fn backend_errors_null_the_class() {
    let mut b = shop();
    b.fail.insert("Shop".into(), "no such prop".into());
    let (_, body) = run_query(
        &b,
        "{Aggregate{Shop{meta{count}} Mt(tenant: \"t\"){meta{count}}}}",
    );
    assert_eq!(body["data"], json!({"Aggregate": {"Shop": null, "Mt": []}}));
    assert_eq!(body["errors"][0]["path"], json!(["Aggregate", "Shop"]));
}

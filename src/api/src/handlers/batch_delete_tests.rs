//! `DELETE /v1/batch/objects`: request checks and the response shapes.

use serde_json::json;
use uuid::Uuid;

use super::*;
use types::filter::{Condition, FilterPath, FilterValue, Operator};

fn message(body: Value) -> (StatusCode, String) {
    let err = parse(&body).expect_err("must be refused");
    (err.status(), err.message().to_string())
}

#[test]
fn captured_request() {
    let request = parse(
        &json!({"match": {"class": "Doc", "where": {"path": ["text"],
        "operator": "Equal", "valueText": "t1"}}, "output": "minimal", "dryRun": true}),
    )
    .expect("valid");
    assert_eq!(request.class, "Doc");
    assert!(request.dry_run && !request.verbose);
    assert_eq!(
        request.filter,
        Filter::Condition(Condition {
            path: FilterPath::Property("text".into()),
            operator: Operator::Equal,
            value: FilterValue::Text("t1".into()),
        })
    );
    let request = parse(&json!({"match": {"class": "Doc", "where": {"path": ["n"],
        "operator": "ContainsAny", "valueIntArray": [1]}}, "output": "verbose"}))
    .expect("valid");
    assert!(request.verbose && !request.dry_run);
}

#[test]
fn missing_parts_are_422_with_weaviate_messages() {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let cases = [
        (json!({}), "validate: empty match clause"),
        (json!({"match": null}), "validate: empty match clause"),
        (json!({"match": {}}), "validate: empty match.class clause"),
        (json!({"match": {"class": ""}}), "validate: empty match.class clause"),
        (json!({"match": {"class": "Doc"}}), "validate: empty match.where clause"),
        (
            json!({"match": {"class": "Doc", "where": {"path": [], "operator": "Equal", "valueText": "x"}}}),
            "validate: failed to parse where filter: invalid where filter: field 'path': must have at least one element",
        ),
        (
            json!({"match": {"class": "Doc", "where": {"path": ["a"], "operator": "Equal", "valueText": "x"}}, "output": "Simplified Chinese"}),
            "validate: invalid output: \"Simplified Chinese\", possible values are: \"minimal\", \"verbose\"",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(
            message(body.clone()),
            (unprocessable, expected.to_string()),
            "{body}"
        );
    }
}

#[test]
fn wrong_json_types_are_swagger_errors() {
    assert_eq!(
        message(
            json!({"match": {"class": "Doc", "where": {"path": ["a"], "operator": "Equal", "valueInt": "1"}}})
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "match.where.valueInt in body must be of type int64: \"string\"".to_string()
        )
    );
    assert_eq!(
        message(json!({"match": {"class": "Doc", "where": {"path": ["a"], "operator": "Equal", "valueInt": 1}}, "dryRun": "yes"})).1,
        "dryRun in body must be of type boolean: \"string\""
    );
    assert_eq!(
        message(json!([1])).1,
        "body in body must be of type object: \"array\""
    );
}

fn request(verbose: bool, dry_run: bool) -> Request {
    Request {
        class: "Doc".into(),
        where_json: json!({"path": ["a"], "operator": "Equal", "valueInt": 1}),
        filter: Filter::And(Vec::new()),
        verbose,
        dry_run,
        deletion_time: None,
    }
}

fn outcome() -> BatchDeleteResult {
    BatchDeleteResult {
        class: "Doc".into(),
        matches: 2,
        limit: 10_000,
        successful: 1,
        failed: 1,
        objects: vec![
            (Uuid::from_u128(1), None),
            (Uuid::from_u128(2), Some("disk full".into())),
        ],
    }
}

const ID1: &str = "00000000-0000-0000-0000-000000000001";
const ID2: &str = "00000000-0000-0000-0000-000000000002";

#[test]
fn minimal_output_lists_only_failures() {
    assert_eq!(
        response(&request(false, false), &outcome(), 10_000),
        json!({"match": {"class": "Doc", "where": {"path": ["a"], "operator": "Equal", "valueInt": 1}},
               "output": "minimal", "dryRun": false,
               "results": {"matches": 2, "limit": 10000, "successful": 1, "failed": 1,
                           "objects": [{"id": ID2, "status": "FAILED",
                                        "errors": {"error": [{"message": "disk full"}]}}]}})
    );
}

#[test]
fn verbose_output_lists_everything() {
    let body = response(&request(true, false), &outcome(), 10_000);
    assert_eq!(body["output"], "verbose");
    assert_eq!(
        body["results"]["objects"],
        json!([{"id": ID1, "status": "SUCCESS"},
               {"id": ID2, "status": "FAILED", "errors": {"error": [{"message": "disk full"}]}}])
    );
}

#[test]
fn dry_runs_and_empty_results() {
    let dry = BatchDeleteResult {
        class: "Doc".into(),
        matches: 1,
        limit: 0,
        successful: 0,
        failed: 0,
        objects: vec![(Uuid::from_u128(1), None)],
    };
    let body = response(&request(true, true), &dry, 10_000);
    assert_eq!(body["dryRun"], true);
    assert_eq!(
        body["results"]["limit"], 10_000,
        "QUERY_MAXIMUM_RESULTS when unset"
    );
    assert_eq!(
        body["results"]["objects"],
        json!([{"id": ID1, "status": "DRYRUN"}])
    );
    let body = response(&request(false, true), &dry, 10_000);
    assert_eq!(
        body["results"]["objects"],
        Value::Null,
        "minimal lists no dry runs"
    );
    let body = response(&request(false, false), &BatchDeleteResult::default(), 7);
    assert_eq!(
        body["results"],
        json!({"matches": 0, "limit": 7, "successful": 0, "failed": 0, "objects": null})
    );
    let mut timed = request(false, false);
    timed.deletion_time = Some(json!(1_718_000_000_000i64));
    assert_eq!(
        response(&timed, &BatchDeleteResult::default(), 7)["deletionTimeUnixMilli"],
        1_718_000_000_000i64
    );
}

#[test]
fn the_answer_names_the_class_an_alias_stood_for() {
    let mut through_alias = request(false, false);
    through_alias.class = "DocAlias".into();
    let body = response(&through_alias, &outcome(), 10_000);
    assert_eq!(body["match"]["class"], "Doc");
}

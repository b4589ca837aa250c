//! End-to-end tests of `run` against a fake backend: response shapes, error shapes and statuses.

use std::collections::HashMap;

use model::{AggregateResult, AggregateRow};
use serde_json::{json, Value};
use types::schema::Distance;

use super::test_support::{
    class_from_json, hit, messages, named_vector, object, run_body, run_query, FakeBackend,
};

fn backend() -> FakeBackend {
    let article = class_from_json(json!({"class": "Article", "properties": [
        {"name": "title", "dataType": ["text"]}, {"name": "wordCount", "dataType": ["int"]}]}));
    let author = class_from_json(
        json!({"class": "Author", "properties": [{"name": "name", "dataType": ["text"]}]}),
    );
    let named =
        class_from_json(json!({"class": "Named", "vectorConfig": {"v1": named_vector("cosine")}}));
    let hits = HashMap::from([
        (
            "Article".to_string(),
            vec![
                hit(
                    object(
                        "Article",
                        1,
                        json!({"title": "fox", "wordCount": 120}),
                        Some(vec![0.1, 0.2]),
                    ),
                    Some(0.0),
                ),
                hit(
                    object("Article", 2, json!({"title": "dogs"}), Some(vec![0.3, 0.2])),
                    Some(0.25),
                ),
            ],
        ),
        (
            "Author".to_string(),
            vec![hit(object("Author", 9, json!({"name": "Ada"}), None), None)],
        ),
    ]);
    FakeBackend {
        classes: vec![article, author, named],
        hits,
        metric: Some(Distance::Cosine),
        aggregates: HashMap::from([(
            "Article".to_string(),
            AggregateResult {
                rows: vec![AggregateRow {
                    count: 4,
                    ..AggregateRow::default()
                }],
            },
        )]),
        ..FakeBackend::default()
    }
}

#[test]
fn get_renders_rows_with_aliases_and_several_classes() {
    let b = backend();
    let (status, body) = run_query(&b, "{Get{a: Article{title n: wordCount _additional{distance certainty id}} Author(limit: 1 ){name}}}");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"data": {"Get": {
            "a": [
                {"title": "fox", "n": 120, "_additional": {"distance": 0.0, "certainty": 1.0, "id": "00000000-0000-0000-0000-000000000001"}},
                {"title": "dogs", "n": null, "_additional": {"distance": 0.25, "certainty": 0.875, "id": "00000000-0000-0000-0000-000000000002"}}],
            "Author": [{"name": "Ada"}]}}})
    );
    let searched: Vec<String> = b.queries().into_iter().map(|q| q.class).collect();
    assert_eq!(searched, ["Article", "Author"]);
}

#[test]
fn a_collection_alias_answers_under_its_name_and_queries_its_class() {
    let mut b = backend();
    b.aliases.insert("Story".into(), "Article".into());
    let (status, body) = run_query(&b, "{Get{Story{title}} Aggregate{Story{meta{count}}}}");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"data": {"Get": {"Story": [{"title": "fox"}, {"title": "dogs"}]},
                        "Aggregate": {"Story": [{"meta": {"count": 4}}]}}})
    );
    // The class runs by its own name: planned and run on one snapshot of the alias.
    assert_eq!(b.queries()[0].class, "Article");
    assert_eq!(b.aggregate_queries()[0].class, "Article");
}

#[test]
fn timestamps_are_strings_and_vectors_are_loaded_on_request() {
    let b = backend();
    let (_, body) = run_query(
        &b,
        "{Get{Article{_additional {creationTimeUnix lastUpdateTimeUnix vector }}}}",
    );
    let first = &body["data"]["Get"]["Article"][0]["_additional"];
    assert_eq!(
        first,
        &json!({"creationTimeUnix": "1700000000001", "lastUpdateTimeUnix": "1700000000501", "vector": [0.1, 0.2]})
    );
    assert!(b.queries()[0].with_vectors);
    let (_, _) = run_query(&b, "{Get{Article{title}}}");
    assert!(!b.queries()[1].with_vectors);
}

#[test]
fn get_and_aggregate_in_one_query() {
    let (status, body) = run_query(
        &backend(),
        "{Get{Author{name}} Aggregate{Article{meta{count}}}}",
    );
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"data": {"Get": {"Author": [{"name": "Ada"}]}, "Aggregate": {"Article": [{"meta": {"count": 4}}]}}})
    );
}

#[test]
fn parse_errors_have_no_data() {
    for q in [
        "{Get{Article(limit: ){title}}}",
        "{Get{Article{title}",
        "{Get{Article(limit: 1 limit: 2){title}}}x",
    ] {
        let (status, body) = run_query(&backend(), q);
        assert_eq!(status, 200);
        assert!(body.get("data").is_none(), "{q}: {body}");
        let error = &body["errors"][0];
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("Syntax Error")),
            "{body}"
        );
        assert_eq!(error["path"], Value::Null);
        assert!(error["locations"][0]["line"].as_u64() == Some(1), "{body}");
    }
}

#[test]
fn validation_errors_have_no_data_and_run_nothing() {
    let b = backend();
    let (status, body) = run_query(
        &b,
        "{Get{NoSuchClassAnywhere123{title} Article{noSuchProperty}}}",
    );
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"errors": [
            {"locations": [{"column": 6, "line": 1}], "message": "Cannot query field \"NoSuchClassAnywhere123\" on type \"GetObjectsObj\".", "path": null},
            {"locations": [{"column": 44, "line": 1}], "message": "Cannot query field \"noSuchProperty\" on type \"Article\".", "path": null}]})
    );
    assert!(b.queries().is_empty());
}

#[test]
fn resolver_errors_null_their_class_only() {
    let mut b = backend();
    b.fail.insert("Article".into(), "vector not found".into());
    let (status, body) = run_query(&b, "{Get{Author{name} Article(nearObject: {id: \"11111111-1111-1111-1111-111111111111\"}){title}}}");
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        json!({"Get": {"Author": [{"name": "Ada"}], "Article": null}})
    );
    assert_eq!(
        body["errors"],
        json!([{"locations": [{"column": 19, "line": 1}], "message": "vector not found", "path": ["Get", "Article"]}])
    );
}

#[test]
fn unsupported_arguments_are_resolver_errors() {
    let b = backend();
    let (_, body) = run_query(
        &b,
        "{Get{Article(group: {type: merge, force: 0.5}){title} Author{name}}}",
    );
    assert_eq!(body["data"]["Get"]["Article"], Value::Null);
    assert_eq!(body["data"]["Get"]["Author"], json!([{"name": "Ada"}]));
    assert_eq!(
        messages(&body),
        ["argument \"group\" of Get.Article is not supported by Shoal yet"]
    );
    assert_eq!(body["errors"][0]["path"], json!(["Get", "Article"]));
}

#[test]
fn certainty_on_a_non_cosine_search_result_is_an_error() {
    let mut b = backend();
    b.metric = Some(Distance::L2Squared);
    let (_, body) = run_query(
        &b,
        "{Get{Article(nearVector: {vector: [1, 0]}){_additional{certainty}}}}",
    );
    assert_eq!(body["data"]["Get"]["Article"], Value::Null);
    assert_eq!(messages(&body), ["can't compute and return certainty when vector index is configured with l2-squared distance"]);
}

#[test]
fn request_level_errors_are_422() {
    let b = backend();
    for body in [
        json!({"query": ""}),
        json!({}),
        json!({"query": null}),
        json!([1]),
        json!("{Get{Article{title}}}"),
    ] {
        let (status, answer) = run_body(&b, &body);
        assert_eq!(status, 422, "{body}");
        assert!(
            answer["error"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
    }
    assert_eq!(
        run_body(&b, &json!({"query": ""})).1,
        json!({"error": [{"message": "query cannot be empty"}]})
    );
    let empty = FakeBackend::default();
    let (status, answer) = run_query(&empty, "{Get{Anything{title}}}");
    assert_eq!(status, 422);
    assert!(answer["error"][0]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("no graphql provider present")));
}

#[test]
fn operations_and_variables() {
    let b = backend();
    let body = json!({
        "query": "query Q($l: Int = 5, $v: [Float]) { Get { Article(limit: $l nearVector: {vector: $v}) { title } } } query R { Get { Author { name } } }",
        "operationName": "Q",
        "variables": {"v": [1, 0.5]}
    });
    let (status, answer) = run_body(&b, &body);
    assert_eq!(status, 200, "{answer}");
    assert!(answer.get("errors").is_none(), "{answer}");
    assert_eq!(b.queries()[0].limit, Some(5));
    let (_, answer) = run_body(
        &b,
        &json!({"query": "query Q { Get { Author { name } } } query R { Get { Author { name } } }"}),
    );
    assert_eq!(
        messages(&answer),
        ["Must provide operation name if query contains multiple operations."]
    );
    let (_, answer) = run_query(&b, "{Get{Article(limit: $nope){title}}}");
    assert_eq!(messages(&answer), ["Variable \"$nope\" is not defined."]);
    let (_, answer) = run_query(&b, "mutation { Get { Author { name } } }");
    assert!(answer.get("data").is_none() && !messages(&answer).is_empty());
}

#[test]
fn typename_explore_and_unknown_roots() {
    let b = backend();
    let (_, body) = run_query(&b, "{__typename Get{__typename Author{__typename name}}}");
    assert_eq!(
        body,
        json!({"data": {"__typename": "WeaviateObj", "Get": {"__typename": "GetObjectsObj", "Author": [{"__typename": "Author", "name": "Ada"}]}}})
    );
    let (_, body) = run_query(&b, "{Explore(nearVector: {vector: [1]}){beacon}}");
    assert_eq!(body["data"], json!({"Explore": null}));
    assert_eq!(body["errors"][0]["path"], json!(["Explore"]));
    let (_, body) = run_query(&b, "{Nope{x} Get(limit: 1){Author{name}} Get2: Get}");
    assert_eq!(
        messages(&body),
        [
            "Cannot query field \"Nope\" on type \"WeaviateObj\".",
            "Unknown argument \"limit\" on field \"Get\" of type \"WeaviateObj\".",
            "Field \"Get\" of type \"GetObjectsObj\" must have a sub selection.",
        ]
    );
}

#[test]
fn named_vectors_under_additional() {
    let mut b = backend();
    let mut o = object("Named", 3, json!({}), None);
    o.vectors.insert("v1".into(), vec![1.0, 0.0]);
    b.hits.insert("Named".into(), vec![hit(o, None)]);
    let (_, body) = run_query(&b, "{Get{Named{_additional{vectors{v1} vector}}}}");
    assert_eq!(
        body,
        json!({"data": {"Get": {"Named": [{"_additional": {"vectors": {"v1": [1.0, 0.0]}, "vector": null}}]}}})
    );
    let (_, body) = run_query(&b, "{Get{Named{_additional{vectors{nope}}}}}");
    assert_eq!(
        messages(&body),
        ["Cannot query field \"nope\" on type \"NamedAdditionalVectors\"."]
    );
}

#[test]
fn aggregate_errors() {
    let b = backend();
    let (_, body) = run_query(
        &b,
        "{Aggregate{Article(nearText: {concepts: [\"x\"]}){meta{count}}}}",
    );
    assert_eq!(body["data"], json!({"Aggregate": {"Article": null}}));
    assert_eq!(
        messages(&body),
        ["argument \"nearText\" of Aggregate.Article is not supported by Shoal: it needs a text \
          vectorizer module, and Shoal only has vectorizer \"none\" (use nearVector)"]
    );
    let (_, body) = run_query(&b, "{Aggregate{Nope{meta{count}}}}");
    assert_eq!(
        messages(&body),
        ["Cannot query field \"Nope\" on type \"AggregateObjectsObj\"."]
    );
    let (_, body) = run_query(&b, "{Aggregate{Article(objectLimit: 3){meta{count}}}}");
    assert_eq!(body["data"], json!({"Aggregate": {"Article": null}}));
    assert_eq!(
        messages(&body),
        ["objectLimit can only be used with a near<Media> or hybrid filter"]
    );
    assert!(
        b.aggregate_queries().is_empty(),
        "refused queries run nothing"
    );
}

#[test]
fn bm25_scores_through_the_backend() {
    let mut b = backend();
    let mut scored = hit(object("Article", 5, json!({"title": "fox"}), None), None);
    scored.score = Some(1.25);
    scored.explain_score = Some("BM25F".into());
    b.hits.insert("Article".into(), vec![scored]);
    let (_, body) = run_query(
        &b,
        "{Get{Article(limit: 3 bm25:{query: \"fox\", properties: [\"title\"]}){title _additional {score explainScore }}}}",
    );
    assert_eq!(
        body,
        json!({"data": {"Get": {"Article": [
            {"title": "fox", "_additional": {"score": "1.25", "explainScore": "BM25F"}}]}}})
    );
    let q = &b.queries()[0];
    assert!(q.explain && q.keyword.is_some());
}

//! Argument parsing of the strings the v3 client writes (client-wire.md 2.2) and of Weaviate's
//! argument rules.

use serde_json::json;

use model::search_rules::Limits;
use model::{ConsistencyLevel, SearchQuery, Threshold, VectorSearch};
use uuid::Uuid;

use super::super::get::Work;
use super::super::test_support::{class_from_json, named_vector};
use super::super::{prepare, Classes, Request, RootJob, DEFAULT_MAX_QUERY_COST};

const ID1: &str = "00000000-0000-0000-0000-000000000001";

fn classes() -> Classes {
    let article = class_from_json(json!({"class": "Article", "properties": [
        {"name": "title", "dataType": ["text"]}, {"name": "wordCount", "dataType": ["int"]},
        {"name": "published", "dataType": ["boolean"]}, {"name": "tags", "dataType": ["text[]"]},
        {"name": "date", "dataType": ["date"]}, {"name": "ratings", "dataType": ["int[]"]}]}));
    let author = class_from_json(
        json!({"class": "Author", "properties": [{"name": "name", "dataType": ["text"]}]}),
    );
    let l2 =
        class_from_json(json!({"class": "L2", "vectorIndexConfig": {"distance": "l2-squared"}}));
    let named = class_from_json(json!({"class": "Named", "vectorConfig": {
        "a": named_vector("cosine"), "b": named_vector("dot")}}));
    let tenants = class_from_json(json!({"class": "Mt", "multiTenancyConfig": {
        "enabled": true, "autoTenantCreation": false, "autoTenantActivation": false}}));
    let replicated = class_from_json(json!({"class": "Rep", "replicationConfig": {
        "factor": 3, "asyncEnabled": false, "deletionStrategy": "NoAutomatedResolution"}}));
    [article, author, l2, named, tenants, replicated]
        .into_iter()
        .map(|c| (c.class.clone(), c))
        .collect()
}

const LIMITS: Limits = Limits {
    defaults_limit: 10,
    maximum_results: 100,
};

/// Plans `query`; `Err` holds validation messages.
pub(super) fn plan(query: &str) -> Result<Vec<RootJob>, Vec<String>> {
    let request = Request {
        query,
        operation_name: None,
        variables: Default::default(),
    };
    prepare(&request, &classes(), &LIMITS, DEFAULT_MAX_QUERY_COST)
        .map_err(|errors| errors.into_iter().map(|e| e.message).collect())
}

/// The outcome of the only (or `n`th) class under the first root field.
pub(super) fn class_outcome(query: &str, n: usize) -> Result<SearchQuery, String> {
    let jobs = plan(query).unwrap_or_else(|e| panic!("{query}: invalid: {e:?}"));
    let Some(RootJob::Get(_, classes)) = jobs.into_iter().next() else {
        panic!("no Get")
    };
    let job = classes.into_iter().nth(n).expect("class job");
    match job.work {
        Work::Search(q, _) => Ok(*q),
        Work::Fail(e) => Err(e.message),
        Work::Constant(v) => panic!("constant {v}"),
    }
}

pub(super) fn query(q: &str) -> SearchQuery {
    class_outcome(q, 0).unwrap_or_else(|e| panic!("{q}: resolver error {e}"))
}

pub(super) fn refused(q: &str) -> String {
    class_outcome(q, 0)
        .err()
        .unwrap_or_else(|| panic!("{q}: expected a resolver error"))
}

pub(super) fn invalid(q: &str) -> Vec<String> {
    plan(q)
        .err()
        .unwrap_or_else(|| panic!("{q}: expected validation errors"))
}

#[test]
fn near_vector_with_certainty() {
    let q = query(
        "{Get{Article(limit: 5 nearVector: {vector: [0.1, 0.2, 0.3] certainty: 0.7} ){title}}}",
    );
    assert_eq!(
        (q.class.as_str(), q.limit, q.offset, q.after),
        ("Article", Some(5), 0, None)
    );
    let Some(VectorSearch::NearVector {
        vector,
        target_vectors,
        threshold,
        ..
    }) = q.vector_search
    else {
        panic!()
    };
    assert_eq!(vector, vec![0.1, 0.2, 0.3]);
    assert!(target_vectors.is_empty());
    assert_eq!(threshold, Some(Threshold::Certainty(0.7)));
    assert!(!q.with_vectors);
}

#[test]
fn after_cursor() {
    let q = query(&format!(
        "{{Get{{Article(limit: 2 after: \"{ID1}\"){{title}}}}}}"
    ));
    assert_eq!((q.limit, q.after), (Some(2), Some(Uuid::from_u128(1))));
    assert!(q.vector_search.is_none());
    assert_eq!(
        query("{Get{Article(limit: 2 after: \"\"){title}}}").after,
        Some(Uuid::nil())
    );
}

#[test]
fn near_object_with_distance_and_no_limit() {
    let q = query(&format!(
        "{{Get{{Article(nearObject: {{id: \"{ID1}\" distance: 0.3}} ){{title}}}}}}"
    ));
    assert_eq!(
        q.limit, None,
        "a threshold without limit returns everything within it"
    );
    let Some(VectorSearch::NearObject { id, threshold, .. }) = q.vector_search else {
        panic!()
    };
    assert_eq!(
        (id, threshold),
        (Uuid::from_u128(1), Some(Threshold::Distance(0.3)))
    );
}

#[test]
fn string_token_directly_followed_by_a_name() {
    let q = query(&format!(
        "{{Get{{Article(nearObject: {{id: \"{ID1}\"distance: 0.1}}limit: 2){{title}}}}}}"
    ));
    assert_eq!(q.limit, Some(2));
    assert!(matches!(
        q.vector_search,
        Some(VectorSearch::NearObject {
            threshold: Some(Threshold::Distance(_)),
            ..
        })
    ));
}

#[test]
fn additional_asks_for_vectors() {
    let q =
        query("{Get{Article{title _additional {creationTimeUnix id lastUpdateTimeUnix vector }}}}");
    assert!(q.with_vectors);
    assert_eq!((q.limit, q.offset), (None, 0));
}

#[test]
fn multi_get_with_alias_commas_and_spaces() {
    assert_eq!(
        class_outcome("{Get{a: Article{title}Author(limit: 1 ){name}}}", 1).map(|q| q.limit),
        Ok(Some(1))
    );
    assert_eq!(
        class_outcome("{Get{a: Article{title}Author(limit: 1 ){name}}}", 0).map(|q| q.class),
        Ok("Article".into())
    );
    let q = query("{ Get { Article ( limit : 2 , offset : 1 ) { title } } }");
    assert_eq!((q.limit, q.offset), (Some(2), 1));
}

#[test]
fn aggregate_count_plans() {
    let jobs = plan("{Aggregate{Article{meta{count}}}}").expect("valid");
    assert!(
        matches!(jobs.as_slice(), [RootJob::Aggregate(key, classes)] if key == "Aggregate" && classes.len() == 1)
    );
}

#[test]
fn int_literals_are_floats_and_single_values_lists() {
    let q = query("{Get{Article(nearVector: {vector: [1, -0.5, 0] distance: 1}){title}}}");
    let Some(VectorSearch::NearVector {
        vector, threshold, ..
    }) = q.vector_search
    else {
        panic!()
    };
    assert_eq!(
        (vector, threshold),
        (vec![1.0, -0.5, 0.0], Some(Threshold::Distance(1.0)))
    );
}

#[test]
fn not_yet_supported_arguments_are_named() {
    for (arg, q) in [
        (
            "nearText",
            "{Get{Article(nearText: {concepts: [\"fox\"] distance: 0.4} ){title}}}",
        ),
        (
            "group",
            "{Get{Article(group: {type: merge, force: 0.5}){title}}}",
        ),
    ] {
        let message = refused(q);
        assert!(
            message.contains(&format!("\"{arg}\"")) && message.contains("not supported"),
            "{q}: {message}"
        );
    }
}

#[test]
fn tenant_only_on_multi_tenant_classes() {
    assert_eq!(
        query("{Get{Mt(tenant: \"t1\"){_additional{id}}}}")
            .tenant
            .as_deref(),
        Some("t1")
    );
    assert_eq!(
        invalid("{Get{Article(tenant: \"t1\" consistencyLevel: ONE){title}}}"),
        [
            "Unknown argument \"tenant\" on field \"Article\" of type \"GetObjectsObj\".",
            "Unknown argument \"consistencyLevel\" on field \"Article\" of type \"GetObjectsObj\".",
        ]
    );
}

#[test]
fn consistency_level_only_with_replication() {
    for (level, parsed) in [
        ("ONE", ConsistencyLevel::One),
        ("QUORUM", ConsistencyLevel::Quorum),
        ("ALL", ConsistencyLevel::All),
    ] {
        let q = query(&format!(
            "{{Get{{Rep(consistencyLevel: {level}){{_additional{{id isConsistent}}}}}}}}"
        ));
        assert_eq!(q.consistency, Some(parsed));
    }
    assert_eq!(query("{Get{Rep{_additional{id}}}}").consistency, None);
    let wrong = invalid("{Get{Rep(consistencyLevel: MOST){_additional{id}}}}");
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert!(
        wrong[0].contains("consistencyLevel") && wrong[0].contains("MOST"),
        "{wrong:?}"
    );
    let unknown = invalid("{Get{Article{_additional{isConsistent}}}}");
    assert!(unknown[0].contains("isConsistent"), "{unknown:?}");
}

#[test]
fn literal_type_errors() {
    assert_eq!(
        invalid("{Get{Article(limit: \"x\" offset: 1.5){title}}}"),
        [
            "Argument \"limit\" has invalid value \"x\".\nExpected type \"Int\", found \"x\".",
            "Argument \"offset\" has invalid value 1.5.\nExpected type \"Int\", found 1.5.",
        ]
    );
    assert_eq!(
        invalid("{Get{Article(nearVector: {vector: [\"a\"] foo: 1}){title}}}"),
        ["Argument \"nearVector\" has invalid value {foo: 1, vector: [\"a\"]}.\nIn field \"foo\": Unknown field.\nIn field \"vector\": In element #0: Expected type \"Float\", found \"a\"."]
    );
    assert_eq!(
        invalid("{Get{Article(limit: 1 limit: 2){title}}}"),
        ["There can be only one argument named \"limit\"."]
    );
}

#[test]
fn near_argument_errors() {
    assert_eq!(
        refused("{Get{Article(nearVector: {vector: [1] distance: 0.1 certainty: 0.5}){title}}}"),
        "failed to extract nearVector params: cannot provide distance and certainty"
    );
    assert_eq!(
        refused("{Get{Article(nearVector: {distance: 0.1}){title}}}"),
        "failed to extract nearVector params: vector or vectorPerTarget is required field"
    );
    assert_eq!(
        refused("{Get{Article(nearObject: {distance: 0.1}){title}}}"),
        "failed to extract nearObject params: empty id and beacon"
    );
    assert!(refused("{Get{Article(nearObject: {id: \"nope\"}){title}}}")
        .contains("'nope' is not a valid uuid"));
    assert_eq!(
        refused(&format!("{{Get{{Article(nearVector: {{vector: [1]}} nearObject: {{id: \"{ID1}\"}}){{title}}}}}}")),
        "found both 'nearVector' and 'nearObject' parameters which are conflicting, choose one instead"
    );
}

#[test]
fn beacons() {
    for beacon in [
        format!("weaviate://localhost/Article/{ID1}"),
        format!("weaviate://localhost/{ID1}"),
    ] {
        let q = query(&format!(
            "{{Get{{Article(nearObject: {{beacon: \"{beacon}\"}}){{title}}}}}}"
        ));
        assert!(
            matches!(q.vector_search, Some(VectorSearch::NearObject { id, .. }) if id == Uuid::from_u128(1))
        );
    }
    assert!(refused(&format!("{{Get{{Article(nearObject: {{beacon: \"weaviate://localhost/Author/{ID1}\"}}){{title}}}}}}"))
        .contains("class 'Author'"));
    assert!(
        refused("{Get{Article(nearObject: {beacon: \"weaviate://localhost/a/b/c\"}){title}}}")
            .contains("invalid cref URI")
    );
}

#[test]
fn cursor_rules() {
    let prefix = "cursor api: invalid 'after' parameter: ";
    assert_eq!(
        refused(&format!("{{Get{{Article(after: \"{ID1}\"){{title}}}}}}")),
        format!("{prefix}limit parameter must be set")
    );
    assert_eq!(
        refused("{Get{Article(limit: 1 after: \"\" offset: 1){title}}}"),
        format!("{prefix}offset cannot be set with after and limit parameters")
    );
    assert_eq!(
        refused("{Get{Article(limit: 1 after: \"\" nearVector: {vector: [0.1, 0.2]}){title}}}"),
        format!("{prefix}other params cannot be set with after and limit parameters")
    );
    assert_eq!(
        refused("{Get{Article(limit: 1 after: \"x\"){title}}}"),
        format!("{prefix}after parameter 'x' is not a valid uuid")
    );
}

#[test]
fn paging_limits() {
    assert_eq!(
        refused("{Get{Article(limit: 60 offset: 41){title}}}"),
        "query maximum results exceeded"
    );
    assert_eq!(
        refused("{Get{Article(offset: 91){title}}}"),
        "query maximum results exceeded"
    );
    assert!(query("{Get{Article(limit: 60 offset: 40){title}}}").limit == Some(60));
    assert!(refused("{Get{Article(offset: -1){title}}}").contains("offset"));
    assert_eq!(
        query("{Get{Article(limit: -1){title}}}").limit,
        None,
        "negative limit is unset, as in Weaviate"
    );
    // A threshold without limit is capped by the coordinator, not refused.
    assert_eq!(
        query("{Get{Article(offset: 95 nearVector: {vector: [1] distance: 0.5}){title}}}").offset,
        95
    );
}

#[test]
fn certainty_needs_cosine() {
    let l2 = "can't compute and return certainty when vector index is configured with l2-squared distance";
    assert_eq!(
        refused("{Get{L2(nearVector: {vector: [1] certainty: 0.7}){_additional{id}}}}"),
        l2
    );
    assert_eq!(
        refused("{Get{L2(nearVector: {vector: [1]}){_additional{certainty}}}}"),
        l2
    );
    assert!(
        query("{Get{L2(nearVector: {vector: [1] certainty: 0}){_additional{distance}}}}")
            .vector_search
            .is_some()
    );
    assert_eq!(
        refused("{Get{Named(nearVector: {vector: [1] certainty: 0.7}){_additional{id}}}}"),
        "multiple vector configs found for class 'Named', but no target vector specified"
    );
    assert!(query("{Get{Named(nearVector: {vector: [1] certainty: 0.7 targetVectors: [\"a\"]}){_additional{id}}}}").vector_search.is_some());
    assert_eq!(
        refused("{Get{Named(nearVector: {vector: [1] certainty: 0.7 targetVectors: \"b\"}){_additional{id}}}}"),
        "can't compute and return certainty when vector index is configured with dot distance"
    );
}

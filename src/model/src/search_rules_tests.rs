//! The shared search and aggregation rules on typed queries, with Weaviate's messages (the
//! GraphQL and gRPC tests check the same rules through their own syntax).

use serde_json::{json, Value};
use types::schema::{Class, Distance};
use uuid::Uuid;

use super::*;
use crate::query::{HybridSearch, KeywordSearch, SortBy};
use crate::schema::{parse_class, SchemaDefaults};

const LIMITS: Limits = Limits {
    defaults_limit: 10,
    maximum_results: 100,
};

fn class(body: Value) -> Class {
    parse_class(&body, &SchemaDefaults::default()).expect("valid class")
}

fn cosine() -> Class {
    class(json!({"class": "C"}))
}

fn l2() -> Class {
    class(json!({"class": "L", "vectorIndexConfig": {"distance": "l2-squared"}}))
}

fn two_named() -> Class {
    let named = |distance: &str| json!({"vectorizer": {"none": {}}, "vectorIndexConfig": {"distance": distance}});
    class(json!({"class": "N", "vectorConfig": {"a": named("cosine"), "b": named("dot")}}))
}

fn near(threshold: Option<Threshold>, targets: &[&str]) -> Option<VectorSearch> {
    Some(VectorSearch::NearVector {
        vector: vec![1.0, 0.0],
        target_vectors: targets.iter().map(|t| t.to_string()).collect(),
        threshold,
        per_target: Default::default(),
        combination: Default::default(),
    })
}

fn query(class: &str) -> SearchQuery {
    SearchQuery {
        class: class.into(),
        ..SearchQuery::default()
    }
}

fn finish_err(class: &Class, q: SearchQuery, after: Option<&str>) -> String {
    finish(class, q, after, false, &LIMITS).expect_err("refused")
}

#[test]
fn certainty_needs_cosine() {
    let q = SearchQuery {
        vector_search: near(Some(Threshold::Certainty(0.8)), &[]),
        ..query("L")
    };
    assert_eq!(
        finish_err(&l2(), q.clone(), None),
        "can't compute and return certainty when vector index is configured with l2-squared distance"
    );
    assert!(finish(&cosine(), q, None, false, &LIMITS).is_ok());
    // Asking for certainty in the results is checked the same way.
    let plain = query("L");
    assert!(finish(&l2(), plain.clone(), None, true, &LIMITS).is_err());
    assert!(finish(&l2(), plain, None, false, &LIMITS).is_ok());
}

#[test]
fn certainty_on_named_vectors_picks_the_target() {
    let named = two_named();
    assert_eq!(
        check_certainty(&named, &[]).unwrap_err(),
        "multiple vector configs found for class 'N', but no target vector specified"
    );
    assert!(check_certainty(&named, &["a".into()]).is_ok());
    assert!(check_certainty(&named, &["b".into()]).is_err());
    assert_eq!(
        check_certainty(&named, &["z".into()]).unwrap_err(),
        "vector config not found for target vector: z"
    );
    assert_eq!(
        check_certainty(&named, &["a".into(), "b".into()]).unwrap_err(),
        "multiple target vectors are not supported with certainty"
    );
    assert!(certainty_metric(Distance::Cosine).is_ok());
}

#[test]
fn cursor_rules() {
    let limited = SearchQuery {
        limit: Some(5),
        ..query("C")
    };
    let done = finish(&cosine(), limited.clone(), Some(""), false, &LIMITS).unwrap();
    assert_eq!(done.after, Some(Uuid::nil()));
    let id = "00000000-0000-0000-0000-000000000007";
    let done = finish(&cosine(), limited.clone(), Some(id), false, &LIMITS).unwrap();
    assert_eq!(done.after, Some(Uuid::from_u128(7)));
    assert_eq!(
        finish_err(&cosine(), query("C"), Some("")),
        "cursor api: invalid 'after' parameter: limit parameter must be set"
    );
    let paged = SearchQuery {
        offset: 2,
        sort: vec![SortBy {
            path: "name".into(),
            descending: false,
        }],
        ..limited.clone()
    };
    assert_eq!(
        finish_err(&cosine(), paged, Some("")),
        "cursor api: invalid 'after' parameter: offset,sort cannot be set with after and limit parameters"
    );
    assert_eq!(
        finish_err(&cosine(), limited, Some("x")),
        "cursor api: invalid 'after' parameter: after parameter 'x' is not a valid uuid"
    );
}

#[test]
fn search_operators_do_not_combine() {
    let keyword = Some(KeywordSearch {
        query: "q".into(),
        properties: vec![],
    });
    let hybrid = Some(HybridSearch {
        query: "q".into(),
        alpha: 0.75,
        vector: None,
        properties: vec![],
        fusion: Default::default(),
        target_vectors: vec![],
    });
    let both = SearchQuery {
        keyword: keyword.clone(),
        vector_search: near(None, &[]),
        ..query("C")
    };
    assert_eq!(
        finish_err(&cosine(), both, None),
        "conflict: both near<Media> and keyword-based (bm25) arguments present, choose one"
    );
    let both = SearchQuery {
        keyword,
        hybrid: hybrid.clone(),
        ..query("C")
    };
    assert_eq!(
        finish_err(&cosine(), both, None),
        "conflict: both bm25 and hybrid arguments present, choose one"
    );
    let empty = SearchQuery {
        keyword: Some(KeywordSearch::default()),
        ..query("C")
    };
    assert_eq!(
        finish_err(&cosine(), empty, None),
        "keyword search (bm25) must have query set"
    );
    let grouped = SearchQuery {
        group_by: Some(crate::query::GroupBy {
            property: "p".into(),
            groups: 1,
            objects_per_group: 1,
        }),
        ..query("C")
    };
    assert!(finish_err(&cosine(), grouped.clone(), None).starts_with("groupBy needs"));
    assert!(finish(
        &cosine(),
        SearchQuery { hybrid, ..grouped },
        None,
        false,
        &LIMITS
    )
    .is_ok());
}

#[test]
fn the_window_stays_within_the_maximum() {
    let wide = SearchQuery {
        offset: 95,
        limit: Some(6),
        ..query("C")
    };
    assert_eq!(
        finish_err(&cosine(), wide, None),
        "query maximum results exceeded"
    );
    let deep = SearchQuery {
        offset: 95,
        ..query("C")
    };
    assert!(finish_err(&cosine(), deep.clone(), None).contains("maximum"));
    // A threshold without a limit is capped by the coordinator instead.
    let bounded = SearchQuery {
        vector_search: near(Some(Threshold::Distance(0.5)), &[]),
        ..deep
    };
    assert!(finish(&cosine(), bounded, None, false, &LIMITS).is_ok());
}

#[test]
fn a_vector_search_ignores_sort() {
    let q = SearchQuery {
        vector_search: near(None, &[]),
        sort: vec![SortBy {
            path: "name".into(),
            descending: true,
        }],
        ..query("C")
    };
    assert!(finish(&cosine(), q, None, false, &LIMITS)
        .unwrap()
        .sort
        .is_empty());
}

#[test]
fn aggregation_rules() {
    let agg = |vector_search, object_limit| AggregateQuery {
        class: "C".into(),
        vector_search,
        object_limit,
        ..AggregateQuery::default()
    };
    assert_eq!(
        check_aggregate(&cosine(), &agg(None, Some(3))).unwrap_err(),
        "objectLimit can only be used with a near<Media> or hybrid filter"
    );
    assert_eq!(
        check_aggregate(&cosine(), &agg(near(None, &[]), None)).unwrap_err(),
        "must provide certainty or objectLimit with vector search"
    );
    assert!(check_aggregate(&cosine(), &agg(near(None, &[]), Some(3))).is_ok());
    let certain = agg(near(Some(Threshold::Certainty(0.7)), &[]), None);
    assert!(check_aggregate(&cosine(), &certain).is_ok());
    assert!(check_aggregate(&l2(), &certain).is_err());
}

#[test]
fn boosts() {
    assert_eq!(boost("title^2").unwrap(), ("title".to_string(), 2.0));
    assert_eq!(boost("body").unwrap(), ("body".to_string(), 1.0));
    assert_eq!(boost("t^0.5").unwrap(), ("t".to_string(), 0.5));
    assert_eq!(
        boost("t^-1").unwrap_err(),
        "invalid boost in property 't^-1': the part after '^' must be a non-negative number"
    );
    assert!(boost("t^x").is_err());
    assert!(boost("t^inf").is_err());
}

#[test]
fn targets_and_thresholds_of_a_search() {
    let search = near(Some(Threshold::Distance(0.3)), &["a"]);
    let (targets, threshold) = targets_and_threshold(search.as_ref());
    assert_eq!(targets, ["a".to_string()]);
    assert_eq!(threshold, Some(Threshold::Distance(0.3)));
    assert_eq!(targets_and_threshold(None), (&[][..], None));
}

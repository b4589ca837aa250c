//! `initFrom`: parsing, what a new class takes from its source, and the vector check.

use serde_json::{json, Value};
use types::schema::Class;

use super::{check_vectors, inherit_from, parse_class, parse_init_from, InitFrom, SchemaDefaults};

fn class(body: Value) -> Class {
    parse_class(&body, &SchemaDefaults::default()).expect("a valid class")
}

fn error(body: Value) -> String {
    match parse_init_from(&body) {
        Err(crate::Error::InvalidInput(msg)) => msg,
        other => panic!("expected InvalidInput for {body}, got {other:?}"),
    }
}

fn source() -> Class {
    class(json!({
        "class": "Article",
        "properties": [{"name": "title", "dataType": ["text"], "tokenization": "field"}],
        "invertedIndexConfig": {"bm25": {"k1": 1.5, "b": 0.5}},
        "vectorIndexType": "flat",
    }))
}

fn named_source() -> Class {
    class(json!({
        "class": "Article",
        "vectorConfig": {
            "title": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"},
            "body": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"},
        },
    }))
}

#[test]
fn parses_the_source_and_tenant() {
    assert_eq!(parse_init_from(&json!({"class": "A"})).unwrap(), None);
    assert_eq!(
        parse_init_from(&json!({"class": "A", "initFrom": null})).unwrap(),
        None
    );
    assert_eq!(
        parse_init_from(&json!({"class": "B", "initFrom": {"class": "article"}})).unwrap(),
        Some(InitFrom {
            class: "Article".into(),
            tenant: None
        })
    );
    assert_eq!(
        parse_init_from(&json!({"initFrom": {"class": "Article", "tenant": "t-1"}})).unwrap(),
        Some(InitFrom {
            class: "Article".into(),
            tenant: Some("t-1".into())
        })
    );
}

#[test]
fn refuses_malformed_sources() {
    assert_eq!(
        error(json!({"initFrom": "Article"})),
        "initFrom must be an object, got \"Article\""
    );
    assert_eq!(
        error(json!({"initFrom": {}})),
        "initFrom.class: expected the name of a class"
    );
    assert_eq!(
        error(json!({"initFrom": {"class": 7}})),
        "initFrom.class must be a string, got 7"
    );
    assert!(error(json!({"initFrom": {"class": "Bad-Name"}})).starts_with("initFrom.class: "));
    assert_eq!(
        error(json!({"initFrom": {"class": "A", "tenant": "no spaces"}})),
        "initFrom.tenant: 'no spaces' is not a valid tenant name"
    );
    assert_eq!(
        error(json!({"initFrom": {"class": "A", "collection": "B"}})),
        "initFrom: unknown field 'collection', expected class and optionally tenant"
    );
    assert!(error(json!({
        "multiTenancyConfig": {"enabled": true},
        "initFrom": {"class": "A"}
    }))
    .starts_with("initFrom: a multi-tenant class cannot be built from another"));
}

#[test]
fn a_bare_body_takes_everything_but_sharding_from_the_source() {
    let body = json!({"class": "ArticleV2", "initFrom": {"class": "Article"}});
    let built = class(inherit_from(&body, &source()).unwrap());
    let src = source();
    assert_eq!(built.class, "ArticleV2");
    assert_eq!(built.properties, src.properties);
    assert_eq!(built.inverted_index_config, src.inverted_index_config);
    assert_eq!(built.vector_index_type, src.vector_index_type);
    assert_eq!(built.vector_index_config, src.vector_index_config);
}

#[test]
fn what_the_body_names_wins() {
    let body = json!({
        "class": "ArticleV2",
        "vectorIndexType": "hnsw",
        "vectorIndexConfig": {"ef": 256},
        "properties": [{"name": "title", "dataType": ["text"]}],
        "initFrom": {"class": "Article"},
    });
    let inherited = inherit_from(&body, &source()).unwrap();
    assert!(inherited.get("initFrom").is_none());
    let built = class(inherited);
    let own = class(json!({
        "class": "ArticleV2",
        "vectorIndexType": "hnsw",
        "vectorIndexConfig": {"ef": 256},
        "properties": [{"name": "title", "dataType": ["text"]}],
        "invertedIndexConfig": {"bm25": {"k1": 1.5, "b": 0.5}},
    }));
    assert_eq!(built, own);
}

#[test]
fn named_vectors_are_inherited_as_a_group() {
    let body = json!({"class": "ArticleV2", "initFrom": {"class": "Article"}});
    let built = class(inherit_from(&body, &named_source()).unwrap());
    assert_eq!(built.vector_config, named_source().vector_config);
    check_vectors(&named_source(), &built).unwrap();
}

#[test]
fn the_new_class_must_hold_the_source_vectors() {
    let legacy = source();
    let named = named_source();
    let only_title = class(json!({
        "class": "V2",
        "vectorConfig": {"title": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}},
    }));
    let plain = class(json!({"class": "V2"}));
    check_vectors(&legacy, &plain).unwrap();
    let err = |r: crate::Result<()>| match r {
        Err(crate::Error::InvalidInput(msg)) => msg,
        other => panic!("expected InvalidInput, got {other:?}"),
    };
    assert_eq!(
        err(check_vectors(&legacy, &only_title)),
        "initFrom: class Article has an unnamed vector, which a class with vectorConfig cannot hold"
    );
    assert_eq!(
        err(check_vectors(&named, &plain)),
        "initFrom: class Article has named vectors (body, title), which the new class must declare in vectorConfig"
    );
    assert_eq!(
        err(check_vectors(&named, &only_title)),
        "initFrom: class Article has the named vector 'body', which the new class's vectorConfig does not declare"
    );
}

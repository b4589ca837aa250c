//! `apply_update`: mutable fields accepted, immutable ones rejected with the field named,
//! fields absent from the body kept; `check_update` on classes already parsed.

use serde_json::{json, Value};
use types::schema::Class;

use super::json::deep_merge;
use super::{apply_update, check_update, parse_class, SchemaDefaults};

fn defaults() -> SchemaDefaults {
    SchemaDefaults {
        node_count: 3,
        async_indexing: true,
        ..SchemaDefaults::default()
    }
}

fn create(body: Value) -> Class {
    parse_class(&body, &defaults()).unwrap()
}

/// What the v3 client sends for `update_config(name, change)`: GET, deep-merge, PUT.
fn v3_body(class: &Class, change: Value) -> Value {
    let mut body = serde_json::to_value(class).unwrap();
    deep_merge(&mut body, &change);
    body
}

fn error(class: &Class, body: Value) -> String {
    match apply_update(class, &body, &defaults()) {
        Err(crate::Error::InvalidInput(msg)) => msg,
        other => panic!("expected InvalidInput for {body}, got {other:?}"),
    }
}

#[test]
fn mutable_fields_change() {
    // test_schema.py::test_update_mutable_fields
    let class = create(json!({"class": "Mutable", "vectorizer": "none"}));
    let body = v3_body(
        &class,
        json!({"vectorIndexConfig": {"ef": 123}, "invertedIndexConfig": {"bm25": {"k1": 1.5}}}),
    );
    let updated = serde_json::to_value(apply_update(&class, &body, &defaults()).unwrap()).unwrap();
    assert_eq!(updated["vectorIndexConfig"]["ef"], 123);
    assert_eq!(updated["vectorIndexConfig"]["efConstruction"], 128);
    assert_eq!(
        updated["invertedIndexConfig"]["bm25"],
        json!({"k1": 1.5, "b": 0.75})
    );
}

#[test]
fn every_documented_mutable_field_is_accepted() {
    let class = create(
        json!({"class": "M", "multiTenancyConfig": {"enabled": true},
                              "properties": [{"name": "title", "dataType": ["text"], "description": "old"}]}),
    );
    let change = json!({
        "description": "new class description",
        "vectorIndexConfig": {"ef": 64, "dynamicEfMin": 1, "dynamicEfMax": 2, "dynamicEfFactor": 3,
                              "flatSearchCutoff": 9, "vectorCacheMaxObjects": 10, "filterStrategy": "acorn",
                              "pq": {"enabled": true, "segments": 8}},
        "invertedIndexConfig": {"bm25": {"k1": 2.0, "b": 0.1}, "cleanupIntervalSeconds": 30,
                                "stopwords": {"preset": "none", "additions": ["x"]}},
        "multiTenancyConfig": {"autoTenantCreation": true, "autoTenantActivation": true},
        "replicationConfig": {"factor": 3, "asyncEnabled": true, "deletionStrategy": "TimeBasedResolution"},
        "properties": [{"name": "title", "dataType": ["text"], "description": "new"}]
    });
    let updated = apply_update(&class, &change, &defaults()).unwrap();
    let mut want = serde_json::to_value(&class).unwrap();
    deep_merge(&mut want, &change);
    want["properties"] = serde_json::to_value(&updated.properties).unwrap();
    want["invertedIndexConfig"]["stopwords"]["removals"] = Value::Null;
    assert_eq!(serde_json::to_value(&updated).unwrap(), want);
    assert_eq!(updated.props()[0].description.as_deref(), Some("new"));
    assert_eq!(updated.replication_config.factor, 3);
}

#[test]
fn absent_fields_keep_their_values() {
    let class = create(
        json!({"class": "Keep", "description": "d", "replicationConfig": {"factor": 2},
                              "vectorIndexConfig": {"efConstruction": 64, "distance": "dot"},
                              "invertedIndexConfig": {"bm25": {"k1": 1.7}},
                              "properties": [{"name": "title", "dataType": ["text"]}]}),
    );
    let updated = apply_update(
        &class,
        &json!({"vectorIndexConfig": {"ef": 7}}),
        &defaults(),
    )
    .unwrap();
    let mut want = class.clone();
    if let Some(types::schema::VectorIndexConfig::Hnsw(h)) = want.vector_index_config.as_mut() {
        h.ef = 7;
    }
    assert_eq!(updated, want);
    // An empty body changes nothing; neither does the class read back unchanged.
    assert_eq!(
        apply_update(&class, &json!({}), &defaults()).unwrap(),
        class
    );
    assert_eq!(
        apply_update(&class, &serde_json::to_value(&class).unwrap(), &defaults()).unwrap(),
        class
    );
}

#[test]
fn immutable_hnsw_fields_are_named() {
    // test_schema.py::test_update_immutable_field_is_rejected
    let class = create(json!({"class": "Immutable", "vectorizer": "none"}));
    for (change, field) in [
        (json!({"distance": "dot"}), "distance"),
        (json!({"efConstruction": 64}), "efConstruction"),
        (json!({"maxConnections": 8}), "maxConnections"),
        (
            json!({"cleanupIntervalSeconds": 1}),
            "cleanupIntervalSeconds",
        ),
        (json!({"skip": true}), "skip"),
    ] {
        let e = error(
            &class,
            v3_body(&class, json!({"vectorIndexConfig": change})),
        );
        assert!(
            e.contains(&format!("{field} is immutable: attempted change from")),
            "{field}: {e}"
        );
    }
    let e = error(
        &class,
        v3_body(&class, json!({"vectorIndexConfig": {"distance": "dot"}})),
    );
    assert_eq!(e, "validate vector index config: distance is immutable: attempted change from \"cosine\" to \"dot\"");
}

#[test]
fn immutable_flat_and_dynamic_fields() {
    let flat = create(json!({"class": "F", "vectorIndexType": "flat"}));
    for (change, field) in [
        (json!({"distance": "l2-squared"}), "distance"),
        (json!({"bq": {"enabled": true}}), "bq"),
        (json!({"bq": {"enabled": true, "cache": true}}), "bq"),
    ] {
        let e = error(&flat, json!({"vectorIndexConfig": change}));
        assert!(e.contains(&format!("{field} is immutable")), "{e}");
    }
    // rescoreLimit and the bq cache... only the listed fields are immutable
    apply_update(
        &flat,
        &json!({"vectorIndexConfig": {"vectorCacheMaxObjects": 5, "bq": {"rescoreLimit": 10}}}),
        &defaults(),
    )
    .unwrap();
    let dynamic = create(json!({"class": "D", "vectorIndexType": "dynamic"}));
    apply_update(
        &dynamic,
        &json!({"vectorIndexConfig": {"threshold": 5, "hnsw": {"ef": 3}}}),
        &defaults(),
    )
    .unwrap();
    let e = error(
        &dynamic,
        json!({"vectorIndexConfig": {"hnsw": {"maxConnections": 8}}}),
    );
    assert!(e.contains("maxConnections is immutable"), "{e}");
    let e = error(&dynamic, json!({"vectorIndexConfig": {"distance": "dot"}}));
    assert!(e.contains("distance is immutable"), "{e}");
}

#[test]
fn vector_index_type_and_vectorizer_are_immutable() {
    let class = create(json!({"class": "V"}));
    let e = error(
        &class,
        json!({"vectorIndexType": "flat", "vectorIndexConfig": null}),
    );
    assert_eq!(
        e,
        "vector index type is immutable: attempted change from \"hnsw\" to \"flat\""
    );
    let e = error(&class, json!({"vectorizer": "text2vec-openai"}));
    assert!(e.contains("no module with name"), "{e}");
    let e = error(&class, json!({"class": "Other"}));
    assert_eq!(
        e,
        "class name is immutable: attempted change from \"V\" to \"Other\""
    );
    // a lower-cased first letter is the same class
    apply_update(&class, &json!({"class": "v"}), &defaults()).unwrap();
}

#[test]
fn named_vectors_are_immutable_in_shape() {
    let class = create(json!({"class": "N", "vectorConfig": {
        "a": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"},
        "b": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"}}}));
    apply_update(
        &class,
        &json!({"vectorConfig": {"a": {"vectorIndexConfig": {"ef": 10}}}}),
        &defaults(),
    )
    .unwrap();
    let cases = [
        (
            json!({"vectorConfig": {"c": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}}),
            "additional config for vector \"c\"",
        ),
        (
            json!({"vectorConfig": {"a": {"vectorIndexType": "flat", "vectorIndexConfig": null}}}),
            "vector index type of vector \"a\" is immutable",
        ),
        (
            json!({"vectorConfig": {"a": {"vectorIndexConfig": {"maxConnections": 4}}}}),
            "vector \"a\": maxConnections is immutable",
        ),
        (
            json!({"vectorConfig": {"b": {"vectorizer": {"none": {"x": 1}}}}}),
            "vectorizer config of vector \"b\" is immutable",
        ),
        (
            json!({"vectorizer": "none"}),
            "can not be set if class.vectorConfig is configured",
        ),
    ];
    for (body, want) in cases {
        let e = error(&class, body.clone());
        assert!(e.contains(want), "{body}: {e}");
    }
    let legacy = create(json!({"class": "L"}));
    let e = error(
        &legacy,
        json!({"vectorConfig": {"a": {"vectorizer": {"none": {}}}}}),
    );
    assert_eq!(e, "additional configs for vectors");
}

#[test]
fn sharding_and_multi_tenancy_are_immutable() {
    let class = create(json!({"class": "S"}));
    let e = error(&class, json!({"shardingConfig": {"desiredCount": 1}}));
    assert!(
        e.contains(
            "validate sharding config: re-sharding not supported yet: shard count is immutable"
        ),
        "{e}"
    );
    let e = error(
        &class,
        json!({"shardingConfig": {"virtualPerPhysical": 64}}),
    );
    assert!(
        e.contains("virtual shards per physical is immutable"),
        "{e}"
    );
    let e = error(&class, json!({"multiTenancyConfig": {"enabled": true}}));
    assert_eq!(
        e,
        "enabling multi-tenancy for an existing class is not supported"
    );
    let mt = create(json!({"class": "Mt", "multiTenancyConfig": {"enabled": true}}));
    let e = error(&mt, json!({"multiTenancyConfig": {"enabled": false}}));
    assert_eq!(
        e,
        "disabling multi-tenancy for an existing class is not supported"
    );
    // the all-zero sharding config a client reads back is not "both sharding and MT"
    apply_update(&mt, &serde_json::to_value(&mt).unwrap(), &defaults()).unwrap();
    let e = error(
        &mt,
        json!({"multiTenancyConfig": {"enabled": true, "autoTenantCreation": "yes"}}),
    );
    assert!(
        e.contains("multiTenancyConfig.autoTenantCreation must be a boolean"),
        "{e}"
    );
}

#[test]
fn replication_factor_is_bounded_by_the_cluster() {
    let class = create(json!({"class": "R"}));
    let e = error(&class, json!({"replicationConfig": {"factor": 4}}));
    assert!(
        e.contains("cannot scale to 4 replicas, cluster has only 3 nodes"),
        "{e}"
    );
    let scaled = apply_update(
        &class,
        &json!({"replicationConfig": {"factor": 2}}),
        &defaults(),
    )
    .unwrap();
    assert_eq!(scaled.replication_config.factor, 2);
}

#[test]
fn properties_only_change_descriptions() {
    let class = create(json!({"class": "P", "properties": [
        {"name": "title", "dataType": ["text"]},
        {"name": "meta", "dataType": ["object"], "nestedProperties": [{"name": "a", "dataType": ["int"]}]}]}));
    let body = json!({"properties": [
        {"name": "Title", "dataType": ["text"], "description": "the title"},
        {"name": "meta", "dataType": ["object"], "nestedProperties": [{"name": "a", "dataType": ["int"], "description": "x"}]}]});
    let updated = apply_update(&class, &body, &defaults()).unwrap();
    assert_eq!(updated.props()[0].description.as_deref(), Some("the title"));
    let want =
        "property fields other than description cannot be updated through updating the class";
    for props in [
        json!([{"name": "title", "dataType": ["text"], "tokenization": "field"},
               {"name": "meta", "dataType": ["object"], "nestedProperties": [{"name": "a", "dataType": ["int"]}]}]),
        json!([{"name": "title", "dataType": ["text"]}]),
        json!([{"name": "title", "dataType": ["text"]},
               {"name": "meta", "dataType": ["object"], "nestedProperties": [{"name": "a", "dataType": ["int"]}]},
               {"name": "extra", "dataType": ["int"]}]),
        json!([{"name": "title", "dataType": ["text"]},
               {"name": "meta", "dataType": ["object"], "nestedProperties": [{"name": "a", "dataType": ["number"]}]}]),
    ] {
        let e = error(&class, json!({"properties": props}));
        assert!(e.starts_with(want), "{e}");
    }
}

#[test]
fn inverted_index_rules() {
    let class = create(json!({"class": "I"}));
    for (change, want) in [
        (
            json!({"indexPropertyLength": true}),
            "IndexPropertyLength cannot be changed",
        ),
        (
            json!({"indexNullState": true}),
            "IndexNullState cannot be changed",
        ),
        (
            json!({"indexTimestamps": true}),
            "IndexTimestamps cannot be changed",
        ),
        (json!({"bm25": {"b": 2}}), "BM25.b must be >= 0 and <= 1"),
    ] {
        let e = error(&class, json!({"invertedIndexConfig": change}));
        assert!(e.contains(want), "{e}");
    }
}

#[test]
fn body_must_be_an_object() {
    let class = create(json!({"class": "B"}));
    assert!(error(&class, json!("x")).contains("class must be a JSON object"));
}

#[test]
fn check_update_accepts_what_apply_update_made_and_refuses_the_rest() {
    let class = create(json!({"class": "Checked", "vectorizer": "none",
        "properties": [{"name": "title", "dataType": ["text"]}]}));
    let body = v3_body(&class, json!({"vectorIndexConfig": {"ef": 99}}));
    let updated = apply_update(&class, &body, &defaults()).unwrap();
    assert_eq!(check_update(&class, &updated, &defaults()), Ok(()));

    let renamed = Class {
        class: "Other".into(),
        ..updated.clone()
    };
    assert_eq!(
        check_update(&class, &renamed, &defaults())
            .unwrap_err()
            .to_string(),
        "class name is immutable: attempted change from \"Checked\" to \"Other\""
    );
    let tenanted = create(json!({"class": "Checked", "vectorizer": "none",
        "multiTenancyConfig": {"enabled": true},
        "properties": [{"name": "title", "dataType": ["text"]}]}));
    assert_eq!(
        check_update(&class, &tenanted, &defaults())
            .unwrap_err()
            .to_string(),
        "enabling multi-tenancy for an existing class is not supported"
    );
    let mut more = updated;
    more.properties = Some(vec![]);
    assert!(check_update(&class, &more, &defaults())
        .unwrap_err()
        .to_string()
        .starts_with("property fields other than description cannot be updated"));
}

//! `parse_class`: the defaults of weaviate-api.md section 3.1 echoed exactly, explicit
//! configuration kept, and every class-level validation error.

use serde_json::{json, Value};
use types::schema::{Distance, VectorIndexType};

use super::{parse_class, SchemaDefaults};

fn defaults() -> SchemaDefaults {
    SchemaDefaults::default()
}

fn echo(body: Value) -> Value {
    serde_json::to_value(parse_class(&body, &defaults()).unwrap()).unwrap()
}

fn error(body: Value) -> String {
    error_with(body, &defaults())
}

fn error_with(body: Value, defaults: &SchemaDefaults) -> String {
    match parse_class(&body, defaults) {
        Err(crate::Error::InvalidInput(msg)) => msg,
        other => panic!("expected InvalidInput for {body}, got {other:?}"),
    }
}

pub(super) fn hnsw_defaults_json() -> Value {
    json!({
        "skip": false, "cleanupIntervalSeconds": 300, "maxConnections": 32, "efConstruction": 128,
        "ef": -1, "dynamicEfMin": 100, "dynamicEfMax": 500, "dynamicEfFactor": 8,
        "vectorCacheMaxObjects": 1000000000000i64, "flatSearchCutoff": 40000, "distance": "cosine",
        "pq": {"enabled": false, "bitCompression": false, "segments": 0, "centroids": 256, "trainingLimit": 100000,
               "encoder": {"type": "kmeans", "distribution": "log-normal"}},
        "bq": {"enabled": false},
        "sq": {"enabled": false, "trainingLimit": 100000, "rescoreLimit": 20},
        "rq": {"enabled": false, "bits": 8, "rescoreLimit": 20},
        "filterStrategy": "sweeping",
        "skipDefaultQuantization": false, "trackDefaultQuantization": false
    })
}

pub(super) fn flat_defaults_json() -> Value {
    json!({
        "distance": "cosine", "vectorCacheMaxObjects": 1000000000000i64,
        "pq": {"enabled": false, "rescoreLimit": -1, "cache": false},
        "bq": {"enabled": false, "rescoreLimit": -1, "cache": false},
        "sq": {"enabled": false, "rescoreLimit": -1, "cache": false},
        "rq": {"enabled": false, "rescoreLimit": -1, "cache": false, "bits": 8},
        "skipDefaultQuantization": false, "trackDefaultQuantization": false
    })
}

/// Section 3.1 verbatim (no-modules case).
fn yellow_cars() -> Value {
    json!({
        "class": "YellowCars",
        "properties": null,
        "vectorizer": "none",
        "vectorIndexType": "hnsw",
        "vectorIndexConfig": hnsw_defaults_json(),
        "shardingConfig": {"virtualPerPhysical": 128, "desiredCount": 1, "actualCount": 1,
                           "desiredVirtualCount": 128, "actualVirtualCount": 128,
                           "key": "_id", "strategy": "hash", "function": "murmur3"},
        "replicationConfig": {"factor": 1, "asyncEnabled": false, "deletionStrategy": "NoAutomatedResolution"},
        "invertedIndexConfig": {"cleanupIntervalSeconds": 60, "bm25": {"k1": 1.2, "b": 0.75},
                                "stopwords": {"preset": "en", "additions": null, "removals": null}},
        "multiTenancyConfig": {"enabled": false, "autoTenantCreation": false, "autoTenantActivation": false}
    })
}

#[test]
fn minimal_class_echoes_every_127_default() {
    assert_eq!(echo(json!({"class": "YellowCars"})), yellow_cars());
}

#[test]
fn echo_is_stable_when_sent_back() {
    // Clients read a class and send it back (update_config, copies): parsing the echo gives it again.
    let first = echo(json!({"class": "YellowCars"}));
    assert_eq!(echo(first.clone()), first);
}

#[test]
fn sharding_defaults_follow_the_node_count() {
    let d = SchemaDefaults {
        node_count: 3,
        ..defaults()
    };
    let class = parse_class(&json!({"class": "A"}), &d).unwrap();
    let s = serde_json::to_value(&class.sharding_config).unwrap();
    assert_eq!(
        s,
        json!({"virtualPerPhysical": 128, "desiredCount": 3, "actualCount": 3, "desiredVirtualCount": 384,
               "actualVirtualCount": 384, "key": "_id", "strategy": "hash", "function": "murmur3"})
    );
}

#[test]
fn explicit_sharding_is_kept_and_derived_fields_recomputed() {
    let body = json!({"class": "A", "shardingConfig": {"desiredCount": 2, "virtualPerPhysical": 16,
                      "actualCount": 99, "desiredVirtualCount": 1, "key": "_id"}});
    let s = echo(body)["shardingConfig"].clone();
    assert_eq!(s["desiredCount"], 2);
    assert_eq!(s["actualCount"], 2);
    assert_eq!(s["desiredVirtualCount"], 32);
    assert_eq!(s["actualVirtualCount"], 32);
}

#[test]
fn sharding_errors() {
    let e = error(json!({"class": "A", "shardingConfig": {"key": "name"}}));
    assert!(e.contains("sharding only supported on key '_id'"), "{e}");
    let e = error(json!({"class": "A", "shardingConfig": {"strategy": "range"}}));
    assert!(e.contains("strategy 'hash'"), "{e}");
    let e = error(json!({"class": "A", "shardingConfig": {"function": "fnv"}}));
    assert!(e.contains("function 'murmur3'"), "{e}");
    let e = error(json!({"class": "A", "shardingConfig": {"desiredCount": 0}}));
    assert!(e.contains("shardingConfig.desiredCount"), "{e}");
    let e = error(json!({"class": "A", "shardingConfig": {"virtualPerPhysical": "x"}}));
    assert!(
        e.contains("shardingConfig.virtualPerPhysical must be an integer"),
        "{e}"
    );
    let e = error(json!({"class": "A", "shardingConfig": 5}));
    assert!(e.contains("shardingConfig must be a JSON object"), "{e}");
}

#[test]
fn multi_tenant_class_has_zero_sharding() {
    let c = echo(
        json!({"class": "Mt", "multiTenancyConfig": {"enabled": true, "autoTenantCreation": true}}),
    );
    assert_eq!(
        c["shardingConfig"],
        json!({"virtualPerPhysical": 0, "desiredCount": 0, "actualCount": 0, "desiredVirtualCount": 0,
               "actualVirtualCount": 0, "key": "", "strategy": "", "function": ""})
    );
    assert_eq!(
        c["multiTenancyConfig"],
        json!({"enabled": true, "autoTenantCreation": true, "autoTenantActivation": false})
    );
}

#[test]
fn multi_tenancy_errors() {
    let e = error(
        json!({"class": "A", "multiTenancyConfig": {"enabled": true}, "shardingConfig": {"desiredCount": 1}}),
    );
    assert_eq!(e, "cannot have both shardingConfig and multiTenancyConfig");
    // null sharding is the same as none
    echo(json!({"class": "A", "multiTenancyConfig": {"enabled": true}, "shardingConfig": null}));
    let e = error(json!({"class": "A", "multiTenancyConfig": {"autoTenantCreation": true}}));
    assert_eq!(
        e,
        "can't enable autoTenantCreation on a non-multi-tenant class"
    );
    let e = error(json!({"class": "A", "multiTenancyConfig": {"autoTenantActivation": true}}));
    assert_eq!(
        e,
        "can't enable autoTenantActivation on a non-multi-tenant class"
    );
    let e = error(json!({"class": "A", "multiTenancyConfig": {"enabled": "yes"}}));
    assert!(
        e.contains("multiTenancyConfig.enabled must be a boolean"),
        "{e}"
    );
}

#[test]
fn replication_config() {
    let d = SchemaDefaults {
        node_count: 3,
        ..defaults()
    };
    let c = parse_class(
        &json!({"class": "A", "replicationConfig": {"factor": 3, "asyncEnabled": true, "deletionStrategy": "DeleteOnConflict"}}),
        &d,
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&c.replication_config).unwrap(),
        json!({"factor": 3, "asyncEnabled": true, "deletionStrategy": "DeleteOnConflict"})
    );
    // Like Weaviate, a factor below 1 means the minimum.
    for factor in [0, -2] {
        let r = echo(json!({"class": "A", "replicationConfig": {"factor": factor}}))
            ["replicationConfig"]
            .clone();
        assert_eq!(
            r,
            json!({"factor": 1, "asyncEnabled": false, "deletionStrategy": "NoAutomatedResolution"})
        );
    }
    let e = error(json!({"class": "A", "replicationConfig": {"factor": 2}}));
    assert!(
        e.contains(
            "could not find enough weaviate nodes for replication: 1 available, 2 requested"
        ),
        "{e}"
    );
    let e = error(json!({"class": "A", "replicationConfig": {"deletionStrategy": "Whatever"}}));
    assert!(e.contains("replicationConfig.deletionStrategy"), "{e}");
    let e = error(json!({"class": "A", "replicationConfig": {"factor": "two"}}));
    assert!(
        e.contains("replicationConfig.factor must be an integer"),
        "{e}"
    );
}

#[test]
fn class_name_is_capitalised_and_validated() {
    assert_eq!(echo(json!({"class": "article"}))["class"], "Article");
    for bad in [
        "Bad-Name",
        "9Lives",
        "Has Space",
        "Dotted.Name",
        "Ünicode",
        "",
    ] {
        let e = error(json!({"class": bad}));
        assert!(e.contains("is not a valid class name"), "{bad}: {e}");
    }
    assert!(error(json!({})).contains("is not a valid class name"));
    assert!(error(json!({"class": 5})).contains("class must be a string"));
    assert!(error(json!({"class": "raft"})).contains("reserved"));
    assert!(error(json!([1])).contains("class must be a JSON object"));
}

#[test]
fn description_and_module_config_are_kept() {
    let c = echo(
        json!({"class": "A", "description": "cars", "moduleConfig": {"generative-openai": {}}}),
    );
    assert_eq!(c["description"], "cars");
    assert_eq!(c["moduleConfig"], json!({"generative-openai": {}}));
    assert!(error(json!({"class": "A", "moduleConfig": "x"}))
        .contains("moduleConfig must be an object"));
}

#[test]
fn explicit_config_is_kept() {
    // test_schema.py::test_explicit_config_is_kept
    let c = echo(json!({
        "class": "Explicit",
        "vectorIndexConfig": {"distance": "l2-squared", "maxConnections": 16, "efConstruction": 64, "ef": 80},
        "invertedIndexConfig": {
            "bm25": {"k1": 1.6, "b": 0.5},
            "stopwords": {"preset": "none", "additions": ["foo"]},
            "indexNullState": true, "indexPropertyLength": true, "indexTimestamps": true
        }
    }));
    let v = &c["vectorIndexConfig"];
    assert_eq!(
        (v["distance"].clone(), v["maxConnections"].clone()),
        (json!("l2-squared"), json!(16))
    );
    assert_eq!(
        (v["efConstruction"].clone(), v["ef"].clone()),
        (json!(64), json!(80))
    );
    assert_eq!(
        (v["dynamicEfMin"].clone(), v["flatSearchCutoff"].clone()),
        (json!(100), json!(40000))
    );
    assert_eq!(
        c["invertedIndexConfig"],
        json!({"cleanupIntervalSeconds": 60, "bm25": {"k1": 1.6, "b": 0.5},
               "stopwords": {"preset": "none", "additions": ["foo"], "removals": null},
               "indexTimestamps": true, "indexNullState": true, "indexPropertyLength": true})
    );
}

#[test]
fn inverted_index_defaults_and_partial_bm25() {
    let c = echo(
        json!({"class": "A", "invertedIndexConfig": {"bm25": {"k1": 1.5}, "cleanupIntervalSeconds": 0}}),
    );
    assert_eq!(
        c["invertedIndexConfig"]["bm25"],
        json!({"k1": 1.5, "b": 0.75})
    );
    assert_eq!(c["invertedIndexConfig"]["cleanupIntervalSeconds"], 60);
    let c = echo(json!({"class": "A", "invertedIndexConfig": {"stopwords": {"preset": ""}}}));
    assert_eq!(c["invertedIndexConfig"]["stopwords"]["preset"], "en");
}

#[test]
fn stopword_additions_already_in_the_preset_are_dropped() {
    let c = echo(
        json!({"class": "A", "invertedIndexConfig": {"stopwords": {"additions": ["the", "foo"], "removals": ["a"]}}}),
    );
    assert_eq!(
        c["invertedIndexConfig"]["stopwords"],
        json!({"preset": "en", "additions": ["foo"], "removals": ["a"]})
    );
    let c =
        echo(json!({"class": "A", "invertedIndexConfig": {"stopwords": {"additions": ["the"]}}}));
    assert_eq!(
        c["invertedIndexConfig"]["stopwords"]["additions"],
        Value::Null
    );
    let c = echo(json!({"class": "A", "invertedIndexConfig": {"stopwords": {"additions": []}}}));
    assert_eq!(
        c["invertedIndexConfig"]["stopwords"]["additions"],
        json!([])
    );
}

#[test]
fn inverted_index_errors() {
    let cases = [
        (
            json!({"cleanupIntervalSeconds": -1}),
            "cleanup interval seconds must be > 0",
        ),
        (json!({"bm25": {"k1": -0.1}}), "BM25.k1 must be >= 0"),
        (json!({"bm25": {"b": 1.5}}), "BM25.b must be >= 0 and <= 1"),
        (
            json!({"bm25": {"b": "x"}}),
            "invertedIndexConfig.bm25.b must be a number",
        ),
        (
            json!({"stopwords": {"preset": "de"}}),
            "stopwordPreset 'de' does not exist",
        ),
        (
            json!({"stopwords": {"additions": [" "]}}),
            "cannot use whitespace in stopword.additions",
        ),
        (
            json!({"stopwords": {"removals": [""]}}),
            "cannot use whitespace in stopword.removals",
        ),
        (
            json!({"stopwords": {"additions": ["foo"], "removals": ["foo"]}}),
            "found 'foo' in both stopwords.additions and stopwords.removals",
        ),
        (
            json!({"stopwords": {"additions": "foo"}}),
            "invertedIndexConfig.stopwords.additions must be a list of strings",
        ),
        (
            json!({"indexTimestamps": 1}),
            "invertedIndexConfig.indexTimestamps must be a boolean",
        ),
        (json!([]), "invertedIndexConfig must be a JSON object"),
    ];
    for (config, want) in cases {
        let e = error(json!({"class": "A", "invertedIndexConfig": config}));
        assert!(e.contains(want), "{config}: {e}");
    }
}

#[test]
fn default_distance_applies_to_the_legacy_vector_only() {
    let d = SchemaDefaults {
        default_distance: Distance::Dot,
        ..defaults()
    };
    let c = parse_class(&json!({"class": "A"}), &d).unwrap();
    assert_eq!(c.vector_index_config.unwrap().distance(), Distance::Dot);
    let c = parse_class(
        &json!({"class": "A", "vectorIndexConfig": {"distance": "l2-squared"}}),
        &d,
    )
    .unwrap();
    assert_eq!(
        c.vector_index_config.unwrap().distance(),
        Distance::L2Squared
    );
    let c = parse_class(
        &json!({"class": "A", "vectorConfig": {"v": {"vectorizer": {"none": {}}}}}),
        &d,
    )
    .unwrap();
    assert_eq!(
        c.vector_config.unwrap()["v"].vector_index_config.distance(),
        Distance::Cosine
    );
}

#[test]
fn vectorizer_must_be_none() {
    assert_eq!(
        echo(json!({"class": "A", "vectorizer": "none"}))["vectorizer"],
        "none"
    );
    assert_eq!(
        echo(json!({"class": "A", "vectorizer": ""}))["vectorizer"],
        "none"
    );
    let e = error(json!({"class": "A", "vectorizer": "text2vec-openai"}));
    assert!(
        e.contains("no module with name \"text2vec-openai\" present"),
        "{e}"
    );
}

#[test]
fn flat_index_defaults() {
    let c = echo(json!({"class": "A", "vectorIndexType": "flat"}));
    assert_eq!(c["vectorIndexType"], "flat");
    assert_eq!(c["vectorIndexConfig"], flat_defaults_json());
}

#[test]
fn dynamic_index_needs_async_indexing() {
    let e = error(json!({"class": "A", "vectorIndexType": "dynamic"}));
    assert!(
        e.contains("ASYNC_INDEXING") && e.contains("async indexing"),
        "{e}"
    );
    let d = SchemaDefaults {
        async_indexing: true,
        ..defaults()
    };
    let c = serde_json::to_value(
        parse_class(&json!({"class": "A", "vectorIndexType": "dynamic"}), &d).unwrap(),
    )
    .unwrap();
    assert_eq!(
        c["vectorIndexConfig"],
        json!({"distance": "cosine", "threshold": 10000, "hnsw": hnsw_defaults_json(), "flat": flat_defaults_json()})
    );
    let e = error(json!({"class": "A", "vectorIndexType": "ivf"}));
    assert!(
        e.contains("unrecognized or unsupported vectorIndexType \"ivf\""),
        "{e}"
    );
}

#[test]
fn named_vectors_are_parsed_with_defaults() {
    // test_schema.py::test_named_vectors_class_is_created_and_echoed
    let c = echo(json!({
        "class": "Named",
        "properties": [{"name": "title", "dataType": ["text"]}],
        "vectorConfig": {
            "title_vec": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"},
            "body_vec": {"vectorizer": {"none": {}}, "vectorIndexType": "flat", "vectorIndexConfig": {"distance": "dot"}}
        }
    }));
    assert!(
        c.get("vectorizer").is_none()
            && c.get("vectorIndexType").is_none()
            && c.get("vectorIndexConfig").is_none()
    );
    let vc = &c["vectorConfig"];
    assert_eq!(
        vc["title_vec"],
        json!({"vectorizer": {"none": {}}, "vectorIndexType": "hnsw", "vectorIndexConfig": hnsw_defaults_json()})
    );
    let mut flat = flat_defaults_json();
    flat["distance"] = json!("dot");
    assert_eq!(
        vc["body_vec"],
        json!({"vectorizer": {"none": {}}, "vectorIndexType": "flat", "vectorIndexConfig": flat})
    );
}

#[test]
fn named_vector_without_index_type_defaults_to_hnsw() {
    let c = parse_class(
        &json!({"class": "A", "vectorConfig": {"v": {"vectorizer": {"none": {}}}}}),
        &defaults(),
    )
    .unwrap();
    assert_eq!(
        c.vector_config.unwrap()["v"].vector_index_type,
        VectorIndexType::Hnsw
    );
}

#[test]
fn empty_vector_config_means_a_legacy_vector() {
    let c = echo(json!({"class": "A", "vectorConfig": {}}));
    assert_eq!(c["vectorizer"], "none");
    assert!(c.get("vectorConfig").is_none());
}

#[test]
fn named_vector_errors() {
    let nv = |entry: Value| json!({"class": "A", "vectorConfig": {"v": entry}});
    let none = json!({"none": {}});
    let cases = [
        (
            json!({"class": "A", "vectorizer": "none", "vectorConfig": {"v": {"vectorizer": none}}}),
            "class.vectorizer \"none\" can not be set if class.vectorConfig is configured",
        ),
        (
            json!({"class": "A", "vectorIndexType": "hnsw", "vectorConfig": {"v": {"vectorizer": none}}}),
            "class.vectorIndexType \"hnsw\" can not be set if class.vectorConfig is configured",
        ),
        (
            json!({"class": "A", "vectorIndexConfig": {}, "vectorConfig": {"v": {"vectorizer": none}}}),
            "class.vectorIndexConfig can not be set if class.vectorConfig is configured",
        ),
        (
            json!({"class": "A", "vectorConfig": {"bad-name": {"vectorizer": none}}}),
            "target vector name \"bad-name\" is not valid",
        ),
        (
            nv(json!({})),
            "class.VectorConfig.Vectorizer must be an object",
        ),
        (
            nv(json!({"vectorizer": "none"})),
            "class.VectorConfig.Vectorizer must be an object, got string",
        ),
        (
            nv(json!({"vectorizer": {"none": {}, "other": {}}})),
            "must consist only 1 configuration, got: 2",
        ),
        (
            nv(json!({"vectorizer": {"text2vec-openai": {}}})),
            "no module with name \"text2vec-openai\" present",
        ),
        (
            nv(json!({"vectorizer": none, "vectorIndexType": "dynamic"})),
            "ASYNC_INDEXING",
        ),
        (
            nv(json!({"vectorizer": none, "vectorIndexConfig": {"distance": "nope"}})),
            "unrecognized distance metric",
        ),
        (nv(json!(3)), "vectorConfig.v must be a JSON object"),
    ];
    for (body, want) in cases {
        let e = error(body.clone());
        assert!(e.contains(want), "{body}: {e}");
    }
    let e = error(nv(
        json!({"vectorizer": none, "vectorIndexConfig": {"maxConnections": 1}}),
    ));
    assert!(e.starts_with("target vector \"v\": "), "{e}");
}

#[test]
fn properties_are_parsed_in_order_and_duplicates_rejected() {
    let c = echo(json!({"class": "A", "properties": [
        {"name": "WordCount", "dataType": ["int"]}, {"name": "title", "dataType": ["text"]}]}));
    let names: Vec<_> = c["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("wordCount"), json!("title")]);
    let e = error(
        json!({"class": "A", "properties": [{"name": "title", "dataType": ["text"]}, {"name": "Title", "dataType": ["int"]}]}),
    );
    assert_eq!(
        e,
        "class \"A\": conflict for property \"title\": already in use or provided multiple times"
    );
    assert_eq!(
        echo(json!({"class": "A", "properties": []}))["properties"],
        Value::Null
    );
    assert!(error(json!({"class": "A", "properties": {}})).contains("properties must be a list"));
}

#[test]
fn invalid_properties_fail_the_class() {
    for (prop, want) in [
        (
            json!({"name": "id", "dataType": ["text"]}),
            "'id' is a reserved property name",
        ),
        (
            json!({"name": "_id", "dataType": ["text"]}),
            "'_id' is a reserved property name",
        ),
        (
            json!({"name": "_additional", "dataType": ["text"]}),
            "'_additional' is a reserved property name",
        ),
        (
            json!({"name": "bad-prop", "dataType": ["text"]}),
            "'bad-prop' is not a valid property name",
        ),
        (
            json!({"name": "x", "dataType": ["no_such_type"]}),
            "unknown primitive data type 'no_such_type'",
        ),
    ] {
        let e = error(json!({"class": "A", "properties": [prop]}));
        assert!(e.contains(want), "{e}");
    }
}

#[test]
fn unknown_keys_are_ignored() {
    // The v4 client sends keys Weaviate ignores (e.g. skip_vectorization on properties).
    let c = echo(
        json!({"class": "A", "whatever": 1, "vectorIndexConfig": {"multivector": {"enabled": false}},
                        "properties": [{"name": "t", "dataType": ["text"], "skip_vectorization": false}]}),
    );
    assert_eq!(c["properties"][0]["name"], "t");
}

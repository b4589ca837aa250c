//! `vectorIndexConfig` parsing: every key of hnsw, flat and dynamic kept when given, defaults
//! otherwise, and the checks Weaviate makes (plus wrong types naming the key).

use serde_json::{json, Value};

use super::class_tests::{flat_defaults_json, hnsw_defaults_json};
use super::{parse_class, SchemaDefaults};

fn config(kind: &str, cfg: Value) -> Value {
    let d = SchemaDefaults {
        async_indexing: true,
        ..SchemaDefaults::default()
    };
    let body = json!({"class": "A", "vectorIndexType": kind, "vectorIndexConfig": cfg});
    serde_json::to_value(parse_class(&body, &d).unwrap()).unwrap()["vectorIndexConfig"].clone()
}

fn error(kind: &str, cfg: Value) -> String {
    let d = SchemaDefaults {
        async_indexing: true,
        ..SchemaDefaults::default()
    };
    match parse_class(
        &json!({"class": "A", "vectorIndexType": kind, "vectorIndexConfig": cfg}),
        &d,
    ) {
        Err(crate::Error::InvalidInput(msg)) => msg,
        other => panic!("expected InvalidInput for {cfg}, got {other:?}"),
    }
}

#[test]
fn every_hnsw_key_is_kept() {
    let full = json!({
        "skip": true, "cleanupIntervalSeconds": 10, "maxConnections": 8, "efConstruction": 16,
        "ef": 50, "dynamicEfMin": 10, "dynamicEfMax": 20, "dynamicEfFactor": 2,
        "vectorCacheMaxObjects": 1000, "flatSearchCutoff": 5, "distance": "l2-squared",
        "pq": {"enabled": true, "bitCompression": true, "segments": 4, "centroids": 128, "trainingLimit": 500,
               "encoder": {"type": "tile", "distribution": "normal"}},
        "bq": {"enabled": false},
        "sq": {"enabled": false, "trainingLimit": 7, "rescoreLimit": 3},
        "rq": {"enabled": false, "bits": 1, "rescoreLimit": 9},
        "filterStrategy": "acorn",
        "skipDefaultQuantization": true, "trackDefaultQuantization": false
    });
    assert_eq!(config("hnsw", full.clone()), full);
}

#[test]
fn partial_compression_blocks_fill_the_rest() {
    let c = config(
        "hnsw",
        json!({"pq": {"enabled": true, "encoder": {"type": "tile"}}, "sq": {"rescoreLimit": 5}}),
    );
    let mut want = hnsw_defaults_json();
    want["pq"]["enabled"] = json!(true);
    want["pq"]["encoder"]["type"] = json!("tile");
    want["sq"]["rescoreLimit"] = json!(5);
    assert_eq!(c, want);
    let c = config("hnsw", json!({"bq": {"enabled": true}}));
    assert_eq!(c["bq"], json!({"enabled": true}));
    assert_eq!(
        config("hnsw", json!({"sq": {"enabled": true}}))["sq"]["enabled"],
        true
    );
}

#[test]
fn null_and_integral_float_values() {
    // null means absent; 64.0 is an integer
    let c = config(
        "hnsw",
        json!({"ef": null, "maxConnections": 64.0, "pq": null}),
    );
    assert_eq!(
        (c["ef"].clone(), c["maxConnections"].clone()),
        (json!(-1), json!(64))
    );
    assert_eq!(config("hnsw", Value::Null), hnsw_defaults_json());
    assert_eq!(config("hnsw", json!({})), hnsw_defaults_json());
}

#[test]
fn every_distance_parses() {
    for d in ["cosine", "dot", "l2-squared", "manhattan", "hamming"] {
        assert_eq!(config("hnsw", json!({"distance": d}))["distance"], d);
        assert_eq!(config("flat", json!({"distance": d}))["distance"], d);
    }
}

#[test]
fn hnsw_errors() {
    let cases = [
        (
            json!({"maxConnections": 3}),
            "invalid hnsw config: maxConnections must be a positive integer with a minimum of 4",
        ),
        (
            json!({"efConstruction": 0}),
            "efConstruction must be a positive integer with a minimum of 4",
        ),
        (
            json!({"filterStrategy": "fast"}),
            "filterStrategy must be either 'sweeping' or 'acorn'",
        ),
        (
            json!({"pq": {"enabled": true}, "bq": {"enabled": true}}),
            "more than a single compression methods enabled",
        ),
        (
            json!({"sq": {"enabled": true}, "bq": {"enabled": true}}),
            "more than a single compression methods enabled",
        ),
        (
            json!({"distance": "euclid"}),
            "vectorIndexConfig.distance: unrecognized distance metric \"euclid\"",
        ),
        (
            json!({"maxConnections": "many"}),
            "vectorIndexConfig.maxConnections must be an integer, got \"many\"",
        ),
        (
            json!({"ef": 1.5}),
            "vectorIndexConfig.ef must be an integer, got 1.5",
        ),
        (
            json!({"skip": "no"}),
            "vectorIndexConfig.skip must be a boolean",
        ),
        (
            json!({"distance": 1}),
            "vectorIndexConfig.distance must be a string",
        ),
        (
            json!({"pq": true}),
            "vectorIndexConfig.pq must be an object",
        ),
        (
            json!({"pq": {"segments": "x"}}),
            "vectorIndexConfig.pq.segments must be an integer",
        ),
        (
            json!({"pq": {"encoder": {"type": "pca"}}}),
            "vectorIndexConfig.pq.encoder.type: invalid encoder type pca",
        ),
        (
            json!({"pq": {"encoder": {"distribution": "flat"}}}),
            "invalid encoder distribution flat",
        ),
        (
            json!({"sq": {"enabled": 1}}),
            "vectorIndexConfig.sq.enabled must be a boolean",
        ),
        (json!("fast"), "vectorIndexConfig must be a JSON object"),
    ];
    for (cfg, want) in cases {
        let e = error("hnsw", cfg.clone());
        assert!(e.contains(want), "{cfg}: {e}");
        assert!(e.starts_with("parse vector index config: "), "{e}");
    }
}

#[test]
fn every_flat_key_is_kept() {
    let full = json!({
        "distance": "dot", "vectorCacheMaxObjects": 5,
        "pq": {"enabled": false, "rescoreLimit": 1, "cache": false},
        "bq": {"enabled": true, "rescoreLimit": 200, "cache": true},
        "sq": {"enabled": false, "rescoreLimit": 3, "cache": false},
        "rq": {"enabled": false, "rescoreLimit": 7, "cache": false, "bits": 1},
        "skipDefaultQuantization": true, "trackDefaultQuantization": false
    });
    assert_eq!(config("flat", full.clone()), full);
    assert_eq!(
        config("flat", json!({"bq": {"enabled": true}}))["bq"],
        json!({"enabled": true, "rescoreLimit": -1, "cache": false})
    );
}

#[test]
fn flat_errors() {
    let cases = [
        (
            json!({"bq": {"cache": true}}),
            "not possible to use the cache without compression",
        ),
        (
            json!({"bq": {"enabled": true}, "pq": {"enabled": true}}),
            "cannot enable multiple quantization methods",
        ),
        (
            json!({"pq": {"enabled": true}}),
            "PQ is not currently supported for flat indices",
        ),
        (
            json!({"sq": {"enabled": true}}),
            "SQ is not currently supported for flat indices",
        ),
        (
            json!({"vectorCacheMaxObjects": "all"}),
            "vectorIndexConfig.vectorCacheMaxObjects must be an integer",
        ),
        (
            json!({"bq": {"rescoreLimit": true}}),
            "vectorIndexConfig.bq.rescoreLimit must be an integer",
        ),
    ];
    for (cfg, want) in cases {
        let e = error("flat", cfg.clone());
        assert!(e.contains(want), "{cfg}: {e}");
    }
}

#[test]
fn dynamic_keys_and_nested_configs() {
    let c = config(
        "dynamic",
        json!({"distance": "dot", "threshold": 5, "hnsw": {"maxConnections": 16}, "flat": {"bq": {"enabled": true}}}),
    );
    assert_eq!(
        (c["distance"].clone(), c["threshold"].clone()),
        (json!("dot"), json!(5))
    );
    assert_eq!(c["hnsw"]["maxConnections"], 16);
    // As in Weaviate, the nested blocks keep their own (default) distance.
    assert_eq!(c["hnsw"]["distance"], "cosine");
    assert_eq!(c["flat"]["bq"]["enabled"], true);
    let mut flat = flat_defaults_json();
    flat["bq"]["enabled"] = json!(true);
    assert_eq!(c["flat"], flat);
    let e = error("dynamic", json!({"threshold": -1}));
    assert!(
        e.contains("vectorIndexConfig.threshold: must not be negative"),
        "{e}"
    );
    let e = error("dynamic", json!({"hnsw": {"maxConnections": 1}}));
    assert!(
        e.contains("vectorIndexConfig.hnsw: invalid hnsw config"),
        "{e}"
    );
    let e = error("dynamic", json!({"flat": {"pq": {"enabled": true}}}));
    assert!(
        e.contains("vectorIndexConfig.flat: PQ is not currently supported"),
        "{e}"
    );
}

//! Compression settings: the `rq` blocks of hnsw and flat and their defaults, one method at a
//! time (the 422 names the methods), parameter ranges, `DEFAULT_QUANTIZATION` on create only
//! (flat and dynamic included), and which updates may enable, disable or switch a method.

use serde_json::{json, Value};
use types::schema::{Class, DefaultQuantization, VectorIndexConfig};

use super::class_tests::hnsw_defaults_json;
use super::{apply_update, parse_class, SchemaDefaults};

fn with_default(q: DefaultQuantization) -> SchemaDefaults {
    SchemaDefaults {
        default_quantization: q,
        async_indexing: true,
        ..SchemaDefaults::default()
    }
}

fn class(cfg: Value, defaults: &SchemaDefaults) -> Class {
    let body = json!({"class": "C", "vectorIndexConfig": cfg});
    parse_class(&body, defaults).unwrap()
}

fn echo(cfg: Value, defaults: &SchemaDefaults) -> Value {
    serde_json::to_value(class(cfg, defaults)).unwrap()["vectorIndexConfig"].clone()
}

fn error(cfg: Value) -> String {
    let body = json!({"class": "C", "vectorIndexConfig": cfg});
    match parse_class(&body, &SchemaDefaults::default()) {
        Err(crate::Error::InvalidInput(msg)) => msg,
        other => panic!("expected InvalidInput for {cfg}, got {other:?}"),
    }
}

fn update_error(current: &Class, change: Value) -> String {
    match apply_update(current, &change, &SchemaDefaults::default()) {
        Err(crate::Error::InvalidInput(msg)) => msg,
        other => panic!("expected InvalidInput for {change}, got {other:?}"),
    }
}

fn hnsw(class: &Class) -> &types::schema::HnswConfig {
    match class.vector_index_config.as_ref() {
        Some(VectorIndexConfig::Hnsw(h)) => h,
        other => panic!("expected an hnsw config, got {other:?}"),
    }
}

#[test]
fn rq_defaults_and_one_bit_rescoring() {
    let none = SchemaDefaults::default();
    assert_eq!(
        echo(json!({}), &none)["rq"],
        json!({"enabled": false, "bits": 8, "rescoreLimit": 20})
    );
    assert_eq!(
        echo(json!({"rq": {"enabled": true}}), &none)["rq"],
        json!({"enabled": true, "bits": 8, "rescoreLimit": 20})
    );
    // Weaviate raises the rescore default to 512 for 1 bit, unless one is given.
    assert_eq!(
        echo(json!({"rq": {"enabled": true, "bits": 1}}), &none)["rq"],
        json!({"enabled": true, "bits": 1, "rescoreLimit": 512})
    );
    assert_eq!(
        echo(
            json!({"rq": {"enabled": true, "bits": 1, "rescoreLimit": 64}}),
            &none
        )["rq"]["rescoreLimit"],
        64
    );
}

#[test]
fn two_methods_are_refused_naming_both() {
    for (cfg, names) in [
        (
            json!({"pq": {"enabled": true}, "rq": {"enabled": true}}),
            "pq, rq",
        ),
        (
            json!({"bq": {"enabled": true}, "sq": {"enabled": true}}),
            "bq, sq",
        ),
        (
            json!({"pq": {"enabled": true}, "bq": {"enabled": true}, "sq": {"enabled": true}}),
            "pq, bq, sq",
        ),
    ] {
        let e = error(cfg);
        assert!(
            e.contains("more than a single compression methods enabled")
                && e.contains(&format!("enabled: {names} (")),
            "{e}"
        );
    }
    // Disabled blocks with settings do not count.
    let c = class(
        json!({"pq": {"enabled": false, "segments": 8}, "rq": {"enabled": true}}),
        &SchemaDefaults::default(),
    );
    assert!(hnsw(&c).rq.enabled && !hnsw(&c).pq.enabled);
}

#[test]
fn enabled_parameters_are_checked() {
    for (cfg, want) in [
        (
            json!({"rq": {"enabled": true, "bits": 4}}),
            "RQ bits must be 8 or 1",
        ),
        (
            json!({"pq": {"enabled": true, "centroids": 300}}),
            "pq.centroids must be between 1 and 256, got 300",
        ),
        (
            json!({"pq": {"enabled": true, "segments": -2}}),
            "pq.segments must not be negative, got -2",
        ),
        (
            json!({"pq": {"enabled": true, "trainingLimit": 0}}),
            "pq.trainingLimit must be a positive integer, got 0",
        ),
        (
            json!({"sq": {"enabled": true, "trainingLimit": -1}}),
            "sq.trainingLimit must be a positive integer, got -1",
        ),
        (
            json!({"distance": "manhattan", "sq": {"enabled": true}}),
            "sq compression does not support the manhattan distance",
        ),
    ] {
        let e = error(cfg.clone());
        assert!(e.contains(want), "{cfg}: {e}");
    }
    // Out-of-range settings of a disabled method are not checked, as in Weaviate.
    let c = class(
        json!({"rq": {"bits": 4}, "bq": {"enabled": true}, "distance": "hamming"}),
        &SchemaDefaults::default(),
    );
    assert!(hnsw(&c).bq.enabled);
}

#[test]
fn default_quantization_fills_classes_that_name_none() {
    for (q, method) in [
        (DefaultQuantization::Pq, "pq"),
        (DefaultQuantization::Bq, "bq"),
        (DefaultQuantization::Sq, "sq"),
        (DefaultQuantization::Rq8, "rq"),
    ] {
        let c = echo(json!({}), &with_default(q));
        assert_eq!(c[method]["enabled"], true, "{method}");
        assert_eq!(c["trackDefaultQuantization"], true);
    }
    let c = echo(json!({}), &with_default(DefaultQuantization::Rq1));
    assert_eq!(
        c["rq"],
        json!({"enabled": true, "bits": 1, "rescoreLimit": 512})
    );
    assert_eq!(
        echo(json!({}), &with_default(DefaultQuantization::None)),
        hnsw_defaults_json()
    );
}

#[test]
fn default_quantization_leaves_explicit_choices_alone() {
    let d = with_default(DefaultQuantization::Pq);
    let chosen = echo(json!({"sq": {"enabled": true}}), &d);
    assert_eq!(
        (
            chosen["sq"]["enabled"].clone(),
            chosen["pq"]["enabled"].clone()
        ),
        (json!(true), json!(false))
    );
    assert_eq!(chosen["trackDefaultQuantization"], false);
    let skipped = echo(json!({"skipDefaultQuantization": true}), &d);
    assert_eq!(skipped["pq"]["enabled"], false);
    assert_eq!(skipped["skipDefaultQuantization"], true);
    // Named vectors: hnsw takes pq; flat has no pq, so it stays uncompressed and untracked.
    let named = named_configs(&d);
    assert_eq!(named["a"]["pq"]["enabled"], true);
    assert_eq!(named["b"]["pq"]["enabled"], false);
    assert_eq!(named["b"]["trackDefaultQuantization"], false);
}

/// The `vectorIndexConfig` of named vectors a (hnsw), b (flat) and c (dynamic), created under
/// `defaults`.
fn named_configs(defaults: &SchemaDefaults) -> Value {
    let body = json!({"class": "N", "vectorConfig": {
        "a": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"},
        "b": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"},
        "c": {"vectorizer": {"none": {}}, "vectorIndexType": "dynamic"}
    }});
    let class = serde_json::to_value(parse_class(&body, defaults).unwrap()).unwrap();
    let configs = class["vectorConfig"].as_object().unwrap().iter();
    Value::Object(
        configs
            .map(|(name, v)| (name.clone(), v["vectorIndexConfig"].clone()))
            .collect(),
    )
}

#[test]
fn flat_and_dynamic_take_the_default_methods_flat_has() {
    let bq = named_configs(&with_default(DefaultQuantization::Bq));
    for flat in [&bq["b"], &bq["c"]["flat"]] {
        assert_eq!(flat["bq"]["enabled"], true, "{flat}");
        assert_eq!(flat["trackDefaultQuantization"], true);
    }
    assert_eq!(bq["c"]["hnsw"]["bq"]["enabled"], true);
    assert_eq!(bq["c"]["hnsw"]["trackDefaultQuantization"], true);
    let rq1 = named_configs(&with_default(DefaultQuantization::Rq1));
    assert_eq!(
        rq1["b"]["rq"],
        json!({"enabled": true, "bits": 1, "rescoreLimit": -1, "cache": false})
    );
    assert_eq!(rq1["c"]["hnsw"]["rq"]["bits"], 1);
    let sq = named_configs(&with_default(DefaultQuantization::Sq));
    assert_eq!(sq["c"]["hnsw"]["sq"]["enabled"], true);
    assert_eq!(sq["c"]["flat"]["sq"]["enabled"], false);
    assert_eq!(sq["c"]["flat"]["trackDefaultQuantization"], false);
    let body = json!({"class": "S", "vectorIndexType": "flat",
        "vectorIndexConfig": {"skipDefaultQuantization": true}});
    let skipped = parse_class(&body, &with_default(DefaultQuantization::Bq)).unwrap();
    let skipped = serde_json::to_value(skipped).unwrap();
    assert_eq!(skipped["vectorIndexConfig"]["bq"]["enabled"], false);
    assert_eq!(
        skipped["vectorIndexConfig"]["skipDefaultQuantization"],
        true
    );
}

fn flat_error(cfg: Value) -> String {
    let body = json!({"class": "C", "vectorIndexType": "flat", "vectorIndexConfig": cfg});
    match parse_class(&body, &SchemaDefaults::default()) {
        Err(crate::Error::InvalidInput(msg)) => msg,
        other => panic!("expected InvalidInput for {cfg}, got {other:?}"),
    }
}

#[test]
fn flat_rq_is_checked_like_weaviates() {
    let body = json!({"class": "C", "vectorIndexType": "flat",
        "vectorIndexConfig": {"rq": {"enabled": true, "rescoreLimit": 40}}});
    let echo = serde_json::to_value(parse_class(&body, &SchemaDefaults::default()).unwrap());
    assert_eq!(
        echo.unwrap()["vectorIndexConfig"]["rq"],
        json!({"enabled": true, "bits": 8, "rescoreLimit": 40, "cache": false})
    );
    let bits = flat_error(json!({"rq": {"enabled": true, "bits": 4}}));
    assert!(
        bits.contains("rq.bits") && bits.contains("1 or 8"),
        "{bits}"
    );
    let two = flat_error(json!({"rq": {"enabled": true}, "bq": {"enabled": true}}));
    assert!(two.contains("multiple quantization methods"), "{two}");
    let cache = flat_error(json!({"rq": {"cache": true}}));
    assert!(cache.contains("cache without compression"), "{cache}");
    let kind = flat_error(json!({"rq": {"bits": "8"}}));
    assert!(kind.contains("vectorIndexConfig.rq.bits"), "{kind}");
}

#[test]
fn flat_rq_can_neither_be_enabled_nor_changed_by_an_update() {
    let body = json!({"class": "C", "vectorIndexType": "flat"});
    let plain = parse_class(&body, &SchemaDefaults::default()).unwrap();
    let msg = update_error(
        &plain,
        json!({"vectorIndexType": "flat", "vectorIndexConfig": {"rq": {"enabled": true}}}),
    );
    assert!(msg.contains("rq is immutable"), "{msg}");
}

#[test]
fn updates_enable_but_never_disable_or_switch() {
    let plain = class(json!({}), &SchemaDefaults::default());
    for method in ["pq", "bq", "sq", "rq"] {
        let change = json!({"vectorIndexConfig": {method: {"enabled": true}}});
        let updated = apply_update(&plain, &change, &SchemaDefaults::default()).unwrap();
        let echoed = serde_json::to_value(&updated).unwrap();
        assert_eq!(echoed["vectorIndexConfig"][method]["enabled"], true);
    }
    let pq = class(json!({"pq": {"enabled": true}}), &SchemaDefaults::default());
    let e = update_error(
        &pq,
        json!({"vectorIndexConfig": {"pq": {"enabled": false}}}),
    );
    assert!(e.contains("pq cannot be disabled"), "{e}");
    let e = update_error(
        &pq,
        json!({"vectorIndexConfig": {"pq": {"enabled": false}, "bq": {"enabled": true}}}),
    );
    assert!(e.contains("pq cannot be disabled"), "{e}");
    let e = update_error(&pq, json!({"vectorIndexConfig": {"rq": {"enabled": true}}}));
    assert!(
        e.contains("more than a single compression methods enabled: pq, rq"),
        "{e}"
    );
    let e = update_error(&pq, json!({"vectorIndexConfig": {"pq": {"segments": 4}}}));
    assert!(e.contains("pq.segments is immutable"), "{e}");
    let rq = class(json!({"rq": {"enabled": true}}), &SchemaDefaults::default());
    let e = update_error(&rq, json!({"vectorIndexConfig": {"rq": {"bits": 1}}}));
    assert!(e.contains("rq.bits is immutable"), "{e}");
    // Rescoring is a search-time setting and may change.
    let more = json!({"vectorIndexConfig": {"rq": {"rescoreLimit": 100}}});
    let updated = apply_update(&rq, &more, &SchemaDefaults::default()).unwrap();
    assert_eq!(hnsw(&updated).rq.rescore_limit, 100);
}

#[test]
fn an_update_does_not_apply_the_default_again() {
    let plain = class(json!({}), &SchemaDefaults::default());
    let d = with_default(DefaultQuantization::Bq);
    let updated = apply_update(&plain, &json!({"vectorIndexConfig": {"ef": 64}}), &d).unwrap();
    assert!(!hnsw(&updated).bq.enabled);
}

#[test]
fn stored_classes_without_rq_still_load() {
    let mut stored = serde_json::to_value(class(json!({}), &SchemaDefaults::default())).unwrap();
    let config = stored["vectorIndexConfig"].as_object_mut().unwrap();
    for key in ["rq", "skipDefaultQuantization", "trackDefaultQuantization"] {
        config.remove(key);
    }
    let loaded: Class = serde_json::from_value(stored).unwrap();
    assert_eq!(hnsw(&loaded).rq, types::schema::RqConfig::default());
    let body = json!({"class": "F", "vectorIndexType": "flat"});
    let flat = parse_class(&body, &SchemaDefaults::default()).unwrap();
    let mut stored = serde_json::to_value(&flat).unwrap();
    let config = stored["vectorIndexConfig"].as_object_mut().unwrap();
    for key in ["rq", "skipDefaultQuantization", "trackDefaultQuantization"] {
        config.remove(key);
    }
    let loaded: Class = serde_json::from_value(stored).unwrap();
    assert_eq!(loaded, flat);
}

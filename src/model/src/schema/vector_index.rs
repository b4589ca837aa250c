//! `vectorIndexType` and `vectorIndexConfig`: hnsw, flat and dynamic, every key defaulted as
//! Weaviate 1.27 does (entities/vectorindex/{hnsw,flat,dynamic}/config.go), plus the `rq`
//! blocks and default-quantization flags of 1.32 (see `compression`), unknown keys ignored.
//! Unlike Weaviate, a key of the wrong type is an error instead of being ignored or read as 0.

use serde_json::Value;
use types::schema::{
    BqConfig, Distance, DynamicConfig, FlatCompression, FlatConfig, FlatRqConfig, HnswConfig,
    PqConfig, PqEncoder, RqConfig, SqConfig, VectorIndexConfig, VectorIndexType,
};

use super::compression;
use super::json::{self, Obj};
use crate::{Error, Result};

const MIN_MAX_CONNECTIONS: i64 = 4;
const MIN_EF_CONSTRUCTION: i64 = 4;
const DEFAULT_VECTOR_CACHE_MAX_OBJECTS: i64 = 1_000_000_000_000;
const DEFAULT_DYNAMIC_THRESHOLD: i64 = 10_000;
/// The default-quantization flags of hnsw and flat (off unless given).
const SKIP_DEFAULT: &str = "skipDefaultQuantization";
const TRACK_DEFAULT: &str = "trackDefaultQuantization";

/// Parses `vectorIndexType`; absent or empty means hnsw. `dynamic` needs async indexing.
pub(super) fn parse_type(raw: Option<&str>, async_indexing: bool) -> Result<VectorIndexType> {
    let kind = match raw.unwrap_or_default() {
        "" | "hnsw" => VectorIndexType::Hnsw,
        "flat" => VectorIndexType::Flat,
        "dynamic" => VectorIndexType::Dynamic,
        other => {
            return Err(Error::invalid(format!(
                "unrecognized or unsupported vectorIndexType {other:?}"
            )));
        }
    };
    if kind == VectorIndexType::Dynamic && !async_indexing {
        return Err(Error::invalid(
            "the dynamic index can only be created under async indexing environment (ASYNC_INDEXING=true)",
        ));
    }
    Ok(kind)
}

/// Parses a `vectorIndexConfig` of the given type. `default_distance` applies when the config
/// names no distance; `path` names the config in messages (`vectorIndexConfig`,
/// `vectorConfig.title_vec.vectorIndexConfig`).
pub(super) fn parse_config(
    kind: VectorIndexType,
    config: Option<&Value>,
    default_distance: Distance,
    path: &str,
) -> Result<VectorIndexConfig> {
    let empty = Obj::new();
    let obj = match config.filter(|v| !v.is_null()) {
        None => &empty,
        Some(v) => json::as_obj(v, path)?,
    };
    Ok(match kind {
        VectorIndexType::Hnsw => VectorIndexConfig::Hnsw(parse_hnsw(obj, default_distance, path)?),
        VectorIndexType::Flat => VectorIndexConfig::Flat(parse_flat(obj, default_distance, path)?),
        VectorIndexType::Dynamic => {
            VectorIndexConfig::Dynamic(parse_dynamic(obj, default_distance, path)?)
        }
    })
}

/// A distance name, with Weaviate's message for an unknown one.
pub(super) fn parse_distance(obj: &Obj, default: Distance, path: &str) -> Result<Distance> {
    match json::opt_str(obj, "distance", path)? {
        None => Ok(default),
        Some(name) => Distance::parse(name).ok_or_else(|| {
            Error::invalid(format!(
                "{}: unrecognized distance metric {name:?}, choose one of [\"cosine\", \"dot\", \
                 \"l2-squared\", \"manhattan\", \"hamming\"]",
                json::join(path, "distance")
            ))
        }),
    }
}

fn int_or(obj: &Obj, key: &str, path: &str, default: i64) -> Result<i64> {
    Ok(json::opt_int(obj, key, path)?.unwrap_or(default))
}

fn bool_or(obj: &Obj, key: &str, path: &str, default: bool) -> Result<bool> {
    Ok(json::opt_bool(obj, key, path)?.unwrap_or(default))
}

/// hnsw with every default of 1.27.
pub(super) fn hnsw_defaults(distance: Distance) -> HnswConfig {
    HnswConfig {
        skip: false,
        cleanup_interval_seconds: 300,
        max_connections: 32,
        ef_construction: 128,
        ef: -1,
        dynamic_ef_min: 100,
        dynamic_ef_max: 500,
        dynamic_ef_factor: 8,
        vector_cache_max_objects: DEFAULT_VECTOR_CACHE_MAX_OBJECTS,
        flat_search_cutoff: 40_000,
        distance,
        pq: PqConfig {
            enabled: false,
            bit_compression: false,
            segments: 0,
            centroids: 256,
            training_limit: 100_000,
            encoder: PqEncoder {
                kind: "kmeans".to_string(),
                distribution: "log-normal".to_string(),
            },
        },
        bq: BqConfig { enabled: false },
        sq: SqConfig {
            enabled: false,
            training_limit: 100_000,
            rescore_limit: 20,
        },
        rq: RqConfig::default(),
        filter_strategy: "sweeping".to_string(),
        skip_default_quantization: false,
        track_default_quantization: false,
    }
}

fn parse_hnsw(obj: &Obj, default_distance: Distance, path: &str) -> Result<HnswConfig> {
    let d = hnsw_defaults(default_distance);
    let config = HnswConfig {
        skip: bool_or(obj, "skip", path, d.skip)?,
        cleanup_interval_seconds: int_or(
            obj,
            "cleanupIntervalSeconds",
            path,
            d.cleanup_interval_seconds,
        )?,
        max_connections: int_or(obj, "maxConnections", path, d.max_connections)?,
        ef_construction: int_or(obj, "efConstruction", path, d.ef_construction)?,
        ef: int_or(obj, "ef", path, d.ef)?,
        dynamic_ef_min: int_or(obj, "dynamicEfMin", path, d.dynamic_ef_min)?,
        dynamic_ef_max: int_or(obj, "dynamicEfMax", path, d.dynamic_ef_max)?,
        dynamic_ef_factor: int_or(obj, "dynamicEfFactor", path, d.dynamic_ef_factor)?,
        vector_cache_max_objects: int_or(
            obj,
            "vectorCacheMaxObjects",
            path,
            d.vector_cache_max_objects,
        )?,
        flat_search_cutoff: int_or(obj, "flatSearchCutoff", path, d.flat_search_cutoff)?,
        distance: parse_distance(obj, default_distance, path)?,
        pq: parse_pq(obj, d.pq, path)?,
        bq: BqConfig {
            enabled: sub_bool(obj, "bq", "enabled", path, false)?,
        },
        sq: parse_sq(obj, d.sq, path)?,
        rq: compression::parse_rq(obj, d.rq, path)?,
        filter_strategy: json::opt_str(obj, "filterStrategy", path)?
            .unwrap_or(&d.filter_strategy)
            .to_string(),
        skip_default_quantization: bool_or(obj, SKIP_DEFAULT, path, false)?,
        track_default_quantization: bool_or(obj, TRACK_DEFAULT, path, false)?,
    };
    validate_hnsw(&config, path)?;
    Ok(config)
}

/// The ranges Weaviate checks (others are taken as given).
fn validate_hnsw(c: &HnswConfig, path: &str) -> Result<()> {
    let mut problems = Vec::new();
    if c.max_connections < MIN_MAX_CONNECTIONS {
        problems.push(format!(
            "maxConnections must be a positive integer with a minimum of {MIN_MAX_CONNECTIONS}"
        ));
    }
    if c.ef_construction < MIN_EF_CONSTRUCTION {
        problems.push(format!(
            "efConstruction must be a positive integer with a minimum of {MIN_EF_CONSTRUCTION}"
        ));
    }
    if c.filter_strategy != "sweeping" && c.filter_strategy != "acorn" {
        problems.push("filterStrategy must be either 'sweeping' or 'acorn'".to_string());
    }
    if !problems.is_empty() {
        return Err(Error::invalid(format!(
            "{path}: invalid hnsw config: {}",
            problems.join(", ")
        )));
    }
    compression::validate(c, path)
}

/// A sub-object of the config (`pq`, `bq`, ...), empty when absent.
fn sub<'a>(obj: &'a Obj, key: &str, path: &str) -> Result<(Option<&'a Obj>, String)> {
    Ok((json::opt_obj(obj, key, path)?, json::join(path, key)))
}

fn sub_bool(obj: &Obj, key: &str, inner: &str, path: &str, default: bool) -> Result<bool> {
    match sub(obj, key, path)? {
        (Some(o), p) => bool_or(o, inner, &p, default),
        (None, _) => Ok(default),
    }
}

fn parse_pq(obj: &Obj, d: PqConfig, path: &str) -> Result<PqConfig> {
    let (Some(pq), path) = sub(obj, "pq", path)? else {
        return Ok(d);
    };
    let encoder = match sub(pq, "encoder", &path)? {
        (Some(e), p) => PqEncoder {
            kind: one_of(e, "type", &p, &["kmeans", "tile"], "encoder type")?
                .unwrap_or(d.encoder.kind),
            distribution: one_of(
                e,
                "distribution",
                &p,
                &["log-normal", "normal"],
                "encoder distribution",
            )?
            .unwrap_or(d.encoder.distribution),
        },
        (None, _) => d.encoder,
    };
    Ok(PqConfig {
        enabled: bool_or(pq, "enabled", &path, d.enabled)?,
        bit_compression: bool_or(pq, "bitCompression", &path, d.bit_compression)?,
        segments: int_or(pq, "segments", &path, d.segments)?,
        centroids: int_or(pq, "centroids", &path, d.centroids)?,
        training_limit: int_or(pq, "trainingLimit", &path, d.training_limit)?,
        encoder,
    })
}

/// An optional string restricted to `allowed`, with Weaviate's "invalid encoder type x".
fn one_of(
    obj: &Obj,
    key: &str,
    path: &str,
    allowed: &[&str],
    what: &str,
) -> Result<Option<String>> {
    match json::opt_str(obj, key, path)? {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
        Some(v) => Err(Error::invalid(format!(
            "{}: invalid {what} {v} (expected one of {})",
            json::join(path, key),
            allowed.join(", ")
        ))),
    }
}

fn parse_sq(obj: &Obj, d: SqConfig, path: &str) -> Result<SqConfig> {
    let (Some(sq), path) = sub(obj, "sq", path)? else {
        return Ok(d);
    };
    Ok(SqConfig {
        enabled: bool_or(sq, "enabled", &path, d.enabled)?,
        training_limit: int_or(sq, "trainingLimit", &path, d.training_limit)?,
        rescore_limit: int_or(sq, "rescoreLimit", &path, d.rescore_limit)?,
    })
}

/// flat with every default of 1.27.
pub(super) fn flat_defaults(distance: Distance) -> FlatConfig {
    let compression = FlatCompression {
        enabled: false,
        rescore_limit: -1,
        cache: false,
    };
    FlatConfig {
        distance,
        vector_cache_max_objects: DEFAULT_VECTOR_CACHE_MAX_OBJECTS,
        pq: compression.clone(),
        bq: compression.clone(),
        sq: compression,
        rq: FlatRqConfig::default(),
        skip_default_quantization: false,
        track_default_quantization: false,
    }
}

fn parse_flat(obj: &Obj, default_distance: Distance, path: &str) -> Result<FlatConfig> {
    let d = flat_defaults(default_distance);
    let config = FlatConfig {
        distance: parse_distance(obj, default_distance, path)?,
        vector_cache_max_objects: int_or(
            obj,
            "vectorCacheMaxObjects",
            path,
            d.vector_cache_max_objects,
        )?,
        pq: parse_flat_compression(obj, "pq", d.pq, path)?,
        bq: parse_flat_compression(obj, "bq", d.bq, path)?,
        sq: parse_flat_compression(obj, "sq", d.sq, path)?,
        rq: parse_flat_rq(obj, d.rq, path)?,
        skip_default_quantization: bool_or(obj, SKIP_DEFAULT, path, false)?,
        track_default_quantization: bool_or(obj, TRACK_DEFAULT, path, false)?,
    };
    validate_flat(&config, path)?;
    Ok(config)
}

fn parse_flat_compression(
    obj: &Obj,
    key: &str,
    d: FlatCompression,
    path: &str,
) -> Result<FlatCompression> {
    let (Some(c), path) = sub(obj, key, path)? else {
        return Ok(d);
    };
    Ok(FlatCompression {
        enabled: bool_or(c, "enabled", &path, d.enabled)?,
        rescore_limit: int_or(c, "rescoreLimit", &path, d.rescore_limit)?,
        cache: bool_or(c, "cache", &path, d.cache)?,
    })
}

fn parse_flat_rq(obj: &Obj, d: FlatRqConfig, path: &str) -> Result<FlatRqConfig> {
    let (Some(c), path) = sub(obj, "rq", path)? else {
        return Ok(d);
    };
    Ok(FlatRqConfig {
        enabled: bool_or(c, "enabled", &path, d.enabled)?,
        rescore_limit: int_or(c, "rescoreLimit", &path, d.rescore_limit)?,
        cache: bool_or(c, "cache", &path, d.cache)?,
        bits: int_or(c, "bits", &path, d.bits)?,
    })
}

fn validate_flat(c: &FlatConfig, path: &str) -> Result<()> {
    let all = [&c.pq, &c.bq, &c.sq];
    let fail = |msg: &str| Err(Error::invalid(format!("{path}: {msg}")));
    if all.iter().any(|x| x.cache && !x.enabled) || (c.rq.cache && !c.rq.enabled) {
        return fail("not possible to use the cache without compression");
    }
    let enabled = all.iter().filter(|x| x.enabled).count() + usize::from(c.rq.enabled);
    if c.rq.enabled && c.rq.bits != 1 && c.rq.bits != 8 {
        return fail(&format!(
            "rq.bits: RQ bits must be either 1 or 8, got {}",
            c.rq.bits
        ));
    }
    if enabled > 1 {
        return fail("cannot enable multiple quantization methods at the same time");
    }
    if c.pq.enabled {
        return fail("PQ is not currently supported for flat indices");
    }
    if c.sq.enabled {
        return fail("SQ is not currently supported for flat indices");
    }
    Ok(())
}

fn parse_dynamic(obj: &Obj, default_distance: Distance, path: &str) -> Result<DynamicConfig> {
    let threshold = int_or(obj, "threshold", path, DEFAULT_DYNAMIC_THRESHOLD)?;
    if threshold < 0 {
        return Err(Error::invalid(format!(
            "{}: must not be negative, got {threshold}",
            json::join(path, "threshold")
        )));
    }
    // As in Weaviate, the nested hnsw and flat blocks keep their own distance (cosine unless
    // given); the index itself uses the top-level one.
    let hnsw = match sub(obj, "hnsw", path)? {
        (Some(h), p) => parse_hnsw(h, Distance::Cosine, &p)?,
        (None, _) => hnsw_defaults(Distance::Cosine),
    };
    let flat = match sub(obj, "flat", path)? {
        (Some(f), p) => parse_flat(f, Distance::Cosine, &p)?,
        (None, _) => flat_defaults(Distance::Cosine),
    };
    Ok(DynamicConfig {
        distance: parse_distance(obj, default_distance, path)?,
        threshold,
        hnsw,
        flat,
    })
}

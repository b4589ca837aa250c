//! Vector compression: hnsw's `rq` block (Weaviate 1.32's rq_config.go), the rules that
//! hold whatever the vector length (one method at a time, parameters in range), what
//! `DEFAULT_QUANTIZATION` fills in on create, and which changes a class update may make.
//!
//! Rules that need the vector length (PQ segments dividing it) are checked where the length is
//! known: the shard, through `vector_index::Compression::validate`.

use types::schema::{
    Class, DefaultQuantization, Distance, FlatConfig, FlatRqConfig, HnswConfig, RqConfig,
    VectorIndexConfig,
};

use super::json::{self, Obj};
use crate::{Error, Result};

/// Weaviate's rescore default for 1-bit RQ when the block names none.
const ONE_BIT_RESCORE_LIMIT: i64 = 512;
/// A PQ code is one byte per segment.
const MAX_PQ_CENTROIDS: i64 = 256;

/// The `rq` block; 1-bit RQ rescoring 512 candidates unless told otherwise.
pub(super) fn parse_rq(obj: &Obj, d: RqConfig, path: &str) -> Result<RqConfig> {
    let Some(rq) = json::opt_obj(obj, "rq", path)? else {
        return Ok(d);
    };
    let path = json::join(path, "rq");
    let bits = json::opt_int(rq, "bits", &path)?.unwrap_or(d.bits);
    let rescore_limit = match json::opt_int(rq, "rescoreLimit", &path)? {
        Some(limit) => limit,
        None if bits == 1 => ONE_BIT_RESCORE_LIMIT,
        None => d.rescore_limit,
    };
    Ok(RqConfig {
        enabled: json::opt_bool(rq, "enabled", &path)?.unwrap_or(d.enabled),
        bits,
        rescore_limit,
    })
}

/// The names of the enabled methods, in Weaviate's order.
pub(super) fn enabled_methods(c: &HnswConfig) -> Vec<&'static str> {
    [
        ("pq", c.pq.enabled),
        ("bq", c.bq.enabled),
        ("sq", c.sq.enabled),
        ("rq", c.rq.enabled),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect()
}

/// At most one method, and the enabled one's parameters in range.
pub(super) fn validate(c: &HnswConfig, path: &str) -> Result<()> {
    let enabled = enabled_methods(c);
    if enabled.len() > 1 {
        return Err(Error::invalid(format!(
            "{path}: invalid hnsw config: more than a single compression methods enabled: {} \
             (enable at most one of pq, bq, sq and rq)",
            enabled.join(", ")
        )));
    }
    let Some(method) = enabled.first() else {
        return Ok(());
    };
    let fail = |msg: String| {
        Err(Error::invalid(format!(
            "{path}: invalid hnsw config: {msg}"
        )))
    };
    if *method != "bq" && matches!(c.distance, Distance::Manhattan | Distance::Hamming) {
        return fail(format!(
            "{method} compression does not support the {} distance (use cosine, dot or l2-squared)",
            c.distance.as_str()
        ));
    }
    match *method {
        "pq" if !(1..=MAX_PQ_CENTROIDS).contains(&c.pq.centroids) => fail(format!(
            "pq.centroids must be between 1 and {MAX_PQ_CENTROIDS}, got {}",
            c.pq.centroids
        )),
        "pq" if c.pq.segments < 0 => fail(format!(
            "pq.segments must not be negative, got {}",
            c.pq.segments
        )),
        "pq" if c.pq.training_limit <= 0 => fail(format!(
            "pq.trainingLimit must be a positive integer, got {}",
            c.pq.training_limit
        )),
        "sq" if c.sq.training_limit <= 0 => fail(format!(
            "sq.trainingLimit must be a positive integer, got {}",
            c.sq.training_limit
        )),
        "rq" if c.rq.bits != 8 && c.rq.bits != 1 => fail("RQ bits must be 8 or 1".to_string()),
        _ => Ok(()),
    }
}

/// `DEFAULT_QUANTIZATION` on a new class: every index that enables no method and does not
/// skip the default gets it, marked as tracked. A dynamic index gets it on both its phases;
/// flat takes only the methods it has (bq, rq) and stays uncompressed for pq and sq, as in
/// Weaviate (usecases/schema/class.go, `setDefaultQuantization`).
pub(super) fn apply_default(class: &mut Class, default: DefaultQuantization) {
    if let Some(config) = class.vector_index_config.as_mut() {
        apply_default_to(config, default);
    }
    for named in class.vector_config.iter_mut().flat_map(|m| m.values_mut()) {
        apply_default_to(&mut named.vector_index_config, default);
    }
}

fn apply_default_to(config: &mut VectorIndexConfig, default: DefaultQuantization) {
    match config {
        VectorIndexConfig::Hnsw(hnsw) => default_hnsw(hnsw, default),
        VectorIndexConfig::Flat(flat) => default_flat(flat, default),
        VectorIndexConfig::Dynamic(dynamic) => {
            default_hnsw(&mut dynamic.hnsw, default);
            default_flat(&mut dynamic.flat, default);
        }
    }
}

fn default_hnsw(hnsw: &mut HnswConfig, default: DefaultQuantization) {
    if hnsw.skip_default_quantization || !enabled_methods(hnsw).is_empty() {
        hnsw.track_default_quantization = false;
        return;
    }
    match default {
        DefaultQuantization::None => return,
        DefaultQuantization::Pq => hnsw.pq.enabled = true,
        DefaultQuantization::Bq => hnsw.bq.enabled = true,
        DefaultQuantization::Sq => hnsw.sq.enabled = true,
        DefaultQuantization::Rq8 => hnsw.rq = enabled_rq(8),
        DefaultQuantization::Rq1 => hnsw.rq = enabled_rq(1),
    }
    hnsw.track_default_quantization = true;
}

fn default_flat(flat: &mut FlatConfig, default: DefaultQuantization) {
    let compressed = [&flat.pq, &flat.bq, &flat.sq].iter().any(|c| c.enabled) || flat.rq.enabled;
    if flat.skip_default_quantization || compressed {
        flat.track_default_quantization = false;
        return;
    }
    let enabled_rq = |bits| FlatRqConfig {
        enabled: true,
        bits,
        ..FlatRqConfig::default()
    };
    match default {
        DefaultQuantization::None | DefaultQuantization::Pq | DefaultQuantization::Sq => return,
        DefaultQuantization::Bq => flat.bq.enabled = true,
        DefaultQuantization::Rq8 => flat.rq = enabled_rq(8),
        DefaultQuantization::Rq1 => flat.rq = enabled_rq(1),
    }
    flat.track_default_quantization = true;
}

fn enabled_rq(bits: i64) -> RqConfig {
    let d = RqConfig::default();
    RqConfig {
        enabled: true,
        bits,
        rescore_limit: if bits == 1 {
            ONE_BIT_RESCORE_LIMIT
        } else {
            d.rescore_limit
        },
    }
}

/// A method may be enabled on a class that has none; one enabled may not be disabled or
/// swapped for another, and the parameters its codes were made with may not change.
pub(super) fn check_update(a: &HnswConfig, b: &HnswConfig) -> Result<()> {
    let (before, after) = (enabled_methods(a), enabled_methods(b));
    if let Some(method) = before.iter().find(|m| !after.contains(m)) {
        return Err(Error::invalid(format!(
            "{method} cannot be disabled once enabled (switching compression methods is not supported)"
        )));
    }
    if a.pq.enabled {
        check_same("pq.segments", a.pq.segments, b.pq.segments)?;
        check_same("pq.centroids", a.pq.centroids, b.pq.centroids)?;
        check_same("pq.encoder.type", &a.pq.encoder.kind, &b.pq.encoder.kind)?;
        check_same(
            "pq.encoder.distribution",
            &a.pq.encoder.distribution,
            &b.pq.encoder.distribution,
        )?;
    }
    if a.rq.enabled {
        check_same("rq.bits", a.rq.bits, b.rq.bits)?;
    }
    Ok(())
}

fn check_same<T: PartialEq + std::fmt::Display>(field: &str, from: T, to: T) -> Result<()> {
    if from != to {
        return Err(Error::invalid(format!(
            "{field} is immutable: attempted change from \"{from}\" to \"{to}\""
        )));
    }
    Ok(())
}

//! `bm25` and `hybrid` (common_filters/bm25.go, hybrid.go): keyword and fused searches.

use model::search_rules::boost;
use model::{Fusion, HybridSearch, KeywordSearch};

use super::{not_supported, object};
use crate::graphql::value::{
    self, as_enum, as_float, as_float_list, as_str, as_string_list, Value,
};

/// Weaviate's default hybrid `alpha` (common_filters.DefaultAlpha).
const DEFAULT_ALPHA: f64 = 0.75;

/// `bm25: {query, properties}`. `sorted` is true when `sort` is also given, which Weaviate
/// refuses.
pub(crate) fn bm25(
    args: &[(String, Value)],
    sorted: bool,
) -> Result<Option<KeywordSearch>, String> {
    let Some(v) = value::arg(args, "bm25") else {
        return Ok(None);
    };
    if sorted {
        return Err("bm25 search is not compatible with sort".into());
    }
    let map = object(v)?;
    let properties = boosted(value::field(map, "properties"))
        .map_err(|e| format!("failed to extract bm25 params: {e}"))?;
    Ok(Some(KeywordSearch {
        query: text(value::field(map, "query")),
        properties,
        matching: Default::default(),
    }))
}

/// `hybrid: {query, alpha, vector, properties, fusionType, targetVectors}`.
pub(crate) fn hybrid(
    args: &[(String, Value)],
    sorted: bool,
) -> Result<Option<HybridSearch>, String> {
    let Some(v) = value::arg(args, "hybrid") else {
        return Ok(None);
    };
    if sorted {
        return Err("hybrid search is not compatible with sort".into());
    }
    hybrid_params(v)
        .map(Some)
        .map_err(|e| format!("failed to extract hybrid params: {e}"))
}

fn hybrid_params(v: &Value) -> Result<HybridSearch, String> {
    let map = object(v)?;
    for field in ["searches", "maxVectorDistance"] {
        if value::field(map, field).is_some() {
            return Err(not_supported("hybrid", field));
        }
    }
    let alpha = value::field(map, "alpha")
        .and_then(as_float)
        .unwrap_or(DEFAULT_ALPHA);
    if !(0.0..=1.0).contains(&alpha) {
        return Err("alpha should be between 0.0 and 1.0".into());
    }
    let fusion = match value::field(map, "fusionType").and_then(as_enum) {
        Some("rankedFusion") => Fusion::RankedFusion,
        _ => Fusion::RelativeScoreFusion,
    };
    Ok(HybridSearch {
        query: text(value::field(map, "query")),
        alpha: alpha as f32,
        vector: value::field(map, "vector")
            .and_then(as_float_list)
            .filter(|v| !v.is_empty()),
        properties: boosted(value::field(map, "properties"))?,
        fusion,
        target_vectors: value::field(map, "targetVectors")
            .and_then(as_string_list)
            .unwrap_or_default(),
        keyword_matching: Default::default(),
    })
}

fn text(v: Option<&Value>) -> String {
    v.and_then(as_str).unwrap_or_default().to_string()
}

/// `properties: ["title^2", "body"]` -> `[("title", 2.0), ("body", 1.0)]`.
fn boosted(v: Option<&Value>) -> Result<Vec<(String, f32)>, String> {
    let names = v.and_then(as_string_list).unwrap_or_default();
    names.iter().map(|name| boost(name)).collect()
}

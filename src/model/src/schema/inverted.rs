//! `invertedIndexConfig`: cleanup interval, BM25 parameters and stopwords
//! (usecases/schema/class.go setInvertedConfigDefaults; adapters/repos/db/inverted/config.go).

use serde_json::Value;
use types::schema::{Bm25Config, InvertedIndexConfig, StopwordConfig};

use super::json::{self, Obj};
use super::stopwords;
use crate::{Error, Result};

const PATH: &str = "invertedIndexConfig";
const DEFAULT_CLEANUP_INTERVAL_SECONDS: i64 = 60;
const DEFAULT_K1: f64 = 1.2;
const DEFAULT_B: f64 = 0.75;

/// Parses `invertedIndexConfig` (absent means all defaults).
pub(super) fn parse(value: Option<&Value>) -> Result<InvertedIndexConfig> {
    let empty = Obj::new();
    let obj = match value.filter(|v| !v.is_null()) {
        None => &empty,
        Some(v) => json::as_obj(v, PATH)?,
    };
    Ok(InvertedIndexConfig {
        cleanup_interval_seconds: cleanup_interval(obj)?,
        bm25: parse_bm25(json::opt_obj(obj, "bm25", PATH)?)?,
        stopwords: parse_stopwords(json::opt_obj(obj, "stopwords", PATH)?)?,
        index_timestamps: json::opt_bool(obj, "indexTimestamps", PATH)?.unwrap_or(false),
        index_null_state: json::opt_bool(obj, "indexNullState", PATH)?.unwrap_or(false),
        index_property_length: json::opt_bool(obj, "indexPropertyLength", PATH)?.unwrap_or(false),
    })
}

fn cleanup_interval(obj: &Obj) -> Result<i64> {
    match json::opt_int(obj, "cleanupIntervalSeconds", PATH)? {
        // 0 is Go's "unset".
        None | Some(0) => Ok(DEFAULT_CLEANUP_INTERVAL_SECONDS),
        Some(n) if n < 0 => Err(Error::invalid(format!(
            "{PATH}.cleanupIntervalSeconds: cleanup interval seconds must be > 0, got {n}"
        ))),
        Some(n) => Ok(n),
    }
}

/// BM25 parameters. A key missing from a given `bm25` object takes its default (Weaviate would
/// read it as 0); the clients always send both.
fn parse_bm25(obj: Option<&Obj>) -> Result<Bm25Config> {
    let path = "invertedIndexConfig.bm25";
    let Some(obj) = obj else {
        return Ok(Bm25Config {
            k1: DEFAULT_K1,
            b: DEFAULT_B,
        });
    };
    let k1 = json::opt_f64(obj, "k1", path)?.unwrap_or(DEFAULT_K1);
    let b = json::opt_f64(obj, "b", path)?.unwrap_or(DEFAULT_B);
    if k1 < 0.0 {
        return Err(Error::invalid(format!(
            "{path}: BM25.k1 must be >= 0, got {k1}"
        )));
    }
    if !(0.0..=1.0).contains(&b) {
        return Err(Error::invalid(format!(
            "{path}: BM25.b must be >= 0 and <= 1, got {b}"
        )));
    }
    Ok(Bm25Config { k1, b })
}

/// Stopwords: a known preset (`en` by default), additions and removals without blanks and
/// without a word in both lists. Additions the preset already has are dropped, as Weaviate does.
fn parse_stopwords(obj: Option<&Obj>) -> Result<StopwordConfig> {
    let path = "invertedIndexConfig.stopwords";
    let Some(obj) = obj else {
        return Ok(StopwordConfig {
            preset: "en".to_string(),
            additions: None,
            removals: None,
        });
    };
    let preset = json::opt_str(obj, "preset", path)?
        .filter(|p| !p.is_empty())
        .unwrap_or("en");
    let words = stopwords::preset(preset).ok_or_else(|| {
        Error::invalid(format!("{path}: stopwordPreset '{preset}' does not exist"))
    })?;
    let additions = json::opt_str_list(obj, "additions", path)?;
    let removals = json::opt_str_list(obj, "removals", path)?;
    check_lists(
        additions.as_deref().unwrap_or_default(),
        removals.as_deref().unwrap_or_default(),
        path,
    )?;
    let additions = additions.map(|list| {
        let kept: Vec<String> = list
            .iter()
            .filter(|w| !words.contains(&w.as_str()))
            .cloned()
            .collect();
        // Go rebuilds the list with append, which leaves nil when nothing is kept.
        (kept.len() == list.len() || !kept.is_empty()).then_some(kept)
    });
    Ok(StopwordConfig {
        preset: preset.to_string(),
        additions: additions.flatten(),
        removals,
    })
}

fn check_lists(additions: &[String], removals: &[String], path: &str) -> Result<()> {
    if additions.iter().any(|w| w.trim().is_empty()) {
        return Err(Error::invalid(format!(
            "{path}: cannot use whitespace in stopword.additions"
        )));
    }
    if removals.iter().any(|w| w.trim().is_empty()) {
        return Err(Error::invalid(format!(
            "{path}: cannot use whitespace in stopword.removals"
        )));
    }
    if let Some(word) = removals.iter().find(|w| additions.contains(w)) {
        return Err(Error::invalid(format!(
            "{path}: found '{word}' in both stopwords.additions and stopwords.removals"
        )));
    }
    Ok(())
}

//! Vector index types and their configuration blocks (`vectorIndexConfig`).

use serde::{Deserialize, Serialize};

/// `vectorIndexType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VectorIndexType {
    Hnsw,
    Flat,
    Dynamic,
}

impl VectorIndexType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            VectorIndexType::Hnsw => "hnsw",
            VectorIndexType::Flat => "flat",
            VectorIndexType::Dynamic => "dynamic",
        }
    }
}

/// A distance metric with Weaviate's definitions (smaller is closer):
/// cosine `1 - cos`, dot `-a·b`, l2-squared `Σ(a-b)²`, manhattan `Σ|a-b|`, hamming `#{a≠b}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Distance {
    #[serde(rename = "cosine")]
    Cosine,
    #[serde(rename = "dot")]
    Dot,
    #[serde(rename = "l2-squared")]
    L2Squared,
    #[serde(rename = "manhattan")]
    Manhattan,
    #[serde(rename = "hamming")]
    Hamming,
}

impl Distance {
    /// Every metric, in the order Weaviate documents them.
    pub const ALL: [Distance; 5] = [
        Distance::Cosine,
        Distance::Dot,
        Distance::L2Squared,
        Distance::Manhattan,
        Distance::Hamming,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Distance::Cosine => "cosine",
            Distance::Dot => "dot",
            Distance::L2Squared => "l2-squared",
            Distance::Manhattan => "manhattan",
            Distance::Hamming => "hamming",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Distance> {
        Distance::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// The configuration of one vector index; which variant is given by `vectorIndexType`.
/// Serialised without a tag, exactly as the block Weaviate echoes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum VectorIndexConfig {
    // Order matters for untagged decoding: hnsw has the most required fields, flat the fewest.
    Hnsw(HnswConfig),
    Dynamic(DynamicConfig),
    Flat(FlatConfig),
}

impl VectorIndexConfig {
    /// The metric of the index.
    pub fn distance(&self) -> Distance {
        match self {
            VectorIndexConfig::Hnsw(c) => c.distance,
            VectorIndexConfig::Flat(c) => c.distance,
            VectorIndexConfig::Dynamic(c) => c.distance,
        }
    }
}

/// hnsw settings with Weaviate 1.27's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HnswConfig {
    pub skip: bool,
    pub cleanup_interval_seconds: i64,
    pub max_connections: i64,
    pub ef_construction: i64,
    pub ef: i64,
    pub dynamic_ef_min: i64,
    pub dynamic_ef_max: i64,
    pub dynamic_ef_factor: i64,
    pub vector_cache_max_objects: i64,
    pub flat_search_cutoff: i64,
    pub distance: Distance,
    pub pq: PqConfig,
    pub bq: BqConfig,
    pub sq: SqConfig,
    /// Absent from classes stored before rotational quantization existed.
    #[serde(default)]
    pub rq: RqConfig,
    pub filter_strategy: String,
    /// The class asked for no compression, so `DEFAULT_QUANTIZATION` does not apply.
    #[serde(default)]
    pub skip_default_quantization: bool,
    /// The compression enabled came from `DEFAULT_QUANTIZATION`, not from the class.
    #[serde(default)]
    pub track_default_quantization: bool,
}

/// Product quantization settings of hnsw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PqConfig {
    pub enabled: bool,
    pub bit_compression: bool,
    pub segments: i64,
    pub centroids: i64,
    pub training_limit: i64,
    pub encoder: PqEncoder,
}

/// The PQ encoder (`kmeans` | `tile`, distribution `log-normal` | `normal`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PqEncoder {
    #[serde(rename = "type")]
    pub kind: String,
    pub distribution: String,
}

/// Binary quantization settings of hnsw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BqConfig {
    pub enabled: bool,
}

/// Scalar quantization settings of hnsw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SqConfig {
    pub enabled: bool,
    pub training_limit: i64,
    pub rescore_limit: i64,
}

/// Rotational quantization settings of hnsw (Weaviate 1.32): `bits` 8 or 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RqConfig {
    pub enabled: bool,
    pub bits: i64,
    pub rescore_limit: i64,
}

impl Default for RqConfig {
    /// Weaviate's defaults: 8 bits, 20 candidates rescored.
    fn default() -> Self {
        RqConfig {
            enabled: false,
            bits: 8,
            rescore_limit: 20,
        }
    }
}

/// `DEFAULT_QUANTIZATION`: the compression a new hnsw index gets when its class enables none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DefaultQuantization {
    #[default]
    None,
    Pq,
    Bq,
    Sq,
    Rq8,
    Rq1,
}

impl DefaultQuantization {
    /// Every setting, as the environment names them.
    pub const ALL: [DefaultQuantization; 6] = [
        DefaultQuantization::None,
        DefaultQuantization::Pq,
        DefaultQuantization::Bq,
        DefaultQuantization::Sq,
        DefaultQuantization::Rq8,
        DefaultQuantization::Rq1,
    ];

    /// The environment's name.
    pub fn as_str(self) -> &'static str {
        match self {
            DefaultQuantization::None => "none",
            DefaultQuantization::Pq => "pq",
            DefaultQuantization::Bq => "bq",
            DefaultQuantization::Sq => "sq",
            DefaultQuantization::Rq8 => "rq-8",
            DefaultQuantization::Rq1 => "rq-1",
        }
    }

    /// Parses the environment's name (case-insensitive; empty means none).
    pub fn parse(s: &str) -> Option<DefaultQuantization> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Some(DefaultQuantization::None);
        }
        DefaultQuantization::ALL
            .into_iter()
            .find(|q| q.as_str() == s)
    }
}

/// flat settings with Weaviate 1.27's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlatConfig {
    pub distance: Distance,
    pub vector_cache_max_objects: i64,
    pub pq: FlatCompression,
    pub bq: FlatCompression,
    pub sq: FlatCompression,
    /// Rotational quantization (Weaviate 1.32); absent from classes stored before it existed.
    #[serde(default)]
    pub rq: FlatRqConfig,
    /// The class asked for no compression, so `DEFAULT_QUANTIZATION` does not apply.
    #[serde(default)]
    pub skip_default_quantization: bool,
    /// The compression enabled came from `DEFAULT_QUANTIZATION`, not from the class.
    #[serde(default)]
    pub track_default_quantization: bool,
}

/// The `rq` block of the flat index: `bits` 8 or 1; `rescoreLimit` -1 lets the index choose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlatRqConfig {
    pub enabled: bool,
    pub rescore_limit: i64,
    pub cache: bool,
    pub bits: i64,
}

impl Default for FlatRqConfig {
    /// Weaviate's defaults: off, 8 bits, the rescore limit left to the index.
    fn default() -> Self {
        FlatRqConfig {
            enabled: false,
            rescore_limit: -1,
            cache: false,
            bits: 8,
        }
    }
}

/// A compression block of the flat index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlatCompression {
    pub enabled: bool,
    pub rescore_limit: i64,
    pub cache: bool,
}

/// dynamic settings: flat until `threshold` objects, then hnsw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DynamicConfig {
    pub distance: Distance,
    pub threshold: i64,
    pub hnsw: HnswConfig,
    pub flat: FlatConfig,
}

//! The collection ("class") model, serialised exactly as Weaviate 1.27 echoes it
//! (`GET /v1/schema/{class}`), with every default filled in.
//!
//! Parsing user input, filling defaults and checking mutability is `model::schema`'s job; this
//! module only holds the resulting, complete values.

mod datatype;
mod vector_index;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use datatype::DataType;
pub use vector_index::{
    BqConfig, DefaultQuantization, Distance, DynamicConfig, FlatCompression, FlatConfig,
    FlatRqConfig, HnswConfig, PqConfig, PqEncoder, RqConfig, SqConfig, VectorIndexConfig,
    VectorIndexType,
};

/// A collection with all defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Class {
    pub class: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `null` on the wire when the class has no properties, as Weaviate echoes it.
    pub properties: Option<Vec<Property>>,
    /// `"none"` for a legacy single-vector class; absent when `vectorConfig` is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vectorizer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_index_type: Option<VectorIndexType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_index_config: Option<VectorIndexConfig>,
    /// Named vectors; mutually exclusive with the legacy top-level vector fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_config: Option<BTreeMap<String, NamedVectorConfig>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_config: Option<Value>,
    pub inverted_index_config: InvertedIndexConfig,
    pub sharding_config: ShardingConfig,
    pub replication_config: ReplicationConfig,
    pub multi_tenancy_config: MultiTenancyConfig,
}

impl Class {
    /// The class's properties (empty when it has none).
    pub fn props(&self) -> &[Property] {
        self.properties.as_deref().unwrap_or(&[])
    }

    /// A property by exact name.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.props().iter().find(|p| p.name == name)
    }

    /// Every vector index of the class: `(target name, type, config)`. The legacy unnamed
    /// vector is reported under [`crate::DEFAULT_TARGET`].
    pub fn vector_targets(&self) -> Vec<(String, VectorIndexType, VectorIndexConfig)> {
        if let Some(named) = &self.vector_config {
            return named
                .iter()
                .map(|(name, c)| {
                    (
                        name.clone(),
                        c.vector_index_type,
                        c.vector_index_config.clone(),
                    )
                })
                .collect();
        }
        match (&self.vector_index_type, &self.vector_index_config) {
            (Some(t), Some(c)) => vec![(crate::DEFAULT_TARGET.to_string(), *t, c.clone())],
            _ => Vec::new(),
        }
    }

    /// True when the class uses named vectors (`vectorConfig`).
    pub fn has_named_vectors(&self) -> bool {
        self.vector_config.is_some()
    }
}

/// One named vector of a class (`vectorConfig.<name>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedVectorConfig {
    /// A single-key map such as `{"none": {}}`.
    pub vectorizer: Value,
    pub vector_index_type: VectorIndexType,
    pub vector_index_config: VectorIndexConfig,
}

/// A property of a class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Property {
    pub name: String,
    /// As on the wire: `["text"]`, `["int[]"]`, or target class names for a cross-reference.
    pub data_type: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Only for text and text[] (and nested text); absent for every other type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenization: Option<String>,
    pub index_filterable: bool,
    pub index_searchable: bool,
    pub index_range_filters: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nested_properties: Option<Vec<NestedProperty>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_config: Option<Value>,
}

impl Property {
    /// The parsed data type. Stored properties were validated on creation, so this only fails
    /// for data that bypassed validation.
    pub fn kind(&self) -> Option<DataType> {
        DataType::parse(&self.data_type)
    }
}

/// A property of an `object` / `object[]` property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NestedProperty {
    pub name: String,
    pub data_type: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenization: Option<String>,
    pub index_filterable: bool,
    pub index_searchable: bool,
    pub index_range_filters: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nested_properties: Option<Vec<NestedProperty>>,
}

impl NestedProperty {
    /// The parsed data type (references are not allowed in nested properties).
    pub fn kind(&self) -> Option<DataType> {
        DataType::parse(&self.data_type)
    }
}

/// `invertedIndexConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvertedIndexConfig {
    pub cleanup_interval_seconds: i64,
    pub bm25: Bm25Config,
    pub stopwords: StopwordConfig,
    #[serde(default, skip_serializing_if = "is_false")]
    pub index_timestamps: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub index_null_state: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub index_property_length: bool,
}

/// BM25 parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bm25Config {
    pub k1: f64,
    pub b: f64,
}

/// Stopwords: a preset plus additions and removals (`null` on the wire when empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopwordConfig {
    pub preset: String,
    pub additions: Option<Vec<String>>,
    pub removals: Option<Vec<String>>,
}

/// `shardingConfig`. Zero values and empty strings for multi-tenant classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShardingConfig {
    pub virtual_per_physical: u32,
    pub desired_count: u32,
    pub actual_count: u32,
    pub desired_virtual_count: u32,
    pub actual_virtual_count: u32,
    pub key: String,
    pub strategy: String,
    pub function: String,
}

/// `replicationConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationConfig {
    pub factor: u32,
    pub async_enabled: bool,
    pub deletion_strategy: String,
}

/// `multiTenancyConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiTenancyConfig {
    pub enabled: bool,
    pub auto_tenant_creation: bool,
    pub auto_tenant_activation: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

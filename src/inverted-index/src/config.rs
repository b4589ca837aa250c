//! What the index indexes: the class's properties and `invertedIndexConfig`.

use types::schema::DataType;

use crate::tokenize::{Stopwords, Tokenization};

/// One property of the class, as the index sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertySpec {
    pub name: String,
    pub data_type: DataType,
    /// Only meaningful for `text` and `text[]`.
    pub tokenization: Tokenization,
    /// `indexFilterable`.
    pub filterable: bool,
    /// `indexSearchable` (BM25; text only).
    pub searchable: bool,
    /// `indexRangeFilters`. Ranges are served by the same bit-sliced index either way, so this
    /// only makes a non-filterable numeric property filterable.
    pub range_filters: bool,
}

impl PropertySpec {
    /// A property with Weaviate's index defaults: filterable, searchable when it is text, no
    /// separate range index.
    pub fn with_defaults(name: &str, data_type: DataType, tokenization: Tokenization) -> Self {
        PropertySpec {
            name: name.to_string(),
            searchable: data_type.is_text(),
            data_type,
            tokenization,
            filterable: true,
            range_filters: false,
        }
    }

    /// True if values of this property get `0x10` value entries.
    pub(crate) fn indexes_values(&self) -> bool {
        if self.data_type.is_text() {
            self.filterable || self.searchable
        } else {
            self.filterable || self.range_filters
        }
    }
}

/// The index's configuration: properties plus the class's `invertedIndexConfig`.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexConfig {
    pub properties: Vec<PropertySpec>,
    pub stopwords: Stopwords,
    /// BM25 `k1` (Weaviate default 1.2).
    pub k1: f32,
    /// BM25 `b` (Weaviate default 0.75).
    pub b: f32,
    /// `indexNullState`: enables `IsNull` filters.
    pub index_null_state: bool,
    /// `indexPropertyLength`: enables `len(prop)` filters.
    pub index_property_length: bool,
    /// `indexTimestamps`: enables `_creationTimeUnix` / `_lastUpdateTimeUnix` filters.
    pub index_timestamps: bool,
}

impl IndexConfig {
    /// A property by exact name.
    pub fn property(&self, name: &str) -> Option<&PropertySpec> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// True if some property is a cross-reference whose targets are indexed (filterable):
    /// only then do entries of layout version 1 lack anything.
    pub fn indexes_reference_targets(&self) -> bool {
        self.properties
            .iter()
            .any(|p| matches!(p.data_type, DataType::Reference(_)) && p.indexes_values())
    }
}

impl Default for IndexConfig {
    /// Weaviate's defaults: no properties, `en` stopwords, k1 1.2, b 0.75, optional indexes off.
    fn default() -> Self {
        IndexConfig {
            properties: Vec::new(),
            stopwords: Stopwords::english(),
            k1: 1.2,
            b: 0.75,
            index_null_state: false,
            index_property_length: false,
            index_timestamps: false,
        }
    }
}

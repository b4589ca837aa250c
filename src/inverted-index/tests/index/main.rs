//! Integration tests of the inverted index: filters per operator and type (`filters/`), every
//! case of the acceptance suite's test_filters.py with its own Python expectations
//! (`filters_python`), a property test against a naive evaluator (`naive/`), BM25 against a
//! reference computation and against test_keyword.py's Python reference (`bm25`), comparisons
//! on numbers, dates and timestamps (the bit-sliced indexes) against the naive evaluator
//! (`ranges`), and the durable-entry round trip, updates and deletes (`roundtrip`).

// The naive evaluator and helpers panic on shapes they do not expect: a new variant should
// fail these tests loudly rather than be listed here.
#![allow(clippy::wildcard_enum_match_arm)]

mod bm25;
mod filters;
mod filters_python;
mod naive;
mod ranges;
mod roundtrip;

use serde_json::{Map, Value};
use shoal_inverted_index::{
    DocInput, IndexConfig, InvertedIndex, Posting, PropertySpec, Stopwords, Tokenization,
};
use types::schema::DataType;
use types::DocId;

/// A property spec with Weaviate's defaults for its type.
pub fn prop(name: &str, data_type: DataType, tokenization: Tokenization) -> PropertySpec {
    PropertySpec::with_defaults(name, data_type, tokenization)
}

/// All optional indexes on, `en` stopwords.
pub fn config(properties: Vec<PropertySpec>) -> IndexConfig {
    IndexConfig {
        properties,
        stopwords: Stopwords::english(),
        k1: 1.2,
        b: 0.75,
        index_null_state: true,
        index_property_length: true,
        index_timestamps: true,
    }
}

/// One stored object of a test.
#[derive(Debug, Clone)]
pub struct Obj {
    pub id: uuid::Uuid,
    pub props: Map<String, Value>,
    pub created: i64,
    pub updated: i64,
}

impl Obj {
    pub fn new(i: u32, props: Value) -> Obj {
        let props = match props {
            Value::Object(m) => m,
            other => panic!("properties must be an object, got {other}"),
        };
        Obj {
            id: uuid::Uuid::from_u128(0x1000_0000_0000_4000_8000_0000_0000_0000 + u128::from(i)),
            props,
            created: 1_600_000_000_000 + i64::from(i) * 1000,
            updated: 1_700_000_000_000 + i64::from(i % 7) * 1000,
        }
    }

    pub fn input(&self) -> DocInput<'_> {
        DocInput {
            id: &self.id,
            properties: &self.props,
            creation_ms: self.created,
            update_ms: self.updated,
        }
    }
}

/// An index holding `objs` as docs 0, 1, ... (entries applied as a shard would), and every
/// entry written, as a shard would have stored them.
pub fn build(config: IndexConfig, objs: &[Obj]) -> (InvertedIndex, Vec<Posting>) {
    let index = InvertedIndex::new(config);
    let mut stored = Vec::new();
    for (doc, o) in objs.iter().enumerate() {
        let doc = doc as DocId;
        let postings = index.postings(doc, &o.input());
        index.apply(doc, &[], &postings);
        stored.extend(postings);
    }
    (index, stored)
}

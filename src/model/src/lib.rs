//! Shoal's typed request model and Weaviate's rules over it. Every wire format (REST JSON,
//! GraphQL, gRPC) parses into these types in `api`; the coordinator routes them.
//!
//! - [`schema`]: collection (class) definitions: parsing with every default filled in,
//!   validation, which fields an update may change, auto-schema inference, and object property
//!   values and `where` filters checked against a class.
//! - [`query`]: searches, aggregations, listings, batch deletes and object writes, and their
//!   results; [`ConsistencyLevel`].
//! - [`search_rules`]: the checks a search or an aggregation passes whichever wire format
//!   carried it (certainty, cursor, operators that do not combine, the result window).
//! - [`results`]: what Weaviate computes over the merged hits of every shard: hybrid fusion,
//!   autocut, sorting, grouping and aggregations.
//! - [`gofmt`]: Go's texts of numbers, values and dates, for the strings Weaviate builds with
//!   `fmt` or `encoding/json`.
//!
//! It is pure and synchronous: no IO, no tokio, no RocksDB, no cluster state. Rules that need
//! the rest of the schema or the data (a class that must exist, an object a beacon points at)
//! belong to the caller, which hands their inputs in.

pub mod error;
pub mod gofmt;
pub mod query;
pub mod results;
pub mod schema;
pub mod search_rules;

mod consistency;

pub use consistency::ConsistencyLevel;
pub use error::{Error, Result};
pub use query::{
    AggregateQuery, AggregateResult, AggregateRow, BatchDelete, BatchDeleteResult, Fusion, GroupBy,
    HitGroup, HybridSearch, KeywordSearch, ListQuery, ObjectWrite, PropertyAggregate, SearchHit,
    SearchQuery, SearchResult, SortBy, TargetCombination, Threshold, VectorSearch,
};

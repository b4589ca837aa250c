//! Shoal's typed request model and Weaviate's rules over it. Every wire format (REST JSON,
//! GraphQL, gRPC) parses into these types in `api`; the coordinator routes them.
//!
//! - [`schema`]: collection (class) definitions: parsing with every default filled in,
//!   validation, which fields an update may change, auto-schema inference, and object property
//!   values and `where` filters checked against a class.
//! - [`query`]: searches, aggregations, listings, batch deletes and object writes, and their
//!   results; [`ConsistencyLevel`].
//! - [`references`]: changes to cross-reference properties (the references endpoints and
//!   batch references) and the rules for beacons.
//! - [`search_rules`]: the checks a search or an aggregation passes whichever wire format
//!   carried it (certainty, cursor, operators that do not combine, the result window).
//! - [`results`]: what Weaviate computes over the merged hits of every shard: hybrid fusion,
//!   autocut, sorting, grouping, aggregations and several targets' combined distances.
//! - [`gofmt`]: Go's texts of numbers, values, strings and dates, for everything Weaviate
//!   writes with `fmt`, `strconv`, `time` or `encoding/json` that Shoal reproduces.
//! - [`sentences`]: Weaviate's words for the structured errors of the engines.
//! - [`tenants`]: the tenants endpoint's bodies: names and activity statuses.
//! - [`aliases`]: the aliases endpoint's bodies, and alias names as Weaviate checks them.
//! - [`Error`]: the one error type; its messages are Weaviate's sentences.
//!
//! It is pure and synchronous: no IO, no tokio, no RocksDB, no cluster state. Rules that need
//! that state (a class that must exist, the cluster's node count, an object a beacon points at)
//! take it as input (for example [`schema::SchemaDefaults`]) or are the caller's.
//!
//! It is not a wire layer: it knows no HTTP, GraphQL documents or protobuf messages. The JSON
//! it reads is a class definition (Weaviate's schema shape, which REST carries as is) and
//! object property values, which are data.

pub mod aliases;
pub mod error;
pub mod gofmt;
pub mod query;
pub mod references;
pub mod results;
pub mod schema;
pub mod search_rules;
pub mod sentences;
pub mod tenants;

mod consistency;

pub use consistency::ConsistencyLevel;
pub use error::{Error, Result};
pub use query::{
    AggregateQuery, AggregateResult, AggregateRow, BatchDelete, BatchDeleteResult, Fusion, GroupBy,
    HitGroup, HybridSearch, KeywordSearch, ListQuery, ObjectWrite, PropertyAggregate,
    ReferenceQuery, ReferenceTarget, ResolvedReference, ResolvedReferences, SearchHit, SearchQuery,
    SearchResult, SortBy, TargetCombination, Threshold, VectorSearch,
};

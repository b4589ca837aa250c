//! Shared vocabulary of Shoal: identifiers, the collection (class) model in Weaviate's wire shape,
//! the object model, the `where` filter model and the [`ErrorKind`] every crate's error reports.
//!
//! This crate is plain data. It does no IO and holds no logic beyond small constructors and
//! lookups; parsing, validation and default-filling of collections live in `model`, indexes in
//! their own crates.

pub mod error;
pub mod filter;
pub mod json;
pub mod keyword;
pub mod object;
pub mod schema;

pub use error::{ErrorKind, VectorLengthMismatch};
pub use object::{Object, Vectors, DEFAULT_TARGET};

/// The sharding token of an object: the first 64-bit half (h1) of murmur3 x64_128 with seed 0
/// over the 16 raw uuid bytes (Weaviate's). Shards route by it and anti-entropy groups objects
/// by it, so both must agree.
pub fn token(id: &uuid::Uuid) -> u64 {
    // Reading from an in-memory slice cannot fail.
    murmur3::murmur3_x64_128(&mut std::io::Cursor::new(id.as_bytes()), 0).unwrap_or(0) as u64
}

/// Dense per-shard internal id of an object, used by bitmaps and vector indexes.
pub type DocId = u32;

/// The version reported to clients as Weaviate's: the lowest Weaviate whose client behaviour
/// Shoal serves in full. The v4 client refuses anything below 1.27.0; from 1.29.0 on it sends
/// vectors as typed `vectors` lists and aggregates over gRPC, which Shoal serves; from 1.32.0
/// on it allows its `client.alias` API (collection aliases), which Shoal serves, and 4.24.1
/// changes nothing else between 1.29 and 1.32; 1.36 would switch its batching to the
/// streaming API, which Shoal does not serve. The v3 client compares it as a string against
/// "1.14".
pub const WEAVIATE_COMPAT_VERSION: &str = "1.32.0";

/// Shoal's own version.
pub const SHOAL_VERSION: &str = env!("CARGO_PKG_VERSION");

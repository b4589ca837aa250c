//! The crate's error type. Messages follow Weaviate's wording where Weaviate has one, because
//! clients and scripts match on them.

use types::ErrorKind;

/// Errors of vector index operations. The vector problems classify as
/// [`ErrorKind::InvalidInput`]; a persisted graph that cannot be used as
/// [`ErrorKind::Internal`] (the caller rebuilds the index instead).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// An inserted vector's length differs from the index's dimension.
    #[error(
        "new node has a vector with length {got}. Existing nodes have vectors with length {expected}"
    )]
    DimensionMismatch {
        /// The index's dimension.
        expected: usize,
        /// The length of the offending vector.
        got: usize,
    },
    /// A query vector's length differs from the index's dimension.
    #[error("vector lengths don't match: {got} vs {expected}")]
    QueryDimensionMismatch {
        /// The index's dimension.
        expected: usize,
        /// The length of the query vector.
        got: usize,
    },
    /// A vector with no components.
    #[error("vector is empty: a vector needs at least one dimension")]
    EmptyVector,
    /// A component is NaN or infinite; such values have no place in any metric's ordering.
    #[error("vector contains a non-finite value ({value}) at position {position}: only finite numbers are allowed")]
    NonFinite {
        /// Index of the first offending component.
        position: usize,
        /// The offending value.
        value: f32,
    },
    /// A persisted HNSW graph is damaged: truncated, a checksum mismatch, or contents that
    /// cannot have been written by this crate.
    #[error("hnsw graph is corrupt: {0}")]
    CorruptGraph(String),
    /// A persisted HNSW graph is intact but does not fit this index (format version, metric,
    /// maxConnections or vector dimension differ).
    #[error("hnsw graph is incompatible: {0}")]
    IncompatibleGraph(String),
}

impl Error {
    /// The shared classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::DimensionMismatch { .. }
            | Error::QueryDimensionMismatch { .. }
            | Error::EmptyVector
            | Error::NonFinite { .. } => ErrorKind::InvalidInput,
            Error::CorruptGraph(_) | Error::IncompatibleGraph(_) => ErrorKind::Internal,
        }
    }
}

/// `vector_index::Result<T>`.
pub type Result<T> = std::result::Result<T, Error>;

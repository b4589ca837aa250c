//! The crate's error type. Messages follow Weaviate's wording where Weaviate has one, because
//! clients and scripts match on them.

use types::ErrorKind;

/// Errors of vector index operations. Every variant is a problem with the caller's vector, so
/// all of them classify as [`ErrorKind::InvalidInput`].
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
}

impl Error {
    /// The shared classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::DimensionMismatch { .. }
            | Error::QueryDimensionMismatch { .. }
            | Error::EmptyVector
            | Error::NonFinite { .. } => ErrorKind::InvalidInput,
        }
    }
}

/// `vector_index::Result<T>`.
pub type Result<T> = std::result::Result<T, Error>;

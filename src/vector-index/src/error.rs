//! The crate's error type. A vector of the wrong length is reported with both lengths
//! ([`Error::length_mismatch`]); the words a client reads for it are `model`'s. Compression
//! settings that cannot work are reported field by field, before anything is trained.

use types::schema::Distance;
use types::{ErrorKind, VectorLengthMismatch};

/// Errors of vector index operations. The vector problems classify as
/// [`ErrorKind::InvalidInput`]; a persisted graph that cannot be used as
/// [`ErrorKind::Internal`] (the caller rebuilds the index instead).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// An inserted vector's length differs from the index's dimension.
    #[error("vector of length {got} does not fit an index of length {expected}")]
    DimensionMismatch {
        /// The index's dimension.
        expected: usize,
        /// The length of the offending vector.
        got: usize,
    },
    /// A query vector's length differs from the index's dimension.
    #[error("query vector of length {got} does not fit an index of length {expected}")]
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
    /// PQ `segments` does not divide the vector dimension.
    #[error("pq segments ({segments}) must divide the vector dimension ({dim})")]
    PqSegments {
        /// The requested segment count.
        segments: usize,
        /// The index's dimension.
        dim: usize,
    },
    /// PQ `centroids` outside `1..=256`: a code is one byte.
    #[error("pq centroids must be between 1 and 256, got {centroids}")]
    PqCentroids {
        /// The requested centroid count.
        centroids: usize,
    },
    /// The PQ `tile` encoder fits one distribution per dimension, so it needs
    /// `segments == dimension`.
    #[error(
        "the pq tile encoder needs one segment per dimension: segments {segments}, dimension {dim}"
    )]
    PqTileSegments {
        /// The requested segment count.
        segments: usize,
        /// The index's dimension.
        dim: usize,
    },
    /// RQ `bits` other than 8 or 1.
    #[error("rq bits must be 8 or 1, got {bits}")]
    RqBits {
        /// The requested bit count.
        bits: u8,
    },
    /// A `trainingLimit` of 0 leaves nothing to train on.
    #[error("trainingLimit must be at least 1")]
    TrainingLimit,
    /// The compression cannot rank by this metric (PQ, SQ and RQ estimate dot products and
    /// squared distances only).
    #[error("{compression} compression does not support the {metric:?} distance")]
    CompressionMetric {
        /// `pq`, `sq` or `rq`.
        compression: &'static str,
        /// The index's metric.
        metric: Distance,
    },
    /// Training needs more vectors than the index holds.
    #[error("compression needs at least {needed} vectors to train on, the index holds {got}")]
    NotEnoughTrainingData {
        /// Vectors needed.
        needed: usize,
        /// Vectors available.
        got: usize,
    },
    /// The index is compressed already; compression cannot be changed or undone in place.
    #[error("the vector index is already compressed")]
    AlreadyCompressed,
}

impl Error {
    /// The shared classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::DimensionMismatch { .. }
            | Error::QueryDimensionMismatch { .. }
            | Error::EmptyVector
            | Error::NonFinite { .. }
            | Error::PqSegments { .. }
            | Error::PqCentroids { .. }
            | Error::PqTileSegments { .. }
            | Error::RqBits { .. }
            | Error::TrainingLimit
            | Error::CompressionMetric { .. }
            | Error::NotEnoughTrainingData { .. } => ErrorKind::InvalidInput,
            Error::AlreadyCompressed => ErrorKind::Conflict,
            Error::CorruptGraph(_) | Error::IncompatibleGraph(_) => ErrorKind::Internal,
        }
    }

    /// The two lengths, if this is a vector of the wrong length.
    pub fn length_mismatch(&self) -> Option<VectorLengthMismatch> {
        match *self {
            Error::DimensionMismatch { expected, got } => {
                Some(VectorLengthMismatch::Stored { expected, got })
            }
            Error::QueryDimensionMismatch { expected, got } => {
                Some(VectorLengthMismatch::Query { expected, got })
            }
            Error::EmptyVector
            | Error::NonFinite { .. }
            | Error::CorruptGraph(_)
            | Error::IncompatibleGraph(_)
            | Error::PqSegments { .. }
            | Error::PqCentroids { .. }
            | Error::PqTileSegments { .. }
            | Error::RqBits { .. }
            | Error::TrainingLimit
            | Error::CompressionMetric { .. }
            | Error::NotEnoughTrainingData { .. }
            | Error::AlreadyCompressed => None,
        }
    }
}

/// `vector_index::Result<T>`.
pub type Result<T> = std::result::Result<T, Error>;

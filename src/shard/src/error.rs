use types::{ErrorKind, VectorLengthMismatch};

/// Errors of shard operations.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Writes to a READONLY shard are refused.
    #[error("shard {shard} is read-only: set its status to READY to write")]
    ReadOnly { shard: String },
    /// The object names a target vector the class does not have.
    #[error("target vector {target:?} does not exist in class {class}")]
    UnknownTarget { class: String, target: String },
    /// A vector search on a target without an index (`skip: true`).
    #[error("vector index of target {target:?} is skipped (vectorIndexConfig.skip = true): vector search is not possible")]
    IndexSkipped { target: String },
    /// Two objects of one batch disagree on a target's dimension (`expected`: the first's).
    #[error(
        "vector of length {got} in a batch whose vectors of that target have length {expected}"
    )]
    BatchDimensionMismatch { expected: usize, got: usize },
    /// An empty vector, or one with NaN or infinite values.
    #[error("vector of target {target:?} is empty or has non-finite values")]
    InvalidVector { target: String },
    /// Every 32-bit doc id of the shard has been used.
    #[error("shard has used every document id; reindex it into a new shard")]
    DocIdsExhausted,
    #[error(transparent)]
    Inverted(#[from] inverted_index::Error),
    #[error(transparent)]
    Vector(#[from] vector_index::Error),
    #[error(transparent)]
    Storage(#[from] storage::Error),
    #[error("corrupt shard data: {0}")]
    Corrupt(String),
    /// Reading or writing a vector-index snapshot file failed.
    #[error("index snapshot: {0}")]
    Snapshot(String),
}

impl Error {
    /// The shared classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::ReadOnly { .. }
            | Error::UnknownTarget { .. }
            | Error::IndexSkipped { .. }
            | Error::BatchDimensionMismatch { .. }
            | Error::InvalidVector { .. } => ErrorKind::InvalidInput,
            Error::DocIdsExhausted => ErrorKind::Unavailable,
            Error::Vector(e) => e.kind(),
            Error::Inverted(e) => e.kind(),
            Error::Storage(e) => e.kind(),
            Error::Corrupt(_) | Error::Snapshot(_) => ErrorKind::Internal,
        }
    }

    /// The two lengths, if this is a vector of the wrong length (for `model::sentences`).
    pub fn length_mismatch(&self) -> Option<VectorLengthMismatch> {
        match self {
            Error::BatchDimensionMismatch { expected, got } => Some(VectorLengthMismatch::Stored {
                expected: *expected,
                got: *got,
            }),
            Error::Vector(e) => e.length_mismatch(),
            Error::ReadOnly { .. }
            | Error::UnknownTarget { .. }
            | Error::IndexSkipped { .. }
            | Error::InvalidVector { .. }
            | Error::DocIdsExhausted
            | Error::Inverted(_)
            | Error::Storage(_)
            | Error::Corrupt(_)
            | Error::Snapshot(_) => None,
        }
    }
}

/// `crate::Result<T>`.
pub type Result<T> = std::result::Result<T, Error>;

//! The coordinator's error type. Messages are written to read like Weaviate's, because clients
//! and scripts match on some of them ("already exists", "not present in schema", ...).

use types::{ErrorKind, VectorLengthMismatch};

/// Errors of coordinator operations.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid content: a validation failure (422).
    #[error("{0}")]
    InvalidInput(String),
    /// A malformed request: bad query parameter (400).
    #[error("{0}")]
    BadRequest(String),
    /// The addressed class, object or shard does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// Conflicts with existing state, e.g. "id '...' already exists" (422 in Weaviate).
    #[error("{0}")]
    Conflict(String),
    /// The node cannot serve this now (503), or a peer could not be reached.
    #[error("{0}")]
    Unavailable(String),
    /// A peer did not answer in time.
    #[error("{0}")]
    Timeout(String),
    /// A request the model's rules refused, or a result they could not compute.
    #[error(transparent)]
    Model(#[from] model::Error),
    /// An error of a local shard.
    #[error("{}", worded(.0.length_mismatch(), .0))]
    Shard(#[from] shard::Error),
    /// An error of the cluster metadata.
    #[error("{}", worded(.0.length_mismatch(), .0))]
    Meta(#[from] cluster::Error),
    /// A bug or broken node (500).
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// The shared classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::BadRequest(_) => ErrorKind::BadRequest,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::Unavailable(_) => ErrorKind::Unavailable,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::Model(e) => e.kind(),
            Error::Shard(e) => e.kind(),
            Error::Meta(e) => e.kind(),
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// An error of the same kind and message, for the several results one failure answers.
    pub(crate) fn duplicate(&self) -> Error {
        let message = self.to_string();
        match self.kind() {
            ErrorKind::InvalidInput => Error::InvalidInput(message),
            ErrorKind::BadRequest => Error::BadRequest(message),
            ErrorKind::NotFound => Error::NotFound(message),
            ErrorKind::Conflict => Error::Conflict(message),
            ErrorKind::Unavailable => Error::Unavailable(message),
            ErrorKind::Timeout => Error::Timeout(message),
            ErrorKind::Internal => Error::Internal(message),
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Error {
        Error::InvalidInput(msg.into())
    }
}

/// The text of an engine's error: Weaviate's sentence (written by `model`) for a vector of the
/// wrong length, which the engines report as the two lengths; else the engine's own.
fn worded(mismatch: Option<VectorLengthMismatch>, error: &dyn std::fmt::Display) -> String {
    mismatch.map_or_else(|| error.to_string(), model::sentences::vector_length)
}

/// `crate::Result<T>`.
pub type Result<T> = std::result::Result<T, Error>;

//! The model's error type. Its messages are Weaviate's sentences (clients and scripts match on
//! some of them), so callers pass them on unchanged; the kind decides the status.

use types::ErrorKind;

/// Errors of parsing and checking requests, and of computing results.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Invalid content: the request names a field wrongly or breaks one of Weaviate's rules
    /// (422, Unprocessable Entity).
    #[error("{0}")]
    InvalidInput(String),
    /// A value that was valid could not be turned into another form: a bug, not the
    /// client's doing (500).
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// The shared classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Error {
        Error::InvalidInput(msg.into())
    }
}

/// `crate::Result<T>`.
pub type Result<T> = std::result::Result<T, Error>;

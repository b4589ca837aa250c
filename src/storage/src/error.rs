use types::ErrorKind;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("rocksdb: {0}")]
    Rocks(#[from] rocksdb::Error),
    #[error("cannot open storage at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("corrupt record in {what}: {reason}")]
    Corrupt { what: &'static str, reason: String },
}

impl Error {
    /// Storage failures are never the caller's fault.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}

/// `crate::Result<T>`.
pub type Result<T> = std::result::Result<T, Error>;

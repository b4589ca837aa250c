use types::{ErrorKind, VectorLengthMismatch};

/// Errors of metadata changes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("class name {0} already exists")]
    ClassExists(String),
    /// Weaviate names only the class that exists (cluster/schema/manager.go, PreApplyFilter).
    #[error("class already exists: found similar class {existing:?}")]
    SimilarClassExists { existing: String, requested: String },
    #[error("class {0} not found")]
    ClassNotFound(String),
    #[error("class \"{class}\": conflict for property \"{property}\": already in use or provided multiple times")]
    PropertyExists { class: String, property: String },
    #[error("shard {shard} of class {class} not found")]
    ShardNotFound { class: String, shard: String },
    #[error("tenant {tenant:?} not found in class {class:?}")]
    TenantNotFound { class: String, tenant: String },
    /// Weaviate's words (`cluster/schema`, acceptance test `aliases_api_test.go`).
    #[error("create alias: alias {0} already exists")]
    AliasExists(String),
    /// An alias may not take the name of a class.
    #[error("create alias: class {0} already exists")]
    AliasIsClassName(String),
    /// A class may not take the name of an alias (Weaviate's `PreApplyFilter`).
    #[error("alias name {0} already exists")]
    ClassIsAliasName(String),
    #[error("class already exists: found similar alias {existing:?}")]
    SimilarAliasExists { existing: String, requested: String },
    #[error("alias {0} not found")]
    AliasNotFound(String),
    #[error("{0}")]
    Invalid(String),
    /// A target's vector length is fixed by its first vector; this one has another.
    #[error("vector of length {got} for a target whose vectors have length {expected}")]
    VectorLength { expected: usize, got: usize },
    #[error(transparent)]
    Storage(#[from] storage::Error),
    #[error("corrupt metadata: {0}")]
    Corrupt(String),
    /// The cluster cannot take the request now (no leader, no quorum, node stopped); retry later.
    #[error("cluster metadata unavailable: {0}")]
    Unavailable(String),
    /// The request did not finish in time; it may still be applied later.
    #[error("cluster metadata request timed out: {0}")]
    Timeout(String),
    /// Misconfiguration or a failure of the Raft machinery itself.
    #[error("raft: {0}")]
    Raft(String),
}

impl Error {
    /// The shared classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::ClassExists(_)
            | Error::SimilarClassExists { .. }
            | Error::PropertyExists { .. }
            | Error::AliasExists(_)
            | Error::AliasIsClassName(_)
            | Error::ClassIsAliasName(_)
            | Error::SimilarAliasExists { .. } => ErrorKind::Conflict,
            Error::ClassNotFound(_)
            | Error::ShardNotFound { .. }
            | Error::TenantNotFound { .. }
            | Error::AliasNotFound(_) => ErrorKind::NotFound,
            Error::Invalid(_) | Error::VectorLength { .. } => ErrorKind::InvalidInput,
            Error::Storage(e) => e.kind(),
            Error::Corrupt(_) | Error::Raft(_) => ErrorKind::Internal,
            Error::Unavailable(_) => ErrorKind::Unavailable,
            Error::Timeout(_) => ErrorKind::Timeout,
        }
    }

    /// The two lengths, if this is a vector of the wrong length (for `model::sentences`).
    pub fn length_mismatch(&self) -> Option<VectorLengthMismatch> {
        match *self {
            Error::VectorLength { expected, got } => {
                Some(VectorLengthMismatch::Stored { expected, got })
            }
            Error::ClassExists(_)
            | Error::SimilarClassExists { .. }
            | Error::ClassNotFound(_)
            | Error::PropertyExists { .. }
            | Error::ShardNotFound { .. }
            | Error::TenantNotFound { .. }
            | Error::AliasExists(_)
            | Error::AliasIsClassName(_)
            | Error::ClassIsAliasName(_)
            | Error::SimilarAliasExists { .. }
            | Error::AliasNotFound(_)
            | Error::Invalid(_)
            | Error::Storage(_)
            | Error::Corrupt(_)
            | Error::Unavailable(_)
            | Error::Timeout(_)
            | Error::Raft(_) => None,
        }
    }
}

/// `crate::Result<T>`.
pub type Result<T> = std::result::Result<T, Error>;

//! The crate's error type.

use types::ErrorKind;

/// Errors of the inverted index.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A `where` filter that does not fit the class: unknown or unindexed property, a value of
    /// the wrong type, an operator the property's type does not support, a feature the
    /// class's `invertedIndexConfig` does not enable, or a text value made only of stopwords.
    #[error("{0}")]
    InvalidFilter(String),
    /// A keyword (BM25) search on properties that cannot be searched.
    #[error("{0}")]
    InvalidSearch(String),
    /// An invalid inverted-index configuration (an unknown stopword preset).
    #[error("{0}")]
    InvalidConfig(String),
    /// A condition on a cross-reference path (`["ref","Class","prop"]`) reached the index:
    /// the coordinator must resolve it into `Filter::ReferencesAny` first.
    #[error("filtering on the cross-reference path {property:?} -> {class} must be resolved before it reaches a shard")]
    UnresolvedReferencePath { property: String, class: String },
    /// A stored posting entry that cannot be decoded.
    #[error("corrupt inverted-index entry: {0}")]
    Corrupt(String),
}

impl Error {
    /// The shared classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidFilter(_) | Error::InvalidSearch(_) | Error::InvalidConfig(_) => {
                ErrorKind::InvalidInput
            }
            Error::Corrupt(_) | Error::UnresolvedReferencePath { .. } => ErrorKind::Internal,
        }
    }
}

/// `crate::Result<T>`.
pub type Result<T> = std::result::Result<T, Error>;

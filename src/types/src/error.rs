//! The small, shared classification of errors. Every crate's error enum reports one of these,
//! and the API maps them to HTTP status codes in one exhaustive match.

/// What kind of failure an error is, independent of the crate that raised it. Serde carries
/// it between nodes, so a refusal on a peer keeps its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ErrorKind {
    /// The request is well-formed but its content is invalid (Weaviate answers 422).
    InvalidInput,
    /// The request itself is malformed: a bad query parameter or body syntax (400).
    BadRequest,
    /// The addressed resource does not exist (404).
    NotFound,
    /// The request conflicts with existing state, e.g. a duplicate id (Weaviate answers 422).
    Conflict,
    /// The node cannot serve the request right now (503).
    Unavailable,
    /// The request did not finish in time (504).
    Timeout,
    /// A bug or a broken node (500).
    Internal,
}

/// A vector whose length differs from the length its index (or class) already holds, with
/// both lengths. Engines report it in this structured form; `model::sentences` words it as
/// Weaviate does, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorLengthMismatch {
    /// A vector to store.
    Stored { expected: usize, got: usize },
    /// A query vector.
    Query { expected: usize, got: usize },
}

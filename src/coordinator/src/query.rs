//! Read requests and their results, independent of REST or GraphQL.

use types::schema::Distance;
use types::Object;
use uuid::Uuid;

/// A `Get` over one class: paging, an optional vector search, what to return.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub class: String,
    pub tenant: Option<String>,
    /// `None`: `QUERY_DEFAULTS_LIMIT`, except for a vector search with a distance or certainty
    /// threshold, which then returns everything within it (capped at `QUERY_MAXIMUM_RESULTS`).
    pub limit: Option<usize>,
    pub offset: usize,
    /// Cursor: objects with a larger uuid, in uuid order. Excludes offset and searches.
    pub after: Option<Uuid>,
    pub vector_search: Option<VectorSearch>,
    /// Load vectors into the hits (for `_additional { vector vectors }`).
    pub with_vectors: bool,
}

/// `nearVector` / `nearObject`.
#[derive(Debug, Clone)]
pub enum VectorSearch {
    NearVector {
        vector: Vec<f32>,
        /// Empty: the class's only vector (legacy or the single named one).
        target_vectors: Vec<String>,
        threshold: Option<Threshold>,
    },
    NearObject {
        id: Uuid,
        target_vectors: Vec<String>,
        threshold: Option<Threshold>,
    },
}

/// A bound on how far results may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// At most this distance.
    Distance(f32),
    /// At least this certainty (cosine only): `distance <= 2 * (1 - certainty)`.
    Certainty(f32),
}

/// One result row.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub object: Object,
    /// Set for vector searches.
    pub distance: Option<f32>,
}

/// The rows of a `Get`, with the metric used (to derive certainty for cosine).
#[derive(Debug, Clone, Default)]
pub struct SearchResult {
    pub hits: Vec<SearchHit>,
    /// The metric of the searched target vector, for vector searches.
    pub metric: Option<Distance>,
}

/// `GET /v1/objects` listing.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// `None` lists across every class (legacy).
    pub class: Option<String>,
    pub tenant: Option<String>,
    pub limit: Option<usize>,
    pub offset: usize,
    pub after: Option<Uuid>,
    pub with_vectors: bool,
}

/// A write of one object as the REST and batch endpoints carry it.
#[derive(Debug, Clone, Default)]
pub struct ObjectWrite {
    pub class: String,
    /// `None`: a random v4 uuid is generated.
    pub id: Option<Uuid>,
    pub tenant: Option<String>,
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// The legacy unnamed vector.
    pub vector: Option<Vec<f32>>,
    /// Named vectors.
    pub vectors: Option<std::collections::BTreeMap<String, Vec<f32>>>,
}

//! Typed requests (searches, aggregations, listings, batch deletes, object writes) and their
//! results, independent of the wire format (REST, GraphQL or gRPC) that carried them.

use types::filter::Filter;
use types::keyword::TermsMatch;
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
    /// `where`: only objects matching it.
    pub filter: Option<Filter>,
    /// `bm25`: keyword ranking.
    pub keyword: Option<KeywordSearch>,
    /// `hybrid`: keyword and vector ranking fused.
    pub hybrid: Option<HybridSearch>,
    /// `sort`: by properties, in order of precedence (no search operator allowed with it).
    pub sort: Vec<SortBy>,
    /// `autocut`: cut results after this many jumps in score or distance (None or 0: off).
    pub autocut: Option<u32>,
    /// `groupBy` of Get (with a vector or hybrid search).
    pub group_by: Option<GroupBy>,
    /// `_additional { explainScore }` was asked for.
    pub explain: bool,
    /// `consistencyLevel`: above ONE, every hit is compared with that many replicas
    /// afterwards (and stale replicas repaired); `None` is ONE, no check.
    pub consistency: Option<crate::ConsistencyLevel>,
    /// Cross-references to resolve into every hit (GraphQL `prop { ... on Target {...} }`,
    /// gRPC `ref_properties`).
    pub references: Vec<ReferenceQuery>,
}

/// One reference property to follow from the objects of a level.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceQuery {
    pub property: String,
    /// The target classes asked for (GraphQL's inline fragments); references to other classes
    /// are not resolved. Never empty.
    pub targets: Vec<ReferenceTarget>,
}

/// What to load of the referenced objects of one class.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceTarget {
    pub class: String,
    /// Their vectors (`_additional { vector vectors }`).
    pub with_vectors: bool,
    /// The references of these objects to follow in turn.
    pub references: Vec<ReferenceQuery>,
}

impl ReferenceQuery {
    /// The deepest level of references below and including this one.
    pub fn depth(&self) -> usize {
        1 + self
            .targets
            .iter()
            .flat_map(|t| t.references.iter().map(ReferenceQuery::depth))
            .max()
            .unwrap_or(0)
    }
}

/// The resolved references of one object, by property name, in the order of its beacons
/// (dangling beacons and targets not asked for are left out).
pub type ResolvedReferences = std::collections::BTreeMap<String, Vec<ResolvedReference>>;

/// A referenced object and, in turn, its resolved references.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedReference {
    pub object: Object,
    pub references: ResolvedReferences,
}

impl ResolvedReference {
    /// The referenced object as a hit of its own, for rendering: no distance or score (it was
    /// not searched).
    pub fn as_hit(&self) -> SearchHit {
        SearchHit {
            object: self.object.clone(),
            distance: None,
            score: None,
            explain_score: None,
            is_consistent: None,
            references: self.references.clone(),
        }
    }
}

impl SearchQuery {
    /// What kind of query this is (the `query_type` label of `queries_durations_ms`).
    pub fn kind(&self) -> &'static str {
        if self.vector_search.is_some() {
            "vector_search"
        } else if self.keyword.is_some() {
            "keyword_search"
        } else if self.hybrid.is_some() {
            "hybrid_search"
        } else {
            "list"
        }
    }
}

/// `bm25 { query properties }`.
#[derive(Debug, Clone, Default)]
pub struct KeywordSearch {
    pub query: String,
    /// Properties with optional boosts (`"title^2"` -> ("title", 2.0)); empty: every
    /// searchable text property.
    pub properties: Vec<(String, f32)>,
    /// How many query terms a match must hold (gRPC's `search_operator`; GraphQL: any).
    pub matching: TermsMatch,
}

/// `hybrid { query alpha vector properties fusionType targetVectors }`.
#[derive(Debug, Clone)]
pub struct HybridSearch {
    pub query: String,
    /// 0 = pure keyword, 1 = pure vector; default 0.75.
    pub alpha: f32,
    /// `None`: the vector search part is skipped unless the class can vectorize (it cannot:
    /// only `none` vectorizers exist), so alpha then only weighs the keyword part.
    pub vector: Option<Vec<f32>>,
    pub properties: Vec<(String, f32)>,
    pub fusion: Fusion,
    pub target_vectors: Vec<String>,
    /// How many query terms a match of the keyword part must hold.
    pub keyword_matching: TermsMatch,
}

/// How hybrid combines its two rankings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fusion {
    RankedFusion,
    #[default]
    RelativeScoreFusion,
}

/// One sort key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortBy {
    /// A property name, or `_id`, `_creationTimeUnix`, `_lastUpdateTimeUnix`.
    pub path: String,
    pub descending: bool,
}

/// `groupBy { path groups objectsPerGroup }` of Get.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupBy {
    pub property: String,
    pub groups: usize,
    pub objects_per_group: usize,
}

/// `nearVector` / `nearObject`.
#[derive(Debug, Clone)]
pub enum VectorSearch {
    NearVector {
        vector: Vec<f32>,
        /// Empty: the class's only vector (legacy or the single named one).
        target_vectors: Vec<String>,
        threshold: Option<Threshold>,
        /// With several targets: each target's own query vector; a target not here is
        /// searched with `vector`.
        per_target: std::collections::BTreeMap<String, Vec<f32>>,
        /// With several targets: how their distances become one.
        combination: TargetCombination,
    },
    NearObject {
        id: Uuid,
        target_vectors: Vec<String>,
        threshold: Option<Threshold>,
        combination: TargetCombination,
    },
}

impl VectorSearch {
    /// The target vectors named (empty: the class's only one).
    pub fn target_vectors(&self) -> &[String] {
        match self {
            VectorSearch::NearVector { target_vectors, .. }
            | VectorSearch::NearObject { target_vectors, .. } => target_vectors,
        }
    }

    /// Whether it searches several targets at once.
    pub fn is_multi_target(&self) -> bool {
        self.target_vectors().len() > 1
    }
}

/// How a search over several target vectors ranks an object from its distance to each
/// (Weaviate's `targets.combination`); the weights are per target name.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TargetCombination {
    /// The smallest distance (Weaviate's default).
    #[default]
    Minimum,
    Sum,
    Average,
    /// The weighted sum of the distances.
    Manual(std::collections::BTreeMap<String, f32>),
    /// Each target's distances scaled to [0, 1] over the candidates, then weighted and summed.
    RelativeScore(std::collections::BTreeMap<String, f32>),
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
    /// Set for vector searches (and the vector part of hybrid).
    pub distance: Option<f32>,
    /// Set for bm25 and hybrid.
    pub score: Option<f32>,
    /// Set when `explain` was asked for, for bm25 and hybrid.
    pub explain_score: Option<String>,
    /// `_additional { isConsistent }`: whether the replicas asked agreed on this object;
    /// `None` when no check ran (level ONE), which Weaviate reports as consistent.
    pub is_consistent: Option<bool>,
    /// The references [`SearchQuery::references`] asked for.
    pub references: ResolvedReferences,
}

/// The rows of a `Get`, with the metric used (to derive certainty for cosine).
#[derive(Debug, Clone, Default)]
pub struct SearchResult {
    pub hits: Vec<SearchHit>,
    /// The metric of the searched target vector, for vector searches.
    pub metric: Option<Distance>,
    /// With `groupBy`: the groups, in order of their best hit.
    pub groups: Vec<HitGroup>,
}

/// One group of a grouped Get (`_additional { group { ... } }`).
#[derive(Debug, Clone)]
pub struct HitGroup {
    pub id: usize,
    /// The grouped-by property and the group's value.
    pub property: String,
    pub value: serde_json::Value,
    pub min_distance: f32,
    pub max_distance: f32,
    pub hits: Vec<SearchHit>,
}

/// `Aggregate { Class(...) { ... } }`.
#[derive(Debug, Clone, Default)]
pub struct AggregateQuery {
    pub class: String,
    pub tenant: Option<String>,
    pub filter: Option<Filter>,
    /// `groupBy: ["prop"]`.
    pub group_by: Option<String>,
    /// Restricts the aggregated set to the results of a vector search...
    pub vector_search: Option<VectorSearch>,
    /// ...or of a hybrid search.
    pub hybrid: Option<HybridSearch>,
    /// With a search: at most this many objects (`objectLimit`).
    pub object_limit: Option<usize>,
    /// Groups returned with groupBy (`limit`).
    pub limit: Option<usize>,
    /// The properties to aggregate; `meta { count }` is always computed.
    pub properties: Vec<String>,
    /// `topOccurrences(limit: N)` of text properties (Weaviate's default: 5).
    pub top_occurrences_limit: Option<usize>,
}

/// The result of an Aggregate: one row, or one per group.
#[derive(Debug, Clone, Default)]
pub struct AggregateResult {
    pub rows: Vec<AggregateRow>,
}

/// One aggregated set of objects.
#[derive(Debug, Clone, Default)]
pub struct AggregateRow {
    /// With groupBy: (path, value) of the group.
    pub grouped_by: Option<(String, serde_json::Value)>,
    pub count: u64,
    /// Per requested property.
    pub properties: std::collections::BTreeMap<String, PropertyAggregate>,
}

/// Aggregations of one property, by its type.
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyAggregate {
    /// int / number (and their arrays): over every value.
    Numeric {
        count: u64,
        minimum: Option<f64>,
        maximum: Option<f64>,
        mean: Option<f64>,
        median: Option<f64>,
        mode: Option<f64>,
        sum: Option<f64>,
    },
    /// text / text[]: occurrences of whole values, most frequent first.
    Text {
        count: u64,
        top_occurrences: Vec<(String, u64)>,
    },
    /// boolean / boolean[].
    Boolean {
        count: u64,
        total_true: u64,
        total_false: u64,
        percentage_true: f64,
        percentage_false: f64,
    },
    /// date / date[] (RFC 3339 strings out).
    Date {
        count: u64,
        minimum: Option<String>,
        maximum: Option<String>,
        median: Option<String>,
        mode: Option<String>,
    },
}

/// `DELETE /v1/batch/objects`.
#[derive(Debug, Clone)]
pub struct BatchDelete {
    pub class: String,
    pub tenant: Option<String>,
    pub filter: Filter,
    pub dry_run: bool,
    /// List every object (`verbose`), not only failures.
    pub verbose: bool,
    /// `deletionTimeUnixMilli`: the deletion time replicas record (default: now).
    pub deletion_time_ms: Option<i64>,
}

/// The outcome of a batch delete.
#[derive(Debug, Clone, Default)]
pub struct BatchDeleteResult {
    /// The class the objects were matched in, by its own name (the request may have named an
    /// alias of it).
    pub class: String,
    pub matches: u64,
    pub limit: u64,
    pub successful: u64,
    pub failed: u64,
    /// `(id, error)`: `None` for success (or dry run).
    pub objects: Vec<(Uuid, Option<String>)>,
}

/// `GET /v1/objects` listing.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// `None` lists across every class (legacy).
    pub class: Option<String>,
    /// `sort`/`order` query parameters.
    pub sort: Vec<SortBy>,
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

//! `Weaviate/Search`: a `SearchRequest` read into the same [`SearchQuery`] GraphQL `Get`
//! builds, checked by the same rules ([`search_rules::finish`]), run by the coordinator, and
//! its hits written as `SearchReply` (typed properties, `id_as_bytes`, the `*_present` flags
//! the client checks, vectors as little-endian bytes).

use model::search_rules::{self, boost, Limits};
use model::{
    ConsistencyLevel, Fusion, GroupBy, HybridSearch, KeywordSearch, SearchHit, SearchQuery,
    SearchResult, SortBy, Threshold, VectorSearch,
};
use types::keyword::TermsMatch;
use types::schema::{Class, Distance};
use uuid::Uuid;

use super::filters::Schema;
use super::pb;
use super::references::RefPlan;
use super::values::{self, NestedSelection, Selection};
use super::vectors;

/// Weaviate's default hybrid `alpha` when the request does not carry one.
const DEFAULT_ALPHA: f32 = 0.75;

/// What the reply should carry besides the objects.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReplyPlan {
    pub metadata: pb::MetadataRequest,
    pub selection: Selection,
    /// `ref_properties`: the references to return.
    pub references: Vec<RefPlan>,
}

/// Reads a request into a query and a plan for the reply. `Err` is an `InvalidArgument`
/// message.
pub(crate) fn plan(
    class: &Class,
    schema: Schema<'_>,
    request: &pb::SearchRequest,
    limits: &Limits,
) -> Result<(SearchQuery, ReplyPlan), String> {
    refuse_modules(request)?;
    let metadata = request.metadata.clone().unwrap_or_default();
    let selection = selection(request.properties.as_ref())?;
    let references = super::references::plan(class, schema, request.properties.as_ref())?;
    let filter = request
        .filters
        .as_ref()
        .map(|f| super::filters::translate(class, schema, f))
        .transpose()?;
    let sort = request
        .sort_by
        .iter()
        .map(sort_by)
        .collect::<Result<Vec<_>, _>>()?;
    let query = SearchQuery {
        class: class.class.clone(),
        tenant: non_empty(&request.tenant),
        // Weaviate's gRPC reads an unset limit as the default one, even with a distance
        // threshold (GraphQL would then return everything within it).
        limit: Some(match request.limit {
            0 => limits.defaults_limit,
            n => n as usize,
        }),
        offset: request.offset as usize,
        after: None,
        vector_search: vector_search_of(request)?,
        with_vectors: metadata.vector || !metadata.vectors.is_empty(),
        filter,
        keyword: request.bm25_search.as_ref().map(keyword).transpose()?,
        hybrid: request.hybrid_search.as_ref().map(hybrid_of).transpose()?,
        sort,
        autocut: (request.autocut > 0).then_some(request.autocut),
        group_by: request.group_by.as_ref().map(group_by).transpose()?,
        explain: metadata.explain_score,
        consistency: consistency(request.consistency_level),
        references: super::references::queries(&references),
    };
    let after = (!request.after.is_empty()).then_some(request.after.as_str());
    let query = search_rules::finish(class, query, after, metadata.certainty, limits)?;
    Ok((
        query,
        ReplyPlan {
            metadata,
            selection,
            references,
        },
    ))
}

/// Search kinds and features that need a module Shoal does not have.
fn refuse_modules(request: &pb::SearchRequest) -> Result<(), String> {
    let needs_vectorizer = [
        (request.near_text.is_some(), "nearText"),
        (request.near_image.is_some(), "nearImage"),
        (request.near_audio.is_some(), "nearAudio"),
        (request.near_video.is_some(), "nearVideo"),
        (request.near_depth.is_some(), "nearDepth"),
        (request.near_thermal.is_some(), "nearThermal"),
        (request.near_imu.is_some(), "nearIMU"),
    ];
    if let Some((_, kind)) = needs_vectorizer.iter().find(|(set, _)| *set) {
        return Err(format!(
            "could not vectorize input for collection {} with search-type {kind}: Shoal has no \
             vectorizer modules; search with a vector (nearVector) instead",
            request.collection
        ));
    }
    if request.generative.is_some() {
        return Err(
            "generative search needs a generative module, which Shoal does not have".into(),
        );
    }
    if request.rerank.is_some() {
        return Err("rerank needs a reranker module, which Shoal does not have".into());
    }
    if request.boost.is_some() {
        return Err("boost is not supported by Shoal".into());
    }
    Ok(())
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

pub(crate) fn consistency(level: Option<i32>) -> Option<ConsistencyLevel> {
    match level.and_then(|l| pb::ConsistencyLevel::try_from(l).ok()) {
        Some(pb::ConsistencyLevel::One) => Some(ConsistencyLevel::One),
        Some(pb::ConsistencyLevel::Quorum) => Some(ConsistencyLevel::Quorum),
        Some(pb::ConsistencyLevel::All) => Some(ConsistencyLevel::All),
        Some(pb::ConsistencyLevel::Unspecified) | None => None,
    }
}

/// The non-reference properties to return (references are [`RefPlan`]s).
pub(crate) fn selection(request: Option<&pb::PropertiesRequest>) -> Result<Selection, String> {
    let Some(request) = request else {
        return Ok(Selection::All);
    };
    if request.return_all_nonref_properties {
        return Ok(Selection::All);
    }
    Ok(Selection::Some {
        names: request.non_ref_properties.clone(),
        nested: request
            .object_properties
            .iter()
            .map(NestedSelection::from_proto)
            .collect(),
    })
}

fn sort_by(sort: &pb::SortBy) -> Result<SortBy, String> {
    match sort.path.as_slice() {
        [path] => Ok(SortBy {
            path: path.clone(),
            descending: !sort.ascending,
        }),
        [] => Err("invalid 'sort' parameter: path parameter cannot be empty".into()),
        _ => Err(
            "invalid 'sort' parameter: sorting by reference not supported, path must have \
                  exactly one argument"
                .into(),
        ),
    }
}

fn group_by(group: &pb::GroupBy) -> Result<GroupBy, String> {
    let [property] = <[String; 1]>::try_from(group.path.clone()).map_err(|path| {
        format!(
            "groupBy: path must name exactly one property, got {} elements",
            path.len()
        )
    })?;
    let positive = |n: i32, name: &str| {
        usize::try_from(n)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("groupBy: {name} must be a positive number, got {n}"))
    };
    Ok(GroupBy {
        property,
        groups: positive(group.number_of_groups, "number_of_groups")?,
        objects_per_group: positive(group.objects_per_group, "objects_per_group")?,
    })
}

fn keyword(bm25: &pb::Bm25) -> Result<KeywordSearch, String> {
    Ok(KeywordSearch {
        query: bm25.query.clone(),
        properties: boosted(&bm25.properties)?,
        matching: terms_match(bm25.search_operator.as_ref())?,
    })
}

fn boosted(properties: &[String]) -> Result<Vec<(String, f32)>, String> {
    properties.iter().map(|p| boost(p)).collect()
}

/// `SearchOperatorOptions`: `Or` with at least `minimum_or_tokens_match` query terms, or
/// `And` (every term).
fn terms_match(options: Option<&pb::SearchOperatorOptions>) -> Result<TermsMatch, String> {
    use pb::search_operator_options::Operator;
    let Some(options) = options else {
        return Ok(TermsMatch::default());
    };
    match Operator::try_from(options.operator) {
        Ok(Operator::Unspecified | Operator::Or) => match options.minimum_or_tokens_match {
            None => Ok(TermsMatch::default()),
            Some(n) if n >= 0 => Ok(TermsMatch::AtLeast(n as usize)),
            Some(n) => Err(format!(
                "minimum_or_tokens_match must not be negative, got {n}"
            )),
        },
        Ok(Operator::And) => Ok(TermsMatch::All),
        Ok(Operator::AndCross) => Err(
            "the bm25 operator AND_CROSS (a Weaviate 1.37 API) is not supported by Shoal".into(),
        ),
        Err(_) => Err(format!("unknown bm25 search operator {}", options.operator)),
    }
}

pub(crate) fn hybrid_of(h: &pb::Hybrid) -> Result<HybridSearch, String> {
    if h.near_text.is_some() {
        return Err(
            "hybrid with nearText needs a vectorizer module, which Shoal does not have".into(),
        );
    }
    if h.threshold.is_some() {
        return Err("hybrid: vector_distance is not supported by Shoal yet".into());
    }
    #[allow(deprecated)]
    let alpha = if h.use_alpha_param {
        h.alpha_param.unwrap_or(DEFAULT_ALPHA)
    } else {
        h.alpha
    };
    if !(0.0..=1.0).contains(&alpha) {
        return Err("alpha should be between 0.0 and 1.0".into());
    }
    let fusion = match pb::hybrid::FusionType::try_from(h.fusion_type) {
        Ok(pb::hybrid::FusionType::Ranked) => Fusion::RankedFusion,
        _ => Fusion::RelativeScoreFusion,
    };
    let (vector, target_vectors) = vectors::hybrid_vector(h)?;
    Ok(HybridSearch {
        keyword_matching: terms_match(h.bm25_search_operator.as_ref())?,
        query: h.query.clone(),
        alpha,
        vector,
        properties: boosted(&h.properties)?,
        fusion,
        target_vectors,
    })
}

pub(crate) fn vector_search_of(
    request: &pb::SearchRequest,
) -> Result<Option<VectorSearch>, String> {
    match (&request.near_vector, &request.near_object) {
        (Some(_), Some(_)) => Err(
            "found both 'nearVector' and 'nearObject' parameters which are conflicting, choose \
             one instead"
                .into(),
        ),
        (Some(near), None) => {
            let parts = vectors::near_vector(near)?;
            Ok(Some(VectorSearch::NearVector {
                vector: parts.vector,
                target_vectors: parts.targets,
                threshold: threshold(near.certainty, near.distance)?,
                per_target: parts.per_target,
                combination: parts.combination,
            }))
        }
        (None, Some(near)) => {
            let id = Uuid::parse_str(&near.id)
                .map_err(|_| format!("id '{}' is not a valid uuid", near.id))?;
            #[allow(deprecated)]
            let target_vectors = vectors::targets(near.targets.as_ref(), &near.target_vectors)?;
            Ok(Some(VectorSearch::NearObject {
                id,
                target_vectors,
                threshold: threshold(near.certainty, near.distance)?,
                combination: vectors::combination(near.targets.as_ref())?,
            }))
        }
        (None, None) => Ok(None),
    }
}

/// `certainty` / `distance`; a certainty of 0 is "not set", as in Weaviate.
fn threshold(certainty: Option<f64>, distance: Option<f64>) -> Result<Option<Threshold>, String> {
    match (certainty, distance) {
        (Some(_), Some(_)) => Err("cannot provide distance and certainty".into()),
        (Some(c), None) if c != 0.0 => Ok(Some(Threshold::Certainty(c as f32))),
        (_, Some(d)) => Ok(Some(Threshold::Distance(d as f32))),
        _ => Ok(None),
    }
}

/// The reply to a finished search.
pub(crate) fn reply(
    class: &Class,
    result: &SearchResult,
    plan: &ReplyPlan,
    grouped: bool,
    took: f32,
) -> pb::SearchReply {
    let metric = result.metric;
    let hit = |h: &SearchHit| search_result(class, h, plan, metric);
    let group_by_results = result
        .groups
        .iter()
        .map(|g| pb::GroupByResult {
            name: values::text(&g.value),
            min_distance: g.min_distance,
            max_distance: g.max_distance,
            number_of_objects: g.hits.len() as i64,
            objects: g.hits.iter().map(hit).collect(),
            ..Default::default()
        })
        .collect();
    pb::SearchReply {
        took,
        results: if grouped {
            Vec::new()
        } else {
            result.hits.iter().map(hit).collect()
        },
        group_by_results,
        ..Default::default()
    }
}

fn search_result(
    class: &Class,
    hit: &SearchHit,
    plan: &ReplyPlan,
    metric: Option<Distance>,
) -> pb::SearchResult {
    let object = &hit.object;
    pb::SearchResult {
        properties: Some(pb::PropertiesResult {
            non_ref_props: Some(values::properties(
                &object.properties,
                class.properties.as_deref().unwrap_or_default(),
                &plan.selection,
            )),
            target_collection: class.class.clone(),
            ref_props: super::references::results(&plan.references, hit),
            ref_props_requested: !plan.references.is_empty(),
            ..Default::default()
        }),
        metadata: Some(metadata(class, hit, &plan.metadata, metric)),
        generative: None,
    }
}

pub(crate) fn metadata(
    class: &Class,
    hit: &SearchHit,
    asked: &pb::MetadataRequest,
    metric: Option<Distance>,
) -> pb::MetadataResult {
    let object = &hit.object;
    let mut out = pb::MetadataResult {
        id: object.id.to_string(),
        id_as_bytes: object.id.as_bytes().to_vec(),
        ..Default::default()
    };
    if asked.creation_time_unix {
        out.creation_time_unix = object.creation_time_ms;
        out.creation_time_unix_present = true;
    }
    if asked.last_update_time_unix {
        out.last_update_time_unix = object.last_update_time_ms;
        out.last_update_time_unix_present = true;
    }
    if let (true, Some(d)) = (asked.distance, hit.distance) {
        out.distance = d;
        out.distance_present = true;
    }
    if let (true, Some(d), Some(Distance::Cosine)) = (asked.certainty, hit.distance, metric) {
        out.certainty = 1.0 - d / 2.0;
        out.certainty_present = true;
    }
    if let (true, Some(score)) = (asked.score, hit.score) {
        out.score = score;
        out.score_present = true;
    }
    if let (true, Some(explain)) = (asked.explain_score, &hit.explain_score) {
        out.explain_score = explain.clone();
        out.explain_score_present = true;
    }
    if asked.is_consistent {
        out.is_consistent = Some(hit.is_consistent.unwrap_or(true));
        out.is_consistent_present = true;
    }
    vectors::fill_metadata(class, object, asked, &mut out);
    out
}

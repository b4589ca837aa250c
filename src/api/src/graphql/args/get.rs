//! The arguments of `Get { <Class>(...) }` -> [`SearchQuery`], checked in the order Weaviate
//! checks them (`resolveGet` in get/class_builder_fields.go, then `GetClass` in
//! usecases/traverser/explorer.go), so that the first error reported is Weaviate's.

use ::types::filter::Filter;
use ::types::schema::Class;
use model::search_rules::{self, Limits};
use model::{ConsistencyLevel, GroupBy, HybridSearch, KeywordSearch, SearchQuery, VectorSearch};

use super::{filter, group, near, search, sort, types, ArgSpec};
use crate::graphql::value::{self, as_int, as_str, InputType, Value};

/// The arguments of `Get { <class>(...) }` as Weaviate 1.27 declares them for this class
/// (`tenant` only on multi-tenant classes, `consistencyLevel` only with replication).
pub(crate) fn get_arg(class: &Class, name: &str) -> Option<ArgSpec> {
    Some(match name {
        "limit" | "offset" | "autocut" => ArgSpec::Typed(InputType::Int),
        "after" => ArgSpec::Typed(InputType::String),
        "nearVector" => ArgSpec::Typed(types::NEAR_VECTOR),
        "nearObject" => ArgSpec::Typed(types::NEAR_OBJECT),
        "where" => ArgSpec::Typed(types::WHERE),
        "sort" => ArgSpec::Typed(InputType::List(&types::SORT)),
        "bm25" => ArgSpec::Typed(types::BM25),
        "hybrid" => ArgSpec::Typed(types::HYBRID),
        "groupBy" => ArgSpec::Typed(types::GROUP_BY),
        "tenant" if class.multi_tenancy_config.enabled => ArgSpec::Typed(InputType::String),
        "consistencyLevel" if class.replication_config.factor > 1 => {
            ArgSpec::Typed(InputType::Enum {
                name: "ConsistencyLevel",
                prefixed: false,
                values: &["ONE", "QUORUM", "ALL"],
            })
        }
        // nearText only exists with a text vectorizer module; refusing it by name is clearer
        // than graphql-go's "Unknown argument". `group` is the legacy grouping.
        "group" | "nearText" => ArgSpec::Unsupported,
        _ => return None,
    })
}

/// What the selection asks for that changes the query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Selected {
    /// `_additional { certainty }` (only defined for cosine).
    pub certainty: bool,
    /// `_additional { explainScore }`.
    pub explain: bool,
}

/// The arguments as read, before they are checked against each other.
struct Parts {
    limit: Option<usize>,
    offset: usize,
    sort: Vec<sort::RawSort>,
    filter: Option<Filter>,
    vector_search: Option<VectorSearch>,
    keyword: Option<KeywordSearch>,
    hybrid: Option<HybridSearch>,
    group_by: Option<GroupBy>,
}

/// Translates validated `Get` arguments into a search. `Err` is a resolver error message.
pub(crate) fn search_query(
    class: &Class,
    args: &[(String, Value)],
    selected: Selected,
    limits: &Limits,
) -> Result<SearchQuery, String> {
    let parts = extract(class, args)?;
    let query = SearchQuery {
        class: class.class.clone(),
        tenant: value::arg(args, "tenant")
            .and_then(as_str)
            .map(str::to_string),
        limit: parts.limit,
        offset: parts.offset,
        after: None,
        sort: sort::validate(parts.sort)?,
        vector_search: parts.vector_search,
        with_vectors: false,
        filter: parts.filter,
        keyword: parts.keyword,
        hybrid: parts.hybrid,
        autocut: autocut(args),
        group_by: parts.group_by,
        explain: selected.explain,
        consistency: value::arg(args, "consistencyLevel")
            .and_then(value::as_enum)
            .and_then(ConsistencyLevel::parse),
        // filled in from the selection by the caller
        references: Vec::new(),
    };
    let after = value::arg(args, "after").and_then(as_str);
    search_rules::finish(class, query, after, selected.certainty, limits)
}

/// Reads every argument (the extraction steps of `resolveGet`).
fn extract(class: &Class, args: &[(String, Value)]) -> Result<Parts, String> {
    let (limit, offset) = paging(args)?;
    let sort = sort::extract(args);
    let filter =
        filter::where_filter(args).map_err(|e| format!("could not extract filters: {e}"))?;
    let vector_search = near::vector_search(&class.class, args)?;
    let sorted = !sort.is_empty();
    let keyword = search::bm25(args, sorted)?;
    let hybrid = search::hybrid(args, sorted)?;
    let group_by = group::group_by(args)?;
    Ok(Parts {
        limit,
        offset,
        sort,
        filter,
        vector_search,
        keyword,
        hybrid,
        group_by,
    })
}

/// `limit` and `offset`. A negative limit means "not set", as in Weaviate's
/// ExtractPaginationFromArgs.
fn paging(args: &[(String, Value)]) -> Result<(Option<usize>, usize), String> {
    let limit = value::arg(args, "limit")
        .and_then(as_int)
        .and_then(|n| usize::try_from(n).ok());
    let offset = match value::arg(args, "offset").and_then(as_int).unwrap_or(0) {
        n if n < 0 => {
            return Err(format!(
                "invalid 'offset' parameter: must not be negative, got {n}"
            ))
        }
        n => usize::try_from(n).unwrap_or(usize::MAX),
    };
    Ok((limit, offset))
}

/// `autocut`: 0 or negative is off.
fn autocut(args: &[(String, Value)]) -> Option<u32> {
    value::arg(args, "autocut")
        .and_then(as_int)
        .filter(|n| *n > 0)
        .and_then(|n| u32::try_from(n).ok())
}

//! Query parameters shared by the object and batch endpoints, checked with Weaviate's
//! messages (`adapters/handlers/rest/handlers_objects.go`: `getReplicationProperties`,
//! `getConsistencyLevel`, `parseIncludeParam`, `getTenant`).

use model::ConsistencyLevel;

use crate::error::{ApiError, ApiResult};
use crate::extract::QueryParams;

/// What `?include=` asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Include {
    /// `vector`: return `vector` and `vectors`.
    pub vector: bool,
}

/// Parses `consistency_level` (QUORUM when absent, as in Weaviate's object and batch
/// endpoints).
pub(crate) fn check_replication(q: &QueryParams) -> ApiResult<ConsistencyLevel> {
    read_from(q, false).map(|(level, _)| level)
}

/// `consistency_level` and, where the endpoint takes it (single-object reads), `node_name`:
/// the node whose replica alone is read. Giving both is a 400, as in Weaviate.
pub(crate) fn read_from(
    q: &QueryParams,
    takes_node_name: bool,
) -> ApiResult<(ConsistencyLevel, Option<String>)> {
    let level = q.get("consistency_level");
    let parsed = match level {
        None => ConsistencyLevel::default(),
        Some(level) => ConsistencyLevel::parse(level).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unrecognized consistency level '{level}', try one of the following: ['ONE', 'QUORUM', 'ALL']"
            ))
        })?,
    };
    let node_name = if takes_node_name {
        q.get("node_name")
    } else {
        None
    };
    let node_name = node_name.filter(|n| !n.is_empty());
    if level.is_some() && node_name.is_some() {
        return Err(ApiError::bad_request(
            "consistency_level and node_name are mutually exclusive",
        ));
    }
    Ok((parsed, node_name.map(str::to_string)))
}

/// Parses `include`: a comma list of `vector` and `classification` (accepted and ignored:
/// Shoal runs no classifications). Without modules, Weaviate rejects anything else with 400.
/// Like Weaviate, the list is split on commas without trimming, so `include=` is an error too.
pub(crate) fn include(q: &QueryParams) -> ApiResult<Include> {
    let mut out = Include::default();
    let Some(raw) = q.get("include") else {
        return Ok(out);
    };
    for part in raw.split(',') {
        match part {
            "vector" => out.vector = true,
            "classification" => {}
            other => {
                return Err(ApiError::bad_request(format!(
                    "unrecognized property '{other}' in ?include list"
                )))
            }
        }
    }
    Ok(out)
}

/// `tenant`; an empty value means none, as in Weaviate's `getTenant`.
pub(crate) fn tenant(q: &QueryParams) -> Option<String> {
    q.non_empty("tenant").map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consistency_levels() {
        let level =
            |v: &str| check_replication(&QueryParams::from_pairs(&[("consistency_level", v)]));
        assert_eq!(level("ONE").unwrap(), ConsistencyLevel::One);
        assert_eq!(level("ALL").unwrap(), ConsistencyLevel::All);
        assert_eq!(
            check_replication(&QueryParams::default()).unwrap(),
            ConsistencyLevel::Quorum
        );
        let err = check_replication(&QueryParams::from_pairs(&[("consistency_level", "TWO")]))
            .unwrap_err();
        assert_eq!(err.status(), axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(
            err.message(),
            "unrecognized consistency level 'TWO', try one of the following: ['ONE', 'QUORUM', 'ALL']"
        );
    }

    #[test]
    fn node_name_excludes_consistency_level() {
        let q = QueryParams::from_pairs(&[("consistency_level", "ONE"), ("node_name", "n1")]);
        assert!(check_replication(&q).is_ok());
        assert_eq!(
            read_from(&q, true).unwrap_err().message(),
            "consistency_level and node_name are mutually exclusive"
        );
        let q = QueryParams::from_pairs(&[("node_name", "n1")]);
        assert_eq!(read_from(&q, true).unwrap().1.as_deref(), Some("n1"));
        let q = QueryParams::from_pairs(&[("node_name", "")]);
        assert_eq!(read_from(&q, true).unwrap().1, None);
    }

    #[test]
    fn include_list() {
        let q = QueryParams::from_pairs(&[("include", "classification,vector")]);
        assert!(include(&q).unwrap().vector);
        assert!(!include(&QueryParams::default()).unwrap().vector);
        let err = include(&QueryParams::from_pairs(&[("include", "vector,nope")])).unwrap_err();
        assert_eq!(
            err.message(),
            "unrecognized property 'nope' in ?include list"
        );
    }
}

//! `GET /v1/objects?class=&limit=&offset=&after=&include=&sort=&order=&tenant=`
//! (weaviate-api.md 1.3).
//!
//! As in Weaviate (`handlers_objects.go` `getObjects`/`query`, `adapters/repos/db` `Query`):
//! `limit` and `offset` must be integers (go-swagger's 422 otherwise), `totalResults` is the
//! length of the page, an unknown class is a bare 404, and the cursor `after` needs a class and
//! excludes `offset` and `sort`. `sort` is a comma list of properties and `order` the matching
//! comma list of `asc`/`desc` (usecases/objects `getSort`: a missing or unknown order is `asc`,
//! extra orders are ignored); whether the properties exist is the coordinator's check (422).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use model::{ListQuery, SortBy};
use serde::Serialize;
use serde_json::Value;
use types::ErrorKind;
use uuid::Uuid;

use crate::dto::object::ObjectOut;
use crate::error::{ApiError, ApiResult};
use crate::extract::{parse_uuid, QueryParams};
use crate::params;
use crate::state::AppState;

/// The prefix Weaviate puts on cursor errors.
const CURSOR_ERROR: &str = "cursor api: invalid 'after' parameter";

/// `{"deprecations":...,"objects":[...],"totalResults":n}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListOut<'a> {
    deprecations: Value,
    objects: Vec<ObjectOut<'a>>,
    total_results: usize,
}

/// `GET /v1/objects`.
pub(crate) async fn list(State(state): State<AppState>, query: QueryParams) -> ApiResult<Response> {
    let list_query = list_query(&query)?;
    let by_class = list_query.class.is_some();
    let with_vectors = list_query.with_vectors;
    let objects = state
        .coordinator
        .list_objects(list_query)
        .await
        .map_err(list_error)?;
    let mut classes: std::collections::HashMap<String, Option<types::schema::Class>> =
        std::collections::HashMap::new();
    let out = ListOut {
        // Weaviate's class query answers `[]`, its legacy listing `null`.
        deprecations: if by_class {
            Value::Array(Vec::new())
        } else {
            Value::Null
        },
        objects: objects
            .iter()
            .map(|o| {
                let class = classes
                    .entry(o.class.clone())
                    .or_insert_with(|| state.coordinator.class(&o.class));
                ObjectOut::new(o, with_vectors).with_hrefs(class.as_ref())
            })
            .collect(),
        total_results: objects.len(),
    };
    Ok(Json(out).into_response())
}

/// The coordinator's query for the request's parameters, checked in Weaviate's order:
/// go-swagger's types first, then `include`, then the cursor rules.
fn list_query(query: &QueryParams) -> ApiResult<ListQuery> {
    let limit = non_negative("limit", query.int64("limit")?)?;
    let offset = non_negative("offset", query.int64("offset")?)?;
    let include = params::include(query)?;
    let sort = sort(query);
    let class = query.non_empty("class").map(str::to_string);
    let after = cursor(
        query.get("after"),
        class.is_some(),
        offset.unwrap_or(0),
        !sort.is_empty(),
    )?;
    Ok(ListQuery {
        class,
        tenant: params::tenant(query),
        limit,
        offset: offset.unwrap_or(0),
        after,
        with_vectors: include.vector,
        sort,
    })
}

/// `sort=a,b&order=asc,desc` as sort keys.
fn sort(query: &QueryParams) -> Vec<SortBy> {
    let Some(paths) = query.non_empty("sort") else {
        return Vec::new();
    };
    let orders: Vec<&str> = query
        .get("order")
        .map(|o| o.split(',').collect())
        .unwrap_or_default();
    paths
        .split(',')
        .enumerate()
        .map(|(i, path)| SortBy {
            path: path.to_string(),
            descending: orders.get(i) == Some(&"desc"),
        })
        .collect()
}

fn non_negative(name: &str, value: Option<i64>) -> ApiResult<Option<usize>> {
    match value {
        None => Ok(None),
        Some(v) => usize::try_from(v).map(Some).map_err(|_| {
            ApiError::invalid(format!(
                "invalid '{name}' parameter: must not be negative, got {v}"
            ))
        }),
    }
}

/// `after`: absent or empty means "from the start"; otherwise a uuid, only with a class and
/// without an offset or a sort (filters.ValidateCursor).
fn cursor(
    raw: Option<&str>,
    has_class: bool,
    offset: usize,
    sorted: bool,
) -> ApiResult<Option<Uuid>> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    if !has_class {
        return Err(ApiError::invalid(format!(
            "{CURSOR_ERROR}: class name must be set"
        )));
    }
    let set: Vec<&str> = [(offset != 0, "offset"), (sorted, "sort")]
        .into_iter()
        .filter_map(|(is_set, name)| is_set.then_some(name))
        .collect();
    if !set.is_empty() {
        return Err(ApiError::invalid(format!(
            "{CURSOR_ERROR}: {} cannot be set with after and limit parameters",
            set.join(",")
        )));
    }
    if raw.is_empty() {
        return Ok(None);
    }
    parse_uuid(raw)
        .map(Some)
        .ok_or_else(|| ApiError::invalid(format!("{CURSOR_ERROR}: '{raw}' is not a valid uuid")))
}

/// An unknown class is a bare 404; a bad request (e.g. "query maximum results exceeded") is
/// 422, as Weaviate's query handler answers both.
fn list_error(err: coordinator::Error) -> ApiError {
    match err.kind() {
        ErrorKind::NotFound => ApiError::empty(StatusCode::NOT_FOUND),
        ErrorKind::BadRequest => ApiError::from(err).with_status(StatusCode::UNPROCESSABLE_ENTITY),
        ErrorKind::InvalidInput
        | ErrorKind::Conflict
        | ErrorKind::Unavailable
        | ErrorKind::Timeout
        | ErrorKind::Internal => ApiError::from(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> QueryParams {
        QueryParams::from_pairs(pairs)
    }

    #[test]
    fn plain_listing() {
        let lq = list_query(&q(&[
            ("class", "Doc"),
            ("limit", "5"),
            ("include", "vector"),
        ]))
        .unwrap();
        assert_eq!(lq.class.as_deref(), Some("Doc"));
        assert_eq!(lq.limit, Some(5));
        assert_eq!(lq.offset, 0);
        assert!(lq.with_vectors);
        assert!(lq.after.is_none());
    }

    #[test]
    fn bad_numbers_are_swagger_errors() {
        let err = list_query(&q(&[("limit", "many")])).unwrap_err();
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            err.message(),
            "limit in query must be of type int64: \"many\""
        );
        assert_eq!(
            list_query(&q(&[("offset", "-1")])).unwrap_err().status(),
            422
        );
    }

    #[test]
    fn cursor_rules() {
        let id = "00000000-0000-0000-0000-000000000001";
        let lq = list_query(&q(&[("class", "Doc"), ("after", id)])).unwrap();
        assert_eq!(lq.after.unwrap().to_string(), id);
        assert!(list_query(&q(&[("after", id)])).is_err());
        let err = list_query(&q(&[("class", "Doc"), ("after", id), ("offset", "2")])).unwrap_err();
        assert!(err
            .message()
            .contains("offset cannot be set with after and limit parameters"));
        assert!(list_query(&q(&[("class", "Doc"), ("after", "")]))
            .unwrap()
            .after
            .is_none());
    }

    #[test]
    fn sort_and_order_lists() {
        let lq = list_query(&q(&[
            ("class", "Doc"),
            ("sort", "title,wordCount,_id"),
            ("order", "desc,up"),
        ]))
        .unwrap();
        let keys: Vec<(&str, bool)> = lq
            .sort
            .iter()
            .map(|s| (s.path.as_str(), s.descending))
            .collect();
        assert_eq!(
            keys,
            [("title", true), ("wordCount", false), ("_id", false)],
            "a missing or unknown order is asc, as in Weaviate's getSort"
        );
        let lq = list_query(&q(&[
            ("class", "Doc"),
            ("sort", "a"),
            ("order", "desc,asc"),
        ]))
        .unwrap();
        assert_eq!(lq.sort.len(), 1, "extra orders are ignored");
        assert!(list_query(&q(&[("class", "Doc"), ("sort", "")]))
            .unwrap()
            .sort
            .is_empty());
    }

    #[test]
    fn cursor_excludes_sort() {
        let id = "00000000-0000-0000-0000-000000000001";
        let err = list_query(&q(&[("class", "Doc"), ("after", id), ("sort", "a")])).unwrap_err();
        assert_eq!(
            err.message(),
            "cursor api: invalid 'after' parameter: sort cannot be set with after and limit parameters"
        );
        let err = list_query(&q(&[
            ("class", "Doc"),
            ("after", id),
            ("sort", "a"),
            ("offset", "1"),
        ]))
        .unwrap_err();
        assert!(
            err.message().contains(": offset,sort cannot be set"),
            "{}",
            err.message()
        );
    }
}

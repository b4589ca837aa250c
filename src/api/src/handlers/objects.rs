//! Single objects: `POST /v1/objects`, `POST /v1/objects/validate`, GET/HEAD/PUT/PATCH/DELETE
//! `/v1/objects/{class}/{id}` and the deprecated class-less `/v1/objects/{id}` variants
//! (weaviate-api.md 1.3). Statuses follow `adapters/handlers/rest/handlers_objects.go`:
//! create 200 with the object, PUT 200 with the object, HEAD/PATCH/DELETE 204, and a missing
//! object is a 404 with no body for GET, HEAD, PATCH and DELETE. Listing is in `list.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use types::ErrorKind;

use crate::dto::object::{empty_class_error, parse_object, ObjectInput, ObjectOut};
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_uuid, JsonBody, PathParams, QueryParams};
use crate::params;
use crate::state::AppState;

/// `POST /v1/objects`: create-only; an existing id is 422 "id '...' already exists".
pub(crate) async fn create(
    State(state): State<AppState>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let input = parse_object(&body)?;
    let level = params::check_replication(&query)?;
    if input.class.is_empty() {
        return Err(empty_class_error());
    }
    let object = state
        .coordinator
        .create_object(input.into_write(), level)
        .await?;
    let class = state.coordinator.class(&object.class);
    Ok(Json(ObjectOut::new(&object, true).with_hrefs(class.as_ref())).into_response())
}

/// `POST /v1/objects/validate`: 200 with no body when the object would be accepted.
pub(crate) async fn validate(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let input = parse_object(&body)?;
    if input.class.is_empty() {
        return Err(empty_class_error());
    }
    state
        .coordinator
        .validate_object(input.into_write())
        .await?;
    Ok(StatusCode::OK)
}

/// `GET /v1/objects/{class}/{id}`.
pub(crate) async fn get(
    State(state): State<AppState>,
    PathParams((class, id)): PathParams<(String, String)>,
    query: QueryParams,
) -> ApiResult<Response> {
    get_object(&state, Some(&class), &id, &query).await
}

/// `GET /v1/objects/{id}` (deprecated): the object of any class.
pub(crate) async fn get_any_class(
    State(state): State<AppState>,
    PathParams(id): PathParams<String>,
    query: QueryParams,
) -> ApiResult<Response> {
    get_object(&state, None, &id, &query).await
}

async fn get_object(
    state: &AppState,
    class: Option<&str>,
    raw_id: &str,
    query: &QueryParams,
) -> ApiResult<Response> {
    let id = path_uuid("id", raw_id)?;
    let include = params::include(query)?;
    let (level, node) = params::read_from(query, true)?;
    let tenant = params::tenant(query);
    let (coordinator, tenant) = (&state.coordinator, tenant.as_deref());
    let found = match node {
        Some(node) => {
            coordinator
                .get_object_on_node(class, id, tenant, include.vector, &node)
                .await
        }
        None => {
            coordinator
                .get_object(class, id, tenant, include.vector, level)
                .await
        }
    };
    match found.map_err(missing_is_bare_404)? {
        Some(object) => {
            let class = coordinator.class(&object.class);
            let out = ObjectOut::new(&object, include.vector).with_hrefs(class.as_ref());
            Ok(Json(out).into_response())
        }
        None => Err(ApiError::empty(StatusCode::NOT_FOUND)),
    }
}

/// `HEAD /v1/objects/{class}/{id}`: 204 if the object exists, 404 if not.
pub(crate) async fn head(
    State(state): State<AppState>,
    PathParams((class, id)): PathParams<(String, String)>,
    query: QueryParams,
) -> ApiResult<StatusCode> {
    head_object(&state, Some(&class), &id, &query).await
}

/// `HEAD /v1/objects/{id}` (deprecated).
pub(crate) async fn head_any_class(
    State(state): State<AppState>,
    PathParams(id): PathParams<String>,
    query: QueryParams,
) -> ApiResult<StatusCode> {
    head_object(&state, None, &id, &query).await
}

async fn head_object(
    state: &AppState,
    class: Option<&str>,
    raw_id: &str,
    query: &QueryParams,
) -> ApiResult<StatusCode> {
    let id = path_uuid("id", raw_id)?;
    let level = params::check_replication(query)?;
    let tenant = params::tenant(query);
    let exists = state
        .coordinator
        .object_exists(class, id, tenant.as_deref(), level)
        .await;
    if exists.map_err(missing_is_bare_404)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::empty(StatusCode::NOT_FOUND))
    }
}

/// `DELETE /v1/objects/{class}/{id}`: 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    PathParams((class, id)): PathParams<(String, String)>,
    query: QueryParams,
) -> ApiResult<StatusCode> {
    delete_object(&state, Some(&class), &id, &query).await
}

/// `DELETE /v1/objects/{id}` (deprecated).
pub(crate) async fn delete_any_class(
    State(state): State<AppState>,
    PathParams(id): PathParams<String>,
    query: QueryParams,
) -> ApiResult<StatusCode> {
    delete_object(&state, None, &id, &query).await
}

async fn delete_object(
    state: &AppState,
    class: Option<&str>,
    raw_id: &str,
    query: &QueryParams,
) -> ApiResult<StatusCode> {
    let id = path_uuid("id", raw_id)?;
    let level = params::check_replication(query)?;
    let tenant = params::tenant(query);
    let deleted = state
        .coordinator
        .delete_object(class, id, tenant.as_deref(), level)
        .await;
    deleted.map_err(missing_is_bare_404)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /v1/objects/{class}/{id}`: full replace, 200 with the object. The body's `id` must be
/// the path's (Weaviate: "invalid update: field 'id' is immutable").
pub(crate) async fn replace(
    State(state): State<AppState>,
    PathParams((class, id)): PathParams<(String, String)>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    replace_object(&state, Some(class), &id, &query, &body).await
}

/// `PUT /v1/objects/{id}` (deprecated): the class comes from the body.
pub(crate) async fn replace_any_class(
    State(state): State<AppState>,
    PathParams(id): PathParams<String>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    replace_object(&state, None, &id, &query, &body).await
}

async fn replace_object(
    state: &AppState,
    path_class: Option<String>,
    raw_id: &str,
    query: &QueryParams,
    body: &Value,
) -> ApiResult<Response> {
    let id = path_uuid("id", raw_id)?;
    let level = params::check_replication(query)?;
    let input = with_path_class(parse_object(body)?, path_class)?;
    if input.id != Some(id) {
        return Err(ApiError::invalid("invalid update: field 'id' is immutable"));
    }
    let class = input.class.clone();
    let replaced = state
        .coordinator
        .replace_object(&class, id, input.into_write(), level)
        .await;
    let object = replaced.map_err(missing_is_bare_404)?;
    let class = state.coordinator.class(&object.class);
    Ok(Json(ObjectOut::new(&object, true).with_hrefs(class.as_ref())).into_response())
}

/// `PATCH /v1/objects/{class}/{id}`: merge properties (a vector replaces), 204.
pub(crate) async fn merge(
    State(state): State<AppState>,
    PathParams((class, id)): PathParams<(String, String)>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    merge_object(&state, Some(class), &id, &query, &body).await
}

/// `PATCH /v1/objects/{id}` (deprecated): the class comes from the body.
pub(crate) async fn merge_any_class(
    State(state): State<AppState>,
    PathParams(id): PathParams<String>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    merge_object(&state, None, &id, &query, &body).await
}

async fn merge_object(
    state: &AppState,
    path_class: Option<String>,
    raw_id: &str,
    query: &QueryParams,
    body: &Value,
) -> ApiResult<StatusCode> {
    let id = path_uuid("id", raw_id)?;
    let level = params::check_replication(query)?;
    let mut input = with_path_class(parse_object(body)?, path_class)?;
    // Weaviate overwrites the body's id with the path's.
    input.id = Some(id);
    let class = input.class.clone();
    let merged = state
        .coordinator
        .merge_object(&class, id, input.into_write(), level)
        .await;
    merged.map_err(missing_is_bare_404)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The path's class wins over the body's; without either the write is rejected.
fn with_path_class(mut input: ObjectInput, path_class: Option<String>) -> ApiResult<ObjectInput> {
    if let Some(class) = path_class {
        input.class = class;
    }
    if input.class.is_empty() {
        return Err(empty_class_error());
    }
    Ok(input)
}

/// Weaviate answers a missing object (or class) with a 404 without a body.
fn missing_is_bare_404(err: coordinator::Error) -> ApiError {
    if err.kind() == ErrorKind::NotFound {
        ApiError::empty(StatusCode::NOT_FOUND)
    } else {
        ApiError::from(err)
    }
}

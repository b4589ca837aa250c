//! Collection aliases: `/v1/aliases` (list, create) and `/v1/aliases/{alias}` (get, switch,
//! delete), as Weaviate 1.32 has them (`adapters/handlers/rest/handlers_aliases.go`). Bodies
//! are parsed by `model::aliases`; every change goes through the metadata log.
//!
//! Statuses: 200 with `{"alias","class"}` for create, get and switch, 204 for delete, 404
//! when the alias (or, on create and switch, the class) does not exist, 422 for an invalid
//! name or a name already taken. Weaviate's 404s here have no body; Shoal's carry the usual
//! error body, which says which of the two names was missing (clients read the status only).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use coordinator::Alias;
use model::aliases;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::handlers::schema::schema_write_error;
use crate::state::AppState;

/// `GET /v1/aliases[?class=]`: `{"aliases":[{"alias","class"}]}` in alias order.
pub(crate) async fn list(State(state): State<AppState>, query: QueryParams) -> Json<Value> {
    let aliases = state.coordinator.aliases(query.non_empty("class"));
    let out: Vec<Value> = aliases.iter().map(alias_json).collect();
    Json(json!({ "aliases": out }))
}

/// `POST /v1/aliases` with `{"alias","class"}`: 200 with the alias as stored.
pub(crate) async fn create(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let (alias, class) = aliases::parse_create(&body).map_err(write_error)?;
    let created = state
        .coordinator
        .create_alias(alias, class)
        .await
        .map_err(write_error)?;
    Ok(Json(alias_json(&created)))
}

/// `GET /v1/aliases/{alias}`: 200 with `{"alias","class"}`, or 404.
pub(crate) async fn get_one(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
) -> ApiResult<Json<Value>> {
    state
        .coordinator
        .alias(&name)
        .map(|a| Json(alias_json(&a)))
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("alias {name} not found")))
}

/// `PUT /v1/aliases/{alias}` with `{"class"}`: 200 with the alias as it now is.
pub(crate) async fn replace(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let class = aliases::parse_replace(&body).map_err(write_error)?;
    let switched = state
        .coordinator
        .replace_alias(&name, class)
        .await
        .map_err(write_error)?;
    Ok(Json(alias_json(&switched)))
}

/// `DELETE /v1/aliases/{alias}`: 204; the class and its objects stay.
pub(crate) async fn delete(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
) -> ApiResult<StatusCode> {
    state
        .coordinator
        .delete_alias(&name)
        .await
        .map_err(write_error)?;
    Ok(StatusCode::NO_CONTENT)
}

fn alias_json(a: &Alias) -> Value {
    json!({"alias": a.alias, "class": a.class})
}

/// Like Weaviate's alias handlers: a missing alias or class is 404, every other refusal the
/// client caused 422.
fn write_error(err: impl Into<coordinator::Error>) -> ApiError {
    let err = err.into();
    match err.kind() {
        types::ErrorKind::NotFound => ApiError::from(err),
        types::ErrorKind::InvalidInput
        | types::ErrorKind::BadRequest
        | types::ErrorKind::Conflict
        | types::ErrorKind::Unavailable
        | types::ErrorKind::Timeout
        | types::ErrorKind::Internal => schema_write_error(err),
    }
}

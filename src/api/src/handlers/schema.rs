//! Collections: `/v1/schema`, `/v1/schema/{class}`, its properties and shards
//! (weaviate-api.md 1.2). Statuses follow `adapters/handlers/rest/handlers_schema.go`:
//! every failed create, update or property add is 422 (class GET/PUT on a missing class is a
//! bare 404), a failed delete is 400, and deleting a missing class succeeds.
//!
//! Bodies are parsed here by `model::schema` (with the cluster's defaults from the
//! coordinator); the coordinator receives typed classes and properties.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use model::schema;
use serde_json::{json, Value};
use types::schema::{Class, Property};
use types::ErrorKind;

use crate::dto::nodes::ShardStatusOut;
use crate::dto::object::json_type;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::params;
use crate::state::AppState;

/// `GET /v1/schema`: `{"classes":[...]}`.
pub(crate) async fn dump(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    catch_up(&state, &headers).await?;
    Ok(Json(json!({ "classes": state.coordinator.schema() })))
}

/// Weaviate's `consistency` header of schema reads: true (the default) reads as of the Raft
/// leader, false reads this node's copy as it is.
pub(crate) async fn catch_up(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let consistent = match headers.get("consistency").map(|v| v.to_str()) {
        None => true,
        Some(Ok(v)) => match v.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => {
                return Err(ApiError::invalid(format!(
                    "header 'consistency': expected true or false, got {v:?}"
                )))
            }
        },
        Some(Err(_)) => {
            return Err(ApiError::invalid(
                "header 'consistency': expected true or false",
            ))
        }
    };
    if consistent {
        state.coordinator.catch_up_with_leader().await?;
    }
    Ok(())
}

/// `POST /v1/schema`: 200 with the class as stored, every default filled in. With Shoal's
/// `initFrom` (see `model::schema::parse_init_from`), the class takes what the body leaves out
/// from the source, and a background copy fills it.
pub(crate) async fn create_class(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Class>> {
    require_object(&body, "class")?;
    let coordinator = &state.coordinator;
    let defaults = coordinator.schema_defaults();
    let created = match schema::parse_init_from(&body).map_err(schema_write_error)? {
        None => {
            let class = schema::parse_class(&body, &defaults).map_err(schema_write_error)?;
            coordinator.create_class(class).await
        }
        Some(init) => {
            let source = coordinator
                .init_from_source(&init)
                .map_err(schema_write_error)?;
            let body = schema::inherit_from(&body, &source).map_err(schema_write_error)?;
            let class = schema::parse_class(&body, &defaults).map_err(schema_write_error)?;
            coordinator.create_class_from(class, init).await
        }
    };
    Ok(Json(created.map_err(schema_write_error)?))
}

/// `GET /v1/schema/{class}`: the class also through an alias of it (Weaviate 1.32 answers
/// that with the class, under its own name); a missing class is 404 with no body.
pub(crate) async fn get_class(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
    headers: HeaderMap,
) -> ApiResult<Json<Class>> {
    catch_up(&state, &headers).await?;
    state
        .coordinator
        .class(&name)
        .map(Json)
        .ok_or_else(|| ApiError::empty(StatusCode::NOT_FOUND))
}

/// `PUT /v1/schema/{class}`: 200 with the updated class; a missing class is a bare 404, and so
/// is an alias's name: as in Weaviate, a class definition changes through its own name only.
pub(crate) async fn update_class(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Class>> {
    require_object(&body, "class")?;
    let not_found = || ApiError::empty(StatusCode::NOT_FOUND);
    let current = state.coordinator.own_class(&name).ok_or_else(not_found)?;
    let updated = schema::apply_update(&current, &body, &state.coordinator.schema_defaults())
        .map_err(schema_write_error)?;
    match state.coordinator.update_class(updated).await {
        Ok(class) => Ok(Json(class)),
        Err(e) if e.kind() == ErrorKind::NotFound => Err(not_found()),
        Err(e) => Err(schema_write_error(e)),
    }
}

/// `DELETE /v1/schema/{class}`: 200 with no body, also when the class does not exist.
pub(crate) async fn delete_class(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
) -> ApiResult<StatusCode> {
    state
        .coordinator
        .delete_class(&name)
        .await
        .map_err(delete_error)?;
    Ok(StatusCode::OK)
}

/// `POST /v1/schema/{class}/properties`: 200 with the property as stored.
pub(crate) async fn add_property(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Property>> {
    require_object(&body, "property")?;
    // A missing class is reported before a malformed property, as it always was.
    state
        .coordinator
        .existing_class(&name)
        .map_err(schema_write_error)?;
    let property = schema::parse_property(&body).map_err(schema_write_error)?;
    let property = state
        .coordinator
        .add_property(&name, property)
        .await
        .map_err(schema_write_error)?;
    Ok(Json(property))
}

/// `GET /v1/schema/{class}/shards[?tenant=]`: `[{"name","status","vectorQueueSize"}]`; an
/// unknown class is 404 with the error body.
pub(crate) async fn shards(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
    query: QueryParams,
) -> ApiResult<Json<Value>> {
    let tenant = params::tenant(&query);
    let reports = state
        .coordinator
        .shard_statuses(&name, tenant.as_deref())
        .await?;
    let out: Vec<ShardStatusOut<'_>> = reports.iter().map(ShardStatusOut::new).collect();
    Ok(Json(json!(out)))
}

/// `PUT /v1/schema/{class}/shards/{shard}` with `{"status":"READY"|"READONLY"}`: 200 echoing
/// the status.
pub(crate) async fn update_shard(
    State(state): State<AppState>,
    PathParams((name, shard)): PathParams<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let status = shard_status(&body)?;
    let applied = state
        .coordinator
        .set_shard_status(&name, &shard, &status)
        .await?;
    Ok(Json(json!({ "status": applied })))
}

/// The requested shard status, upper-cased like Weaviate's `storagestate` parsing.
fn shard_status(body: &Value) -> ApiResult<String> {
    let raw = match body.get("status") {
        Some(Value::String(s)) => s.to_uppercase(),
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "field 'status' must be a string, got {}",
                json_type(other)
            )))
        }
        None => return Err(ApiError::invalid("field 'status' is required")),
    };
    match raw.as_str() {
        "READY" | "READONLY" => Ok(raw),
        _ => Err(ApiError::invalid(format!(
            "invalid shard status '{raw}': must be one of READY, READONLY"
        ))),
    }
}

fn require_object(body: &Value, what: &str) -> ApiResult<()> {
    if body.is_object() {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "the {what} must be a JSON object, got {}",
            json_type(body)
        )))
    }
}

/// Weaviate answers 422 for every failed schema write that is the client's doing (including
/// an unknown class when adding a property); server-side failures keep their status. The
/// model's refusals come here too, through the coordinator's error that wraps them.
pub(crate) fn schema_write_error(err: impl Into<coordinator::Error>) -> ApiError {
    client_error_as(err.into(), StatusCode::UNPROCESSABLE_ENTITY)
}

/// Weaviate answers 400 for a failed class delete that is the client's doing.
fn delete_error(err: coordinator::Error) -> ApiError {
    client_error_as(err, StatusCode::BAD_REQUEST)
}

/// `err` with `status` if the client caused it, else with its usual status.
fn client_error_as(err: coordinator::Error, status: StatusCode) -> ApiError {
    let client_side = match err.kind() {
        ErrorKind::InvalidInput
        | ErrorKind::BadRequest
        | ErrorKind::NotFound
        | ErrorKind::Conflict => true,
        ErrorKind::Unavailable | ErrorKind::Timeout | ErrorKind::Internal => false,
    };
    let api = ApiError::from(err);
    if client_side {
        api.with_status(status)
    } else {
        api
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_status_values() {
        assert_eq!(
            shard_status(&json!({"status": "readonly"})).unwrap(),
            "READONLY"
        );
        assert_eq!(shard_status(&json!({"status": "READY"})).unwrap(), "READY");
        assert_eq!(
            shard_status(&json!({"status": "INDEXING"}))
                .unwrap_err()
                .status(),
            422
        );
        assert_eq!(
            shard_status(&json!({"status": 1})).unwrap_err().status(),
            422
        );
        assert_eq!(shard_status(&json!({})).unwrap_err().status(), 422);
    }
}

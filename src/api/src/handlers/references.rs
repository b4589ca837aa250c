//! Cross-reference endpoints (weaviate-api.md 1.4, `adapters/handlers/rest/handlers_objects.go`
//! and `handlers_batch_objects.go`):
//!
//! - `POST /v1/objects/{class}/{id}/references/{property}` with one `{"beacon": ...}`: 200,
//!   no body;
//! - `PUT` with a list of them, replacing every reference: 200, no body;
//! - `DELETE` with one, removing every reference to its target: 204;
//! - the deprecated class-less `/v1/objects/{id}/references/{property}` forms;
//! - `POST /v1/batch/references` with `[{"from", "to", "tenant"?}]`: 200 with one result per
//!   reference, in order.
//!
//! A missing source object is a 404 without a body; invalid references are 422 with the
//! reason. Each takes `consistency_level` and `tenant`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use coordinator::{ReferenceEdit, ReferenceSource};
use model::references::{parse_source, BatchReference};
use serde_json::{json, Value};
use types::ErrorKind;

use crate::dto::object::json_type;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_uuid, JsonBody, PathParams, QueryParams};
use crate::params;
use crate::state::AppState;

/// `POST /v1/objects/{class}/{id}/references/{property}`.
pub(crate) async fn add(
    state: State<AppState>,
    PathParams((class, id, property)): PathParams<(String, String, String)>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let edit = ReferenceEdit::Add(single(body)?);
    change(&state, Some(class), &id, property, &query, edit).await?;
    Ok(StatusCode::OK)
}

/// `POST /v1/objects/{id}/references/{property}` (deprecated).
pub(crate) async fn add_any_class(
    state: State<AppState>,
    PathParams((id, property)): PathParams<(String, String)>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let edit = ReferenceEdit::Add(single(body)?);
    change(&state, None, &id, property, &query, edit).await?;
    Ok(StatusCode::OK)
}

/// `PUT /v1/objects/{class}/{id}/references/{property}`.
pub(crate) async fn replace(
    state: State<AppState>,
    PathParams((class, id, property)): PathParams<(String, String, String)>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let edit = ReferenceEdit::Replace(list(body)?);
    change(&state, Some(class), &id, property, &query, edit).await?;
    Ok(StatusCode::OK)
}

/// `PUT /v1/objects/{id}/references/{property}` (deprecated).
pub(crate) async fn replace_any_class(
    state: State<AppState>,
    PathParams((id, property)): PathParams<(String, String)>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let edit = ReferenceEdit::Replace(list(body)?);
    change(&state, None, &id, property, &query, edit).await?;
    Ok(StatusCode::OK)
}

/// `DELETE /v1/objects/{class}/{id}/references/{property}`.
pub(crate) async fn delete(
    state: State<AppState>,
    PathParams((class, id, property)): PathParams<(String, String, String)>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let edit = ReferenceEdit::Delete(single(body)?);
    change(&state, Some(class), &id, property, &query, edit).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /v1/objects/{id}/references/{property}` (deprecated).
pub(crate) async fn delete_any_class(
    state: State<AppState>,
    PathParams((id, property)): PathParams<(String, String)>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let edit = ReferenceEdit::Delete(single(body)?);
    change(&state, None, &id, property, &query, edit).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn change(
    state: &AppState,
    class: Option<String>,
    raw_id: &str,
    property: String,
    query: &QueryParams,
    edit: ReferenceEdit,
) -> ApiResult<()> {
    let id = path_uuid("id", raw_id)?;
    let level = params::check_replication(query)?;
    let source = ReferenceSource {
        class,
        id,
        property,
        tenant: params::tenant(query),
    };
    let changed = state
        .coordinator
        .change_references(source, edit, level)
        .await;
    changed.map_err(|e| {
        if e.kind() == ErrorKind::NotFound {
            ApiError::empty(StatusCode::NOT_FOUND)
        } else {
            ApiError::from(e)
        }
    })
}

/// The body of POST and DELETE: one reference, a JSON object.
fn single(body: Value) -> ApiResult<Value> {
    if body.is_object() {
        return Ok(body);
    }
    Err(ApiError::invalid(format!(
        "invalid reference: the body must be an object {{\"beacon\": ...}}, got {}",
        json_type(&body)
    )))
}

/// The body of PUT: a list of references.
fn list(body: Value) -> ApiResult<Value> {
    if body.is_array() || body.is_null() {
        return Ok(body);
    }
    Err(ApiError::invalid(format!(
        "invalid references: the body must be a list of {{\"beacon\": ...}}, got {}",
        json_type(&body)
    )))
}

/// `POST /v1/batch/references`.
pub(crate) async fn batch(
    State(state): State<AppState>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let level = params::check_replication(&query)?;
    let Value::Array(entries) = body else {
        return Err(ApiError::invalid(format!(
            "invalid body: the batch must be a list of references, got {}",
            json_type(&body)
        )));
    };
    let parsed: Vec<Result<BatchReference, String>> = entries.iter().map(batch_entry).collect();
    let valid: Vec<BatchReference> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok().cloned())
        .collect();
    let mut outcomes = state
        .coordinator
        .batch_references(valid, level)
        .await
        .into_iter();
    let answer: Vec<Value> = entries
        .iter()
        .zip(parsed)
        .map(|(sent, parsed)| {
            let outcome = match parsed {
                Ok(_) => outcomes
                    .next()
                    .unwrap_or_else(|| {
                        Err(coordinator::Error::Internal(
                            "reference was not processed".into(),
                        ))
                    })
                    .map(Some)
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            batch_result(sent, outcome)
        })
        .collect();
    Ok(Json(answer).into_response())
}

/// One entry of a batch: `from` (`weaviate://localhost/<Class>/<uuid>/<property>`), `to` (a
/// beacon) and an optional `tenant`.
fn batch_entry(entry: &Value) -> Result<BatchReference, String> {
    let text = |key: &str| -> Result<Option<&str>, String> {
        match entry.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(format!(
                "field '{key}' must be a string, got {}",
                json_type(other)
            )),
        }
    };
    if !entry.is_object() {
        return Err(format!(
            "a reference must be an object, got {}",
            json_type(entry)
        ));
    }
    let from = text("from")?.ok_or("field 'from' is required")?;
    let to = text("to")?.ok_or("field 'to' is required")?;
    let (from_class, from_id, property) = parse_source(from)?;
    Ok(BatchReference {
        from_class,
        from_id,
        property,
        to: json!({ "beacon": to }),
        tenant: text("tenant")?
            .filter(|t| !t.is_empty())
            .map(str::to_string),
    })
}

/// The answer for one reference: what was sent, with `to` as stored when it succeeded.
fn batch_result(sent: &Value, outcome: Result<Option<String>, String>) -> Value {
    let mut out = serde_json::Map::new();
    if let Value::Object(map) = sent {
        for key in ["from", "to", "tenant"] {
            if let Some(v) = map.get(key) {
                out.insert(key.to_string(), v.clone());
            }
        }
    }
    let result = match outcome {
        Ok(completed) => {
            if let Some(to) = completed {
                out.insert("to".to_string(), Value::String(to));
            }
            json!({ "status": "SUCCESS" })
        }
        Err(message) => json!({
            "status": "FAILED",
            "errors": { "error": [{ "message": message }] }
        }),
    };
    out.insert("result".to_string(), result);
    Value::Object(out)
}

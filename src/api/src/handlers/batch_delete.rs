//! `DELETE /v1/batch/objects` (weaviate-api.md 1.5; Weaviate's `deleteObjects` in
//! adapters/handlers/rest/handlers_batch_objects.go and `validateBatchDelete` in
//! usecases/objects/batch_delete.go).
//!
//! Body `{"match":{"class","where"},"output":"minimal"|"verbose","dryRun":bool}`. The answer
//! echoes `match`, `output` and `dryRun` and adds `results`: `matches`, `limit`
//! (`QUERY_MAXIMUM_RESULTS`, the most deleted per call), `successful`, `failed`, and `objects`:
//! every object in verbose output (status SUCCESS, FAILED or DRYRUN), only the failed ones in
//! minimal output, `null` when there are none.
//!
//! A missing `match`, `match.class` or `match.where` and a bad `output` are 422 with Weaviate's
//! `validate: ...` messages (Weaviate 1.27 answers 500 for the first three, a known bug).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use model::{BatchDelete, BatchDeleteResult};
use serde_json::{json, Map, Value};
use types::filter::Filter;
use types::ErrorKind;

use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryParams};
use crate::filter::{self, json::where_input};
use crate::params;
use crate::state::AppState;

/// A validated request.
#[derive(Debug)]
struct Request {
    class: String,
    /// `match.where` as sent, echoed in the answer.
    where_json: Value,
    filter: Filter,
    verbose: bool,
    dry_run: bool,
    /// `deletionTimeUnixMilli` as sent (echoed when present).
    deletion_time: Option<Value>,
}

/// `DELETE /v1/batch/objects`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let level = params::check_replication(&query)?;
    let request = parse(&body)?;
    let result = state
        .coordinator
        .batch_delete(
            BatchDelete {
                class: request.class.clone(),
                tenant: params::tenant(&query),
                filter: request.filter.clone(),
                dry_run: request.dry_run,
                verbose: request.verbose,
                deletion_time_ms: request.deletion_time.as_ref().and_then(Value::as_i64),
            },
            level,
        )
        .await
        .map_err(delete_error)?;
    let max = state.coordinator.config().query_maximum_results as u64;
    Ok(Json(response(&request, &result, max)))
}

/// Weaviate answers 422 for what the caller got wrong (an unknown class, a filter the schema
/// refuses) and 500 otherwise.
fn delete_error(err: coordinator::Error) -> ApiError {
    match err.kind() {
        ErrorKind::NotFound | ErrorKind::BadRequest => {
            ApiError::from(err).with_status(StatusCode::UNPROCESSABLE_ENTITY)
        }
        ErrorKind::InvalidInput
        | ErrorKind::Conflict
        | ErrorKind::Unavailable
        | ErrorKind::Timeout
        | ErrorKind::Internal => ApiError::from(err),
    }
}

/// Checks the body in Weaviate's order: match, class, where, the filter, then output.
fn parse(body: &Value) -> ApiResult<Request> {
    let body = body
        .as_object()
        .ok_or_else(|| type_error("body", "object", body))?;
    let matched = match body.get("match") {
        None | Some(Value::Null) => return Err(invalid("empty match clause")),
        Some(Value::Object(m)) => m,
        Some(other) => return Err(type_error("match", "object", other)),
    };
    let class = match matched.get("class") {
        None | Some(Value::Null) => "",
        Some(Value::String(c)) => c.as_str(),
        Some(other) => return Err(type_error("match.class", "string", other)),
    };
    if class.is_empty() {
        return Err(invalid("empty match.class clause"));
    }
    let where_json = match matched.get("where") {
        None | Some(Value::Null) => return Err(invalid("empty match.where clause")),
        Some(w) => w.clone(),
    };
    let input = where_input(&where_json, "match.where")
        .map_err(|e| ApiError::swagger_type(&e.name, "body", e.expected, e.found))?;
    let filter = filter::parse(&input)
        .map_err(|e| invalid(&format!("failed to parse where filter: {e}")))?;
    Ok(Request {
        class: class.to_string(),
        where_json,
        filter,
        dry_run: dry_run(body)?,
        verbose: output(body)?,
        deletion_time: body
            .get("deletionTimeUnixMilli")
            .filter(|v| !v.is_null())
            .cloned(),
    })
}

fn dry_run(body: &Map<String, Value>) -> ApiResult<bool> {
    match body.get("dryRun") {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(type_error("dryRun", "boolean", other)),
    }
}

/// `output`: true for verbose (verbosity.ParseOutput).
fn output(body: &Map<String, Value>) -> ApiResult<bool> {
    match body.get("output") {
        None | Some(Value::Null) => Ok(false),
        Some(Value::String(s)) if s == "minimal" => Ok(false),
        Some(Value::String(s)) if s == "verbose" => Ok(true),
        Some(Value::String(s)) => Err(invalid(&format!(
            "invalid output: {}, possible values are: \"minimal\", \"verbose\"",
            Value::String(s.clone())
        ))),
        Some(other) => Err(type_error("output", "string", other)),
    }
}

fn invalid(message: &str) -> ApiError {
    ApiError::invalid(format!("validate: {message}"))
}

fn type_error(name: &str, ty: &str, found: &Value) -> ApiError {
    ApiError::swagger_type(name, "body", ty, crate::dto::object::json_type(found))
}

/// The answer (objectsDeleteResponse).
fn response(request: &Request, result: &BatchDeleteResult, max_results: u64) -> Value {
    let output = if request.verbose {
        "verbose"
    } else {
        "minimal"
    };
    let limit = if result.limit == 0 {
        max_results
    } else {
        result.limit
    };
    let mut out = json!({
        // The class by its own name, also when the request named an alias (Weaviate's
        // objects are their class's, whatever name reached them).
        "match": {"class": result.class, "where": request.where_json},
        "output": output,
        "dryRun": request.dry_run,
        "results": {
            "matches": result.matches,
            "limit": limit,
            "successful": result.successful,
            "failed": result.failed,
            "objects": objects(request, result),
        },
    });
    if let (Some(time), Value::Object(map)) = (&request.deletion_time, &mut out) {
        map.insert("deletionTimeUnixMilli".into(), time.clone());
    }
    out
}

/// The listed objects: all in verbose output, only failures in minimal output.
fn objects(request: &Request, result: &BatchDeleteResult) -> Value {
    let listed: Vec<Value> = result
        .objects
        .iter()
        .filter_map(|(id, error)| {
            let entry = match (request.dry_run, error) {
                (true, _) => json!({"id": id, "status": "DRYRUN"}),
                (false, Some(message)) => json!({"id": id, "status": "FAILED",
                    "errors": {"error": [{"message": message}]}}),
                (false, None) => json!({"id": id, "status": "SUCCESS"}),
            };
            let failed = !request.dry_run && error.is_some();
            (request.verbose || failed).then_some(entry)
        })
        .collect();
    if listed.is_empty() {
        Value::Null
    } else {
        Value::Array(listed)
    }
}

#[cfg(test)]
#[path = "batch_delete_tests.rs"]
mod tests;

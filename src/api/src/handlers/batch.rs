//! `POST /v1/batch/objects` (weaviate-api.md 1.5, `usecases/objects/batch_add.go`).
//!
//! Body `{"fields":[...],"objects":[...]}`; an empty `objects` is 422. Otherwise the answer is
//! always 200: an array in input order, each entry echoing the object as sent (with the id it
//! was stored under) plus `"deprecations": null` and a `result` of `{"status":"SUCCESS"}` or
//! `{"status":"FAILED","errors":{"error":[{"message":...}]}}`. Entries that are invalid as JSON
//! (empty class, bad id, wrong types) fail on their own; the valid ones go to the coordinator
//! in one call, which upserts them.

use axum::extract::State;
use axum::Json;
use coordinator::ObjectWrite;
use serde_json::{json, Map, Value};
use types::Object;
use uuid::Uuid;

use crate::dto::object::{json_type, parse_object, EMPTY_CLASS};
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryParams};
use crate::params;
use crate::state::AppState;

/// Weaviate's message for an empty batch.
const EMPTY_BATCH: &str =
    "invalid param 'objects': cannot be empty, need at least one object for batching";

/// What happened to one entry.
enum Outcome {
    Stored(Object),
    Failed(String),
}

/// `POST /v1/batch/objects`.
pub(crate) async fn create(
    State(state): State<AppState>,
    query: QueryParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Vec<Value>>> {
    let level = params::check_replication(&query, false)?;
    let entries = batch_entries(&body)?;
    // Each entry's id (or why it failed before reaching the coordinator), and the valid writes.
    let mut writes = Vec::with_capacity(entries.len());
    let mut prepared: Vec<Result<Uuid, String>> = Vec::with_capacity(entries.len());
    for raw in entries {
        prepared.push(prepare(raw).map(|(id, write)| {
            writes.push(write);
            id
        }));
    }
    let mut stored = state
        .coordinator
        .batch_objects(writes, level)
        .await
        .into_iter();

    let mut out = Vec::with_capacity(entries.len());
    for (raw, prepared) in entries.iter().zip(prepared) {
        let (id, outcome) = match prepared {
            Ok(id) => (Some(id), outcome_of(stored.next())),
            Err(message) => (None, Outcome::Failed(message)),
        };
        out.push(echo(raw, id, outcome));
    }
    Ok(Json(out))
}

/// The coordinator's answer for one write; it answers once per write, in order.
fn outcome_of(result: Option<coordinator::Result<Object>>) -> Outcome {
    match result {
        Some(Ok(object)) => Outcome::Stored(object),
        Some(Err(e)) => Outcome::Failed(e.to_string()),
        None => Outcome::Failed("internal error: the batch returned too few results".to_string()),
    }
}

/// The `objects` array; missing, `null` or empty is Weaviate's "cannot be empty".
fn batch_entries(body: &Value) -> ApiResult<&[Value]> {
    let Value::Object(map) = body else {
        return Err(ApiError::invalid(format!(
            "the batch must be a JSON object, got {}",
            json_type(body)
        )));
    };
    match map.get("objects") {
        None | Some(Value::Null) => Err(ApiError::invalid(EMPTY_BATCH)),
        Some(Value::Array(items)) if items.is_empty() => Err(ApiError::invalid(EMPTY_BATCH)),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(ApiError::invalid(format!(
            "invalid param 'objects': must be an array, got {}",
            json_type(other)
        ))),
    }
}

/// Parses one entry and gives it an id if it has none, so that the echo and the stored object
/// agree (Weaviate also generates the id before validating).
fn prepare(raw: &Value) -> Result<(Uuid, ObjectWrite), String> {
    let mut input = parse_object(raw).map_err(|e| e.message().to_string())?;
    if input.class.is_empty() {
        return Err(EMPTY_CLASS.to_string());
    }
    let id = *input.id.get_or_insert_with(Uuid::new_v4);
    Ok((id, input.into_write()))
}

/// One response entry: the object as sent, the id and timestamps it was stored with, and the
/// result.
fn echo(raw: &Value, id: Option<Uuid>, outcome: Outcome) -> Value {
    let sent = raw.as_object();
    let field = |name: &str| {
        sent.and_then(|m| m.get(name))
            .filter(|v| !v.is_null())
            .cloned()
    };
    let mut out = Map::new();
    let class = match &outcome {
        Outcome::Stored(object) => Some(Value::String(object.class.clone())),
        Outcome::Failed(_) => field("class"),
    };
    insert_some(&mut out, "class", class);
    if let Outcome::Stored(object) = &outcome {
        out.insert("creationTimeUnix".into(), json!(object.creation_time_ms));
    }
    let id = match &outcome {
        Outcome::Stored(object) => Some(json!(object.id)),
        Outcome::Failed(_) => id.map(|id| json!(id)).or_else(|| field("id")),
    };
    insert_some(&mut out, "id", id);
    if let Outcome::Stored(object) = &outcome {
        out.insert(
            "lastUpdateTimeUnix".into(),
            json!(object.last_update_time_ms),
        );
    }
    out.insert(
        "properties".into(),
        field("properties").unwrap_or_else(|| json!({})),
    );
    for name in ["tenant", "vector", "vectors"] {
        insert_some(&mut out, name, field(name));
    }
    out.insert("deprecations".into(), Value::Null);
    out.insert("result".into(), result(&outcome));
    Value::Object(out)
}

fn insert_some(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_string(), value);
    }
}

fn result(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Stored(_) => json!({ "status": "SUCCESS" }),
        Outcome::Failed(message) => json!({
            "status": "FAILED",
            "errors": { "error": [{ "message": message }] },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_batches_are_rejected() {
        for body in [json!({}), json!({"objects": null}), json!({"objects": []})] {
            assert_eq!(batch_entries(&body).unwrap_err().message(), EMPTY_BATCH);
        }
        assert!(batch_entries(&json!({"objects": {}})).is_err());
        assert_eq!(
            batch_entries(&json!({"fields": ["ALL"], "objects": [{}]}))
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn prepare_generates_ids_and_rejects_bad_entries() {
        let (id, write) = prepare(&json!({"class": "Doc"})).unwrap();
        assert_eq!(write.id, Some(id));
        assert_eq!(
            prepare(&json!({"properties": {}})).unwrap_err(),
            EMPTY_CLASS
        );
        let err = prepare(&json!({"class": "Doc", "id": "x"})).unwrap_err();
        assert!(err.contains("uuid"), "{err}");
    }

    #[test]
    fn failed_echo_keeps_what_was_sent() {
        let raw = json!({"class": "doc", "id": "x", "properties": {"a": 1}, "vector": [1, 2]});
        let v = echo(&raw, None, Outcome::Failed("bad".into()));
        assert_eq!(v["class"], "doc");
        assert_eq!(v["id"], "x");
        assert_eq!(v["vector"], json!([1, 2]));
        assert_eq!(v["deprecations"], Value::Null);
        assert_eq!(v["result"]["status"], "FAILED");
        assert_eq!(v["result"]["errors"]["error"][0]["message"], "bad");
        assert!(v.get("creationTimeUnix").is_none());
    }

    #[test]
    fn stored_echo_has_stored_id_class_and_times() {
        let id = Uuid::new_v4();
        let object = Object {
            id,
            class: "Doc".into(),
            tenant: None,
            properties: Map::new(),
            vectors: Default::default(),
            creation_time_ms: 10,
            last_update_time_ms: 11,
        };
        let raw = json!({"class": "doc", "properties": {"a": 1}});
        let v = echo(&raw, Some(id), Outcome::Stored(object));
        assert_eq!(v["class"], "Doc");
        assert_eq!(v["id"], json!(id.to_string()));
        assert_eq!(v["creationTimeUnix"], 10);
        assert_eq!(v["properties"], json!({"a": 1}));
        assert_eq!(v["result"], json!({"status": "SUCCESS"}));
    }
}

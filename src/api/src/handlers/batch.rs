//! `POST /v1/batch/objects` (weaviate-api.md 1.5, `usecases/objects/batch_add.go`).
//!
//! Body `{"fields":[...],"objects":[...]}`; an empty `objects` is 422. Otherwise the answer is
//! always 200: an array in input order, each entry echoing the object as sent (with the id it
//! was stored under) plus `"deprecations": null` and a `result` of `{"status":"SUCCESS"}` or
//! `{"status":"FAILED","errors":{"error":[{"message":...}]}}`. Entries that are invalid as JSON
//! (empty class, bad id, wrong types) fail on their own; the valid ones go to the coordinator,
//! which upserts them, one call per slice of [`SLICE`] entries.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use model::ObjectWrite;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use types::Object;
use uuid::Uuid;

use crate::budget::BudgetedBody;
use crate::dto::object::{json_type, parse_object, EMPTY_CLASS};
use crate::error::{ApiError, ApiResult};
use crate::extract::{body_parse_error, parse_json_body, QueryParams};
use crate::params;
use crate::state::AppState;

/// Weaviate's message for an empty batch.
const EMPTY_BATCH: &str =
    "invalid param 'objects': cannot be empty, need at least one object for batching";

/// Entries parsed, stored and answered together. A batch is processed slice by slice, so what
/// it holds beyond its body and its answer is one slice's objects, whatever its size; each
/// slice is still one write per shard.
const SLICE: usize = 1_000;

/// What happened to one entry.
enum Outcome {
    Stored(Object),
    Failed(String),
}

/// `POST /v1/batch/objects`. The answer is written entry by entry as slices complete.
pub(crate) async fn create(
    State(state): State<AppState>,
    query: QueryParams,
    body: BudgetedBody,
) -> ApiResult<Response> {
    let level = params::check_replication(&query)?;
    let entries = batch_entries(&body.bytes)?;
    // The answer echoes every entry, so it is about as large as the body.
    let mut answer = Vec::with_capacity(body.bytes.len() + entries.len() * 64);
    answer.push(b'[');
    for slice in entries.chunks(SLICE) {
        let raws: Vec<Value> = slice.iter().map(|raw| parse_entry(raw)).collect();
        for echoed in store_slice(&state, &raws, level).await {
            if answer.len() > 1 {
                answer.push(b',');
            }
            // Writing a `Value` into memory cannot fail.
            serde_json::to_writer(&mut answer, &echoed)
                .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        }
    }
    answer.push(b']');
    Ok(([(header::CONTENT_TYPE, "application/json")], answer).into_response())
}

/// One entry as JSON. The body already parsed as a whole, so this fails only for an entry
/// nested beyond the parser's limit, which then fails on its own as an invalid object.
fn parse_entry(raw: &RawValue) -> Value {
    serde_json::from_str(raw.get()).unwrap_or(Value::Null)
}

/// Stores one slice of entries and returns their answers, in order.
async fn store_slice(
    state: &AppState,
    entries: &[Value],
    level: model::ConsistencyLevel,
) -> Vec<Value> {
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
    entries
        .iter()
        .zip(prepared)
        .map(|(raw, prepared)| {
            let (id, outcome) = match prepared {
                Ok(id) => (Some(id), outcome_of(stored.next())),
                Err(message) => (None, Outcome::Failed(message)),
            };
            echo(raw, id, outcome)
        })
        .collect()
}

/// The coordinator's answer for one write; it answers once per write, in order.
fn outcome_of(result: Option<coordinator::Result<Object>>) -> Outcome {
    match result {
        Some(Ok(object)) => Outcome::Stored(object),
        Some(Err(e)) => Outcome::Failed(e.to_string()),
        None => Outcome::Failed("internal error: the batch returned too few results".to_string()),
    }
}

/// The top level of a batch body, entries left unparsed.
#[derive(Deserialize)]
struct BatchShape<'a> {
    #[serde(borrow, default)]
    objects: Option<&'a RawValue>,
}

/// The `objects` array, each entry still raw; missing, `null` or empty is Weaviate's "cannot
/// be empty". Malformed JSON is go-swagger's 400, as for every body.
fn batch_entries(bytes: &[u8]) -> ApiResult<Vec<&RawValue>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::body_required());
    }
    let whole: &RawValue = serde_json::from_slice(bytes).map_err(body_parse_error)?;
    if !whole.get().starts_with('{') {
        return Err(ApiError::invalid(format!(
            "the batch must be a JSON object, got {}",
            json_type(&parse_json_body(bytes)?)
        )));
    }
    let shape: BatchShape = serde_json::from_str(whole.get())
        .map_err(|e| ApiError::bad_request(format!("invalid batch body: {e}")))?;
    let objects = match shape.objects {
        None => return Err(ApiError::invalid(EMPTY_BATCH)),
        Some(raw) if raw.get() == "null" => return Err(ApiError::invalid(EMPTY_BATCH)),
        Some(raw) => raw,
    };
    if !objects.get().starts_with('[') {
        let value: Value = serde_json::from_str(objects.get()).unwrap_or(Value::Null);
        return Err(ApiError::invalid(format!(
            "invalid param 'objects': must be an array, got {}",
            json_type(&value)
        )));
    }
    let entries: Vec<&RawValue> = serde_json::from_str(objects.get())
        .map_err(|e| ApiError::bad_request(format!("invalid batch body: {e}")))?;
    if entries.is_empty() {
        return Err(ApiError::invalid(EMPTY_BATCH));
    }
    Ok(entries)
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

    fn entries_of(body: &str) -> ApiResult<usize> {
        batch_entries(body.as_bytes()).map(|e| e.len())
    }

    #[test]
    fn empty_batches_are_rejected() {
        for body in [r#"{}"#, r#"{"objects": null}"#, r#" {"objects": [ ]} "#] {
            assert_eq!(
                entries_of(body).unwrap_err().message(),
                EMPTY_BATCH,
                "{body}"
            );
        }
        let err = entries_of(r#"{"objects": {}}"#).unwrap_err();
        assert_eq!(
            err.message(),
            "invalid param 'objects': must be an array, got object"
        );
        assert_eq!(
            entries_of(r#"{"fields": ["ALL"], "objects": [{}, {"class": "A"}]}"#).unwrap(),
            2
        );
    }

    #[test]
    fn bodies_that_are_not_batches_get_weaviate_answers() {
        assert_eq!(
            entries_of("  ").unwrap_err().message(),
            "body in body is required"
        );
        let err = entries_of("{nope").unwrap_err();
        assert_eq!(err.status(), axum::http::StatusCode::BAD_REQUEST);
        assert!(
            err.message().starts_with("parsing body body from"),
            "{}",
            err.message()
        );
        let err = entries_of("[1]").unwrap_err();
        assert_eq!(err.message(), "the batch must be a JSON object, got array");
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

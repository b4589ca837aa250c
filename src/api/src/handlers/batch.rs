//! `POST /v1/batch/objects` (weaviate-api.md 1.5, `usecases/objects/batch_add.go`).
//!
//! Body `{"fields":[...],"objects":[...]}`; an empty `objects` is 422. Otherwise the answer is
//! always 200: an array in input order, each entry echoing the object as sent (with the id it
//! was stored under) plus `"deprecations": null` and a `result` of `{"status":"SUCCESS"}` or
//! `{"status":"FAILED","errors":{"error":[{"message":...}]}}`. Entries that are invalid as JSON
//! (empty class, bad id, wrong types) fail on their own; the valid ones go to the coordinator,
//! which upserts them, one call per slice of [`SLICE`] entries.

use std::io::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use model::ObjectWrite;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use types::Object;
use uuid::Uuid;

use crate::budget::BudgetedBody;
use crate::dto::object::{json_type, parse_object, ObjectInput, EMPTY_CLASS};
use crate::dto::sent::{self, RawObject, Sent};
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

/// One entry: what the client sent (echoed back as sent) and the write it asks for, or why it
/// cannot be written.
struct Entry<'a> {
    sent: Sent<'a>,
    write: Result<(Uuid, ObjectWrite), String>,
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
    let mut answer = Vec::with_capacity(body.bytes.len() + entries.len() * 160);
    answer.push(b'[');
    for slice in entries.chunks(SLICE) {
        let read: Vec<Entry> = slice.iter().map(read_entry).collect();
        store_slice(&state, read, level, &mut answer).await;
    }
    answer.push(b']');
    Ok(([(header::CONTENT_TYPE, "application/json")], answer).into_response())
}

/// One entry of the `objects` array, split into its fields when it is a JSON object.
enum RawEntry<'a> {
    Object(RawObject<'a>),
    Other(&'a RawValue),
}

/// One entry, read straight into its write; an entry that is not an object fails on its own.
fn read_entry<'a>(raw: &'a RawEntry<'a>) -> Entry<'a> {
    let (sent, input) = match raw {
        RawEntry::Object(object) => sent::read(object),
        RawEntry::Other(raw) => {
            // The body already parsed as a whole, so this fails only for an entry nested
            // beyond the parser's limit, which then fails on its own as an invalid object.
            let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
            (Sent::from_value(&value), parse_object(&value))
        }
    };
    let write = input.map_err(|e| e.message().to_string()).and_then(prepare);
    Entry { sent, write }
}

/// Stores one slice of entries and appends their answers, in order.
async fn store_slice(
    state: &AppState,
    entries: Vec<Entry<'_>>,
    level: model::ConsistencyLevel,
    answer: &mut Vec<u8>,
) {
    let mut writes = Vec::with_capacity(entries.len());
    let mut ids: Vec<Result<Uuid, String>> = Vec::with_capacity(entries.len());
    let mut sents = Vec::with_capacity(entries.len());
    for entry in entries {
        sents.push(entry.sent);
        ids.push(entry.write.map(|(id, write)| {
            writes.push(write);
            id
        }));
    }
    let mut stored = state
        .coordinator
        .batch_objects(writes, level)
        .await
        .into_iter();
    for (sent, id) in sents.iter().zip(ids) {
        let (id, outcome) = match id {
            Ok(id) => (Some(id), outcome_of(stored.next())),
            Err(message) => (None, Outcome::Failed(message)),
        };
        if answer.len() > 1 {
            answer.push(b',');
        }
        echo(answer, sent, id, &outcome);
    }
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

/// An ordinary batch body, read in one pass: an object whose `objects` array is made of
/// objects.
#[derive(Deserialize)]
struct OrdinaryBatch<'a> {
    #[serde(borrow)]
    objects: Vec<RawObject<'a>>,
}

/// The `objects` array, each entry split into its fields but not parsed; missing, `null` or
/// empty is Weaviate's "cannot be empty". Malformed JSON is go-swagger's 400, as for every body.
fn batch_entries(bytes: &[u8]) -> ApiResult<Vec<RawEntry<'_>>> {
    let starts_as_object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if starts_as_object {
        if let Ok(batch) = serde_json::from_slice::<OrdinaryBatch>(bytes) {
            if !batch.objects.is_empty() {
                return Ok(batch.objects.into_iter().map(RawEntry::Object).collect());
            }
        }
    }
    let entries = unusual_batch_entries(bytes)?;
    Ok(entries
        .into_iter()
        .map(|raw| {
            let object = raw
                .get()
                .starts_with('{')
                .then(|| serde_json::from_str(raw.get()));
            match object {
                Some(Ok(object)) => RawEntry::Object(object),
                _ => RawEntry::Other(raw),
            }
        })
        .collect())
}

/// [`batch_entries`] for a body that is not an ordinary batch: each error as Weaviate words it.
fn unusual_batch_entries(bytes: &[u8]) -> ApiResult<Vec<&RawValue>> {
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

/// Gives an entry an id if it has none, so that the echo and the stored object agree (Weaviate
/// also generates the id before validating).
fn prepare(mut input: ObjectInput) -> Result<(Uuid, ObjectWrite), String> {
    if input.class.is_empty() {
        return Err(EMPTY_CLASS.to_string());
    }
    let id = *input.id.get_or_insert_with(Uuid::new_v4);
    Ok((id, input.into_write()))
}

/// One response entry: the object as sent (its fields copied from the request as written),
/// the id and timestamps it was stored with, and the result.
fn echo(out: &mut Vec<u8>, sent: &Sent, id: Option<Uuid>, outcome: &Outcome) {
    // Writing into a `Vec` cannot fail.
    let field = |out: &mut Vec<u8>, name: &str, text: &[u8]| {
        if out.last() != Some(&b'{') {
            out.push(b',');
        }
        let _ = write!(out, "\"{name}\":");
        out.extend_from_slice(text);
    };
    out.push(b'{');
    let stored = match outcome {
        Outcome::Stored(object) => Some(object),
        Outcome::Failed(_) => None,
    };
    match stored {
        Some(object) => {
            let class = serde_json::to_vec(&object.class).unwrap_or_default();
            field(out, "class", &class);
            field(
                out,
                "creationTimeUnix",
                object.creation_time_ms.to_string().as_bytes(),
            );
        }
        None => {
            if let Some(class) = &sent.class {
                field(out, "class", class.as_bytes());
            }
        }
    }
    match (stored.map(|o| o.id).or(id), &sent.id) {
        (Some(id), _) => field(out, "id", format!("\"{id}\"").as_bytes()),
        (None, Some(raw)) => field(out, "id", raw.as_bytes()),
        (None, None) => {}
    }
    if let Some(object) = stored {
        let updated = object.last_update_time_ms.to_string();
        field(out, "lastUpdateTimeUnix", updated.as_bytes());
    }
    let properties = sent.properties.as_deref().unwrap_or("{}");
    field(out, "properties", properties.as_bytes());
    for (name, text) in [
        ("tenant", &sent.tenant),
        ("vector", &sent.vector),
        ("vectors", &sent.vectors),
    ] {
        if let Some(text) = text {
            field(out, name, text.as_bytes());
        }
    }
    field(out, "deprecations", b"null");
    let result = serde_json::to_vec(&result(outcome)).unwrap_or_default();
    field(out, "result", &result);
    out.push(b'}');
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

    /// The answer entry of `body` as JSON, as `create` writes it for a batch of that entry.
    fn echoed(body: &str, id: Option<Uuid>, outcome: Outcome) -> Value {
        let batch = format!(r#"{{"objects": [{body}]}}"#);
        let entries = batch_entries(batch.as_bytes()).unwrap();
        let entry = read_entry(&entries[0]);
        let mut out = Vec::new();
        echo(&mut out, &entry.sent, id, &outcome);
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn entries_get_ids_and_bad_ones_fail_on_their_own() {
        let read = |body: &str| {
            let batch = format!(r#"{{"objects": [{body}]}}"#);
            let entries = batch_entries(batch.as_bytes()).unwrap();
            read_entry(&entries[0])
                .write
                .map(|(id, write)| (id, write.id))
        };
        let (id, write_id) = read(r#"{"class": "Doc"}"#).unwrap();
        assert_eq!(write_id, Some(id));
        assert_eq!(read(r#"{"properties": {}}"#).unwrap_err(), EMPTY_CLASS);
        let err = read(r#"{"class": "Doc", "id": "x"}"#).unwrap_err();
        assert!(err.contains("uuid"), "{err}");
        let err = read(r#"{"class": "Doc", "vector": [1, "x"]}"#).unwrap_err();
        assert!(err.contains("'vector'"), "{err}");
        assert!(read("[1]").is_err());
        // A key given twice: the last one counts, as in a JSON tree.
        let err = read(r#"{"class": "Doc", "class": ""}"#).unwrap_err();
        assert_eq!(err, EMPTY_CLASS);
    }

    #[test]
    fn ordinary_and_unusual_batches_read_the_same_entries() {
        let ordinary = r#"{"fields": ["ALL"], "objects": [{"class": "A", "vector": [1, 2]}]}"#;
        let unusual = r#"{"objects": [{"class": "A", "vector": [1, 2]}, 7]}"#;
        let classes = |body: &str| -> Vec<String> {
            let entries = batch_entries(body.as_bytes()).unwrap();
            entries
                .iter()
                .map(|e| match read_entry(e).write {
                    Ok((_, w)) => format!("{}{:?}", w.class, w.vector),
                    Err(message) => message,
                })
                .collect()
        };
        assert_eq!(classes(ordinary), ["A".to_string() + "Some([1.0, 2.0])"]);
        let both = classes(unusual);
        assert_eq!(both[0], "ASome([1.0, 2.0])");
        assert!(both[1].contains("must be an object"), "{}", both[1]);
    }

    #[test]
    fn failed_echo_keeps_what_was_sent() {
        let body = r#"{"class": "doc", "id": "x", "properties": {"a": 1}, "vector": [1, 2]}"#;
        let v = echoed(body, None, Outcome::Failed("bad".into()));
        assert_eq!(v["class"], "doc");
        assert_eq!(v["id"], "x");
        assert_eq!(v["vector"], json!([1, 2]));
        assert_eq!(v["deprecations"], Value::Null);
        assert_eq!(v["result"]["status"], "FAILED");
        assert_eq!(v["result"]["errors"]["error"][0]["message"], "bad");
        assert!(v.get("creationTimeUnix").is_none());
    }

    #[test]
    fn echo_of_an_unreadable_entry_keeps_its_fields() {
        let body = r#"{"class": "doc", "vector": [1, "x"], "tenant": null}"#;
        let v = echoed(body, None, Outcome::Failed("bad".into()));
        assert_eq!(v["class"], "doc");
        assert_eq!(v["vector"], json!([1, "x"]));
        assert_eq!(v["properties"], json!({}));
        assert!(v.get("tenant").is_none());
        assert!(v.get("id").is_none());
    }

    #[test]
    fn stored_echo_has_stored_id_class_and_times() {
        let id = Uuid::new_v4();
        let object = Object {
            id,
            class: "Doc".into(),
            tenant: None,
            properties: serde_json::Map::new(),
            vectors: Default::default(),
            creation_time_ms: 10,
            last_update_time_ms: 11,
        };
        let body = r#"{"class": "doc", "properties": {"a": 1}, "vectors": {"t": [0.5]}}"#;
        let v = echoed(body, Some(id), Outcome::Stored(object));
        assert_eq!(v["class"], "Doc");
        assert_eq!(v["id"], json!(id.to_string()));
        assert_eq!(v["creationTimeUnix"], 10);
        assert_eq!(v["lastUpdateTimeUnix"], 11);
        assert_eq!(v["properties"], json!({"a": 1}));
        assert_eq!(v["vectors"], json!({"t": [0.5]}));
        assert_eq!(v["result"], json!({"status": "SUCCESS"}));
    }
}

//! Requests that once hurt a node, and Weaviate behaviours the official client's own suite
//! checks: each test drives the real binary.

use anyhow::Result;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{create_articles, expect, json_of, Node, ID1};

/// `{"k": {"k": ... "x"}}`, `levels` objects deep.
fn nested_value(levels: usize) -> Value {
    let mut v = json!("x");
    for _ in 0..levels {
        v = json!({ "k": v });
    }
    v
}

/// A property `meta` whose nested properties go `levels` deep.
fn nested_property(levels: usize) -> Value {
    let mut children = json!([{"name": "leaf", "dataType": ["text"]}]);
    for level in (1..levels).rev() {
        children = json!([{"name": format!("l{level}"), "dataType": ["object"], "nestedProperties": children}]);
    }
    json!({"name": "meta", "dataType": ["object"], "nestedProperties": children})
}

fn message(body: &Value) -> String {
    body["error"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn deep_nesting_is_refused_and_never_makes_the_data_unopenable() -> Result<()> {
    let mut node = Node::start()?;
    // The two requests of the report: each used to stop Raft and leave a node that would not
    // start again.
    let object = json!({"class": "Auto", "properties": {"deep": nested_value(59)}});
    let (status, body) = json_of(node.post("/v1/objects", &object)?)?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(message(&body).contains("at most 32 levels"), "{body}");
    let class = json!({"class": "Deep", "vectorizer": "none", "properties": [nested_property(58)]});
    let (status, body) = json_of(node.post("/v1/schema", &class)?)?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(message(&body).contains("at most 32 levels"), "{body}");

    // At the limit everything is accepted, and so is the deepest configuration a body can hold.
    let class = json!({"class": "Deep", "vectorizer": "none", "properties": [nested_property(32)],
                       "moduleConfig": {"custom": nested_value(124)}});
    expect(node.post("/v1/schema", &class)?, StatusCode::OK)?;
    let object = json!({"class": "Auto", "properties": {"deep": nested_value(31)}});
    let stored = expect(node.post("/v1/objects", &object)?, StatusCode::OK)?;
    let id = stored["id"].as_str().unwrap_or_default().to_string();
    // Each class alone: the whole schema wraps the deepest config past what this test's own
    // JSON parser (serde_json, 128 levels) reads.
    expect(node.get("/v1/schema/Deep")?, StatusCode::OK)?;

    // kill -9, and the node opens again with both classes and the object.
    node.kill9()?;
    node.spawn()?;
    let deep = expect(node.get("/v1/schema/Deep")?, StatusCode::OK)?;
    assert_eq!(deep["moduleConfig"]["custom"], nested_value(124));
    expect(node.get("/v1/schema/Auto")?, StatusCode::OK)?;
    let back = expect(node.get(&format!("/v1/objects/Auto/{id}"))?, StatusCode::OK)?;
    assert_eq!(back["properties"]["deep"], nested_value(31));
    expect(
        node.post("/v1/schema", &json!({"class": "After"}))?,
        StatusCode::OK,
    )?;
    Ok(())
}

#[test]
fn bodies_that_are_not_json_get_415() -> Result<()> {
    let node = Node::start()?;
    let resp = node
        .http
        .post(node.url("/v1/schema"))
        .header("content-type", "text/plain")
        .body(r#"{"class": "Plain"}"#)
        .send()?;
    let (status, body) = json_of(resp)?;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(body["code"], 415, "{body}");
    assert_eq!(
        body["message"],
        "unsupported media type \"text/plain\", only [application/yaml application/json] are allowed"
    );
    // Nothing was created.
    expect(node.get("/v1/schema/Plain")?, StatusCode::NOT_FOUND)?;
    Ok(())
}

#[test]
fn a_case_variant_of_a_class_names_the_existing_one() -> Result<()> {
    let node = Node::start()?;
    expect(
        node.post("/v1/schema", &json!({"class": "CaseTest"}))?,
        StatusCode::OK,
    )?;
    let (status, body) = json_of(node.post("/v1/schema", &json!({"class": "CASETEST"}))?)?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        message(&body),
        "class already exists: found similar class \"CaseTest\""
    );
    Ok(())
}

#[test]
fn verbose_nodes_without_classes_have_null_shards() -> Result<()> {
    let node = Node::start()?;
    let nodes = expect(node.get("/v1/nodes?output=verbose")?, StatusCode::OK)?;
    assert_eq!(nodes["nodes"][0]["shards"], Value::Null, "{nodes}");
    create_articles(&node)?;
    let nodes = expect(node.get("/v1/nodes?output=verbose")?, StatusCode::OK)?;
    assert_eq!(
        nodes["nodes"][0]["shards"][0]["class"], "Article",
        "{nodes}"
    );
    Ok(())
}

#[test]
fn hybrid_without_a_vector_on_a_class_without_vectorizer_is_an_error() -> Result<()> {
    let node = Node::start()?;
    create_articles(&node)?;
    let query = |args: &str| json!({"query": format!("{{ Get {{ Article(hybrid: {{{args}}}) {{ title }} }} }}")});
    let body = expect(
        node.post("/v1/graphql", &query("query: \"one\""))?,
        StatusCode::OK,
    )?;
    let error = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert_eq!(
        error, "VectorFromInput was called without vectorizer on class Article for input one",
        "{body}"
    );
    // Keyword-only (alpha 0) and with a vector both run.
    let body = expect(
        node.post("/v1/graphql", &query("query: \"one\", alpha: 0"))?,
        StatusCode::OK,
    )?;
    assert_eq!(body["data"]["Get"]["Article"][0]["title"], "one", "{body}");
    let body = expect(
        node.post("/v1/graphql", &query("query: \"two\", vector: [0, 1, 0]"))?,
        StatusCode::OK,
    )?;
    assert_eq!(body["data"]["Get"]["Article"][0]["title"], "two", "{body}");
    Ok(())
}

#[test]
fn node_name_reads_that_nodes_replica() -> Result<()> {
    let node = Node::start()?;
    create_articles(&node)?;
    let path = format!("/v1/objects/Article/{ID1}");
    let obj = expect(
        node.get(&format!("{path}?node_name=node1"))?,
        StatusCode::OK,
    )?;
    assert_eq!(obj["properties"]["title"], "one");
    let (status, body) = json_of(node.get(&format!("{path}?node_name=elsewhere"))?)?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(message(&body), "cannot resolve node name: elsewhere");
    let both = format!("{path}?node_name=node1&consistency_level=ONE");
    assert_eq!(node.get(&both)?.status(), StatusCode::BAD_REQUEST);
    Ok(())
}

#[test]
fn shards_report_indexing_while_the_queue_holds_vectors() -> Result<()> {
    let node = Node::start_with(&[("ASYNC_INDEXING", "true")])?;
    let class = json!({"class": "Queued", "vectorizer": "none", "vectorIndexType": "hnsw"});
    expect(node.post("/v1/schema", &class)?, StatusCode::OK)?;
    let mut saw_queue = false;
    for round in 0..5 {
        let objects: Vec<Value> = (0..4_000)
            .map(|i| {
                let x = (round * 4_000 + i) as f32;
                json!({"class": "Queued", "vector": (0..32).map(|d| (x * (d + 1) as f32).sin()).collect::<Vec<f32>>()})
            })
            .collect();
        expect(
            node.post("/v1/batch/objects", &json!({"objects": objects}))?,
            StatusCode::OK,
        )?;
        // No writes from here on, so the queue only shrinks, and the status is read before
        // the queue size: whenever a queue is reported, the status must say INDEXING. Once it
        // is empty the shard turns READY.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let shards = expect(node.get("/v1/schema/Queued/shards")?, StatusCode::OK)?;
            let (status, queued) = (&shards[0]["status"], &shards[0]["vectorQueueSize"]);
            if queued.as_u64().unwrap_or(0) > 0 {
                saw_queue = true;
                assert_eq!(status, "INDEXING", "{shards}");
            } else if status == "READY" {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "never READY: {shards}"
            );
        }
        if saw_queue {
            break;
        }
    }
    assert!(
        saw_queue,
        "five imports of 4,000 vectors never left a queue to observe"
    );
    Ok(())
}

/// A field of `/proc/PID/status`, in KiB.
fn status_kib(pid: u32, field: &str) -> Result<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("{field} not in /proc/{pid}/status"))
}

#[test]
fn a_large_batch_takes_a_bounded_multiple_of_its_body_and_gives_it_back() -> Result<()> {
    let mut node = Node::start()?;
    let class = json!({"class": "Small", "vectorizer": "none", "properties": [
        {"name": "t", "dataType": ["text"]}, {"name": "n", "dataType": ["int"]}]});
    expect(node.post("/v1/schema", &class)?, StatusCode::OK)?;
    let objects: Vec<Value> = (0..60_000)
        .map(|i| {
            let v = [(i % 7) as f32, (i % 11) as f32, (i % 13) as f32, 1.0];
            // Every 997th entry is invalid: failures must keep their place in the answer.
            let class = if i % 997 == 0 { "" } else { "Small" };
            json!({"class": class, "properties": {"t": format!("w{}", i % 1000), "n": i}, "vector": v})
        })
        .collect();
    let body = serde_json::to_vec(&json!({"objects": objects}))?;
    let pid = node.child_mut()?.id();
    let before = status_kib(pid, "VmRSS")?;
    let resp = node
        .http
        .post(node.url("/v1/batch/objects"))
        .header("content-type", "application/json")
        .body(body.clone())
        .send()?;
    let answer = expect(resp, StatusCode::OK)?;
    let peak = status_kib(pid, "VmHWM")?;
    let entries = answer.as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 60_000);
    for (i, entry) in entries.iter().enumerate() {
        let expected = if i % 997 == 0 { "FAILED" } else { "SUCCESS" };
        assert_eq!(entry["result"]["status"], expected, "entry {i}: {entry}");
        assert_eq!(entry["properties"]["n"], i, "entry {i} in order");
    }
    // Measured with bench/memory/batch_memory.py on a batch of the same size (60,000 small
    // objects, 5 MB): 106 times the body before batches were processed in slices, 20.6 times
    // after, most of it the data itself. The bound is loose on purpose: it catches the old
    // behaviour, not noise.
    let growth = (peak - before) * 1024;
    let body_bytes = body.len() as u64;
    assert!(
        growth < 40 * body_bytes,
        "peak grew {growth} bytes for a body of {body_bytes}"
    );
    // Freed memory goes back to the system within a few trim periods: compare with the same
    // data after a restart (the bench's 60,000-object batch: 9.1 times before, 1.54 after).
    sleep_secs(11);
    let settled = status_kib(pid, "VmRSS")?;
    node.stop()?;
    node.spawn()?;
    let restarted = status_kib(node.child_mut()?.id(), "VmRSS")?;
    assert!(
        settled < 2 * restarted,
        "{settled} KiB after the batch, {restarted} KiB with the same data after a restart"
    );
    Ok(())
}

fn sleep_secs(secs: u64) {
    std::thread::sleep(std::time::Duration::from_secs(secs));
}

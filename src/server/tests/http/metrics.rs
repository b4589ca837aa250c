//! Prometheus metrics: a node with `PROMETHEUS_MONITORING_ENABLED` serves `/metrics` on its
//! own port, and an import, a query and a delete move the counters and gauges under
//! Weaviate's names.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use reqwest::StatusCode;
use serde_json::json;

use super::{create_articles, expect, free_port, Node, ID1};

/// One sample of the text format: name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses Prometheus' text format (comments skipped; label values hold no escaped quotes in
/// what Shoal exports, which the parser checks by refusing a backslash).
fn parse(text: &str) -> Result<Vec<Sample>> {
    let mut samples = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (series, value) = line.rsplit_once(' ').context("sample without a value")?;
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => (name, rest.strip_suffix('}').context("unclosed labels")?),
            None => (series, ""),
        };
        if labels.contains('\\') {
            bail!("escaped label value in {line:?}");
        }
        let labels = labels
            .split("\",")
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once("=\"").context("label without a value")?;
                Ok((k.to_string(), v.trim_end_matches('"').to_string()))
            })
            .collect::<Result<BTreeMap<_, _>>>()?;
        let value = value
            .parse()
            .with_context(|| format!("value of {line:?}"))?;
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    Ok(samples)
}

/// The sum of the samples of `name` whose labels include `labels`.
fn sum(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .sum()
}

fn scrape(node: &Node, port: u16) -> Result<Vec<Sample>> {
    let resp = node
        .http
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()?;
    if resp.status() != StatusCode::OK {
        bail!("/metrics answered {}", resp.status());
    }
    let content_type = resp.headers()["content-type"].to_str()?.to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    parse(&resp.text()?)
}

/// A node serving metrics on a port of its own, with `env` besides; and that port.
fn start_with_metrics(env: &[(&str, &str)]) -> Result<(Node, u16)> {
    let port = free_port()?;
    let port_text = port.to_string();
    let mut all = vec![
        ("PROMETHEUS_MONITORING_ENABLED", "true"),
        ("PROMETHEUS_MONITORING_PORT", port_text.as_str()),
    ];
    all.extend_from_slice(env);
    Ok((Node::start_with(&all)?, port))
}

#[test]
fn an_import_a_query_and_a_delete_move_the_metrics() -> Result<()> {
    let (node, port) = start_with_metrics(&[])?;
    let before = scrape(&node, port)?;
    assert_eq!(sum(&before, "object_count", &[]), 0.0);

    create_articles(&node)?;
    let query = json!({"query":
        "{ Get { Article(nearVector: {vector: [1, 0, 0]}, limit: 2) { title } } }"});
    let found = expect(node.post("/v1/graphql", &query)?, StatusCode::OK)?;
    assert_eq!(
        found["data"]["Get"]["Article"][0]["title"], "one",
        "{found}"
    );
    let delete = node.request(
        reqwest::Method::DELETE,
        &format!("/v1/objects/Article/{ID1}"),
        None,
    )?;
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    let missing = node.get(&format!("/v1/objects/Article/{ID1}"))?;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let after = scrape(&node, port)?;
    let article = ("class_name", "Article");
    let requests = |labels: &[(&str, &str)]| {
        sum(&after, "requests_total", labels) - sum(&before, "requests_total", labels)
    };
    assert_eq!(
        requests(&[("api", "rest"), ("query_type", "batch"), ("status", "ok")]),
        1.0
    );
    assert_eq!(requests(&[("api", "graphql"), ("status", "ok")]), 1.0);
    assert_eq!(
        requests(&[article, ("query_type", "objects"), ("status", "user_error")]),
        1.0,
        "the 404 of the deleted object"
    );

    assert_eq!(sum(&after, "object_count", &[article]), 2.0);
    let ops = |op| {
        sum(
            &after,
            "vector_index_operations",
            &[article, ("operation", op)],
        )
    };
    assert_eq!((ops("create"), ops("delete")), (3.0, 1.0));
    assert_eq!(sum(&after, "vector_index_tombstones", &[article]), 1.0);
    assert_eq!(sum(&after, "vector_index_size", &[article]), 3.0);
    assert_eq!(sum(&after, "index_queue_size", &[article]), 0.0);

    let search = [article, ("query_type", "vector_search")];
    assert_eq!(sum(&after, "queries_durations_ms_count", &search), 1.0);
    let batch = [("operation", "total_uc_level")];
    assert_eq!(sum(&after, "batch_durations_ms_count", &batch), 1.0);
    let shard_writes = [article, ("operation", "shard_write")];
    assert_eq!(sum(&after, "batch_durations_ms_count", &shard_writes), 1.0);
    let deletes = [article, ("operation", "delete")];
    assert_eq!(sum(&after, "objects_durations_ms_count", &deletes), 1.0);
    let add_class = [("type", "add_class")];
    assert_eq!(sum(&after, "schema_writes_seconds_count", &add_class), 1.0);
    let replicated = [("consistency_level", "QUORUM"), ("result", "ok")];
    assert_eq!(
        sum(&after, "shoal_replication_writes_total", &replicated),
        4.0,
        "three imported objects and one delete"
    );
    let route = [
        ("method", "POST"),
        ("route", "/v1/batch/objects"),
        ("status_code", "200"),
    ];
    let http = "weaviate_http_request_duration_seconds_count";
    assert_eq!(sum(&after, http, &route), 1.0);

    assert_eq!(sum(&after, "shoal_raft_is_leader", &[]), 1.0);
    assert!(sum(&after, "shoal_raft_term", &[]) >= 1.0);
    let applied = sum(&after, "shoal_raft_applied_index", &[]);
    assert!(applied > sum(&before, "shoal_raft_applied_index", &[]));
    assert!(sum(&after, "shoal_raft_last_log_index", &[]) >= applied);
    let data = [("db", "data")];
    let held = sum(&after, "shoal_rocksdb_memtable_bytes", &data)
        + sum(&after, "shoal_rocksdb_sst_bytes", &data);
    assert!(held > 0.0, "the data store holds the import");
    assert!(sum(&after, "process_resident_memory_bytes", &[]) > 0.0);
    Ok(())
}

#[test]
fn grouping_hides_class_and_shard_names() -> Result<()> {
    let (node, port) = start_with_metrics(&[("PROMETHEUS_MONITORING_GROUP", "true")])?;
    create_articles(&node)?;
    let samples = scrape(&node, port)?;
    assert_eq!(sum(&samples, "object_count", &[("class_name", "n/a")]), 3.0);
    let named = samples
        .iter()
        .filter(|s| s.labels.values().any(|v| v == "Article"))
        .count();
    assert_eq!(named, 0, "no series names the class");
    Ok(())
}

#[test]
fn the_metrics_port_needs_no_key_when_api_keys_are_on() -> Result<()> {
    let (node, port) = start_with_metrics(&[
        ("AUTHENTICATION_APIKEY_ENABLED", "true"),
        ("AUTHENTICATION_APIKEY_ALLOWED_KEYS", "metrics-test-key"),
        ("AUTHENTICATION_APIKEY_USERS", "ops"),
    ])?;
    let refused = node.get("/v1/schema")?;
    assert_eq!(
        refused.status(),
        StatusCode::UNAUTHORIZED,
        "the REST port wants a key"
    );
    let samples = scrape(&node, port)?;
    assert_eq!(sum(&samples, "shoal_raft_is_leader", &[]), 1.0);
    let unauthorized = [("status", "user_error"), ("query_type", "schema")];
    assert_eq!(
        sum(&samples, "requests_total", &unauthorized),
        1.0,
        "the refused request is counted"
    );
    Ok(())
}

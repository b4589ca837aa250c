//! Vector compression on a real 3-node cluster: a class built compressed (RQ from its first
//! object) and a populated class whose PQ is enabled through another node's `PUT` end with every
//! shard on every node reporting `compressed: true`, and each node still finds every stored
//! vector at distance 0 (candidates are rescored with the full vectors).

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use shoal_cluster_tests::{poll, Rng, TestCluster, TestNode};

const OBJECTS: usize = 240;
const DIM: usize = 16;
const NODES: [&str; 3] = ["n1", "n2", "n3"];

fn create(node: &TestNode, class: &str, index: Value) -> Result<()> {
    let body = json!({"class": class, "vectorizer": "none",
        "shardingConfig": {"desiredCount": 3},
        "replicationConfig": {"factor": 2},
        "vectorIndexConfig": index,
        "properties": [{"name": "n", "dataType": ["int"]}]});
    let r = node.post("/v1/schema", &body)?;
    ensure!(r.status == 200, "create {class}: {r}");
    Ok(())
}

/// Imports `OBJECTS` random vectors; returns them with their ids.
fn import(node: &TestNode, class: &str, rng: &mut Rng) -> Result<Vec<(String, Vec<f32>)>> {
    let stored: Vec<(String, Vec<f32>)> = (0..OBJECTS)
        .map(|_| (rng.uuid(), rng.vector(DIM)))
        .collect();
    let objects: Vec<Value> = stored
        .iter()
        .enumerate()
        .map(|(i, (id, v))| json!({"class": class, "id": id, "properties": {"n": i}, "vector": v}))
        .collect();
    node.batch_import(&objects, 60, "?consistency_level=ALL")?;
    Ok(stored)
}

/// `(node, shard, compressed)` for every shard of `class` that `/v1/nodes` on `node` reports.
fn shard_compression(node: &TestNode, class: &str) -> Result<Vec<(String, String, bool)>> {
    let nodes = node.get_json("/v1/nodes?output=verbose")?;
    let mut found = Vec::new();
    for n in nodes["nodes"].as_array().context("nodes")? {
        for s in n["shards"].as_array().into_iter().flatten() {
            if s["class"] == class {
                found.push((
                    n["name"].as_str().unwrap_or_default().to_string(),
                    s["name"].as_str().unwrap_or_default().to_string(),
                    s["compressed"] == true,
                ));
            }
        }
    }
    Ok(found)
}

/// Waits until every node reports all 6 shard replicas of `class` compressed.
fn wait_compressed_everywhere(c: &TestCluster, class: &str) -> Result<()> {
    for name in NODES {
        poll(Duration::from_secs(60), || {
            let shards = shard_compression(c.node(name), class)?;
            ensure!(shards.len() == 6, "{name} reports {shards:?}");
            ensure!(shards.iter().all(|s| s.2), "{name} reports {shards:?}");
            Ok(())
        })?;
    }
    Ok(())
}

/// Every node finds a sample of the stored vectors as their own nearest object, exactly.
fn each_node_finds_them(c: &TestCluster, class: &str, stored: &[(String, Vec<f32>)]) -> Result<()> {
    for name in NODES {
        for (id, vector) in stored.iter().step_by(23) {
            let q = format!(
                "{{ Get {{ {class}(nearVector: {{vector: {vector:?}}}, limit: 3) {{ _additional {{ id distance }} }} }} }}"
            );
            let data = c.node(name).graphql(&q)?;
            let first = &data["Get"][class][0]["_additional"];
            ensure!(first["id"] == id.as_str(), "{name}, query for {id}: {data}");
            let distance = first["distance"].as_f64().context("distance")?;
            ensure!(distance.abs() < 1e-5, "{name}, {id} at {distance}: {data}");
        }
    }
    Ok(())
}

#[test]
fn every_shard_on_every_node_compresses_and_answers_exactly() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        let mut rng = Rng::new(61);
        create(c.node("n1"), "Rotated", json!({"rq": {"enabled": true}}))?;
        let rotated = import(c.node("n2"), "Rotated", &mut rng)?;
        wait_compressed_everywhere(c, "Rotated")?;
        each_node_finds_them(c, "Rotated", &rotated)?;

        create(c.node("n1"), "Trained", json!({}))?;
        let trained = import(c.node("n1"), "Trained", &mut rng)?;
        ensure!(shard_compression(c.node("n1"), "Trained")?
            .iter()
            .all(|s| !s.2));
        let mut class = c.node("n3").get_json("/v1/schema/Trained")?;
        class["vectorIndexConfig"]["pq"] = json!({"enabled": true, "segments": 4,
            "centroids": 16, "trainingLimit": 32});
        let r = c.node("n3").put("/v1/schema/Trained", &class)?;
        ensure!(r.status == 200, "enable pq: {r}");
        wait_compressed_everywhere(c, "Trained")?;
        each_node_finds_them(c, "Trained", &trained)?;
        for name in NODES {
            let echoed = c.node(name).get_json("/v1/schema/Trained")?;
            ensure!(
                echoed["vectorIndexConfig"]["pq"]["segments"] == 4,
                "{name}: {echoed}"
            );
        }
        Ok(())
    })
}

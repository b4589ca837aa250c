//! Data-plane scenarios on a real 3-node cluster: replicated imports read back through another
//! node, factor-1 sharding spreading objects over the nodes, searches through any node matching
//! a single node, and quorum writes with one replica down.
//!
//! Data is generated from seeded randomness ([`Rng`]) so a failure can be reproduced. Every wait
//! is a poll with a deadline; nothing asserts how long anything took.

use std::collections::{BTreeMap, HashSet};

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use shoal_cluster_tests::{poll, statistics_entries, Rng, TestCluster, TestNode, CONVERGE_TIMEOUT};

const BATCH: usize = 500;

/// `count` objects of `class` with random `dim`-dimensional vectors, explicit uuids, a `title`
/// and an int property `n` (its index).
fn objects(class: &str, count: usize, dim: usize, seed: u64) -> Vec<Value> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| {
            json!({
                "class": class,
                "id": rng.uuid(),
                "properties": {"title": format!("{class} object {i}"), "n": i},
                "vector": rng.vector(dim),
            })
        })
        .collect()
}

/// A class body with a `title` text and an `n` int property and the given replication factor.
fn class_with(class: &str, factor: u64, extra: Value) -> Value {
    let mut body = json!({
        "class": class,
        "vectorizer": "none",
        "properties": [
            {"name": "title", "dataType": ["text"]},
            {"name": "n", "dataType": ["int"]},
        ],
        "replicationConfig": {"factor": factor},
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    body
}

fn create(node: &TestNode, body: &Value) -> Result<()> {
    let r = node.post("/v1/schema", body)?;
    ensure!(
        r.status == 200,
        "creating {} through {}: {r}",
        body["class"],
        node.name
    );
    Ok(())
}

/// GETs `objects[i]` through `node` with `query` appended, expecting 200 and the same title.
fn expect_readable(node: &TestNode, object: &Value, query: &str) -> Result<()> {
    let path = format!(
        "/v1/objects/{}/{}{query}",
        object["class"].as_str().unwrap_or_default(),
        object["id"].as_str().unwrap_or_default()
    );
    let r = node.get(&path)?;
    ensure!(r.status == 200, "GET {path} on {}: {r}", node.name);
    ensure!(
        r.body["properties"]["title"] == object["properties"]["title"],
        "GET {path} on {}: title differs from {}: {r}",
        node.name,
        object["properties"]["title"]
    );
    Ok(())
}

#[test]
fn import_factor_3_through_n1_read_through_n3() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        let body = json!({
            "class": "Doc",
            "vectorizer": "none",
            "properties": [{"name": "title", "dataType": ["text"]}],
            "replicationConfig": {"factor": 3},
        });
        create(c.node("n1"), &body)?;
        c.wait_class_on(&["n2", "n3"], "Doc", true)?;
        let mut rng = Rng::new(1);
        let objs: Vec<Value> = (0..10_000)
            .map(|i| {
                json!({
                    "class": "Doc",
                    "id": rng.uuid(),
                    "properties": {"title": format!("doc {i}")},
                    "vector": rng.vector(8),
                })
            })
            .collect();
        c.node("n1").batch_import(&objs, BATCH, "")?;
        let n3 = c.node("n3");
        for o in &objs {
            expect_readable(n3, o, "")?;
        }
        for o in objs.iter().step_by(objs.len() / 200).take(200) {
            expect_readable(n3, o, "?consistency_level=ALL")?;
        }
        Ok(())
    })
}

/// Objects per node from `GET /v1/nodes?output=verbose`: `stats.objectCount`, or the sum of the
/// shards' `objectCount` of `class` when there is no `stats`.
fn object_counts(node: &TestNode, class: &str) -> Result<BTreeMap<String, u64>> {
    let nodes = node.get_json("/v1/nodes?output=verbose")?;
    let list = nodes["nodes"].as_array().context("no nodes array")?;
    let mut counts = BTreeMap::new();
    for n in list {
        let name = n["name"].as_str().unwrap_or("<no name>").to_string();
        let count = match n["stats"]["objectCount"].as_u64() {
            Some(count) => count,
            None => n["shards"]
                .as_array()
                .with_context(|| format!("neither stats nor shards: {n}"))?
                .iter()
                .filter(|s| s["class"] == class)
                .filter_map(|s| s["objectCount"].as_u64())
                .sum(),
        };
        counts.insert(name, count);
    }
    Ok(counts)
}

#[test]
fn factor_1_spreads_objects_evenly() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        // Default desiredCount (3 shards, one per node), but more virtual shards than the
        // default 128 per physical shard: virtual tokens are placed at random when the class is
        // created (as in Weaviate), so with 128 a physical shard's share of the hash space has a
        // relative standard deviation of about 1/sqrt(128) ≈ 9%, and a 10% bound would fail about
        // every other run for no fault of the server. With 4096 it is about 1.6%.
        let sharding = json!({"shardingConfig": {"virtualPerPhysical": 4096}});
        create(c.node("n2"), &class_with("Spread", 1, sharding))?;
        c.wait_class_on(&["n1", "n3"], "Spread", true)?;
        let objs = objects("Spread", 9_000, 8, 2);
        c.node("n2").batch_import(&objs, BATCH, "")?;

        // Counts may be computed asynchronously: poll until the total is right.
        let counts = poll(CONVERGE_TIMEOUT, || {
            let counts = object_counts(c.node("n2"), "Spread")?;
            let total: u64 = counts.values().sum();
            ensure!(
                counts.len() == 3 && total == 9_000,
                "object counts per node: {counts:?}"
            );
            Ok(counts)
        })?;
        for (name, count) in &counts {
            ensure!(
                (2_700..=3_300).contains(count),
                "{name} holds {count} objects, not within 10% of 3000: {counts:?}"
            );
        }

        // Cursor pagination through n3 sees every object exactly once.
        let expected: HashSet<&str> = objs.iter().filter_map(|o| o["id"].as_str()).collect();
        let mut seen = HashSet::new();
        let mut after: Option<String> = None;
        let n3 = c.node("n3");
        loop {
            let path = match &after {
                Some(id) => format!("/v1/objects?class=Spread&limit=1000&after={id}"),
                None => "/v1/objects?class=Spread&limit=1000".to_string(),
            };
            let page = n3.get_json(&path)?;
            let list = page["objects"]
                .as_array()
                .with_context(|| format!("GET {path}: {page}"))?;
            if list.is_empty() {
                break;
            }
            for o in list {
                let id = o["id"]
                    .as_str()
                    .with_context(|| format!("no id: {o}"))?
                    .to_string();
                ensure!(
                    expected.contains(id.as_str()),
                    "GET {path}: unknown id {id}"
                );
                ensure!(seen.insert(id.clone()), "GET {path}: {id} returned twice");
            }
            ensure!(seen.len() <= 9_000, "more than 9000 objects paged");
            after = list.last().and_then(|o| o["id"].as_str()).map(String::from);
        }
        ensure!(seen.len() == 9_000, "paged {} of 9000 objects", seen.len());
        Ok(())
    })
}

/// `(id, distance)` of a `Get` answer for `class`.
fn hits(data: &Value, class: &str) -> Result<Vec<(String, f64)>> {
    data["Get"][class]
        .as_array()
        .with_context(|| format!("no Get.{class} in {data}"))?
        .iter()
        .map(|h| {
            let a = &h["_additional"];
            Ok((
                a["id"]
                    .as_str()
                    .with_context(|| format!("no id: {h}"))?
                    .to_string(),
                a["distance"]
                    .as_f64()
                    .with_context(|| format!("no distance: {h}"))?,
            ))
        })
        .collect()
}

fn same_hits(what: &str, got: &[(String, f64)], want: &[(String, f64)]) -> Result<()> {
    let ids = |h: &[(String, f64)]| h.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    ensure!(
        ids(got) == ids(want),
        "{what}: ids differ from the standalone node\n got:  {got:?}\n want: {want:?}"
    );
    for ((_, g), (_, w)) in got.iter().zip(want) {
        ensure!(
            (g - w).abs() <= 1e-4,
            "{what}: distances differ\n got:  {got:?}\n want: {want:?}"
        );
    }
    Ok(())
}

#[test]
fn searches_through_any_node_match_a_single_node() -> Result<()> {
    let solo = TestNode::start("solo")?;
    // A flat index: exact search, so the cluster (three shards, merged) and the single node (one
    // shard) must give the same answer, not merely similar approximate ones.
    let body = class_with("Search", 1, json!({"vectorIndexType": "flat"}));
    let objs = objects("Search", 2_000, 16, 3);
    let prepared = (|| {
        create(&solo, &body)?;
        solo.batch_import(&objs, BATCH, "")
    })();
    if prepared.is_err() {
        solo.print_log_tail();
    }
    prepared?;
    let outcome = TestCluster::start(3)?.run(|c| {
        create(c.node("n1"), &body)?;
        c.wait_class_on(&["n2", "n3"], "Search", true)?;
        c.node("n1").batch_import(&objs, BATCH, "")?;
        let mut rng = Rng::new(4);
        for q in 0..20 {
            let v: Vec<String> = rng.vector(16).iter().map(|x| x.to_string()).collect();
            let v = v.join(",");
            let plain = format!(
                "{{Get{{Search(nearVector:{{vector:[{v}]}},limit:10){{_additional{{id distance}}}}}}}}"
            );
            let filtered = format!(
                "{{Get{{Search(nearVector:{{vector:[{v}]}},limit:10,where:{{path:[\"n\"],operator:LessThan,valueInt:1000}}){{_additional{{id distance}}}}}}}}"
            );
            for query in [&plain, &filtered] {
                let want = hits(&solo.graphql(query)?, "Search")?;
                ensure!(want.len() == 10, "standalone answered {} hits to {query}", want.len());
                for node in &c.nodes {
                    let got = hits(&node.graphql(query)?, "Search")?;
                    same_hits(&format!("query {q} through {}: {query}", node.name), &got, &want)?;
                }
            }
        }
        Ok(())
    });
    if outcome.is_err() {
        solo.print_log_tail();
    }
    outcome
}

#[test]
fn quorum_survives_one_node_down() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        create(c.node("n1"), &class_with("Quorum", 3, json!({})))?;
        c.wait_class_on(&["n2", "n3"], "Quorum", true)?;
        c.node_mut("n3").kill();

        let objs = objects("Quorum", 500, 8, 5);
        c.node("n1")
            .batch_import(&objs, BATCH, "?consistency_level=QUORUM")?;
        for o in &objs {
            expect_readable(c.node("n2"), o, "")?;
        }

        // ALL cannot be reached with a replica down: a single object fails with 500 ...
        let mut more = objects("Quorum", 2, 8, 6).into_iter();
        let single = more.next().context("one object")?;
        let r = c
            .node("n1")
            .post("/v1/objects?consistency_level=ALL", &single)?;
        ensure!(
            r.status == 500 && r.to_string().contains("cannot achieve consistency level"),
            "POST /v1/objects?consistency_level=ALL with n3 down: {r}"
        );
        // ... and a batch reports the error per object.
        let batch = vec![more.next().context("another object")?];
        let r = c.node("n1").post(
            "/v1/batch/objects?consistency_level=ALL",
            &json!({"objects": batch}),
        )?;
        let errors = r.body[0]["result"]["errors"].to_string();
        ensure!(
            r.status == 200 && errors.contains("cannot achieve consistency level"),
            "POST /v1/batch/objects?consistency_level=ALL with n3 down: {r}"
        );

        c.node_mut("n3").restart()?;
        c.wait_all_ready()?;
        c.leader()?;
        for node in &c.nodes {
            poll(CONVERGE_TIMEOUT, || {
                let stats = node.statistics()?;
                let entries = statistics_entries(&stats)?;
                ensure!(entries.len() == 3, "statistics on {}: {stats}", node.name);
                Ok(())
            })?;
        }
        // And n3 serves the objects written while it was down (at least through the replicas).
        for o in objs.iter().take(50) {
            expect_readable(c.node("n3"), o, "")?;
        }
        Ok(())
    })
}

/// A hung replica (SIGSTOP: connections are accepted, nothing answers) must not hold searches:
/// after a short wait the next replica of the shard is asked too. Without that, a search whose
/// random first replica is the hung node would wait for the whole call timeout (30 s), longer
/// than the harness's 10 s request timeout.
#[test]
fn searches_get_past_a_hung_replica() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        let body = class_with("Hung", 2, json!({"vectorIndexType": "flat"}));
        create(c.node("n1"), &body)?;
        c.wait_class_on(&["n2", "n3"], "Hung", true)?;
        c.node("n1")
            .batch_import(&objects("Hung", 300, 8, 9), 100, "?consistency_level=ALL")?;
        let mut rng = Rng::new(77);
        let queries: Vec<Vec<f32>> = (0..12).map(|_| rng.vector(8)).collect();
        let top = |node: &TestNode, v: &[f32]| -> Result<Vec<String>> {
            let data = node.graphql(&format!(
                "{{Get{{Hung(nearVector: {{vector: {v:?}}}, limit: 5){{_additional{{id}}}}}}}}"
            ))?;
            let hits = data["Get"]["Hung"].as_array().context("hits")?;
            Ok(hits
                .iter()
                .map(|h| {
                    h["_additional"]["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect())
        };
        let before = queries
            .iter()
            .map(|v| top(c.node("n1"), v))
            .collect::<Result<Vec<_>>>()?;
        c.node("n3").pause()?;
        let during = queries
            .iter()
            .map(|v| top(c.node("n1"), v))
            .collect::<Result<Vec<_>>>();
        c.node("n3").resume()?;
        let during = during?;
        ensure!(before == during, "results changed with n3 hung");
        ensure!(before.iter().all(|ids| ids.len() == 5), "{before:?}");
        Ok(())
    })
}

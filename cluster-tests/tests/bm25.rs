//! BM25 on a class with three shards scores with class-wide statistics: every node answers
//! keyword and hybrid queries with the ids and scores of a standalone node holding the same
//! objects in one shard.
//!
//! The corpus is small (90 objects, about 30 per shard) and its terms are skewed (one common,
//! some rare), so a shard's own statistics — its `N`, each term's document count, its mean
//! property lengths — are far from the class's: scored with them, as before, the scores would
//! differ from the standalone's by much more than the tolerance checked here.

use std::collections::BTreeMap;

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use shoal_cluster_tests::{poll, Rng, TestCluster, TestNode, CONVERGE_TIMEOUT};

const CLASS: &str = "Bm25Docs";
const OBJECTS: usize = 90;
const DIM: usize = 8;
/// Above the number of objects: every match is returned, so ties cannot change which are.
const LIMIT: usize = 200;
/// Words from common to rare.
const WORDS: [&str; 8] = [
    "river", "stone", "forest", "light", "engine", "garden", "amber", "quartz",
];

fn class_body() -> Value {
    json!({
        "class": CLASS,
        "vectorizer": "none",
        "vectorIndexType": "flat",
        "properties": [
            {"name": "title", "dataType": ["text"]},
            {"name": "body", "dataType": ["text"]},
        ],
        // default desiredCount: one shard per node, so 3 on the cluster, 1 standalone
        "replicationConfig": {"factor": 1},
    })
}

/// A word drawn with a strongly skewed distribution (the first words far more often).
fn word(rng: &mut Rng) -> &'static str {
    let u = (rng.next_f32() + 1.0) / 2.0;
    let i = (u.powi(3) * WORDS.len() as f32) as usize;
    WORDS[i.min(WORDS.len() - 1)]
}

/// Objects with a short `title` and a `body` of varying length (some without a body).
fn objects() -> Vec<Value> {
    let mut rng = Rng::new(42);
    (0..OBJECTS)
        .map(|i| {
            let title: Vec<&str> = (0..1 + i % 3).map(|_| word(&mut rng)).collect();
            let body: Vec<&str> = (0..2 + (i * 7) % 13).map(|_| word(&mut rng)).collect();
            let mut properties = json!({"title": title.join(" ")});
            if i % 5 != 2 {
                properties["body"] = json!(body.join(" "));
            }
            json!({
                "class": CLASS,
                "id": rng.uuid(),
                "properties": properties,
                "vector": rng.vector(DIM),
            })
        })
        .collect()
}

fn create(node: &TestNode) -> Result<()> {
    let r = node.post("/v1/schema", &class_body())?;
    ensure!(
        r.status == 200,
        "creating {CLASS} through {}: {r}",
        node.name
    );
    Ok(())
}

/// `(id, score)` of a `Get` answer, in answer order.
fn hits(data: &Value) -> Result<Vec<(String, f64)>> {
    data["Get"][CLASS]
        .as_array()
        .with_context(|| format!("no Get.{CLASS} in {data}"))?
        .iter()
        .map(|h| {
            let a = &h["_additional"];
            let id = a["id"].as_str().with_context(|| format!("no id: {h}"))?;
            // Weaviate renders scores as strings
            let score = a["score"]
                .as_str()
                .and_then(|s| s.parse::<f64>().ok())
                .with_context(|| format!("no score: {h}"))?;
            Ok((id.to_string(), score))
        })
        .collect()
}

/// The same ids with the same scores (1e-4), in an order of non-increasing score.
fn same_scores(what: &str, got: &[(String, f64)], want: &[(String, f64)]) -> Result<()> {
    let by_id = |h: &[(String, f64)]| h.iter().cloned().collect::<BTreeMap<String, f64>>();
    let (g, w) = (by_id(got), by_id(want));
    ensure!(
        g.keys().eq(w.keys()),
        "{what}: ids differ from the standalone node\n got:  {got:?}\n want: {want:?}"
    );
    for (id, score) in &w {
        ensure!(
            (g[id] - score).abs() <= 1e-4,
            "{what}: {id} scores {} on the cluster, {score} standalone\n got:  {got:?}\n want: {want:?}",
            g[id]
        );
    }
    ensure!(
        got.windows(2).all(|p| p[0].1 >= p[1].1),
        "{what}: not ordered by score: {got:?}"
    );
    Ok(())
}

/// Every shard holds part of the objects: each node's count is neither 0 nor all of them, so a
/// shard's own `N` is not the class's.
fn check_spread(node: &TestNode) -> Result<()> {
    poll(CONVERGE_TIMEOUT, || {
        let nodes = node.get_json("/v1/nodes?output=verbose")?;
        let counts: Vec<u64> = nodes["nodes"]
            .as_array()
            .context("no nodes array")?
            .iter()
            .map(|n| {
                n["shards"].as_array().map_or(0, |shards| {
                    shards
                        .iter()
                        .filter(|s| s["class"] == CLASS)
                        .filter_map(|s| s["objectCount"].as_u64())
                        .sum()
                })
            })
            .collect();
        let total: u64 = counts.iter().sum();
        ensure!(
            counts.len() == 3
                && total == OBJECTS as u64
                && counts.iter().all(|c| (1..total).contains(c)),
            "objects per node: {counts:?}"
        );
        Ok(())
    })
}

fn bm25_queries() -> Vec<String> {
    let q = |args: &str| {
        format!("{{Get{{{CLASS}(limit:{LIMIT},bm25:{{{args}}}){{_additional{{id score}}}}}}}}")
    };
    vec![
        q(r#"query:"amber""#),
        q(r#"query:"river amber""#),
        q(r#"query:"quartz garden river", properties:["title^3","body"]"#),
        q(r#"query:"stone stone light", properties:["body"]"#),
        q(r#"query:"engine forest", properties:["title"]"#),
    ]
}

fn hybrid_query(rng: &mut Rng) -> String {
    let v: Vec<String> = rng.vector(DIM).iter().map(|x| x.to_string()).collect();
    format!(
        "{{Get{{{CLASS}(limit:{LIMIT},hybrid:{{query:\"river amber garden\",alpha:0.5,vector:[{}]}}){{_additional{{id score}}}}}}}}",
        v.join(",")
    )
}

fn compare(cluster: &TestCluster, solo: &TestNode) -> Result<()> {
    for query in bm25_queries() {
        let want = hits(&solo.graphql(&query)?)?;
        ensure!(want.len() > 3, "standalone: {} hits to {query}", want.len());
        for node in &cluster.nodes {
            let got = hits(&node.graphql(&query)?)?;
            same_scores(&format!("through {}: {query}", node.name), &got, &want)?;
        }
    }
    let mut rng = Rng::new(7);
    for _ in 0..3 {
        let query = hybrid_query(&mut rng);
        let want = hits(&solo.graphql(&query)?)?;
        let want_ids: Vec<&String> = want.iter().map(|(id, _)| id).collect();
        for node in &cluster.nodes {
            let got = hits(&node.graphql(&query)?)?;
            let got_ids: Vec<&String> = got.iter().map(|(id, _)| id).collect();
            ensure!(
                got_ids == want_ids,
                "through {}: hybrid order differs\n got:  {got:?}\n want: {want:?}",
                node.name
            );
            same_scores(&format!("through {}: {query}", node.name), &got, &want)?;
        }
    }
    Ok(())
}

#[test]
fn bm25_on_three_shards_scores_like_one() -> Result<()> {
    let objs = objects();
    let solo = TestNode::start("solo")?;
    let prepared = create(&solo).and_then(|()| solo.batch_import(&objs, 100, ""));
    if prepared.is_err() {
        solo.print_log_tail();
    }
    prepared?;
    let outcome = TestCluster::start(3)?.run(|c| {
        create(c.node("n1"))?;
        c.wait_class_on(&["n2", "n3"], CLASS, true)?;
        c.node("n1").batch_import(&objs, 100, "")?;
        check_spread(c.node("n2"))?;
        compare(c, &solo)
    });
    if outcome.is_err() {
        solo.print_log_tail();
    }
    outcome
}

//! The record of every acknowledged write of the scenario, and its final check: each class and
//! each object (its latest acknowledged title and its vector) through every node.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use shoal_cluster_tests::docker::ContainerNode;
use shoal_cluster_tests::{poll, Response};

/// How long the nodes may take to converge (anti-entropy rounds, read repair) before the check.
const CONVERGE_TIMEOUT: Duration = Duration::from_secs(90);

/// One acknowledged object: its class, latest acknowledged title and vector.
#[derive(Debug, Clone)]
pub struct Acked {
    pub class: String,
    pub title: String,
    pub vector: Vec<f32>,
}

/// Every acknowledged write, in the order it was acknowledged.
#[derive(Debug, Default)]
pub struct Ledger {
    pub classes: Vec<String>,
    pub objects: BTreeMap<String, Acked>,
    /// Writes acknowledged, by kind, for the report.
    pub counts: BTreeMap<&'static str, usize>,
}

impl Ledger {
    /// Records a class whose creation was answered 200.
    pub fn class(&mut self, class: &str) {
        self.classes.push(class.to_string());
        *self.counts.entry("schema").or_default() += 1;
    }

    /// Records an object write answered 2xx (`kind`: batch, post, put).
    pub fn object(&mut self, kind: &'static str, id: &str, acked: Acked) {
        self.objects.insert(id.to_string(), acked);
        *self.counts.entry(kind).or_default() += 1;
    }

    /// Checks every recorded write through `node`: each class in its schema, each object read
    /// with consistency ALL carrying its latest acknowledged title and its vector. Polls until
    /// all match (a node that was down or cut off converges asynchronously).
    pub fn verify_on(&self, node: &ContainerNode) -> Result<()> {
        poll(CONVERGE_TIMEOUT, || {
            for class in &self.classes {
                let r = node.get(&format!("/v1/schema/{class}"))?;
                ensure!(r.status == 200, "class {class} on {}: {r}", node.name);
            }
            for (id, acked) in &self.objects {
                check_object(node, id, acked, "ALL")?;
            }
            Ok(())
        })
        .with_context(|| {
            format!(
                "{} acknowledged classes and {} objects through {}",
                self.classes.len(),
                self.objects.len(),
                node.name
            )
        })
    }
}

/// GETs object `id` through `node` with `consistency` and compares it with `acked`.
pub fn check_object(
    node: &ContainerNode,
    id: &str,
    acked: &Acked,
    consistency: &str,
) -> Result<()> {
    let path = format!(
        "/v1/objects/{}/{id}?include=vector&consistency_level={consistency}",
        acked.class
    );
    let r = node.get(&path)?;
    ensure!(r.status == 200, "GET {path} on {}: {r}", node.name);
    ensure!(
        r.body["properties"]["title"] == acked.title.as_str(),
        "GET {path} on {}: expected title {:?}: {r}",
        node.name,
        acked.title
    );
    // Compared as f32, the precision they were sent with.
    let vector: Option<Vec<f32>> = r.body["vector"].as_array().map(|v| {
        v.iter()
            .map(|x| x.as_f64().unwrap_or(f64::NAN) as f32)
            .collect()
    });
    ensure!(
        vector.as_ref() == Some(&acked.vector),
        "GET {path} on {}: vector differs from {:?}: {r}",
        node.name,
        acked.vector
    );
    Ok(())
}

/// The body of an object of `class`.
pub fn object_body(class: &str, id: &str, title: &str, vector: &[f32]) -> Value {
    json!({"class": class, "id": id, "properties": {"title": title}, "vector": vector})
}

/// Fails unless `r` is a 2xx answer.
pub fn expect_ok(what: &str, r: &Response) -> Result<()> {
    ensure!((200..300).contains(&r.status), "{what}: {r}");
    Ok(())
}

//! Tenants on a real 3-node cluster with replication factor 2: tenants added through one node
//! spread over all three (least-loaded placement, two nodes each), objects imported per tenant
//! through another node, and every tenant's objects still served, complete and isolated, from
//! every surviving node after one node is killed.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use shoal_cluster_tests::{Rng, TestCluster, TestNode};

const TENANTS: usize = 6;
const PER_TENANT: usize = 40;

fn tenant(t: usize) -> String {
    format!("tenant-{t}")
}

/// The titles a tenant's `Get` returns through `node`, read at consistency ONE.
fn titles(node: &TestNode, t: usize) -> Result<BTreeSet<String>> {
    let query = format!(
        "{{ Get {{ Docs(tenant: \"{}\", limit: 1000) {{ title }} }} }}",
        tenant(t)
    );
    let body = node.graphql(&query)?;
    let rows = body["Get"]["Docs"]
        .as_array()
        .with_context(|| format!("{query} on {}: {body}", node.name))?;
    Ok(rows
        .iter()
        .filter_map(|r| r["title"].as_str().map(str::to_string))
        .collect())
}

fn expected(t: usize) -> BTreeSet<String> {
    (0..PER_TENANT)
        .map(|i| format!("{} doc {i}", tenant(t)))
        .collect()
}

#[test]
fn tenants_spread_over_nodes_and_survive_the_loss_of_one() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        let n1 = c.node("n1");
        let class = json!({"class": "Docs", "vectorizer": "none",
            "multiTenancyConfig": {"enabled": true},
            "replicationConfig": {"factor": 2},
            "properties": [{"name": "title", "dataType": ["text"]}]});
        let r = n1.post("/v1/schema", &class)?;
        ensure!(r.status == 200, "create: {r}");
        let tenants: Vec<Value> = (0..TENANTS).map(|t| json!({"name": tenant(t)})).collect();
        let r = n1.post("/v1/schema/Docs/tenants", &Value::Array(tenants))?;
        ensure!(r.status == 200, "add tenants: {r}");
        c.wait_class_on(&["n2", "n3"], "Docs", true)?;

        // Placement: factor 2 on 3 nodes, least-loaded first: 6 tenants give 4 per node.
        let schema = n1.get_json("/v1/schema/Docs/shards")?;
        ensure!(
            schema.as_array().map(Vec::len) == Some(TENANTS),
            "every HOT tenant is a shard: {schema}"
        );
        let nodes = n1.get_json("/v1/nodes?output=verbose")?;
        let mut per_node: BTreeMap<String, usize> = BTreeMap::new();
        for node in nodes["nodes"].as_array().context("nodes")? {
            let name = node["name"].as_str().unwrap_or_default().to_string();
            let held = node["shards"]
                .as_array()
                .map_or(0, |s| s.iter().filter(|s| s["class"] == "Docs").count());
            per_node.insert(name, held);
        }
        ensure!(
            per_node.values().all(|&n| n == 4),
            "tenants spread evenly: {per_node:?}"
        );

        let mut rng = Rng::new(15);
        let n2 = c.node("n2");
        for t in 0..TENANTS {
            let objects: Vec<Value> = (0..PER_TENANT)
                .map(|i| {
                    json!({"class": "Docs", "tenant": tenant(t), "id": rng.uuid(),
                    "properties": {"title": format!("{} doc {i}", tenant(t))},
                    "vector": rng.vector(4)})
                })
                .collect();
            n2.batch_import(&objects, 20, "?consistency_level=ALL")?;
        }
        for name in ["n1", "n2", "n3"] {
            for t in 0..TENANTS {
                let got = titles(c.node(name), t)?;
                ensure!(got == expected(t), "{} through {name}: {got:?}", tenant(t));
            }
        }

        c.node_mut("n3").kill();
        for name in ["n1", "n2"] {
            for t in 0..TENANTS {
                let got = titles(c.node(name), t)?;
                ensure!(
                    got == expected(t),
                    "{} through {name} with n3 down: {got:?}",
                    tenant(t)
                );
            }
        }
        Ok(())
    })
}

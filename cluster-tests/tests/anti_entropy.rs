//! Anti-entropy with real processes: a replica that was killed (SIGKILL) during a QUORUM import,
//! or that missed updates and deletions while down, catches up after it returns without any
//! client reading the objects.
//!
//! Replicas are compared through listings (`GET /v1/objects?after=`), which a node serves from
//! its own copy of every shard it holds and which never repair anything; single-object GETs,
//! which would repair, are not used before convergence. Every wait is a poll with a deadline;
//! the measured convergence time is printed, never asserted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use shoal_cluster_tests::{free_port, poll, Rng, TestCluster, TestNode};

/// Rounds run this often here rather than every 5 s (the default), so that a scenario needs
/// several rounds within seconds.
const FREQUENCY_MS: &str = "300";
/// How long a returned replica may take to converge on this shared 2-core machine.
const CONVERGE: Duration = Duration::from_secs(90);

/// A 3-node cluster with fast anti-entropy rounds, each node serving its metrics on the port
/// its `PROMETHEUS_MONITORING_PORT` names.
fn cluster() -> Result<TestCluster> {
    let mut c = TestCluster::prepare(3)?;
    for node in &mut c.nodes {
        node.set_env("ASYNC_REPLICATION_FREQUENCY", FREQUENCY_MS);
        node.set_env("PROMETHEUS_MONITORING_ENABLED", "true");
        node.set_env("PROMETHEUS_MONITORING_PORT", &free_port()?.to_string());
    }
    for node in &mut c.nodes {
        node.spawn()?;
    }
    c.wait_all_ready()?;
    Ok(c)
}

fn create(node: &TestNode, class: &str, deletion_strategy: &str) -> Result<()> {
    let body = json!({
        "class": class,
        "vectorizer": "none",
        "properties": [{"name": "title", "dataType": ["text"]}],
        "replicationConfig": {"factor": 3, "deletionStrategy": deletion_strategy},
    });
    let r = node.post("/v1/schema", &body)?;
    ensure!(r.status == 200, "creating {class}: {r}");
    Ok(())
}

fn objects(class: &str, count: usize, seed: u64) -> Vec<Value> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| {
            json!({
                "class": class,
                "id": rng.uuid(),
                "properties": {"title": format!("object {i}")},
                "vector": rng.vector(8),
            })
        })
        .collect()
}

/// Imports `objects` through `node` at QUORUM, batch by batch, counting objects sent in
/// `progress`; returns the ids acknowledged (no error in their result). Batches that fail as a
/// whole (the coordinator itself died) acknowledge nothing.
fn import_acknowledged(node: &TestNode, objects: &[Value], progress: &AtomicUsize) -> Vec<String> {
    let mut acked = Vec::new();
    for chunk in objects.chunks(100) {
        let r = node.post(
            "/v1/batch/objects?consistency_level=QUORUM",
            &json!({ "objects": chunk }),
        );
        progress.fetch_add(chunk.len(), Ordering::SeqCst);
        let Ok(r) = r else { continue };
        for result in r.body.as_array().into_iter().flatten() {
            if result["result"]["errors"].is_null() {
                if let Some(id) = result["id"].as_str() {
                    acked.push(id.to_string());
                }
            }
        }
    }
    acked
}

/// The objects of `class` that `node` holds itself, id -> title. Every node holds every shard
/// (factor 3 on 3 nodes), and a listing reads the node's own copy of each shard.
fn local_objects(node: &TestNode, class: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut after = String::new();
    loop {
        let mut path = format!("/v1/objects?class={class}&limit=2000");
        if !after.is_empty() {
            path.push_str(&format!("&after={after}"));
        }
        let r = node.get(&path)?;
        ensure!(r.status == 200, "GET {path} on {}: {r}", node.name);
        let page = r.body["objects"].as_array().context("objects")?.clone();
        for o in &page {
            let id = o["id"].as_str().context("id")?.to_string();
            let title = o["properties"]["title"].as_str().unwrap_or_default();
            out.insert(id.clone(), title.to_string());
            after = id;
        }
        if page.len() < 2000 {
            return Ok(out);
        }
    }
}

/// Polls until the three nodes hold the same objects; returns the time it took.
/// The value of an unlabelled counter on `node`'s metrics port.
fn counter(node: &TestNode, name: &str) -> Result<f64> {
    let port = node
        .env_value("PROMETHEUS_MONITORING_PORT")
        .context("metrics port")?;
    let text = reqwest::blocking::get(format!("http://127.0.0.1:{port}/metrics"))?.text()?;
    let line = text
        .lines()
        .find(|l| l.split(' ').next() == Some(name))
        .with_context(|| format!("{name} missing from {}'s metrics", node.name))?;
    let value = line.rsplit(' ').next().unwrap_or_default();
    value.parse().with_context(|| format!("{line:?}"))
}

fn wait_converged(c: &TestCluster, class: &str) -> Result<(Duration, BTreeMap<String, String>)> {
    let start = Instant::now();
    let held = poll(CONVERGE, || {
        let copies = c
            .nodes
            .iter()
            .map(|n| local_objects(n, class))
            .collect::<Result<Vec<_>>>()?;
        for (node, copy) in c.nodes.iter().zip(&copies).skip(1) {
            ensure!(
                *copy == copies[0],
                "{} holds {} objects, {} holds {}",
                node.name,
                copy.len(),
                c.nodes[0].name,
                copies[0].len()
            );
        }
        Ok(copies[0].clone())
    })?;
    Ok((start.elapsed(), held))
}

#[test]
fn a_node_killed_during_a_quorum_import_converges_without_reads() -> Result<()> {
    cluster()?.run(|c| {
        create(c.node("n1"), "Killed", "NoAutomatedResolution")?;
        c.wait_class_on(&["n2", "n3"], "Killed", true)?;
        let objs = objects("Killed", 9_000, 11);
        let progress = AtomicUsize::new(0);
        let (front, back) = c.nodes.split_at_mut(2);
        let (n1, n3) = (&front[0], &mut back[0]);
        let acked = std::thread::scope(|s| -> Result<Vec<String>> {
            let import = s.spawn(|| import_acknowledged(n1, &objs, &progress));
            poll(CONVERGE, || {
                let sent = progress.load(Ordering::SeqCst);
                ensure!(sent >= 3_000, "{sent} objects sent so far");
                Ok(())
            })?;
            n3.kill();
            import.join().map_err(|_| anyhow::anyhow!("import panicked"))
        })?;
        ensure!(
            acked.len() >= objs.len() / 2,
            "only {} of {} objects acknowledged with one node of three down",
            acked.len(),
            objs.len()
        );

        // Every acknowledged object is on a quorum: the two live nodes (the second write of
        // an object may still be finishing when the import returns, hence the poll).
        let acked: BTreeSet<String> = acked.into_iter().collect();
        for name in ["n1", "n2"] {
            poll(CONVERGE, || {
                let held = local_objects(c.node(name), "Killed")?;
                let missing = acked.iter().filter(|id| !held.contains_key(*id)).count();
                ensure!(missing == 0, "{name} lacks {missing} acknowledged objects");
                Ok(())
            })?;
        }

        c.node_mut("n3").restart()?;
        c.wait_all_ready()?;
        let on_return = local_objects(c.node("n3"), "Killed")?.len();
        let (took, held) = wait_converged(c, "Killed")?;
        let missing = acked.iter().filter(|id| !held.contains_key(*id)).count();
        ensure!(missing == 0, "{missing} acknowledged objects lost after convergence");
        eprintln!(
            "anti-entropy: n3 held {on_return} objects when it was ready and converged {took:.1?} later \
             ({} objects on every node, {} acknowledged)",
            held.len(),
            acked.len()
        );
        Ok(())
    })
}

#[test]
fn a_returned_replica_gets_the_updates_and_deletions_it_missed() -> Result<()> {
    cluster()?.run(|c| {
        create(c.node("n1"), "Missed", "TimeBasedResolution")?;
        c.wait_class_on(&["n2", "n3"], "Missed", true)?;
        let objs = objects("Missed", 600, 20);
        c.node("n1")
            .batch_import(&objs, 200, "?consistency_level=ALL")?;
        c.node_mut("n3").kill();

        // While n3 is down: 100 objects updated, 100 deleted, 100 added.
        for o in &objs[..100] {
            let id = o["id"].as_str().context("id")?;
            let mut updated = o.clone();
            updated["properties"]["title"] = json!(format!("updated {id}"));
            let r = c.node("n1").put(&format!("/v1/objects/Missed/{id}"), &updated)?;
            ensure!(r.status == 200, "PUT {id}: {r}");
        }
        for o in &objs[100..200] {
            let id = o["id"].as_str().context("id")?;
            let r = c.node("n2").delete(&format!("/v1/objects/Missed/{id}"))?;
            ensure!(r.status == 204, "DELETE {id}: {r}");
        }
        let more = objects("Missed", 100, 30);
        c.node("n2").batch_import(&more, 100, "")?;
        let expected = local_objects(c.node("n1"), "Missed")?;
        ensure!(expected.len() == 600, "n1 holds {} objects", expected.len());

        c.node_mut("n3").restart()?;
        c.wait_all_ready()?;
        let (took, held) = wait_converged(c, "Missed")?;
        ensure!(held == expected, "the replicas converged to another state");
        // No read repaired anything: anti-entropy pushed at least the 300 changes n3 missed.
        let mut pushed = 0.0;
        for node in &c.nodes {
            pushed += counter(node, "shoal_anti_entropy_objects_pushed_total")?;
        }
        ensure!(pushed >= 300.0, "anti-entropy reports {pushed} objects pushed");
        eprintln!("anti-entropy: n3 caught up with 100 updates, 100 deletions and 100 new objects {took:.1?} after it was ready");
        Ok(())
    })
}

/// With anti-entropy off, a replica that missed a deletion still holds the object; a read at
/// ALL then meets both versions and settles them by the class's `deletionStrategy`.
#[test]
fn reads_settle_a_missed_deletion_by_the_deletion_strategy() -> Result<()> {
    let mut c = TestCluster::prepare(3)?;
    for node in &mut c.nodes {
        node.set_env("ASYNC_REPLICATION_DISABLED", "true");
        node.spawn()?;
    }
    c.wait_all_ready()?;
    c.run(|c| {
        create(c.node("n1"), "Keep", "NoAutomatedResolution")?;
        create(c.node("n1"), "Drop", "DeleteOnConflict")?;
        create(c.node("n1"), "Stale", "NoAutomatedResolution")?;
        c.wait_class_on(&["n2", "n3"], "Stale", true)?;
        let keep = objects("Keep", 1, 40).remove(0);
        let drop = objects("Drop", 1, 41).remove(0);
        let stale = objects("Stale", 1, 42).remove(0);
        for o in [&keep, &drop, &stale] {
            let r = c.node("n1").post("/v1/objects?consistency_level=ALL", o)?;
            ensure!(r.status == 200, "POST {o}: {r}");
        }
        c.node_mut("n3").kill();
        for (class, o) in [("Keep", &keep), ("Drop", &drop)] {
            let path = format!("/v1/objects/{class}/{}", o["id"].as_str().context("id")?);
            let r = c.node("n1").delete(&path)?;
            ensure!(r.status == 204, "DELETE {path}: {r}");
        }
        let mut updated = stale.clone();
        updated["properties"]["title"] = json!("new title");
        let stale_path = format!("/v1/objects/Stale/{}", stale["id"].as_str().context("id")?);
        let r = c.node("n1").put(&stale_path, &updated)?;
        ensure!(r.status == 200, "PUT {stale_path}: {r}");
        c.node_mut("n3").restart()?;
        c.wait_all_ready()?;
        ensure!(
            local_objects(c.node("n3"), "Keep")?.len() == 1,
            "n3 missed the deletion"
        );

        let keep_path = format!(
            "/v1/objects/Keep/{}?consistency_level=ALL",
            keep["id"].as_str().context("id")?
        );
        let r = c.node("n3").get(&keep_path)?;
        ensure!(
            r.status == 500
                && r.to_string()
                    .contains("object has been deleted on another replica"),
            "GET {keep_path}: {r}"
        );
        let drop_path = format!(
            "/v1/objects/Drop/{}?consistency_level=ALL",
            drop["id"].as_str().context("id")?
        );
        let r = c.node("n3").get(&drop_path)?;
        ensure!(r.status == 404, "GET {drop_path}: {r}");
        // The read repaired n3: the deletion reached it; the unresolved conflict stays.
        poll(CONVERGE, || {
            let held = local_objects(c.node("n3"), "Drop")?;
            ensure!(held.is_empty(), "n3 still holds {held:?}");
            Ok(())
        })?;
        ensure!(
            local_objects(c.node("n3"), "Keep")?.len() == 1,
            "NoAutomatedResolution repairs nothing"
        );

        // A search reads n3's own stale copy; at ALL it is checked against the other
        // replicas, shows the newest version, reports the disagreement and repairs n3.
        let search = |level: &str| -> Result<Value> {
            let data = c.node("n3").graphql(&format!(
                "{{Get{{Stale(consistencyLevel: {level}){{title _additional{{isConsistent}}}}}}}}"
            ))?;
            Ok(data["Get"]["Stale"][0].clone())
        };
        let one = search("ONE")?;
        ensure!(
            one["title"] == "object 0" && one["_additional"]["isConsistent"] == true,
            "ONE: {one}"
        );
        let all = search("ALL")?;
        ensure!(
            all["title"] == "new title" && all["_additional"]["isConsistent"] == false,
            "ALL: {all}"
        );
        poll(CONVERGE, || {
            let held = local_objects(c.node("n3"), "Stale")?;
            ensure!(held.values().all(|t| t == "new title"), "n3 holds {held:?}");
            Ok(())
        })?;
        let again = search("ALL")?;
        ensure!(
            again["_additional"]["isConsistent"] == true,
            "after the repair: {again}"
        );
        Ok(())
    })
}

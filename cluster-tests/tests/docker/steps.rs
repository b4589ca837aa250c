//! The scenario's steps, in order; each leaves the cluster whole for the next.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};
use shoal_cluster_tests::docker::{ContainerNode, DockerCluster, NODE_NAMES};
use shoal_cluster_tests::{poll, Response, Rng};

use crate::ledger::{check_object, expect_ok, object_body, Acked, Ledger};
use crate::timed;

/// The class of the first import; replicated to all three nodes, so QUORUM is two of them.
const DOC: &str = "Doc";
/// The class created on the majority side of the partition.
const SPLIT: &str = "Split";
/// The class the cut-off leader is asked to create (and must refuse).
const REFUSED: &str = "Refused";
const DIM: usize = 8;
const IMPORT: usize = 300;
/// How long a cluster may take to elect or converge after a fault.
const CONVERGE: Duration = Duration::from_secs(60);

/// Runs every step; returns the ledger of acknowledged writes, all verified.
pub fn run_all(c: &mut DockerCluster, timings: &mut Vec<(String, Duration)>) -> Result<Ledger> {
    let mut ledger = Ledger::default();
    let mut rng = Rng::new(11);
    timed(timings, "formation (ready, healthy, leader)", || {
        formation(c)
    })?;
    timed(timings, "import through one node, query another", || {
        import_and_query(c, &mut ledger, &mut rng)
    })?;
    timed(timings, "kill the leader, QUORUM writes/reads", || {
        kill_one(c, &mut ledger, &mut rng)
    })?;
    timed(timings, "partition the leader, heal", || {
        partition(c, &mut ledger, &mut rng)
    })?;
    timed(timings, "rolling restart under reads", || {
        rolling_restart(c, &ledger)
    })?;
    timed(timings, "verify every acknowledged write", || {
        NODE_NAMES
            .iter()
            .try_for_each(|name| ledger.verify_on(c.node(name)))
    })?;
    Ok(ledger)
}

fn formation(c: &DockerCluster) -> Result<()> {
    c.wait_all_ready()?;
    // Docker's own view, through the image's HEALTHCHECK (`shoal healthcheck`).
    c.nodes.iter().try_for_each(ContainerNode::wait_healthy)?;
    c.wait_for_leader(&NODE_NAMES, CONVERGE).map(drop)
}

fn create_class(node: &ContainerNode, class: &str, ledger: &mut Ledger) -> Result<()> {
    let body = json!({
        "class": class,
        "vectorizer": "none",
        "properties": [{"name": "title", "dataType": ["text"]}],
        "replicationConfig": {"factor": 3},
    });
    let r = node.post("/v1/schema", &body)?;
    ensure!(r.status == 200, "create {class} through {}: {r}", node.name);
    ledger.class(class);
    Ok(())
}

fn import_and_query(c: &DockerCluster, ledger: &mut Ledger, rng: &mut Rng) -> Result<()> {
    let (writer, searcher, reader) = (c.node("shoal-0"), c.node("shoal-1"), c.node("shoal-2"));
    create_class(writer, DOC, ledger)?;
    let objects: Vec<(String, Acked)> = (0..IMPORT)
        .map(|i| {
            let acked = Acked {
                class: DOC.to_string(),
                title: format!("imported {i}"),
                vector: rng.vector(DIM),
            };
            (rng.uuid(), acked)
        })
        .collect();
    for chunk in objects.chunks(100) {
        let bodies: Vec<Value> = chunk
            .iter()
            .map(|(id, a)| object_body(DOC, id, &a.title, &a.vector))
            .collect();
        let r = writer.post(
            "/v1/batch/objects?consistency_level=QUORUM",
            &json!({ "objects": bodies }),
        )?;
        ensure!(r.status == 200, "batch through {}: {r}", writer.name);
        // Only the objects the answer reports without errors are acknowledged.
        let results = r.body.as_array().context("batch answer is not an array")?;
        for ((id, acked), result) in chunk.iter().zip(results) {
            ensure!(
                result["result"]["errors"].is_null(),
                "batch object {id}: {result}"
            );
            ledger.object("batch", id, acked.clone());
        }
    }
    for (id, acked) in objects.iter().step_by(37) {
        expect_nearest(searcher, id, acked)?;
        check_object(reader, id, acked, "ONE")?;
    }
    Ok(())
}

/// A nearVector search through `node` finds `id` first, at distance 0.
fn expect_nearest(node: &ContainerNode, id: &str, acked: &Acked) -> Result<()> {
    let query = format!(
        "{{ Get {{ {}(nearVector: {{vector: {}}}, limit: 1) {{ title _additional {{ id distance }} }} }} }}",
        acked.class,
        json!(acked.vector)
    );
    let r = node.post("/v1/graphql", &json!({ "query": query }))?;
    let hit = &r.body["data"]["Get"][&acked.class][0];
    ensure!(
        r.status == 200 && hit["_additional"]["id"] == id && hit["title"] == acked.title.as_str(),
        "nearVector of {id} through {}: {r}",
        node.name
    );
    Ok(())
}

/// Creates (`POST`) an object with consistency QUORUM through `node`; records it when
/// acknowledged.
fn post_object(
    node: &ContainerNode,
    ledger: &mut Ledger,
    class: &str,
    rng: &mut Rng,
    title: String,
) -> Result<String> {
    let (id, vector) = (rng.uuid(), rng.vector(DIM));
    let r = node.post(
        "/v1/objects?consistency_level=QUORUM",
        &object_body(class, &id, &title, &vector),
    )?;
    expect_ok(&format!("POST {class} {id} through {}", node.name), &r)?;
    let acked = Acked {
        class: class.to_string(),
        title,
        vector,
    };
    ledger.object("post", &id, acked);
    Ok(id)
}

/// Replaces (`PUT`) object `id` with a new title, consistency QUORUM, through `node`.
fn put_object(node: &ContainerNode, ledger: &mut Ledger, id: &str, title: String) -> Result<()> {
    let mut acked = ledger.objects.get(id).context("unknown object")?.clone();
    acked.title = title;
    let path = format!("/v1/objects/{}/{id}?consistency_level=QUORUM", acked.class);
    let r = node.put(
        &path,
        &object_body(&acked.class, id, &acked.title, &acked.vector),
    )?;
    expect_ok(&format!("PUT {path} through {}", node.name), &r)?;
    ledger.object("put", id, acked);
    Ok(())
}

/// The nodes other than `name`.
fn others(name: &str) -> Vec<&'static str> {
    NODE_NAMES.into_iter().filter(|n| *n != name).collect()
}

fn kill_one(c: &mut DockerCluster, ledger: &mut Ledger, rng: &mut Rng) -> Result<()> {
    let victim = c.wait_for_leader(&NODE_NAMES, CONVERGE)?;
    c.kill(&victim)?;
    let alive = others(&victim);
    // Right away, while the survivors elect: object writes do not go through Raft.
    let updated: Vec<String> = ledger.objects.keys().take(20).cloned().collect();
    for (i, id) in updated.iter().enumerate() {
        let (writer, reader) = (c.node(alive[i % 2]), c.node(alive[(i + 1) % 2]));
        put_object(
            writer,
            ledger,
            id,
            format!("updated while {victim} was down {i}"),
        )?;
        check_object(reader, id, &ledger.objects[id], "QUORUM")?;
    }
    for i in 0..40 {
        let (writer, reader) = (c.node(alive[i % 2]), c.node(alive[(i + 1) % 2]));
        let id = post_object(
            writer,
            ledger,
            DOC,
            rng,
            format!("written while {victim} was down {i}"),
        )?;
        check_object(reader, &id, &ledger.objects[&id], "QUORUM")?;
    }
    c.start_again(&victim)?;
    c.wait_for_leader(&NODE_NAMES, CONVERGE).map(drop)
}

fn partition(c: &mut DockerCluster, ledger: &mut Ledger, rng: &mut Rng) -> Result<()> {
    let old = c.wait_for_leader(&NODE_NAMES, CONVERGE)?;
    let majority = others(&old);
    c.disconnect(&old)?;
    // In the background: the data plane of the cut-off node only learns that its peers are
    // gone when its calls to them time out.
    let minority_write = spawn_quorum_write(c.node(&old));
    let new = c.wait_for_leader(&majority, CONVERGE)?;
    eprintln!("partition: {old} cut off; {new} leads {majority:?}");
    // The majority goes on: schema changes and QUORUM writes.
    create_class(c.node(&new), SPLIT, ledger)?;
    for (i, class) in [DOC, SPLIT].iter().cycle().take(20).enumerate() {
        let (writer, reader) = (c.node(majority[i % 2]), c.node(majority[(i + 1) % 2]));
        let id = post_object(writer, ledger, class, rng, format!("majority {i}"))?;
        check_object(reader, &id, &ledger.objects[&id], "QUORUM")?;
    }
    minority_refuses_and_serves_reads(c.node(&old), ledger)?;
    let answer = minority_write
        .join()
        .map_err(|_| anyhow::anyhow!("writer panicked"))??;
    eprintln!("partition: QUORUM write on the cut-off {old}: {answer}");
    ensure!(
        !(200..300).contains(&answer.status),
        "a QUORUM write was acknowledged by the cut-off {old}: {answer}"
    );
    c.reconnect(&old)?;
    c.wait_for_leader(&NODE_NAMES, CONVERGE)?;
    schemas_converge(c)
}

/// POSTs an object with consistency QUORUM to `node` on a thread, with a client that waits
/// longer than the node's own call timeout to its peers (30 s).
fn spawn_quorum_write(node: &ContainerNode) -> std::thread::JoinHandle<Result<Response>> {
    let url = format!("{}/v1/objects?consistency_level=QUORUM", node.url);
    let body =
        json!({"class": DOC, "properties": {"title": "minority"}, "vector": vec![0.5f32; DIM]});
    std::thread::spawn(move || {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(90))
            .build()?;
        let r = client.post(&url).json(&body).send()?;
        let status = r.status().as_u16();
        let body = r.json().unwrap_or(Value::Null);
        Ok(Response { status, body })
    })
}

/// On the cut-off node: once it reports not ready, schema writes and leader-consistent schema
/// reads fail at once with 503 in Weaviate's error body, while what it holds is still served
/// (its local schema, objects read at consistency ONE).
fn minority_refuses_and_serves_reads(node: &ContainerNode, ledger: &Ledger) -> Result<()> {
    poll(CONVERGE, || {
        let r = node.get("/v1/.well-known/ready")?;
        ensure!(r.status == 503, "ready on the cut-off {}: {r}", node.name);
        Ok(())
    })?;
    let r = node.post(
        "/v1/schema",
        &json!({"class": REFUSED, "vectorizer": "none"}),
    )?;
    eprintln!("partition: schema write on the cut-off {}: {r}", node.name);
    let message = r.body["error"][0]["message"].as_str().unwrap_or_default();
    ensure!(
        r.status == 503 && message.contains("no quorum reachable"),
        "schema write on the cut-off {}: {r}",
        node.name
    );
    let r = node.get("/v1/schema")?;
    ensure!(
        r.status == 503,
        "consistent schema read on the cut-off {}: {r}",
        node.name
    );

    let r = node.get_with("/v1/schema", ("consistency", "false"))?;
    let classes: Vec<&str> = r.body["classes"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["class"].as_str()).collect())
        .unwrap_or_default();
    ensure!(
        r.status == 200 && classes == [DOC],
        "local schema of the cut-off {}: {r}",
        node.name
    );
    // Objects of the first import that nothing updated since: the node holds them for sure.
    let imported = ledger
        .objects
        .iter()
        .filter(|(_, a)| a.title.starts_with("imported "));
    for (id, acked) in imported.step_by(29) {
        check_object(node, id, acked, "ONE")?;
    }
    Ok(())
}

/// Every node's schema (its own, `consistency: false`) becomes the same, with the class the
/// majority created and without the one the cut-off node refused.
fn schemas_converge(c: &DockerCluster) -> Result<()> {
    poll(CONVERGE, || {
        let mut schemas = Vec::new();
        for node in &c.nodes {
            let r = node.get_with("/v1/schema", ("consistency", "false"))?;
            ensure!(r.status == 200, "schema of {}: {r}", node.name);
            let mut classes: Vec<Value> = r.body["classes"].as_array().cloned().unwrap_or_default();
            classes.sort_by_key(|c| c["class"].as_str().unwrap_or_default().to_string());
            schemas.push((node.name.clone(), classes));
        }
        let names: Vec<&str> = schemas[0]
            .1
            .iter()
            .filter_map(|c| c["class"].as_str())
            .collect();
        ensure!(
            names == [DOC, SPLIT],
            "{} has classes {names:?}",
            schemas[0].0
        );
        for (name, classes) in &schemas[1..] {
            ensure!(
                *classes == schemas[0].1,
                "schema of {name} differs from {}'s",
                schemas[0].0
            );
        }
        Ok(())
    })
}

/// The addresses the reader may use: `None` while that node restarts. The reader holds the read
/// lock during each request, so taking the write lock waits for a request in flight.
type Targets = Arc<RwLock<Vec<Option<String>>>>;

fn rolling_restart(c: &mut DockerCluster, ledger: &Ledger) -> Result<()> {
    let targets: Targets = Arc::new(RwLock::new(
        c.nodes.iter().map(|n| Some(n.url.clone())).collect(),
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let objects: Vec<(String, Acked)> = ledger
        .objects
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let reader = {
        let (targets, stop, reads, failures) = (
            targets.clone(),
            stop.clone(),
            reads.clone(),
            failures.clone(),
        );
        std::thread::spawn(move || read_loop(&targets, &stop, &reads, &failures, &objects))
    };
    let restarted = restart_each(c, &targets);
    stop.store(true, Ordering::SeqCst);
    let reader_result = reader.join();
    restarted?;
    ensure!(reader_result.is_ok(), "the reader thread panicked");
    let failures = failures.lock().expect("failures").clone();
    let reads = reads.load(Ordering::SeqCst);
    eprintln!("rolling restart: {reads} reads, {} failed", failures.len());
    ensure!(reads > 0, "the reader made no read");
    if let Some(first) = failures.first() {
        bail!(
            "{} of {reads} reads failed during the rolling restart; first: {first}",
            failures.len()
        );
    }
    Ok(())
}

/// Stops (SIGTERM, clean exit), starts and waits for each node in turn.
fn restart_each(c: &mut DockerCluster, targets: &Targets) -> Result<()> {
    for (i, name) in NODE_NAMES.iter().enumerate() {
        targets.write().expect("targets")[i] = None;
        c.stop(name)?;
        c.start_again(name)?;
        c.wait_for_leader(&NODE_NAMES, CONVERGE)?;
        targets.write().expect("targets")[i] = Some(c.node(name).url.clone());
    }
    Ok(())
}

/// Reads acknowledged objects with consistency QUORUM through the nodes not restarting, until
/// `stop`; every failure is recorded.
fn read_loop(
    targets: &RwLock<Vec<Option<String>>>,
    stop: &AtomicBool,
    reads: &AtomicUsize,
    failures: &Mutex<Vec<String>>,
    objects: &[(String, Acked)],
) {
    let client = match reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            return failures
                .lock()
                .expect("failures")
                .push(format!("no client: {e}"))
        }
    };
    let mut n = 0usize;
    while !stop.load(Ordering::SeqCst) {
        let (id, acked) = &objects[n % objects.len()];
        let guard = targets.read().expect("targets");
        let live: Vec<&String> = guard.iter().flatten().collect();
        let url = format!(
            "{}/v1/objects/{}/{id}?consistency_level=QUORUM",
            live[n % live.len()],
            acked.class
        );
        let outcome = client
            .get(&url)
            .send()
            .map_err(|e| e.to_string())
            .and_then(|r| {
                let status = r.status().as_u16();
                let body: Value = r.json().map_err(|e| e.to_string())?;
                if status == 200 && body["properties"]["title"] == acked.title.as_str() {
                    Ok(())
                } else {
                    Err(format!("{status} {body}"))
                }
            });
        drop(guard);
        reads.fetch_add(1, Ordering::SeqCst);
        if let Err(e) = outcome {
            failures
                .lock()
                .expect("failures")
                .push(format!("GET {url}: {e}"));
        }
        n += 1;
    }
}

//! Aliases and `initFrom` on a real 3-node cluster: an alias switched back and forth between
//! two collections while other nodes query through it never answers with an error or a mix of
//! the two, and a collection built from another through one node (its copy writing to shards on
//! every node) ends with every object, served by every node.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};
use shoal_cluster_tests::{poll, Rng, TestCluster, TestNode};

const OBJECTS: usize = 60;
const SWITCHES: usize = 12;

fn create_version(node: &TestNode, class: &str) -> Result<()> {
    let body = json!({"class": class, "vectorizer": "none",
        "replicationConfig": {"factor": 2},
        "properties": [{"name": "title", "dataType": ["text"]}]});
    let r = node.post("/v1/schema", &body)?;
    ensure!(r.status == 200, "create {class}: {r}");
    Ok(())
}

fn import_version(node: &TestNode, class: &str, rng: &mut Rng) -> Result<()> {
    let objects: Vec<Value> = (0..OBJECTS)
        .map(|i| {
            json!({"class": class, "id": rng.uuid(),
                   "properties": {"title": format!("{class} doc {i}")},
                   "vector": rng.vector(4)})
        })
        .collect();
    node.batch_import(&objects, 30, "?consistency_level=ALL")
}

/// The titles `Get` returns for `class` (or alias) through `node`.
fn titles(node: &TestNode, class: &str) -> Result<Vec<String>> {
    let data = node.graphql(&format!("{{ Get {{ {class}(limit: 1000) {{ title }} }} }}"))?;
    let rows = data["Get"][class]
        .as_array()
        .with_context(|| format!("Get {class} on {}: {data}", node.name))?;
    Ok(rows
        .iter()
        .filter_map(|r| r["title"].as_str().map(str::to_string))
        .collect())
}

/// The one collection a read through the alias saw, or an error naming the mix.
fn one_version(node: &TestNode) -> Result<String> {
    let got = titles(node, "Books")?;
    let versions: BTreeSet<&str> = got.iter().filter_map(|t| t.split(' ').next()).collect();
    match (versions.len(), got.len()) {
        (1, OBJECTS) => Ok(versions.into_iter().next().unwrap_or_default().to_string()),
        _ => bail!(
            "a read through the alias on {} saw {} objects of {versions:?}",
            node.name,
            got.len()
        ),
    }
}

/// Reads through the alias on `node` until `stop`; the versions seen, in order of change.
fn read_until(node: &TestNode, stop: &AtomicBool) -> Result<Vec<String>> {
    let mut seen: Vec<String> = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let version = one_version(node)?;
        if seen.last() != Some(&version) {
            seen.push(version);
        }
    }
    Ok(seen)
}

#[test]
fn an_alias_switch_under_queries_never_mixes_collections() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        let n1 = c.node("n1");
        let mut rng = Rng::new(32);
        for class in ["BooksV1", "BooksV2"] {
            create_version(n1, class)?;
            import_version(n1, class, &mut rng)?;
        }
        let r = n1.post(
            "/v1/aliases",
            &json!({"alias": "Books", "class": "BooksV1"}),
        )?;
        ensure!(r.status == 200, "create alias: {r}");
        for name in ["n2", "n3"] {
            poll(Duration::from_secs(10), || {
                ensure!(one_version(c.node(name))? == "BooksV1");
                Ok(())
            })?;
        }

        let stop = AtomicBool::new(false);
        let seen = std::thread::scope(|s| -> Result<Vec<Vec<String>>> {
            let readers: Vec<_> = ["n2", "n3"]
                .into_iter()
                .map(|name| {
                    let (node, stop) = (c.node(name), &stop);
                    s.spawn(move || read_until(node, stop))
                })
                .collect();
            let switched = (0..SWITCHES).try_for_each(|i| {
                let class = if i % 2 == 0 { "BooksV2" } else { "BooksV1" };
                let r = n1.put("/v1/aliases/Books", &json!({"class": class}))?;
                ensure!(r.status == 200, "switch {i} to {class}: {r}");
                std::thread::sleep(Duration::from_millis(150));
                Ok(())
            });
            stop.store(true, Ordering::Relaxed);
            let seen = readers
                .into_iter()
                .map(|r| r.join().unwrap_or_else(|_| bail!("a reader panicked")))
                .collect::<Result<Vec<_>>>();
            switched?;
            seen
        })?;
        for (name, versions) in ["n2", "n3"].iter().zip(&seen) {
            ensure!(
                versions.len() >= 2,
                "{name} should have seen the switch: {versions:?}"
            );
        }
        // The last of the switches (an even number of them) went back to BooksV1.
        for name in ["n1", "n2", "n3"] {
            poll(Duration::from_secs(10), || {
                ensure!(one_version(c.node(name))? == "BooksV1");
                Ok(())
            })?;
        }
        Ok(())
    })
}

#[test]
fn a_collection_built_from_another_is_complete_on_every_node() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        let n1 = c.node("n1");
        let mut rng = Rng::new(33);
        create_version(n1, "Source")?;
        import_version(n1, "Source", &mut rng)?;
        let body = json!({"class": "Rebuilt", "vectorIndexType": "flat",
            "shardingConfig": {"desiredCount": 2},
            "initFrom": {"class": "Source"}});
        let r = c.node("n3").post("/v1/schema", &body)?;
        ensure!(r.status == 200, "create from: {r}");
        ensure!(r.body["vectorIndexType"] == "flat", "own settings: {r}");
        ensure!(
            r.body["properties"][0]["name"] == "title",
            "properties from the source: {r}"
        );
        let done = poll(Duration::from_secs(30), || {
            let shards = n1.get_json("/v1/schema/Rebuilt/shards")?;
            let copy = &shards[0]["initFrom"];
            ensure!(copy["status"] == "DONE", "copy: {shards}");
            Ok(copy.clone())
        })?;
        ensure!(
            done["objectsCopied"] == OBJECTS && done["objectsTotal"] == OBJECTS,
            "{done}"
        );
        let expected: BTreeSet<String> = titles(n1, "Source")?.into_iter().collect();
        ensure!(expected.len() == OBJECTS, "source: {expected:?}");
        for name in ["n1", "n2", "n3"] {
            let got: BTreeSet<String> = titles(c.node(name), "Rebuilt")?.into_iter().collect();
            ensure!(got == expected, "Rebuilt through {name}: {got:?}");
        }
        Ok(())
    })
}

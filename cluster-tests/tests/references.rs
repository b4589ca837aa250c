//! Cross-references on a real 3-node cluster: Authors and Articles spread over every node
//! (factor 1, three shards each), references added through one node in a batch, then resolved
//! and filtered through each node with the same answers, which are checked against the data.

use std::collections::BTreeSet;

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use shoal_cluster_tests::{Rng, TestCluster, TestNode};

const AUTHORS: usize = 60;
const ARTICLES: usize = 300;

fn class(name: &str, properties: Value) -> Value {
    json!({"class": name, "vectorizer": "none", "properties": properties})
}

/// Article i references authors i % 60 and (i * 7) % 60; author a is in country a % 6.
fn authors_of(i: usize) -> [usize; 2] {
    [i % AUTHORS, (i * 7) % AUTHORS]
}

fn graphql(node: &TestNode, query: &str) -> Result<Value> {
    let r = node.post("/v1/graphql", &json!({ "query": query }))?;
    ensure!(
        r.status == 200 && r.body.get("errors").is_none(),
        "{query} on {}: {r}",
        node.name
    );
    Ok(r.body)
}

#[test]
fn references_resolve_and_filter_through_any_node() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        let n1 = c.node("n1");
        let author_class = class(
            "Author",
            json!([{"name": "name", "dataType": ["text"]}, {"name": "country", "dataType": ["text"]}]),
        );
        let article_class = class(
            "Article",
            json!([{"name": "title", "dataType": ["text"]}, {"name": "hasAuthors", "dataType": ["Author"]}]),
        );
        for body in [&author_class, &article_class] {
            let r = n1.post("/v1/schema", body)?;
            ensure!(r.status == 200, "create {}: {r}", body["class"]);
        }
        c.wait_class_on(&["n2", "n3"], "Article", true)?;
        let mut rng = Rng::new(14);
        let author_ids: Vec<String> = (0..AUTHORS).map(|_| rng.uuid()).collect();
        let article_ids: Vec<String> = (0..ARTICLES).map(|_| rng.uuid()).collect();
        let authors: Vec<Value> = (0..AUTHORS)
            .map(|a| json!({"class": "Author", "id": author_ids[a],
                "properties": {"name": format!("author {a}"), "country": format!("c{}", a % 6)},
                "vector": rng.vector(4)}))
            .collect();
        let articles: Vec<Value> = (0..ARTICLES)
            .map(|i| json!({"class": "Article", "id": article_ids[i],
                "properties": {"title": format!("article {i}")}, "vector": rng.vector(4)}))
            .collect();
        n1.batch_import(&authors, 100, "")?;
        n1.batch_import(&articles, 100, "")?;
        let refs: Vec<Value> = (0..ARTICLES)
            .flat_map(|i| authors_of(i).map(|a| (i, a)))
            .map(|(i, a)| json!({
                "from": format!("weaviate://localhost/Article/{}/hasAuthors", article_ids[i]),
                "to": format!("weaviate://localhost/Author/{}", author_ids[a])}))
            .collect();
        let r = c.node("n2").post("/v1/batch/references", &Value::Array(refs.clone()))?;
        ensure!(r.status == 200, "batch references: {r}");
        let results = r.body.as_array().context("a list")?;
        ensure!(results.len() == refs.len(), "one result per reference: {r}");
        ensure!(
            results.iter().all(|e| e["result"]["status"] == "SUCCESS"),
            "every reference added: {r}"
        );

        let expected: BTreeSet<String> = (0..ARTICLES)
            .filter(|i| authors_of(*i).iter().any(|a| a % 6 == 2))
            .map(|i| article_ids[i].clone())
            .collect();
        let filtered = r#"{Get{Article(limit: 1000, where: {path: ["hasAuthors", "Author", "country"], operator: Equal, valueText: "c2"}){_additional{id}}}}"#;
        let resolved = r#"{Get{Article(limit: 1000){title hasAuthors{... on Author{name}}}}}"#;
        for name in ["n1", "n2", "n3"] {
            let node = c.node(name);
            let body = graphql(node, filtered)?;
            let got: BTreeSet<String> = body["data"]["Get"]["Article"]
                .as_array()
                .context("rows")?
                .iter()
                .filter_map(|row| row["_additional"]["id"].as_str().map(str::to_string))
                .collect();
            ensure!(got == expected, "{name}: the filter through the reference matched {} articles, expected {}", got.len(), expected.len());

            let body = graphql(node, resolved)?;
            let rows = body["data"]["Get"]["Article"].as_array().context("rows")?;
            ensure!(rows.len() == ARTICLES, "{name}: {} rows", rows.len());
            for row in rows {
                let title = row["title"].as_str().context("title")?;
                let i: usize = title.trim_start_matches("article ").parse()?;
                let names: Vec<String> = row["hasAuthors"]
                    .as_array()
                    .with_context(|| format!("{name}: {title} has no resolved authors: {row}"))?
                    .iter()
                    .filter_map(|a| a["name"].as_str().map(str::to_string))
                    .collect();
                let want: Vec<String> = authors_of(i).iter().map(|a| format!("author {a}")).collect();
                ensure!(names == want, "{name}: {title} resolved {names:?}, expected {want:?}");
            }
        }
        Ok(())
    })
}

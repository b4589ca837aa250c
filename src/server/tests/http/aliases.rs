//! Collection aliases over HTTP, as Weaviate 1.32 answers them: the `/v1/aliases` endpoints'
//! bodies and statuses, an alias on the REST and GraphQL data paths, schema changes refused
//! through one, and aliases surviving a kill -9.

use anyhow::Result;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{create_articles, expect, json_of, Node, ID1};

fn message(body: &Value) -> String {
    body["error"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn put(node: &Node, path: &str, body: &Value) -> Result<reqwest::blocking::Response> {
    node.request(Method::PUT, path, Some(body))
}

fn delete(node: &Node, path: &str) -> Result<reqwest::blocking::Response> {
    node.request(Method::DELETE, path, None)
}

/// `Article` (three objects, from `create_articles`), an empty `Story`, and the alias `News`
/// on `Article`.
fn node_with_alias() -> Result<Node> {
    let node = Node::start()?;
    create_articles(&node)?;
    let story = json!({"class": "Story", "vectorizer": "none",
        "properties": [{"name": "title", "dataType": ["text"]}]});
    expect(node.post("/v1/schema", &story)?, StatusCode::OK)?;
    let created = expect(
        node.post("/v1/aliases", &json!({"alias": "news", "class": "article"}))?,
        StatusCode::OK,
    )?;
    assert_eq!(created, json!({"alias": "News", "class": "Article"}));
    Ok(node)
}

#[test]
fn the_aliases_endpoints_answer_as_weaviate_does() -> Result<()> {
    let node = node_with_alias()?;
    let both = json!({"aliases": [{"alias": "News", "class": "Article"}]});
    assert_eq!(expect(node.get("/v1/aliases")?, StatusCode::OK)?, both);
    assert_eq!(
        expect(node.get("/v1/aliases?class=Article")?, StatusCode::OK)?,
        both
    );
    assert_eq!(
        expect(node.get("/v1/aliases?class=Missing")?, StatusCode::OK)?,
        json!({"aliases": []})
    );
    let one = expect(node.get("/v1/aliases/news")?, StatusCode::OK)?;
    assert_eq!(one, json!({"alias": "News", "class": "Article"}));
    let (status, body) = json_of(node.get("/v1/aliases/Nothing")?)?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(message(&body), "alias Nothing not found");

    // Refusals name what is wrong.
    let refused = |body: Value, status: StatusCode, text: &str| -> Result<()> {
        let got = expect(node.post("/v1/aliases", &body)?, status)?;
        assert_eq!(message(&got), text, "{body}");
        Ok(())
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    refused(
        json!({"alias": "invalid_alias_!#", "class": "Article"}),
        unprocessable,
        "'Invalid_alias_!#' is not a valid alias name",
    )?;
    refused(
        json!({"class": "Article"}),
        unprocessable,
        "field 'alias' is required",
    )?;
    refused(
        json!({"alias": "News", "class": "Story"}),
        unprocessable,
        "create alias: alias News already exists",
    )?;
    refused(
        json!({"alias": "Story", "class": "Article"}),
        unprocessable,
        "create alias: class Story already exists",
    )?;
    refused(
        json!({"alias": "Other", "class": "Missing"}),
        StatusCode::NOT_FOUND,
        "class Missing not found",
    )?;
    let shadow = json!({"class": "News", "vectorizer": "none"});
    let got = expect(node.post("/v1/schema", &shadow)?, unprocessable)?;
    assert_eq!(message(&got), "alias name News already exists");

    // Switch, then delete.
    let switched = expect(
        put(&node, "/v1/aliases/news", &json!({"class": "Story"}))?,
        StatusCode::OK,
    )?;
    assert_eq!(switched, json!({"alias": "News", "class": "Story"}));
    expect(
        put(&node, "/v1/aliases/Nothing", &json!({"class": "Story"}))?,
        StatusCode::NOT_FOUND,
    )?;
    expect(
        put(&node, "/v1/aliases/News", &json!({"class": "Missing"}))?,
        StatusCode::NOT_FOUND,
    )?;
    let (status, _) = json_of(delete(&node, "/v1/aliases/News")?)?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = json_of(delete(&node, "/v1/aliases/News")?)?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    expect(node.get("/v1/schema/Story")?, StatusCode::OK)?;
    Ok(())
}

#[test]
fn rest_and_graphql_reach_the_class_through_its_alias() -> Result<()> {
    let node = node_with_alias()?;
    let object = expect(
        node.get(&format!("/v1/objects/News/{ID1}"))?,
        StatusCode::OK,
    )?;
    assert_eq!(object["class"], "Article", "objects are their class's");
    let listed = expect(node.get("/v1/objects?class=News")?, StatusCode::OK)?;
    assert_eq!(listed["totalResults"], 3);
    let created = expect(
        node.post(
            "/v1/objects",
            &json!({"class": "News", "properties": {"title": "four", "count": 4},
                    "vector": [1.0, 1.0, 0.0]}),
        )?,
        StatusCode::OK,
    )?;
    assert_eq!(created["class"], "Article");
    let schema = expect(node.get("/v1/schema/News")?, StatusCode::OK)?;
    assert_eq!(schema["class"], "Article");

    let query = json!({"query": "{Get{News(limit: 10){title}} Aggregate{News{meta{count}}}}"});
    let answer = expect(node.post("/v1/graphql", &query)?, StatusCode::OK)?;
    assert_eq!(
        answer["data"]["Get"]["News"].as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(answer["data"]["Aggregate"]["News"][0]["meta"]["count"], 4);

    let batch_delete = json!({"match": {"class": "News",
        "where": {"path": ["title"], "operator": "Equal", "valueText": "four"}}});
    let deleted = expect(
        node.request(Method::DELETE, "/v1/batch/objects", Some(&batch_delete))?,
        StatusCode::OK,
    )?;
    assert_eq!(deleted["match"]["class"], "Article");
    assert_eq!(deleted["results"]["successful"], 1);

    // The class definition changes through its own name only.
    let (status, _) = json_of(put(&node, "/v1/schema/News", &schema)?)?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let refused = expect(delete(&node, "/v1/schema/News")?, StatusCode::BAD_REQUEST)?;
    assert_eq!(
        message(&refused),
        "'News' is an alias of class 'Article': change the class through its own name"
    );
    expect(node.get("/v1/schema/Article")?, StatusCode::OK)?;
    Ok(())
}

#[test]
fn a_deleted_class_leaves_its_alias_which_survives_a_kill_9() -> Result<()> {
    let mut node = node_with_alias()?;
    expect(
        put(&node, "/v1/aliases/News", &json!({"class": "Story"}))?,
        StatusCode::OK,
    )?;
    node.kill9()?;
    node.spawn()?;
    let one = expect(node.get("/v1/aliases/News")?, StatusCode::OK)?;
    assert_eq!(one["class"], "Story", "the switch is durable");

    expect(delete(&node, "/v1/schema/Story")?, StatusCode::OK)?;
    let left = expect(node.get("/v1/aliases")?, StatusCode::OK)?;
    assert_eq!(
        left,
        json!({"aliases": [{"alias": "News", "class": "Story"}]})
    );
    let query = json!({"query": "{Get{News{title}}}"});
    let answer = expect(node.post("/v1/graphql", &query)?, StatusCode::OK)?;
    assert!(answer["errors"].is_array(), "{answer}");
    let write = json!({"class": "News", "properties": {"title": "x"}});
    let refused = expect(
        node.post("/v1/objects", &write)?,
        StatusCode::UNPROCESSABLE_ENTITY,
    )?;
    assert_eq!(
        message(&refused),
        "alias News points to class Story, which does not exist"
    );
    let (status, _) = json_of(node.get("/v1/schema/Story")?)?;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "not re-created by auto-schema"
    );
    Ok(())
}

//! Aliases on a real standalone node (a Raft group of one, RocksDB on disk): the endpoint's
//! operations and their refusals, every data path through an alias, schema changes refused
//! through one, a deleted class's dangling aliases, and a switch under concurrent searches.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use model::schema::parse_class;
use model::{AggregateQuery, BatchDelete, ConsistencyLevel, ListQuery, ObjectWrite, SearchQuery};
use serde_json::json;
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::ErrorKind;
use uuid::Uuid;

use super::Alias;
use crate::Coordinator;

const ONE: ConsistencyLevel = ConsistencyLevel::One;

fn write(class: &str, n: u128, title: &str) -> ObjectWrite {
    ObjectWrite {
        class: class.into(),
        id: Some(Uuid::from_u128(n)),
        tenant: None,
        properties: json!({ "title": title })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        vector: Some(vec![1.0, n as f32]),
        vectors: None,
    }
}

/// `Books` (ids 1..=3, titles "old-i") and `BooksV2` (ids 11..=14, "new-i"), two shards
/// each, and the alias `Library` on `Books`.
async fn node(dir: &std::path::Path) -> Arc<Coordinator> {
    let c = crate::testing::standalone(dir).await;
    for name in ["Books", "BooksV2"] {
        let body = json!({"class": name, "vectorizer": "none",
            "shardingConfig": {"desiredCount": 2},
            "properties": [{"name": "title", "dataType": ["text"]}]});
        let class = parse_class(&body, &c.schema_defaults()).unwrap();
        c.create_class(class).await.unwrap();
    }
    let mut writes: Vec<ObjectWrite> = (1..=3)
        .map(|i| write("Books", i, &format!("old-{i}")))
        .collect();
    writes.extend((11..=14).map(|i| write("BooksV2", i, &format!("new-{i}"))));
    assert!(c.batch_objects(writes, ONE).await.iter().all(Result::is_ok));
    c.create_alias("Library".into(), "Books".into())
        .await
        .unwrap();
    c
}

fn search(class: &str) -> SearchQuery {
    SearchQuery {
        class: class.into(),
        limit: Some(100),
        ..SearchQuery::default()
    }
}

/// The classes and titles of a search's hits.
async fn searched(c: &Coordinator, class: &str) -> Vec<(String, String)> {
    let result = c.search(search(class)).await.expect("search");
    let mut out: Vec<(String, String)> = result
        .hits
        .iter()
        .map(|h| {
            let title = h.object.properties["title"].as_str().unwrap_or_default();
            (h.object.class.clone(), title.to_string())
        })
        .collect();
    out.sort();
    out
}

fn alias(alias: &str, class: &str) -> Alias {
    Alias {
        alias: alias.into(),
        class: class.into(),
    }
}

#[tokio::test]
async fn aliases_are_created_listed_switched_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    c.create_alias("Shelf".into(), "BooksV2".into())
        .await
        .unwrap();
    assert_eq!(
        c.aliases(None),
        [alias("Library", "Books"), alias("Shelf", "BooksV2")]
    );
    assert_eq!(c.aliases(Some("booksV2")), [alias("Shelf", "BooksV2")]);
    assert!(c.aliases(Some("Nothing")).is_empty());
    assert_eq!(c.alias("library"), Some(alias("Library", "Books")));

    let switched = c.replace_alias("library", "BooksV2".into()).await.unwrap();
    assert_eq!(switched, alias("Library", "BooksV2"));
    assert_eq!(c.aliases(Some("Books")), []);
    c.delete_alias("shelf").await.unwrap();
    assert_eq!(c.aliases(None), [alias("Library", "BooksV2")]);
    assert!(
        c.class("Books").is_some(),
        "deleting an alias keeps its class"
    );
}

#[tokio::test]
async fn alias_refusals_say_which_name_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let refused = |r: crate::Result<Alias>| {
        let e = r.expect_err("refused");
        (e.kind(), e.to_string())
    };
    assert_eq!(
        refused(c.create_alias("Library".into(), "BooksV2".into()).await),
        (
            ErrorKind::Conflict,
            "create alias: alias Library already exists".into()
        )
    );
    assert_eq!(
        refused(c.create_alias("BooksV2".into(), "Books".into()).await),
        (
            ErrorKind::Conflict,
            "create alias: class BooksV2 already exists".into()
        )
    );
    assert_eq!(
        refused(c.create_alias("Other".into(), "Library".into()).await),
        (ErrorKind::NotFound, "class Library not found".into()),
        "an alias names a class, not another alias"
    );
    assert_eq!(
        refused(c.replace_alias("Missing", "Books".into()).await),
        (ErrorKind::NotFound, "alias Missing not found".into())
    );
    assert_eq!(
        refused(c.replace_alias("Library", "Missing".into()).await),
        (ErrorKind::NotFound, "class Missing not found".into())
    );
    let gone = c.delete_alias("Missing").await.unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);

    let body = json!({"class": "Library", "vectorizer": "none"});
    let shadow = parse_class(&body, &c.schema_defaults()).unwrap();
    let e = c.create_class(shadow).await.unwrap_err();
    assert_eq!(e.to_string(), "alias name Library already exists");
    assert_eq!(c.alias("Library"), Some(alias("Library", "Books")));
}

#[tokio::test]
async fn every_data_path_takes_an_alias_and_answers_with_the_class() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    // Writes: one object, a batch, a replace.
    let made = c
        .create_object(write("Library", 4, "old-4"), ONE)
        .await
        .unwrap();
    assert_eq!(made.class, "Books");
    let batch = c
        .batch_objects(vec![write("library", 5, "old-5")], ONE)
        .await;
    assert_eq!(batch[0].as_ref().unwrap().class, "Books");
    let id4 = Uuid::from_u128(4);
    c.replace_object("Library", id4, write("", 4, "old-4b"), ONE)
        .await
        .unwrap();
    // Reads: by id, listing, search, count, aggregate.
    let got = c
        .get_object(Some("Library"), id4, None, false, ONE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (got.class.as_str(), &got.properties["title"]),
        ("Books", &json!("old-4b"))
    );
    assert!(c
        .object_exists(Some("Library"), id4, None, ONE)
        .await
        .unwrap());
    let listed = c
        .list_objects(ListQuery {
            class: Some("Library".into()),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 5);
    assert!(listed.iter().all(|o| o.class == "Books"));
    assert_eq!(searched(&c, "Library").await.len(), 5);
    assert_eq!(c.count("Library", None).await.unwrap(), 5);
    let aggregated = c
        .aggregate(AggregateQuery {
            class: "Library".into(),
            ..AggregateQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(aggregated.rows[0].count, 5);
    // Schema reads.
    assert_eq!(c.class("library").unwrap().class, "Books");
    assert!(c.own_class("Library").is_none());
    assert_eq!(c.shard_statuses("Library", None).await.unwrap().len(), 2);
    // Batch delete answers with the class.
    let title_is = |t: &str| {
        Filter::Condition(Condition {
            path: FilterPath::Property("title".into()),
            operator: Operator::Equal,
            value: FilterValue::Text(t.into()),
        })
    };
    let deleted = c
        .batch_delete(
            BatchDelete {
                class: "Library".into(),
                tenant: None,
                filter: title_is("old-5"),
                dry_run: false,
                verbose: false,
                deletion_time_ms: None,
            },
            ONE,
        )
        .await
        .unwrap();
    assert_eq!((deleted.class.as_str(), deleted.successful), ("Books", 1));
    // Single delete.
    c.delete_object(Some("Library"), id4, None, ONE)
        .await
        .unwrap();
    assert_eq!(c.count("Books", None).await.unwrap(), 3);
}

#[tokio::test]
async fn a_class_definition_changes_through_its_own_name_only() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let mut updated = c.class("Library").unwrap();
    updated.class = "Library".into();
    let e = c.update_class(updated).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "'Library' is an alias of class 'Books': change the class through its own name"
    );
    let property =
        model::schema::parse_property(&json!({"name": "year", "dataType": ["int"]})).unwrap();
    let e = c.add_property("Library", property).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let e = c.delete_class("library").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert!(c.class("Books").is_some(), "not deleted through its alias");
    assert!(c.existing_class("Library").is_err());
}

#[tokio::test]
async fn a_deleted_class_leaves_a_dangling_alias_that_writes_do_not_revive() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    c.delete_class("Books").await.unwrap();
    assert_eq!(c.aliases(None), [alias("Library", "Books")]);
    let e = c.search(search("Library")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "alias Library points to class Books, which does not exist"
    );
    // Auto-schema is on: a write through the alias must not create `Books` (nor `Library`).
    let e = c
        .create_object(write("Library", 7, "x"), ONE)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(c.class("Books").is_none() && c.own_class("Library").is_none());
    assert!(c
        .queryable_classes()
        .iter()
        .all(|(name, _)| name != "Library"));
    // Switched to a class that exists, it serves again.
    c.replace_alias("Library", "BooksV2".into()).await.unwrap();
    assert_eq!(searched(&c, "Library").await.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_see_one_class_or_the_other_while_the_alias_switches() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let old: Vec<(String, String)> = searched(&c, "Books").await;
    let new: Vec<(String, String)> = searched(&c, "BooksV2").await;
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (c, done) = (c.clone(), done.clone());
        tokio::spawn(async move {
            let mut seen = [0usize; 2];
            while !done.load(Ordering::Acquire) || seen.iter().sum::<usize>() < 50 {
                let got = searched(&c, "Library").await;
                match (got == old, got == new) {
                    (true, _) => seen[0] += 1,
                    (_, true) => seen[1] += 1,
                    _ => panic!("a mix of both classes, or neither: {got:?}"),
                }
            }
            seen
        })
    };
    for i in 0..40 {
        let target = if i % 2 == 0 { "BooksV2" } else { "Books" };
        c.replace_alias("Library", target.into()).await.unwrap();
    }
    done.store(true, Ordering::Release);
    let seen = reader
        .await
        .expect("every answer came whole from one class");
    assert!(
        seen[0] > 0 && seen[1] > 0,
        "both classes answered: {seen:?}"
    );
}

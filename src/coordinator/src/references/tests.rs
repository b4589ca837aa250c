//! References end to end on a real standalone node (RocksDB on disk): reference changes,
//! batch references, resolution into hits to two levels, filters through one and two hops,
//! reference counts, dangling references and refused writes. `Article` has three shards, so
//! that resolution and filters go through several of them.

use std::sync::Arc;

use model::references::BatchReference;
use model::schema::parse_class;
use model::{ConsistencyLevel, ObjectWrite, ReferenceQuery, ReferenceTarget, SearchQuery};
use serde_json::{json, Map, Value};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::ErrorKind;
use uuid::Uuid;

use super::{ReferenceEdit, ReferenceSource};
use crate::Coordinator;

const ONE: ConsistencyLevel = ConsistencyLevel::One;

fn author(n: u128) -> Uuid {
    Uuid::from_u128(0xa000 + n)
}

fn article(n: u128) -> Uuid {
    Uuid::from_u128(0xb000 + n)
}

fn publisher(n: u128) -> Uuid {
    Uuid::from_u128(0xc000 + n)
}

fn beacon(class: &str, id: Uuid) -> Value {
    json!({ "beacon": format!("weaviate://localhost/{class}/{id}") })
}

fn write(class: &str, id: Uuid, properties: Value) -> ObjectWrite {
    ObjectWrite {
        class: class.into(),
        id: Some(id),
        tenant: None,
        properties: properties.as_object().cloned().unwrap_or_default(),
        vector: Some(vec![1.0, 0.5]),
        vectors: None,
    }
}

/// Publisher <- Author.worksFor; Author <- Article.hasAuthors. Two publishers, four authors
/// (a0, a1 at p0; a2, a3 at p1), ten articles: article i is by authors i % 4 and (i + 1) % 4,
/// except article 9, which has no authors.
async fn node(dir: &std::path::Path) -> Arc<Coordinator> {
    let c = crate::testing::standalone(dir).await;
    let classes = [
        json!({"class": "Publisher", "vectorizer": "none", "properties": [
            {"name": "name", "dataType": ["text"]}]}),
        json!({"class": "Author", "vectorizer": "none", "properties": [
            {"name": "name", "dataType": ["text"]},
            {"name": "age", "dataType": ["int"]},
            {"name": "worksFor", "dataType": ["Publisher"]}]}),
        json!({"class": "Article", "vectorizer": "none",
            "shardingConfig": {"desiredCount": 3},
            "invertedIndexConfig": {"indexNullState": true},
            "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "hasAuthors", "dataType": ["Author", "Publisher"]}]}),
    ];
    for body in classes {
        let class = parse_class(&body, &c.schema_defaults()).unwrap();
        c.create_class(class).await.unwrap();
    }
    // Targets first: a written reference must point at an existing object.
    let publishers = (0..2)
        .map(|p| write("Publisher", publisher(p), json!({"name": format!("p{p}")})))
        .collect();
    assert!(c
        .batch_objects(publishers, ONE)
        .await
        .iter()
        .all(Result::is_ok));
    let mut writes = Vec::new();
    for a in 0..4u128 {
        let props = json!({"name": format!("a{a}"), "age": 30 + a,
            "worksFor": [beacon("Publisher", publisher(a / 2))]});
        writes.push(write("Author", author(a), props));
    }
    assert!(c.batch_objects(writes, ONE).await.iter().all(Result::is_ok));
    let articles = (0..10u128)
        .map(|i| {
            let authors = if i == 9 {
                json!([])
            } else {
                json!([
                    beacon("Author", author(i % 4)),
                    beacon("Author", author((i + 1) % 4))
                ])
            };
            write(
                "Article",
                article(i),
                json!({"title": format!("t{i}"), "hasAuthors": authors}),
            )
        })
        .collect();
    let done = c.batch_objects(articles, ONE).await;
    assert!(
        done.iter().all(Result::is_ok),
        "{:?}",
        done.iter().find(|r| r.is_err())
    );
    c
}

fn hop(property: &str, class: &str, rest: FilterPath) -> FilterPath {
    FilterPath::Reference {
        property: property.into(),
        class: class.into(),
        rest: Box::new(rest),
    }
}

fn condition(path: FilterPath, operator: Operator, value: FilterValue) -> Filter {
    Filter::Condition(Condition {
        path,
        operator,
        value,
    })
}

/// The article numbers a filter matches, sorted.
async fn articles_matching(c: &Coordinator, filter: Filter) -> Vec<u128> {
    let q = SearchQuery {
        class: "Article".into(),
        limit: Some(100),
        filter: Some(filter),
        ..SearchQuery::default()
    };
    let mut found: Vec<u128> = c
        .search(q)
        .await
        .unwrap()
        .hits
        .iter()
        .map(|h| h.object.id.as_u128() - 0xb000)
        .collect();
    found.sort_unstable();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_go_through_one_and_two_hops_and_count_references() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let name = |n: &str| FilterValue::Text(n.into());
    // articles by a1: 0 (a0, a1) and 1 (a1, a2), 4, 5
    let by_a1 = condition(
        hop("hasAuthors", "Author", FilterPath::Property("name".into())),
        Operator::Equal,
        name("a1"),
    );
    assert_eq!(articles_matching(&c, by_a1).await, vec![0, 1, 4, 5, 8]);
    // two hops: an author at p1 (a2 or a3): every article but those by a0 and a1 only (0, 4, 8) and 9
    let at_p1 = condition(
        hop(
            "hasAuthors",
            "Author",
            hop("worksFor", "Publisher", FilterPath::Property("name".into())),
        ),
        Operator::Equal,
        name("p1"),
    );
    assert_eq!(articles_matching(&c, at_p1).await, vec![1, 2, 3, 5, 6, 7]);
    // a range on the target, combined with a condition on the article itself
    let older = condition(
        hop("hasAuthors", "Author", FilterPath::Property("age".into())),
        Operator::GreaterThanEqual,
        FilterValue::Int(33),
    );
    let title = condition(
        FilterPath::Property("title".into()),
        Operator::Equal,
        name("t2"),
    );
    assert_eq!(articles_matching(&c, older.clone()).await, vec![2, 3, 6, 7]);
    assert_eq!(
        articles_matching(&c, Filter::And(vec![older.clone(), title])).await,
        vec![2]
    );
    assert_eq!(
        articles_matching(&c, Filter::Not(Box::new(older))).await,
        vec![0, 1, 4, 5, 8, 9]
    );
    // the number of references, and none at all
    let count = |op, n| {
        condition(
            FilterPath::Property("hasAuthors".into()),
            op,
            FilterValue::Int(n),
        )
    };
    assert_eq!(
        articles_matching(&c, count(Operator::Equal, 0)).await,
        vec![9]
    );
    assert_eq!(
        articles_matching(&c, count(Operator::GreaterThan, 1)).await,
        vec![0, 1, 2, 3, 4, 5, 6, 7, 8]
    );
    let null = condition(
        FilterPath::Property("hasAuthors".into()),
        Operator::IsNull,
        FilterValue::Boolean(true),
    );
    assert_eq!(articles_matching(&c, null).await, vec![9]);
    // a target class the path names but no reference points into
    let publishers = condition(
        hop(
            "hasAuthors",
            "Publisher",
            FilterPath::Property("name".into()),
        ),
        Operator::Equal,
        name("p0"),
    );
    assert!(articles_matching(&c, publishers).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_reference_paths_are_refused_before_any_shard_runs() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let q = |path| SearchQuery {
        class: "Article".into(),
        filter: Some(condition(
            path,
            Operator::Equal,
            FilterValue::Text("x".into()),
        )),
        ..SearchQuery::default()
    };
    let err = c
        .search(q(hop(
            "hasAuthors",
            "Nobody",
            FilterPath::Property("name".into()),
        )))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string()
            .contains(r#"class "Nobody" does not exist in schema"#),
        "{err}"
    );
    let err = c
        .search(q(hop(
            "title",
            "Author",
            FilterPath::Property("name".into()),
        )))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("is not a cross-reference"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hits_resolve_references_two_levels_deep_and_skip_dangling_ones() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let publishers = ReferenceTarget {
        class: "Publisher".into(),
        with_vectors: false,
        references: vec![],
    };
    let authors = ReferenceTarget {
        class: "Author".into(),
        with_vectors: true,
        references: vec![ReferenceQuery {
            property: "worksFor".into(),
            targets: vec![publishers],
        }],
    };
    let q = SearchQuery {
        class: "Article".into(),
        limit: Some(100),
        references: vec![ReferenceQuery {
            property: "hasAuthors".into(),
            targets: vec![authors],
        }],
        ..SearchQuery::default()
    };
    let result = c.search(q.clone()).await.unwrap();
    assert_eq!(result.hits.len(), 10);
    for hit in &result.hits {
        let i = hit.object.id.as_u128() - 0xb000;
        let resolved = &hit.references["hasAuthors"];
        if i == 9 {
            assert!(resolved.is_empty());
            continue;
        }
        let ids: Vec<Uuid> = resolved.iter().map(|r| r.object.id).collect();
        assert_eq!(
            ids,
            vec![author(i % 4), author((i + 1) % 4)],
            "beacon order"
        );
        for r in resolved {
            assert!(
                r.object.default_vector().is_some(),
                "vectors were asked for"
            );
            let a = r.object.id.as_u128() - 0xa000;
            let works_for: Vec<Uuid> = r.references["worksFor"]
                .iter()
                .map(|p| p.object.id)
                .collect();
            assert_eq!(works_for, vec![publisher(a / 2)]);
        }
    }
    // a deleted author leaves dangling beacons, which resolution skips
    c.delete_object(Some("Author"), author(1), None, ONE)
        .await
        .unwrap();
    let result = c.search(q).await.unwrap();
    let first = result
        .hits
        .iter()
        .find(|h| h.object.id == article(0))
        .unwrap();
    let ids: Vec<Uuid> = first.references["hasAuthors"]
        .iter()
        .map(|r| r.object.id)
        .collect();
    assert_eq!(ids, vec![author(0)]);
    let stored = first.object.properties["hasAuthors"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(stored, 2, "the beacon itself stays");
}

fn source(id: Uuid) -> ReferenceSource {
    ReferenceSource {
        class: Some("Article".into()),
        id,
        property: "hasAuthors".into(),
        tenant: None,
    }
}

async fn stored_refs(c: &Coordinator, id: Uuid) -> Vec<Value> {
    let object = c
        .get_object(Some("Article"), id, None, false, ONE)
        .await
        .unwrap()
        .unwrap();
    object.properties["hasAuthors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_changes_add_replace_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let before = c
        .get_object(Some("Article"), article(9), None, true, ONE)
        .await
        .unwrap()
        .unwrap();
    let add = |id| ReferenceEdit::Add(beacon("Author", id));
    c.change_references(source(article(9)), add(author(2)), ONE)
        .await
        .unwrap();
    c.change_references(
        source(article(9)),
        ReferenceEdit::Add(beacon("Publisher", publisher(0))),
        ONE,
    )
    .await
    .unwrap();
    assert_eq!(
        stored_refs(&c, article(9)).await,
        vec![
            beacon("Author", author(2)),
            beacon("Publisher", publisher(0))
        ]
    );
    let after = c
        .get_object(Some("Article"), article(9), None, true, ONE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.vectors, before.vectors, "the vector is kept");
    assert_eq!(after.creation_time_ms, before.creation_time_ms);
    // the reverse index follows the change
    let by_a2 = condition(
        hop("hasAuthors", "Author", FilterPath::Property("name".into())),
        Operator::Equal,
        FilterValue::Text("a2".into()),
    );
    assert!(articles_matching(&c, by_a2.clone()).await.contains(&9));

    c.change_references(
        source(article(9)),
        ReferenceEdit::Delete(beacon("Author", author(2))),
        ONE,
    )
    .await
    .unwrap();
    assert_eq!(
        stored_refs(&c, article(9)).await,
        vec![beacon("Publisher", publisher(0))]
    );
    assert!(!articles_matching(&c, by_a2).await.contains(&9));

    let all = json!([beacon("Author", author(0)), beacon("Author", author(3))]);
    c.change_references(source(article(9)), ReferenceEdit::Replace(all.clone()), ONE)
        .await
        .unwrap();
    assert_eq!(Value::Array(stored_refs(&c, article(9)).await), all);
    c.change_references(source(article(9)), ReferenceEdit::Replace(json!([])), ONE)
        .await
        .unwrap();
    assert!(stored_refs(&c, article(9)).await.is_empty());

    // the class-less endpoint finds the class by id
    let classless = ReferenceSource {
        class: None,
        ..source(article(9))
    };
    c.change_references(classless, add(author(1)), ONE)
        .await
        .unwrap();
    assert_eq!(
        stored_refs(&c, article(9)).await,
        vec![beacon("Author", author(1))]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_reference_changes_name_the_problem_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let add = |id| ReferenceEdit::Add(beacon("Author", id));
    let err = c
        .change_references(source(article(99)), add(author(0)), ONE)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = c
        .change_references(source(article(0)), add(author(99)), ONE)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string()
            .contains(&format!("no object with id {} found", author(99))),
        "{err}"
    );
    let wrong_property = ReferenceSource {
        property: "title".into(),
        ..source(article(0))
    };
    let err = c
        .change_references(wrong_property, add(author(0)), ONE)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("property 'title' is not a reference-type"),
        "{err}"
    );
    let err = c
        .change_references(
            source(article(0)),
            ReferenceEdit::Add(json!({"beacon": "weaviate://localhost/Author/nope"})),
            ONE,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("must be uuid"), "{err}");
    assert_eq!(
        stored_refs(&c, article(0)).await,
        vec![beacon("Author", author(0)), beacon("Author", author(1))]
    );
    // an object written with a reference to nothing is refused too, in a batch on its own
    let dangling = write(
        "Article",
        article(50),
        json!({"hasAuthors": [beacon("Author", author(77))]}),
    );
    let fine = write(
        "Article",
        article(51),
        json!({"hasAuthors": [beacon("Author", author(0))]}),
    );
    let done = c.batch_objects(vec![dangling, fine], ONE).await;
    assert!(done[0]
        .as_ref()
        .is_err_and(|e| e.to_string().contains("no object with id")));
    assert!(done[1].is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_references_apply_in_order_with_a_result_each() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let r = |from: Uuid, property: &str, to: Value| BatchReference {
        from_class: "Article".into(),
        from_id: from,
        property: property.into(),
        to,
        tenant: None,
    };
    let refs = vec![
        r(article(9), "hasAuthors", beacon("Author", author(3))),
        r(article(8), "hasAuthors", beacon("Author", author(2))),
        r(article(9), "hasAuthors", beacon("Author", author(0))),
        r(article(9), "title", beacon("Author", author(0))),
        r(article(77), "hasAuthors", beacon("Author", author(0))),
        // batch references do not check that the target exists (as Weaviate)
        r(article(9), "hasAuthors", beacon("Author", author(55))),
    ];
    let results = c.batch_references(refs, ONE).await;
    let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
    assert_eq!(
        ok,
        vec![true, true, true, false, false, true],
        "{results:?}"
    );
    assert!(results[3]
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("is not a reference-type"));
    assert_eq!(results[4].as_ref().unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(
        stored_refs(&c, article(9)).await,
        vec![
            beacon("Author", author(3)),
            beacon("Author", author(0)),
            beacon("Author", author(55))
        ]
    );
    assert_eq!(stored_refs(&c, article(8)).await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_additions_to_one_object_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..4u128 {
        let c = c.clone();
        tasks.spawn(async move {
            let edit = ReferenceEdit::Add(beacon("Author", author(i)));
            c.change_references(source(article(9)), edit, ONE).await
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    let mut ids: Vec<Value> = stored_refs(&c, article(9)).await;
    ids.sort_by_key(|v| v.to_string());
    let mut want: Vec<Value> = (0..4).map(|i| beacon("Author", author(i))).collect();
    want.sort_by_key(|v| v.to_string());
    assert_eq!(ids, want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merges_add_references_and_references_go_deeper_than_the_limit_only_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let mut patch = Map::new();
    patch.insert("hasAuthors".into(), json!([beacon("Author", author(3))]));
    let patch = ObjectWrite {
        class: "Article".into(),
        properties: patch,
        ..ObjectWrite::default()
    };
    c.merge_object("Article", article(0), patch, ONE)
        .await
        .unwrap();
    assert_eq!(
        stored_refs(&c, article(0)).await,
        vec![
            beacon("Author", author(0)),
            beacon("Author", author(1)),
            beacon("Author", author(3))
        ]
    );
    let mut deep = ReferenceQuery {
        property: "worksFor".into(),
        targets: vec![],
    };
    for _ in 0..6 {
        deep = ReferenceQuery {
            property: "hasAuthors".into(),
            targets: vec![ReferenceTarget {
                class: "Author".into(),
                with_vectors: false,
                references: vec![deep],
            }],
        };
    }
    let q = SearchQuery {
        class: "Article".into(),
        references: vec![deep],
        ..SearchQuery::default()
    };
    let err = c.search(q).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("QUERY_CROSS_REFERENCE_DEPTH_LIMIT"),
        "{err}"
    );
}

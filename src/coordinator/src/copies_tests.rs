//! `initFrom` end to end on a real standalone node (RocksDB on disk): every object, vector and
//! time copied over several pages into a class with other index settings, a tenant copied
//! alone, a copy resumed after its last recorded uuid, a copy that fails with its error, and
//! the refusals of a bad source.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cluster::copies::{CopyProgress, CopyState};
use model::schema::{inherit_from, parse_class, parse_init_from};
use model::{ConsistencyLevel, ListQuery, ObjectWrite};
use serde_json::{json, Value};
use types::{ErrorKind, Object};
use uuid::Uuid;

use crate::Coordinator;

const ONE: ConsistencyLevel = ConsistencyLevel::One;

/// More than two pages of the copy.
const OBJECTS: u128 = 1_234;

async fn create(c: &Coordinator, body: Value) {
    c.create_class(parse_class(&body, &c.schema_defaults()).unwrap())
        .await
        .unwrap();
}

/// Creates a class from a body with `initFrom`, as the REST handler does.
async fn create_from(c: &Arc<Coordinator>, body: Value) -> crate::Result<()> {
    let init = parse_init_from(&body)?.expect("a body with initFrom");
    let source = c.init_from_source(&init)?;
    let body = inherit_from(&body, &source)?;
    let class = parse_class(&body, &c.schema_defaults())?;
    c.create_class_from(class, init).await.map(|_| ())
}

fn write(class: &str, tenant: Option<&str>, id: u128) -> ObjectWrite {
    let properties = json!({
        "title": format!("title {id}"),
        "count": id as i64,
        "when": "2024-03-01T10:00:00Z",
        "tags": ["a", format!("t{}", id % 7)],
    });
    ObjectWrite {
        class: class.into(),
        id: Some(Uuid::from_u128(id)),
        tenant: tenant.map(str::to_string),
        properties: properties.as_object().cloned().unwrap(),
        vector: Some(vec![1.0, id as f32, (id % 13) as f32]),
        vectors: None,
    }
}

async fn fill(c: &Coordinator, class: &str, tenant: Option<&str>, ids: std::ops::Range<u128>) {
    let writes: Vec<ObjectWrite> = ids.map(|id| write(class, tenant, id)).collect();
    assert!(c.batch_objects(writes, ONE).await.iter().all(Result::is_ok));
}

async fn source_node(dir: &Path) -> Arc<Coordinator> {
    let c = crate::testing::standalone(dir).await;
    create(
        &c,
        json!({"class": "Article", "vectorizer": "none", "vectorIndexType": "hnsw",
           "properties": [
               {"name": "title", "dataType": ["text"]},
               {"name": "count", "dataType": ["int"]},
               {"name": "when", "dataType": ["date"]},
               {"name": "tags", "dataType": ["text[]"]}]}),
    )
    .await;
    fill(&c, "Article", None, 1..OBJECTS + 1).await;
    c
}

async fn all_objects(c: &Coordinator, class: &str, tenant: Option<&str>) -> Vec<Object> {
    let q = ListQuery {
        class: Some(class.into()),
        tenant: tenant.map(str::to_string),
        limit: Some(10_000),
        with_vectors: true,
        ..ListQuery::default()
    };
    c.list_objects(q).await.unwrap()
}

/// The copy's progress once it ended, as every shard of the class reports it.
async fn ended(c: &Coordinator, class: &str) -> CopyProgress {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let shards = c.shard_statuses(class, None).await.unwrap();
        let copy = shards[0].copy.clone().expect("a copy is reported");
        assert!(shards.iter().all(|s| s.copy.as_ref() == Some(&copy)));
        if !copy.is_copying() {
            return copy;
        }
        assert!(shards.iter().all(|s| s.status == "INDEXING"), "{shards:?}");
        assert!(Instant::now() < deadline, "the copy did not end: {copy:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn without_class(objects: Vec<Object>) -> Vec<Object> {
    objects
        .into_iter()
        .map(|o| Object {
            class: String::new(),
            ..o
        })
        .collect()
}

fn message(e: crate::Error) -> String {
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    e.to_string()
}

#[tokio::test]
async fn every_object_vector_and_time_is_copied_into_new_index_settings() {
    let dir = tempfile::tempdir().unwrap();
    let c = source_node(dir.path()).await;
    let body = json!({"class": "ArticleV2", "vectorIndexType": "flat",
                      "initFrom": {"class": "Article"}});
    create_from(&c, body).await.unwrap();
    let copy = ended(&c, "ArticleV2").await;
    assert_eq!(copy.state, CopyState::Done, "{copy:?}");
    assert_eq!((copy.copied, copy.total), (OBJECTS as u64, OBJECTS as u64));
    let copied = all_objects(&c, "ArticleV2", None).await;
    assert!(copied.iter().all(|o| o.class == "ArticleV2"));
    assert_eq!(
        without_class(copied),
        without_class(all_objects(&c, "Article", None).await)
    );
    let class = c.class("ArticleV2").unwrap();
    assert_eq!(class.properties, c.class("Article").unwrap().properties);
    assert_eq!(class.vector_index_type.unwrap().as_str(), "flat");
    let shards = c.shard_statuses("ArticleV2", None).await.unwrap();
    assert!(shards.iter().all(|s| s.status == "READY"), "{shards:?}");
}

#[tokio::test]
async fn one_tenant_is_copied_alone() {
    let dir = tempfile::tempdir().unwrap();
    let c = crate::testing::standalone(dir.path()).await;
    create(
        &c,
        json!({"class": "Mt", "vectorizer": "none", "multiTenancyConfig": {"enabled": true}}),
    )
    .await;
    let hot = |n: &str| (n.to_string(), "HOT".to_string());
    c.add_tenants("Mt", vec![hot("a"), hot("b")]).await.unwrap();
    fill(&c, "Mt", Some("a"), 1..11).await;
    fill(&c, "Mt", Some("b"), 11..31).await;
    let body = json!({"class": "OnlyB", "initFrom": {"class": "Mt", "tenant": "b"}});
    create_from(&c, body).await.unwrap();
    let copy = ended(&c, "OnlyB").await;
    assert_eq!((copy.state, copy.copied), (CopyState::Done, 20));
    assert_eq!(copy.tenant.as_deref(), Some("b"));
    let copied = all_objects(&c, "OnlyB", None).await;
    assert!(copied.iter().all(|o| o.tenant.is_none()));
    let ids: Vec<u128> = copied.iter().map(|o| o.id.as_u128()).collect();
    assert_eq!(ids, (11..31).collect::<Vec<_>>());
    assert!(!c.class("OnlyB").unwrap().multi_tenancy_config.enabled);

    let refused = |body: Value| {
        let c = c.clone();
        async move { message(create_from(&c, body).await.unwrap_err()) }
    };
    assert_eq!(
        refused(json!({"class": "X", "initFrom": {"class": "Mt"}})).await,
        "initFrom.tenant: class Mt has multi-tenancy enabled, but request was without tenant"
    );
    assert_eq!(
        refused(json!({"class": "X", "initFrom": {"class": "Mt", "tenant": "zz"}})).await,
        "initFrom.tenant: tenant not found: \"zz\""
    );
    assert_eq!(
        refused(json!({"class": "X", "initFrom": {"class": "OnlyB", "tenant": "b"}})).await,
        "initFrom.tenant: class OnlyB has multi-tenancy disabled, but request was with tenant"
    );
    assert_eq!(
        refused(json!({"class": "X", "initFrom": {"class": "Nope"}})).await,
        "initFrom.class: class 'Nope' not found in schema"
    );
    assert!(c.class("X").is_none(), "a refused copy creates no class");
}

#[tokio::test]
async fn a_copy_resumes_after_its_last_recorded_uuid() {
    let dir = tempfile::tempdir().unwrap();
    let c = source_node(dir.path()).await;
    // As a runner that recorded 700 objects and then stopped would have left it.
    let class = parse_class(
        &json!({"class": "Resumed", "vectorizer": "none"}),
        &c.schema_defaults(),
    )
    .unwrap();
    let progress = CopyProgress {
        copied: 700,
        cursor: Some(Uuid::from_u128(700)),
        ..CopyProgress::start("Article".into(), None, "node1".into(), OBJECTS as u64)
    };
    c.create_class_with(class, |meta| meta.copy = Some(progress))
        .await
        .unwrap();
    c.resume_copies();
    let copy = ended(&c, "Resumed").await;
    assert_eq!((copy.state, copy.copied), (CopyState::Done, OBJECTS as u64));
    let ids: Vec<u128> = all_objects(&c, "Resumed", None)
        .await
        .iter()
        .map(|o| o.id.as_u128())
        .collect();
    assert_eq!(ids, (701..OBJECTS + 1).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_copy_that_cannot_write_fails_with_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let c = source_node(dir.path()).await;
    let body = json!({"class": "Mistyped", "initFrom": {"class": "Article"},
                      "properties": [{"name": "title", "dataType": ["int"]}]});
    create_from(&c, body).await.unwrap();
    let copy = ended(&c, "Mistyped").await;
    assert_eq!((copy.state, copy.copied), (CopyState::Failed, 0));
    let error = copy.error.expect("the error is kept");
    assert!(error.contains("title"), "{error}");
}

#[tokio::test]
async fn named_vectors_must_fit_the_new_class() {
    let dir = tempfile::tempdir().unwrap();
    let c = crate::testing::standalone(dir.path()).await;
    create(
        &c,
        json!({"class": "Named", "vectorConfig": {
            "a": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"},
            "b": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"}}}),
    )
    .await;
    let mut w = write("Named", None, 1);
    w.vector = None;
    w.vectors = Some([("a".into(), vec![1.0, 2.0]), ("b".into(), vec![3.0])].into());
    assert!(c.batch_objects(vec![w], ONE).await[0].is_ok());
    let body = json!({"class": "OnlyA", "initFrom": {"class": "Named"},
        "vectorConfig": {"a": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"}}});
    assert_eq!(
        message(create_from(&c, body).await.unwrap_err()),
        "initFrom: class Named has the named vector 'b', which the new class's vectorConfig does not declare"
    );
    create_from(&c, json!({"class": "Both", "initFrom": {"class": "Named"}}))
        .await
        .unwrap();
    assert_eq!(ended(&c, "Both").await.state, CopyState::Done);
    let copied = all_objects(&c, "Both", None).await;
    assert_eq!(copied[0].vectors.len(), 2);
    assert_eq!(copied[0].vectors["b"], vec![3.0]);
}

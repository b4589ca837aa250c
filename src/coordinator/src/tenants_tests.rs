//! Tenants end to end on a real standalone node (RocksDB on disk): isolation between tenants,
//! Weaviate's refusals, COLD tenants closed and reopened with their data, deleted tenants
//! losing theirs, automatic creation and activation, and a restart that opens no tenant
//! until one is asked for.

use std::path::Path;
use std::sync::Arc;

use model::schema::parse_class;
use model::{ConsistencyLevel, ListQuery, ObjectWrite, SearchQuery, VectorSearch};
use serde_json::json;
use types::ErrorKind;
use uuid::Uuid;

use crate::Coordinator;

const ONE: ConsistencyLevel = ConsistencyLevel::One;

async fn node(dir: &Path, auto: bool) -> Arc<Coordinator> {
    let c = crate::testing::standalone(dir).await;
    let body = json!({"class": "Mt", "vectorizer": "none",
        "multiTenancyConfig": {"enabled": true, "autoTenantCreation": auto,
                               "autoTenantActivation": auto},
        "properties": [{"name": "title", "dataType": ["text"]}]});
    c.create_class(parse_class(&body, &c.schema_defaults()).unwrap())
        .await
        .unwrap();
    let plain = json!({"class": "Plain", "vectorizer": "none"});
    c.create_class(parse_class(&plain, &c.schema_defaults()).unwrap())
        .await
        .unwrap();
    c
}

fn write(tenant: Option<&str>, id: u128, title: &str) -> ObjectWrite {
    ObjectWrite {
        class: "Mt".into(),
        id: Some(Uuid::from_u128(id)),
        tenant: tenant.map(str::to_string),
        properties: json!({ "title": title }).as_object().cloned().unwrap(),
        vector: Some(vec![1.0, id as f32]),
        vectors: None,
    }
}

fn hot(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (n.to_string(), "HOT".into()))
        .collect()
}

/// The titles a tenant's listing returns, sorted.
async fn titles(c: &Coordinator, tenant: &str) -> crate::Result<Vec<String>> {
    let q = ListQuery {
        class: Some("Mt".into()),
        tenant: Some(tenant.into()),
        limit: Some(100),
        ..ListQuery::default()
    };
    let mut out: Vec<String> = c
        .list_objects(q)
        .await?
        .into_iter()
        .map(|o| {
            o.properties["title"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    out.sort();
    Ok(out)
}

fn message(e: crate::Error) -> String {
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    e.to_string()
}

#[tokio::test]
async fn tenants_are_isolated_and_every_read_path_stays_in_one() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path(), false).await;
    c.add_tenants("Mt", hot(&["a", "b"])).await.unwrap();
    // The same id in two tenants is two objects.
    let writes = vec![
        write(Some("a"), 1, "a1"),
        write(Some("a"), 2, "a2"),
        write(Some("b"), 1, "b1"),
    ];
    assert!(c.batch_objects(writes, ONE).await.iter().all(Result::is_ok));
    assert_eq!(titles(&c, "a").await.unwrap(), ["a1", "a2"]);
    assert_eq!(titles(&c, "b").await.unwrap(), ["b1"]);
    let got = c
        .get_object(Some("Mt"), Uuid::from_u128(1), Some("b"), false, ONE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.properties["title"], "b1");
    assert_eq!(got.tenant.as_deref(), Some("b"));
    let search = SearchQuery {
        class: "Mt".into(),
        tenant: Some("a".into()),
        limit: Some(10),
        vector_search: Some(VectorSearch::NearVector {
            vector: vec![1.0, 1.0],
            target_vectors: Vec::new(),
            threshold: None,
            per_target: Default::default(),
            combination: Default::default(),
        }),
        ..SearchQuery::default()
    };
    let hits = c.search(search).await.unwrap().hits;
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().all(|h| h.object.tenant.as_deref() == Some("a")));
    assert_eq!(c.count("Mt", Some("b")).await.unwrap(), 1);
    c.delete_object(Some("Mt"), Uuid::from_u128(1), Some("a"), ONE)
        .await
        .unwrap();
    assert_eq!(titles(&c, "a").await.unwrap(), ["a2"]);
    assert_eq!(titles(&c, "b").await.unwrap(), ["b1"]);
}

#[tokio::test]
async fn requests_get_weaviates_tenant_errors() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path(), false).await;
    c.add_tenants("Mt", vec![("cold".into(), "COLD".into())])
        .await
        .unwrap();
    let refused =
        |r: Vec<crate::Result<types::Object>>| message(r.into_iter().next().unwrap().unwrap_err());
    assert_eq!(
        refused(c.batch_objects(vec![write(None, 1, "x")], ONE).await),
        "class Mt has multi-tenancy enabled, but request was without tenant"
    );
    assert_eq!(
        refused(
            c.batch_objects(vec![write(Some("nope"), 1, "x")], ONE)
                .await
        ),
        "tenant not found: \"nope\""
    );
    assert_eq!(
        refused(
            c.batch_objects(vec![write(Some("cold"), 1, "x")], ONE)
                .await
        ),
        "tenant not active: 'cold'"
    );
    let mut plain = write(Some("cold"), 1, "x");
    plain.class = "Plain".into();
    plain.properties.clear();
    assert_eq!(
        refused(c.batch_objects(vec![plain], ONE).await),
        "class Plain has multi-tenancy disabled, but request was with tenant"
    );
    assert_eq!(
        message(c.add_tenants("Plain", hot(&["a"])).await.unwrap_err()),
        "multi-tenancy is not enabled for class \"Plain\""
    );
    assert_eq!(
        message(c.update_tenants("Mt", hot(&["ghost"])).await.unwrap_err()),
        "tenant not found: \"ghost\""
    );
}

#[tokio::test]
async fn cold_tenants_close_and_keep_their_data_deleted_ones_lose_it() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path(), false).await;
    c.add_tenants("Mt", hot(&["a"])).await.unwrap();
    let done = c
        .batch_objects(vec![write(Some("a"), 1, "kept")], ONE)
        .await;
    assert!(done.iter().all(Result::is_ok));
    assert!(
        c.shards.shard("Mt", "a").is_some(),
        "opened by its first request"
    );
    c.update_tenants("Mt", vec![("a".into(), "COLD".into())])
        .await
        .unwrap();
    assert!(
        c.shards.shard("Mt", "a").is_none(),
        "a COLD tenant holds no shard"
    );
    assert_eq!(
        message(titles(&c, "a").await.unwrap_err()),
        "tenant not active: 'a'"
    );
    c.update_tenants("Mt", hot(&["a"])).await.unwrap();
    assert_eq!(titles(&c, "a").await.unwrap(), ["kept"]);
    c.delete_tenants("Mt", vec!["a".into(), "never-was".into()])
        .await
        .unwrap();
    assert!(c.tenants("Mt", None).unwrap().is_empty());
    c.add_tenants("Mt", hot(&["a"])).await.unwrap();
    assert!(
        titles(&c, "a").await.unwrap().is_empty(),
        "a new tenant starts empty"
    );
}

#[tokio::test]
async fn auto_creation_and_activation() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path(), true).await;
    let done = c
        .batch_objects(vec![write(Some("fresh"), 1, "made")], ONE)
        .await;
    assert!(done.iter().all(Result::is_ok), "{done:?}");
    assert_eq!(c.tenants("Mt", None).unwrap(), hot(&["fresh"]));
    c.update_tenants("Mt", vec![("fresh".into(), "COLD".into())])
        .await
        .unwrap();
    // A read activates it.
    assert_eq!(titles(&c, "fresh").await.unwrap(), ["made"]);
    assert_eq!(c.tenants("Mt", None).unwrap(), hot(&["fresh"]));
    // A tenant made by a write is held to the names the endpoint accepts.
    let bad = c
        .batch_objects(vec![write(Some("not a name"), 2, "x")], ONE)
        .await;
    assert!(message(bad.into_iter().next().unwrap().unwrap_err())
        .starts_with("tenant name at index 0: tenant name should only contain"));
    assert_eq!(c.tenants("Mt", None).unwrap(), hot(&["fresh"]));
    // Reads never create a tenant.
    assert_eq!(
        message(titles(&c, "other").await.unwrap_err()),
        "tenant not found: \"other\""
    );
}

#[tokio::test]
async fn a_restart_opens_tenants_only_when_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    {
        let c = node(dir.path(), false).await;
        c.add_tenants("Mt", hot(&["a", "b", "gone", "cold"]))
            .await
            .unwrap();
        let writes = vec![write(Some("a"), 1, "a1"), write(Some("b"), 2, "b2")];
        assert!(c.batch_objects(writes, ONE).await.iter().all(Result::is_ok));
        c.delete_tenants("Mt", vec!["gone".into()]).await.unwrap();
        c.update_tenants("Mt", vec![("cold".into(), "COLD".into())])
            .await
            .unwrap();
        c.shutdown().await.unwrap();
    }
    let c = crate::testing::standalone(dir.path()).await;
    // Each tenant's row came back as last written.
    let mut expected = hot(&["a", "b"]);
    expected.insert(0, ("cold".into(), "COLD".into()));
    let mut listed = c.tenants("Mt", None).unwrap();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
    assert!(c.shards.shard("Mt", "a").is_none());
    assert!(c.shards.shard("Mt", "b").is_none());
    assert_eq!(titles(&c, "b").await.unwrap(), ["b2"]);
    assert!(c.shards.shard("Mt", "b").is_some());
    assert!(c.shards.shard("Mt", "a").is_none());
    assert_eq!(titles(&c, "a").await.unwrap(), ["a1"]);
}

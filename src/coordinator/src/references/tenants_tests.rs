//! References and tenants on a real standalone node, as Weaviate has them: a multi-tenant
//! class points within its tenant into another multi-tenant class, or into a single-tenant
//! one; a single-tenant class may not point into a multi-tenant one. Writes, reference
//! changes, batch references, resolution and filters all stay within the writer's tenant.
//! `Author` holds an object of the same uuid in both tenants, so reading the wrong tenant
//! shows.

use std::sync::Arc;

use model::references::BatchReference;
use model::schema::parse_class;
use model::{ConsistencyLevel, ObjectWrite, ReferenceQuery, ReferenceTarget, SearchQuery};
use serde_json::{json, Value};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use uuid::Uuid;

use super::{ReferenceEdit, ReferenceSource};
use crate::Coordinator;

const ONE: ConsistencyLevel = ConsistencyLevel::One;
const AUTHOR: Uuid = Uuid::from_u128(0xa1);
const PLAIN: Uuid = Uuid::from_u128(0xc1);

fn book(n: u128) -> Uuid {
    Uuid::from_u128(0xb000 + n)
}

fn beacon(class: &str, id: Uuid) -> Value {
    json!({ "beacon": format!("weaviate://localhost/{class}/{id}") })
}

fn write(class: &str, tenant: Option<&str>, id: Uuid, properties: Value) -> ObjectWrite {
    ObjectWrite {
        class: class.into(),
        id: Some(id),
        tenant: tenant.map(str::to_string),
        properties: properties.as_object().cloned().unwrap_or_default(),
        vector: Some(vec![1.0, 0.5]),
        vectors: None,
    }
}

/// `Book` (multi-tenant) -> `Author` (multi-tenant) and `Plain`; `Loose` (single-tenant) ->
/// `Author`. Tenants t1 and t2 each hold an author of uuid `AUTHOR`, named after the tenant.
async fn node(dir: &std::path::Path) -> Arc<Coordinator> {
    let c = crate::testing::standalone(dir).await;
    let mt = json!({"enabled": true});
    let classes = [
        json!({"class": "Author", "multiTenancyConfig": mt,
               "properties": [{"name": "name", "dataType": ["text"]}]}),
        json!({"class": "Plain", "properties": [{"name": "name", "dataType": ["text"]}]}),
        json!({"class": "Book", "multiTenancyConfig": mt, "properties": [
            {"name": "title", "dataType": ["text"]},
            {"name": "by", "dataType": ["Author"]},
            {"name": "about", "dataType": ["Plain"]}]}),
        json!({"class": "Loose", "properties": [{"name": "by", "dataType": ["Author"]}]}),
    ];
    for body in classes {
        let class = parse_class(&body, &c.schema_defaults()).unwrap();
        c.create_class(class).await.unwrap();
    }
    let tenants = vec![("t1".into(), "HOT".into()), ("t2".into(), "HOT".into())];
    for class in ["Author", "Book"] {
        c.add_tenants(class, tenants.clone()).await.unwrap();
    }
    let mut writes = vec![write("Plain", None, PLAIN, json!({"name": "plain"}))];
    for t in ["t1", "t2"] {
        writes.push(write(
            "Author",
            Some(t),
            AUTHOR,
            json!({"name": format!("author of {t}")}),
        ));
    }
    assert!(c.batch_objects(writes, ONE).await.iter().all(Result::is_ok));
    c
}

fn message(r: crate::Result<impl std::fmt::Debug>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// The names `by` resolves to on each book of `tenant`, in book order.
async fn authors_seen(c: &Coordinator, tenant: &str, filter: Option<Filter>) -> Vec<Vec<String>> {
    let q = SearchQuery {
        class: "Book".into(),
        tenant: Some(tenant.into()),
        limit: Some(100),
        filter,
        references: vec![ReferenceQuery {
            property: "by".into(),
            targets: vec![ReferenceTarget {
                class: "Author".into(),
                with_vectors: false,
                references: Vec::new(),
            }],
        }],
        ..SearchQuery::default()
    };
    let mut hits = c.search(q).await.unwrap().hits;
    hits.sort_by_key(|h| h.object.id);
    hits.iter()
        .map(|h| {
            h.references
                .get("by")
                .map(|refs| {
                    refs.iter()
                        .map(|r| {
                            r.object.properties["name"]
                                .as_str()
                                .unwrap_or("")
                                .to_string()
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_stay_within_the_writers_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let books = vec![
        write(
            "Book",
            Some("t1"),
            book(1),
            json!({"title": "b1", "by": [beacon("Author", AUTHOR)], "about": [beacon("Plain", PLAIN)]}),
        ),
        write(
            "Book",
            Some("t2"),
            book(2),
            json!({"title": "b2", "by": [beacon("Author", AUTHOR)]}),
        ),
    ];
    let done = c.batch_objects(books, ONE).await;
    assert!(done.iter().all(Result::is_ok), "{done:?}");
    assert_eq!(authors_seen(&c, "t1", None).await, [["author of t1"]]);
    assert_eq!(authors_seen(&c, "t2", None).await, [["author of t2"]]);

    // A target that exists only in another tenant is no target.
    let only_t1 = Uuid::from_u128(0xa2);
    let w = write("Author", Some("t1"), only_t1, json!({"name": "t1 only"}));
    assert!(c.batch_objects(vec![w], ONE).await[0].is_ok());
    let cross = write(
        "Book",
        Some("t2"),
        book(3),
        json!({"by": [beacon("Author", only_t1)]}),
    );
    assert_eq!(
        message(c.batch_objects(vec![cross], ONE).await.remove(0)),
        format!("invalid object: invalid cref: property 'by': no object with id {only_t1} found")
    );

    // The references endpoint adds within the tenant too.
    let source = |tenant: &str, id| ReferenceSource {
        class: Some("Book".into()),
        id,
        property: "by".into(),
        tenant: Some(tenant.into()),
    };
    c.change_references(
        source("t1", book(1)),
        ReferenceEdit::Add(beacon("Author", only_t1)),
        ONE,
    )
    .await
    .unwrap();
    assert_eq!(
        authors_seen(&c, "t1", None).await,
        [["author of t1", "t1 only"]]
    );
    let refused = c
        .change_references(
            source("t2", book(2)),
            ReferenceEdit::Add(beacon("Author", only_t1)),
            ONE,
        )
        .await;
    assert_eq!(
        message(refused),
        format!("property 'by': no object with id {only_t1} found")
    );

    // Batch references check targets in the tenant when a multi-tenant class is involved.
    let batch = |tenant: &str, from: Uuid, to: Uuid| BatchReference {
        from_class: "Book".into(),
        from_id: from,
        property: "by".into(),
        to: beacon("Author", to),
        tenant: Some(tenant.into()),
    };
    let results = c
        .batch_references(
            vec![batch("t2", book(2), only_t1), batch("t2", book(2), AUTHOR)],
            ONE,
        )
        .await;
    let missing = results[0].as_ref().map_err(|e| e.to_string()).unwrap_err();
    assert!(missing.contains("no object with id"), "{results:?}");
    assert!(results[1].is_ok(), "{results:?}");
    assert_eq!(
        authors_seen(&c, "t2", None).await,
        [["author of t2", "author of t2"]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_tenant_class_may_not_point_into_a_multi_tenant_one() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let sentence = model::sentences::REFERENCE_INTO_MULTI_TENANT_CLASS;
    let loose = write(
        "Loose",
        None,
        book(9),
        json!({"by": [beacon("Author", AUTHOR)]}),
    );
    assert_eq!(
        message(c.batch_objects(vec![loose], ONE).await.remove(0)),
        sentence
    );
    let plain = write("Loose", None, book(9), json!({}));
    assert!(c.batch_objects(vec![plain], ONE).await[0].is_ok());
    let r = BatchReference {
        from_class: "Loose".into(),
        from_id: book(9),
        property: "by".into(),
        to: beacon("Author", AUTHOR),
        tenant: None,
    };
    assert_eq!(
        message(c.batch_references(vec![r], ONE).await.remove(0)),
        sentence
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_through_references_read_the_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let c = node(dir.path()).await;
    let books = vec![
        write(
            "Book",
            Some("t1"),
            book(1),
            json!({"by": [beacon("Author", AUTHOR)]}),
        ),
        write(
            "Book",
            Some("t2"),
            book(2),
            json!({"by": [beacon("Author", AUTHOR)]}),
        ),
    ];
    assert!(c.batch_objects(books, ONE).await.iter().all(Result::is_ok));
    let by = |name: &str| {
        Filter::Condition(Condition {
            path: FilterPath::Reference {
                property: "by".into(),
                class: "Author".into(),
                rest: Box::new(FilterPath::Property("name".into())),
            },
            operator: Operator::Equal,
            value: FilterValue::Text(name.into()),
        })
    };
    assert_eq!(
        authors_seen(&c, "t1", Some(by("author of t1"))).await.len(),
        1
    );
    assert!(authors_seen(&c, "t2", Some(by("author of t1")))
        .await
        .is_empty());
    assert_eq!(
        authors_seen(&c, "t2", Some(by("author of t2"))).await.len(),
        1
    );
}

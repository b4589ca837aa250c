//! Cross-references in `Get`: fragments planned into the search's reference queries, resolved
//! objects rendered per fragment, and the validation errors of reference selections.

use std::collections::{BTreeMap, HashMap};

use model::{ReferenceQuery, ReferenceTarget, ResolvedReference};
use serde_json::json;

use super::test_support::{class_from_json, hit, messages, object, run_query, FakeBackend};

const A1: u128 = 0xa1;
const A2: u128 = 0xa2;
const P1: u128 = 0xc1;

fn beacon(class: &str, id: u128) -> serde_json::Value {
    json!({"beacon": format!("weaviate://localhost/{class}/{}", uuid::Uuid::from_u128(id))})
}

fn resolved(class: &str, id: u128, props: serde_json::Value) -> ResolvedReference {
    ResolvedReference {
        object: object(class, id, props, Some(vec![0.5, 0.25])),
        references: BTreeMap::new(),
    }
}

/// Article 1 references Author a1 (who works for Publisher p1), a dangling Author and
/// Publisher p1; Article 2 has no references.
fn backend() -> FakeBackend {
    let article = class_from_json(json!({"class": "Article", "properties": [
        {"name": "title", "dataType": ["text"]},
        {"name": "hasAuthors", "dataType": ["Author", "Publisher"]}]}));
    let author = class_from_json(json!({"class": "Author", "properties": [
        {"name": "name", "dataType": ["text"]},
        {"name": "worksFor", "dataType": ["Publisher"]}]}));
    let publisher = class_from_json(json!({"class": "Publisher", "properties": [
        {"name": "name", "dataType": ["text"]}]}));
    let props = json!({"title": "fox", "hasAuthors": [beacon("Author", A1), beacon("Author", A2), beacon("Publisher", P1)]});
    let mut first = hit(object("Article", 1, props, None), Some(0.1));
    let mut a1 = resolved(
        "Author",
        A1,
        json!({"name": "Ada", "worksFor": [beacon("Publisher", P1)]}),
    );
    a1.references.insert(
        "worksFor".into(),
        vec![resolved("Publisher", P1, json!({"name": "Acme"}))],
    );
    first.references.insert(
        "hasAuthors".into(),
        vec![a1, resolved("Publisher", P1, json!({"name": "Acme"}))],
    );
    let second = hit(
        object("Article", 2, json!({"title": "dogs"}), None),
        Some(0.2),
    );
    FakeBackend {
        classes: vec![article, author, publisher],
        hits: HashMap::from([("Article".to_string(), vec![first, second])]),
        ..FakeBackend::default()
    }
}

#[test]
fn fragments_become_reference_queries_to_any_depth() {
    let b = backend();
    let (status, _) = run_query(
        &b,
        "{Get{Article{title hasAuthors{... on Author{name worksFor{... on Publisher{name}} _additional{vector}} ... on Publisher{name}}}}}",
    );
    assert_eq!(status, 200);
    let publisher = || ReferenceTarget {
        class: "Publisher".into(),
        with_vectors: false,
        references: vec![],
    };
    assert_eq!(
        b.queries()[0].references,
        vec![ReferenceQuery {
            property: "hasAuthors".into(),
            targets: vec![
                ReferenceTarget {
                    class: "Author".into(),
                    with_vectors: true,
                    references: vec![ReferenceQuery {
                        property: "worksFor".into(),
                        targets: vec![publisher()],
                    }],
                },
                publisher(),
            ],
        }]
    );
    assert!(
        !b.queries()[0].with_vectors,
        "the articles' own vectors were not asked for"
    );
}

#[test]
fn resolved_references_render_with_their_fragment_fields() {
    let (status, body) = run_query(
        &backend(),
        "{Get{Article{title hasAuthors{... on Author{__typename name worksFor{... on Publisher{name}} _additional{id distance vector}}}}}}",
    );
    assert_eq!(status, 200, "{body}");
    let a1 = uuid::Uuid::from_u128(A1).to_string();
    assert_eq!(
        body["data"]["Get"]["Article"],
        json!([
            {"title": "fox", "hasAuthors": [{
                "__typename": "Author", "name": "Ada",
                "worksFor": [{"name": "Acme"}],
                "_additional": {"id": a1, "distance": null, "vector": [0.5, 0.25]}}]},
            {"title": "dogs", "hasAuthors": null}
        ]),
        "the Publisher is not asked for, the second Author dangles, Article 2 has no references"
    );
}

#[test]
fn reference_selections_are_validated() {
    let b = backend();
    let (status, body) = run_query(&b, "{Get{Article{hasAuthors{name}}}}");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("data").is_none(),
        "validation errors run nothing: {body}"
    );
    assert!(
        messages(&body)[0].contains(r#"Cannot query field "name" on type "ArticleHasAuthorsObj""#),
        "{body}"
    );
    let (_, body) = run_query(&b, "{Get{Article{hasAuthors{... on Article{title}}}}}");
    assert!(
        messages(&body)[0]
            .contains(r#"objects of type "ArticleHasAuthorsObj" can never be of type "Article""#),
        "{body}"
    );
    let (_, body) = run_query(&b, "{Get{Article{hasAuthors}}}");
    assert!(
        messages(&body)[0].contains("must have a sub selection"),
        "{body}"
    );
    let (_, body) = run_query(&b, "{Get{Article{hasAuthors{... on Author{nope}}}}}");
    assert!(
        messages(&body)[0].contains(r#"Cannot query field "nope" on type "Author""#),
        "{body}"
    );
    assert!(b.queries().is_empty(), "nothing ran");
}

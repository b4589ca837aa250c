//! Reference changes, sources of batch references and beacon checks.

use serde_json::json;
use types::schema::Class;
use uuid::Uuid;

use super::*;
use crate::schema::{parse_class, SchemaDefaults};

const A: &str = "00000000-0000-0000-0000-00000000000a";
const B: &str = "00000000-0000-0000-0000-00000000000b";

fn article() -> Class {
    let body = json!({"class": "Article", "properties": [
        {"name": "title", "dataType": ["text"]},
        {"name": "hasAuthors", "dataType": ["Author"]},
        {"name": "mentions", "dataType": ["Author", "Publisher"]}]});
    parse_class(&body, &SchemaDefaults::default()).expect("valid class")
}

fn beacon(class: &str, id: &str) -> serde_json::Value {
    json!({"beacon": format!("weaviate://localhost/{class}/{id}")})
}

#[test]
fn checked_references_are_normalised() {
    let upper = A.to_uppercase();
    let refs = json!([{"beacon": format!("weaviate://localhost/{upper}"), "href": "/v1/x"}]);
    assert_eq!(
        check_references(&article(), "hasAuthors", &refs),
        Ok(vec![beacon("Author", A)]),
        "the only target class completes a class-less beacon, the uuid is lower-cased"
    );
    let legacy = json!([{"beacon": format!("weaviate://localhost/{A}")}]);
    assert_eq!(
        check_references(&article(), "mentions", &legacy),
        Ok(vec![json!({"beacon": format!("weaviate://localhost/{A}")})]),
        "with several targets the class stays unknown"
    );
}

#[test]
fn bad_references_are_refused_with_the_reason() {
    let err = check_references(&article(), "nope", &json!([])).unwrap_err();
    assert!(
        err.starts_with("no such prop with name 'nope' found in class 'Article'"),
        "{err}"
    );
    let err = check_references(&article(), "title", &json!([])).unwrap_err();
    assert_eq!(err, "property 'title' is not a reference-type");
    let err =
        check_references(&article(), "hasAuthors", &json!([beacon("Publisher", A)])).unwrap_err();
    assert!(
        err.contains("beacon class 'Publisher' is not one of the property's classes"),
        "{err}"
    );
    let err = check_references(
        &article(),
        "hasAuthors",
        &json!([{"beacon": "weaviate://localhost/Author/x"}]),
    )
    .unwrap_err();
    assert!(
        err.contains("path segment must be uuid, but got 'x'"),
        "{err}"
    );
    assert!(!err.starts_with("invalid object"), "{err}");
}

#[test]
fn changes_add_replace_and_delete() {
    let current = json!([beacon("Author", A)]);
    let added = apply(
        Some(&current),
        &ReferenceChange::Add(vec![beacon("Author", B)]),
    );
    assert_eq!(added, json!([beacon("Author", A), beacon("Author", B)]));
    assert_eq!(
        apply(None, &ReferenceChange::Add(vec![beacon("Author", B)])),
        json!([beacon("Author", B)])
    );
    let replaced = apply(Some(&added), &ReferenceChange::Replace(vec![]));
    assert_eq!(replaced, json!([]));
    let twice = json!([
        beacon("Author", A),
        beacon("Publisher", A),
        beacon("Author", A),
        beacon("Author", B)
    ]);
    let target = |class: Option<&str>| BeaconTarget {
        class: class.map(str::to_string),
        id: Uuid::parse_str(A).unwrap(),
    };
    assert_eq!(
        apply(
            Some(&twice),
            &ReferenceChange::Delete(target(Some("Author")))
        ),
        json!([beacon("Publisher", A), beacon("Author", B)]),
        "every reference to the target goes, other classes' objects with that id stay"
    );
    assert_eq!(
        apply(Some(&twice), &ReferenceChange::Delete(target(None))),
        json!([beacon("Author", B)]),
        "a class-less target matches every class"
    );
}

#[test]
fn batch_sources_are_class_id_and_property() {
    let from = format!(
        "weaviate://localhost/Article/{}/hasAuthors",
        A.to_uppercase()
    );
    assert_eq!(
        parse_source(&from),
        Ok((
            "Article".to_string(),
            Uuid::parse_str(A).unwrap(),
            "hasAuthors".to_string()
        ))
    );
    for bad in [
        format!("weaviate://localhost/{A}/hasAuthors"),
        format!("weaviate://remote/Article/{A}/hasAuthors"),
        "weaviate://localhost/Article/not-a-uuid/hasAuthors".to_string(),
        format!("weaviate://localhost/Article/{A}/"),
        format!("weaviate://localhost/Article/{A}/p/q"),
    ] {
        let err = parse_source(&bad).expect_err(&bad);
        assert!(err.starts_with("invalid cref URI"), "{err}");
    }
}

#[test]
fn beacon_targets_read_stored_references() {
    assert_eq!(
        BeaconTarget::of(&beacon("Author", A)),
        Some(BeaconTarget {
            class: Some("Author".into()),
            id: Uuid::parse_str(A).unwrap()
        })
    );
    assert_eq!(BeaconTarget::of(&json!({"beacon": 5})), None);
    assert_eq!(BeaconTarget::of(&json!("x")), None);
}

//! Sorting cases: missing values, text case, several keys, arrays, internal properties, errors.

use serde_json::json;

use super::*;
use crate::results::testutil::{class, obj};

fn schema() -> Class {
    class(&[
        ("title", "text"),
        ("count", "int"),
        ("score", "number"),
        ("when", "date"),
        ("flag", "boolean"),
        ("tags", "text[]"),
        ("nums", "int[]"),
        ("loc", "geoCoordinates"),
        ("meta", "object"),
        ("uid", "uuid"),
        ("author", "Person"),
    ])
}

fn by(path: &str, descending: bool) -> SortBy {
    SortBy {
        path: path.into(),
        descending,
    }
}

fn order(objects: &[Object]) -> Vec<u128> {
    objects.iter().map(|o| o.id.as_u128()).collect()
}

fn sorted(mut objects: Vec<Object>, keys: &[SortBy]) -> Vec<u128> {
    match sort_objects(&schema(), &mut objects, keys) {
        Ok(()) => order(&objects),
        Err(e) => panic!("sort failed: {e}"),
    }
}

#[test]
fn text_is_case_insensitive_and_missing_values_are_smallest() {
    let objects = vec![
        obj(1, json!({"title": "banana"})),
        obj(2, json!({"title": "Apple"})),
        obj(3, json!({})),
        obj(4, json!({"title": "cherry"})),
        obj(5, json!({"title": null})),
        obj(6, json!({"title": "apple"})),
    ];
    // Ascending: missing first (input order among them), "Apple" == "apple" keep input order.
    assert_eq!(
        sorted(objects.clone(), &[by("title", false)]),
        vec![3, 5, 2, 6, 1, 4]
    );
    // Descending: missing last.
    assert_eq!(
        sorted(objects, &[by("title", true)]),
        vec![4, 1, 2, 6, 3, 5]
    );
}

#[test]
fn numbers_ints_and_the_dialect_scenario() {
    // test_filters.py: sort wordCount desc, offset 10 limit 5 over 15 articles.
    let counts = [120.0, 80.0, 300.0, 1.0]
        .into_iter()
        .chain((0..11).map(|i| 1000.0 + f64::from(i)))
        .collect::<Vec<f64>>();
    let objects: Vec<Object> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| obj(i as u128, json!({"score": c})))
        .collect();
    let got = sorted(objects, &[by("score", true)]);
    let mut want: Vec<(usize, f64)> = counts.iter().copied().enumerate().collect();
    want.sort_by(|a, b| b.1.total_cmp(&a.1));
    let want: Vec<u128> = want.iter().map(|(i, _)| *i as u128).collect();
    assert_eq!(got, want);
    // Offset 10, limit 5: the smallest filler (1000), then 300, 120, 80 and 1.
    assert_eq!(&got[10..15], &[4, 2, 0, 1, 3]);

    let ints = vec![
        obj(1, json!({"count": 10})),
        obj(2, json!({"count": -3})),
        obj(3, json!({"count": 7})),
    ];
    assert_eq!(sorted(ints, &[by("count", false)]), vec![2, 3, 1]);
}

#[test]
fn several_keys_in_order_of_precedence() {
    let objects = vec![
        obj(1, json!({"flag": true, "count": 1})),
        obj(2, json!({"flag": false, "count": 5})),
        obj(3, json!({"flag": true, "count": 9})),
        obj(4, json!({"flag": false, "count": 2})),
        obj(5, json!({"count": 3})),
    ];
    // false < true; missing flag first; ties on flag by count descending.
    assert_eq!(
        sorted(objects, &[by("flag", false), by("count", true)]),
        vec![5, 2, 4, 3, 1]
    );
}

#[test]
fn dates_compare_by_instant() {
    let objects = vec![
        obj(1, json!({"when": "2021-01-01T00:00:00Z"})),
        obj(2, json!({"when": "2021-01-01T01:30:00+02:00"})), // 2020-12-31T23:30Z
        obj(3, json!({"when": "2019-06-01T00:00:00Z"})),
        obj(4, json!({"when": "2021-01-01T00:00:00.5Z"})),
    ];
    assert_eq!(sorted(objects, &[by("when", false)]), vec![3, 2, 1, 4]);
}

#[test]
fn arrays_compare_elementwise_then_by_length() {
    let objects = vec![
        obj(1, json!({"nums": [5, 3]})),
        obj(2, json!({"nums": [1]})),
        obj(3, json!({"nums": [5]})),
        obj(4, json!({"nums": []})),
        obj(5, json!({"nums": [5, 3, 0]})),
    ];
    // The empty array counts as missing.
    assert_eq!(sorted(objects, &[by("nums", false)]), vec![4, 2, 3, 1, 5]);
    let texts = vec![
        obj(1, json!({"tags": ["b", "A"]})),
        obj(2, json!({"tags": ["B"]})),
        obj(3, json!({"tags": ["a", "z"]})),
    ];
    assert_eq!(sorted(texts, &[by("tags", true)]), vec![1, 2, 3]);
}

#[test]
fn geo_sorts_by_longitude_then_latitude_and_objects_do_not_order() {
    let objects = vec![
        obj(1, json!({"loc": {"latitude": 10.0, "longitude": 5.0}})),
        obj(2, json!({"loc": {"latitude": 0.0, "longitude": 5.0}})),
        obj(3, json!({"loc": {"latitude": 50.0, "longitude": -1.0}})),
    ];
    assert_eq!(sorted(objects, &[by("loc", false)]), vec![3, 2, 1]);
    let objects = vec![
        obj(1, json!({"meta": {"a": 2}})),
        obj(2, json!({})),
        obj(3, json!({"meta": {"a": 1}})),
    ];
    assert_eq!(sorted(objects, &[by("meta", false)]), vec![2, 1, 3]);
}

#[test]
fn internal_properties() {
    // obj(n) has creation 1000 + n and last update 2000 - n.
    let objects = vec![obj(3, json!({})), obj(1, json!({})), obj(2, json!({}))];
    assert_eq!(sorted(objects.clone(), &[by("_id", false)]), vec![1, 2, 3]);
    assert_eq!(sorted(objects.clone(), &[by("id", true)]), vec![3, 2, 1]);
    assert_eq!(
        sorted(objects.clone(), &[by("_creationTimeUnix", true)]),
        vec![3, 2, 1]
    );
    assert_eq!(
        sorted(objects, &[by("_lastUpdateTimeUnix", false)]),
        vec![3, 2, 1]
    );
}

#[test]
fn no_keys_or_single_object_leave_the_order() {
    let objects = vec![obj(2, json!({})), obj(1, json!({}))];
    assert_eq!(sorted(objects, &[]), vec![2, 1]);
    assert_eq!(
        sorted(Vec::new(), &[by("title", false)]),
        Vec::<u128>::new()
    );
}

#[test]
fn rejects_unknown_uuid_and_reference_properties() {
    let mut objects = vec![obj(1, json!({}))];
    let err =
        |keys: &[SortBy], objects: &mut Vec<Object>| match sort_objects(&schema(), objects, keys) {
            Err(Error::InvalidInput(m)) => m,
            other => panic!("expected InvalidInput, got {other:?}"),
        };
    assert_eq!(
        err(&[by("nope", false)], &mut objects),
        "sort parameter at position 0: no such prop with name 'nope' found in class 'Thing' in the \
         schema. Check your schema files for which properties in this class are available"
    );
    assert!(err(&[by("title", false), by("uid", false)], &mut objects)
        .starts_with("sort parameter at position 1: prop \"uid\" is of type uuid/uuid[]"));
    assert_eq!(
        err(&[by("author", false)], &mut objects),
        "sort parameter at position 0: sorting by reference not supported, property \"author\" is a \
         ref prop to the class \"Person\""
    );
    let both = err(&[by("x", false), by("", true)], &mut objects);
    assert!(
        both.contains("position 0: no such prop with name 'x'"),
        "{both}"
    );
    assert!(
        both.ends_with(", sort parameter at position 1: path parameter cannot be empty"),
        "{both}"
    );
    // A failed sort leaves the objects untouched.
    assert_eq!(order(&objects), vec![1]);
}

//! Aggregations per type (with arrays, missing and empty inputs) and groupBy splitting.

use serde_json::json;

use super::*;
use crate::results::testutil::{class, obj};

fn schema() -> Class {
    class(&[
        ("price", "int"),
        ("rating", "number"),
        ("ratings", "int[]"),
        ("label", "text"),
        ("tags", "text[]"),
        ("available", "boolean"),
        ("flags", "boolean[]"),
        ("date", "date"),
        ("dates", "date[]"),
        ("loc", "geoCoordinates"),
        ("uid", "uuid"),
        ("author", "Person"),
    ])
}

fn run(objects: &[Object], props: &[&str]) -> BTreeMap<String, PropertyAggregate> {
    let props: Vec<String> = props.iter().map(|p| p.to_string()).collect();
    match aggregate(&schema(), objects, &props, 5) {
        Ok(m) => m,
        Err(e) => panic!("aggregate failed: {e}"),
    }
}

fn numbers(values: &[f64], prop: &str) -> PropertyAggregate {
    let objects: Vec<Object> = values
        .iter()
        .enumerate()
        .map(|(i, v)| obj(i as u128, json!({ prop: v })))
        .collect();
    run(&objects, &[prop])
        .remove(prop)
        .unwrap_or_else(|| panic!("no {prop}"))
}

fn numeric_fields(a: &PropertyAggregate) -> (u64, [Option<f64>; 6]) {
    let PropertyAggregate::Numeric {
        count,
        minimum,
        maximum,
        mean,
        median,
        mode,
        sum,
    } = a
    else {
        panic!("not numeric: {a:?}");
    };
    (*count, [*minimum, *maximum, *mean, *median, *mode, *sum])
}

#[test]
fn ints_like_the_shop_prices() {
    let (count, [min, max, mean, median, mode, sum]) =
        numeric_fields(&numbers(&[77.0, 77.0, 10.0, 77.0, 200.0, 50.0], "price"));
    assert_eq!(count, 6);
    assert_eq!((min, max, sum), (Some(10.0), Some(200.0), Some(491.0)));
    assert_eq!(mean, Some(491.0 / 6.0));
    // Sorted 10 50 77 77 77 200: both middles are 77.
    assert_eq!((median, mode), (Some(77.0), Some(77.0)));
}

#[test]
fn numbers_like_the_shop_ratings() {
    let (count, [min, max, mean, median, mode, sum]) =
        numeric_fields(&numbers(&[3.5, 1.0, 3.5, 5.0, 0.5], "rating"));
    assert_eq!(count, 5);
    assert_eq!((min, max, sum), (Some(0.5), Some(5.0), Some(13.5)));
    assert_eq!(mean, Some(2.7));
    assert_eq!((median, mode), (Some(3.5), Some(3.5)));
}

#[test]
fn median_and_mode_follow_weaviate() {
    // numerical_test.go cases.
    let median = |v: &[f64]| numeric_fields(&numbers(v, "rating")).1[3];
    assert_eq!(median(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), Some(4.0));
    assert_eq!(median(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0]), Some(4.0));
    assert_eq!(median(&[1.0, 2.0, 3.0, 5.0, 7.0, 7.0]), Some(4.0));
    assert_eq!(median(&[1.0, 2.0, 3.0, 3.0, 6.0, 7.0]), Some(3.0));
    assert_eq!(median(&[3.0, 3.0, 3.0, 5.0, 5.0, 7.0]), Some(4.0));
    assert_eq!(median(&[42.0]), Some(42.0));
    let mode = |v: &[f64]| numeric_fields(&numbers(v, "rating")).1[4];
    assert_eq!(mode(&[7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]), Some(1.0));
    assert_eq!(mode(&[2.0, 4.0, 4.0, 5.0, 5.0, 5.0, 7.0]), Some(5.0));
    assert_eq!(
        mode(&[5.0, 2.0, 6.0, 2.0, 1.0, 4.0, 7.0, 5.0, 7.0, 4.0, 3.0, 1.0, 6.0, 3.0]),
        Some(1.0)
    );
    assert_eq!(mode(&[-42.0]), Some(-42.0));
}

#[test]
fn int_arrays_count_every_element_and_skip_missing() {
    let objects = vec![
        obj(1, json!({"ratings": [5, 3]})),
        obj(2, json!({"ratings": [1]})),
        obj(3, json!({})),
        obj(4, json!({"ratings": []})),
        obj(5, json!({"ratings": null})),
    ];
    let (count, [min, max, mean, median, mode, sum]) =
        numeric_fields(&run(&objects, &["ratings"])["ratings"]);
    assert_eq!(count, 3);
    assert_eq!(
        (min, max, sum, mean),
        (Some(1.0), Some(5.0), Some(9.0), Some(3.0))
    );
    assert_eq!((median, mode), (Some(3.0), Some(1.0)));
}

#[test]
fn empty_inputs() {
    let none = run(&[], &["price", "label", "available", "date"]);
    assert_eq!(
        none["price"],
        PropertyAggregate::Numeric {
            count: 0,
            minimum: None,
            maximum: None,
            mean: None,
            median: None,
            mode: None,
            sum: None
        }
    );
    assert_eq!(
        none["label"],
        PropertyAggregate::Text {
            count: 0,
            top_occurrences: vec![]
        }
    );
    assert_eq!(
        none["available"],
        PropertyAggregate::Boolean {
            count: 0,
            total_true: 0,
            total_false: 0,
            percentage_true: 0.0,
            percentage_false: 0.0
        }
    );
    assert_eq!(
        none["date"],
        PropertyAggregate::Date {
            count: 0,
            minimum: None,
            maximum: None,
            median: None,
            mode: None
        }
    );
}

#[test]
fn text_top_occurrences() {
    let labels = [
        "red", "green", "red", "blue", "white", "green", "red", "blue",
    ];
    let objects: Vec<Object> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| obj(i as u128, json!({"label": l})))
        .collect();
    let props = vec!["label".to_string()];
    let Ok(mut out) = aggregate(&schema(), &objects, &props, 3) else {
        panic!("aggregate failed")
    };
    // red 3, then blue and green (2 each) by value, white cut by the limit.
    assert_eq!(
        out.remove("label"),
        Some(PropertyAggregate::Text {
            count: 8,
            top_occurrences: vec![("red".into(), 3), ("blue".into(), 2), ("green".into(), 2)],
        })
    );
    // The default limit (5) shows all four.
    let out = run(&objects, &["label"]);
    let PropertyAggregate::Text {
        top_occurrences, ..
    } = &out["label"]
    else {
        panic!("{out:?}");
    };
    assert_eq!(top_occurrences.len(), 4);
}

#[test]
fn text_arrays_count_elements() {
    let objects = vec![
        obj(1, json!({"tags": ["a", "b"]})),
        obj(2, json!({"tags": ["a"]})),
        obj(3, json!({"tags": []})),
        obj(4, json!({"label": "x"})),
    ];
    assert_eq!(
        run(&objects, &["tags"])["tags"],
        PropertyAggregate::Text {
            count: 3,
            top_occurrences: vec![("a".into(), 2), ("b".into(), 1)]
        }
    );
}

#[test]
fn booleans_and_boolean_arrays() {
    let objects: Vec<Object> = (0..9)
        .map(|i| obj(i, json!({"available": i % 3 != 0})))
        .collect();
    assert_eq!(
        run(&objects, &["available"])["available"],
        PropertyAggregate::Boolean {
            count: 9,
            total_true: 6,
            total_false: 3,
            percentage_true: 6.0 / 9.0,
            percentage_false: 3.0 / 9.0
        }
    );
    let arrays = vec![
        obj(1, json!({"flags": [true, false, true]})),
        obj(2, json!({"flags": [true]})),
        obj(3, json!({})),
    ];
    assert_eq!(
        run(&arrays, &["flags"])["flags"],
        PropertyAggregate::Boolean {
            count: 4,
            total_true: 3,
            total_false: 1,
            percentage_true: 0.75,
            percentage_false: 0.25
        }
    );
}

#[test]
fn dates_like_weaviate_date_test() {
    let date = |s: &str| format!("2022-06-16T17:30:{s}.451235Z");
    let run_dates = |seconds: &[&str]| {
        let objects: Vec<Object> = seconds
            .iter()
            .enumerate()
            .map(|(i, s)| obj(i as u128, json!({"date": date(s)})))
            .collect();
        run(&objects, &["date"]).remove("date")
    };
    assert_eq!(
        run_dates(&["18", "25", "20", "18"]),
        Some(PropertyAggregate::Date {
            count: 4,
            minimum: Some(date("18")),
            maximum: Some(date("25")),
            median: Some(date("19")),
            mode: Some(date("18")),
        })
    );
    assert_eq!(
        run_dates(&["18", "18", "19", "20", "25"]),
        Some(PropertyAggregate::Date {
            count: 5,
            minimum: Some(date("18")),
            maximum: Some(date("25")),
            median: Some(date("19")),
            mode: Some(date("18")),
        })
    );
}

#[test]
fn date_arrays_normalise_to_utc() {
    let objects = vec![
        obj(
            1,
            json!({"dates": ["2021-01-01T02:00:00+02:00", "2019-06-01T00:00:00Z"]}),
        ),
        obj(2, json!({"dates": ["2020-01-01T00:00:00Z"]})),
    ];
    assert_eq!(
        run(&objects, &["dates"])["dates"],
        PropertyAggregate::Date {
            count: 3,
            minimum: Some("2019-06-01T00:00:00Z".into()),
            maximum: Some("2021-01-01T00:00:00Z".into()),
            median: Some("2020-01-01T00:00:00Z".into()),
            // All once: the earliest.
            mode: Some("2019-06-01T00:00:00Z".into()),
        }
    );
}

#[test]
fn errors_references_and_duplicates() {
    let objects = vec![obj(1, json!({"price": 3}))];
    let props = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match aggregate(&schema(), &objects, &props(&["nope"]), 5) {
        Err(Error::InvalidInput(m)) => assert!(
            m.starts_with("property nope: no such prop with name 'nope'"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    match aggregate(&schema(), &objects, &props(&["loc"]), 5) {
        Err(Error::InvalidInput(m)) => assert_eq!(
            m,
            "property loc: dataType geoCoordinates can't be aggregated"
        ),
        other => panic!("{other:?}"),
    }
    match aggregate(&schema(), &objects, &props(&["uid"]), 5) {
        Err(Error::InvalidInput(m)) => {
            assert_eq!(m, "property uid: dataType uuid can't be aggregated")
        }
        other => panic!("{other:?}"),
    }
    let out = run(&objects, &["author", "price", "price"]);
    assert_eq!(out.keys().collect::<Vec<_>>(), vec!["price"]);
}

#[test]
fn group_objects_orders_by_size() {
    let cats = ["alpha", "beta", "alpha", "gamma", "beta", "alpha", "delta"];
    let objects: Vec<Object> = cats
        .iter()
        .enumerate()
        .map(|(i, c)| obj(i as u128, json!({"category": c})))
        .collect();
    let groups = group_objects(&objects, "category");
    let summary: Vec<(Value, usize)> = groups.iter().map(|(v, m)| (v.clone(), m.len())).collect();
    // beta and gamma/delta ties keep first appearance.
    assert_eq!(
        summary,
        vec![
            (json!("alpha"), 3),
            (json!("beta"), 2),
            (json!("gamma"), 1),
            (json!("delta"), 1)
        ]
    );
    let alpha: Vec<u128> = groups[0].1.iter().map(|o| o.id.as_u128()).collect();
    assert_eq!(alpha, vec![0, 2, 5]);
}

#[test]
fn group_objects_splits_arrays_and_stringifies_values() {
    let objects = vec![
        obj(1, json!({"tags": ["a", "b", "a"], "flag": true, "n": 3})),
        obj(2, json!({"tags": ["b"], "flag": false, "n": 3.0})),
        obj(3, json!({"tags": [], "n": 2.5})),
        obj(4, json!({"flag": true, "n": 1234567})),
    ];
    let sizes = |g: Vec<(Value, Vec<&Object>)>| {
        g.into_iter().map(|(v, m)| (v, m.len())).collect::<Vec<_>>()
    };
    // "a" repeats in object 1 but counts once; object 3's empty array is in no group.
    assert_eq!(
        sizes(group_objects(&objects, "tags")),
        vec![(json!("b"), 2), (json!("a"), 1)]
    );
    assert_eq!(
        sizes(group_objects(&objects, "flag")),
        vec![(json!("true"), 2), (json!("false"), 1)]
    );
    assert_eq!(
        sizes(group_objects(&objects, "n")),
        vec![
            (json!("3"), 2),
            (json!("2.5"), 1),
            (json!("1.234567e+06"), 1)
        ]
    );
    assert!(group_objects(&objects, "missing").is_empty());
    assert!(group_objects(&[], "tags").is_empty());
}

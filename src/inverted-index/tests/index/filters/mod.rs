//! Filters per operator and type on small hand-made data, and the errors.

mod other;
mod refs;
mod text;

use serde_json::json;
use shoal_inverted_index::{Error, InvertedIndex, Tokenization};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::DataType;

use super::{build, config, prop, Obj};

pub(super) fn cond(path: &str, operator: Operator, value: FilterValue) -> Filter {
    let path = match path {
        "id" | "_id" => FilterPath::Id,
        "_creationTimeUnix" => FilterPath::CreationTime,
        "_lastUpdateTimeUnix" => FilterPath::UpdateTime,
        p if p.starts_with("len(") => FilterPath::Length(p[4..p.len() - 1].to_owned()),
        p => FilterPath::Property(p.to_owned()),
    };
    Filter::Condition(Condition {
        path,
        operator,
        value,
    })
}

pub(super) fn text(s: &str) -> FilterValue {
    FilterValue::Text(s.into())
}

pub(super) fn ids(index: &InvertedIndex, f: &Filter) -> Vec<u32> {
    index
        .filter(f)
        .unwrap_or_else(|e| panic!("{f:?}: {e}"))
        .iter()
        .collect()
}

pub(super) fn err(index: &InvertedIndex, f: &Filter) -> String {
    match index.filter(f) {
        Err(Error::InvalidFilter(m)) => m,
        other => panic!("{f:?}: expected an invalid-filter error, got {other:?}"),
    }
}

/// The data of most tests: docs 0..=5.
pub(super) fn fixture() -> InvertedIndex {
    let props = vec![
        prop("name", DataType::Text, Tokenization::Word),
        prop("label", DataType::Text, Tokenization::Field),
        prop("tags", DataType::TextArray, Tokenization::Word),
        prop("count", DataType::Int, Tokenization::Word),
        prop("score", DataType::Number, Tokenization::Word),
        prop("active", DataType::Boolean, Tokenization::Word),
        prop("when", DataType::Date, Tokenization::Word),
        prop("ref", DataType::Uuid, Tokenization::Word),
        prop("nums", DataType::IntArray, Tokenization::Word),
        prop("loc", DataType::GeoCoordinates, Tokenization::Word),
        prop(
            "author",
            DataType::Reference(vec!["Author".into()]),
            Tokenization::Word,
        ),
    ];
    let objs = [
        json!({"name": "Red apple pie", "label": "Alpha One", "tags": ["News", "tech"], "count": 5, "score": 1.5,
               "active": true, "when": "2020-01-01T00:00:00Z", "ref": "00000000-0000-0000-0000-00000000000a",
               "nums": [1, 2, 3], "loc": {"latitude": 52.37, "longitude": 4.90},
               "author": [{"beacon": "weaviate://localhost/Author/1"}]}),
        json!({"name": "green-banana", "label": "Alpha One ", "tags": ["sport"], "count": -3, "score": -0.0,
               "active": false, "when": "2021-06-01T12:00:00+02:00", "ref": "00000000-0000-0000-0000-00000000000b",
               "nums": [], "loc": {"latitude": 52.52, "longitude": 13.40}, "author": []}),
        json!({"name": "the mango", "label": "alpha one", "tags": [], "count": 120, "score": 3.0,
               "when": "2019-12-31T23:59:59.5Z", "nums": [3]}),
        json!({"name": "", "label": "Beta", "count": 5, "active": null}),
        json!({"label": "Gamma Ray", "tags": ["TECH", "art"], "score": 2.25}),
        json!({"name": "Cherry_tart", "label": "   "}),
    ];
    let objs: Vec<Obj> = objs
        .into_iter()
        .enumerate()
        .map(|(i, p)| Obj::new(i as u32, p))
        .collect();
    build(config(props), &objs).0
}

#[test]
fn and_or_nesting() {
    let ix = fixture();
    let f = Filter::And(vec![
        Filter::Or(vec![
            cond("name", Operator::Equal, text("apple")),
            cond("tags", Operator::Equal, text("art")),
        ]),
        cond("score", Operator::GreaterThan, FilterValue::Number(2.0)),
    ]);
    assert_eq!(ids(&ix, &f), [4]);
    assert_eq!(ids(&ix, &Filter::And(vec![])), [0, 1, 2, 3, 4, 5]);
    assert_eq!(ids(&ix, &Filter::Or(vec![])), Vec::<u32>::new());
    let bad = Filter::Or(vec![
        cond("count", Operator::Equal, FilterValue::Int(1)),
        cond("nope", Operator::Equal, text("x")),
    ]);
    let m = err(&ix, &bad);
    assert!(
        m.starts_with("child operand at position 1: no such prop with name 'nope'"),
        "{m}"
    );
}

#[test]
fn schema_mismatches_are_clear_errors() {
    let ix = fixture();
    let m = err(&ix, &cond("count", Operator::Equal, text("5")));
    assert_eq!(
        m,
        "data type filter cannot use \"valueText\" on type \"int\", use \"valueInt\" instead"
    );
    let m = err(
        &ix,
        &cond("nums", Operator::Equal, FilterValue::Number(1.0)),
    );
    assert_eq!(
        m,
        "data type filter cannot use \"valueNumber\" on type \"int[]\", use \"valueInt\" instead"
    );
    let m = err(&ix, &cond("name", Operator::Equal, FilterValue::Int(5)));
    assert!(m.contains("use \"valueText\""), "{m}");
    let m = err(
        &ix,
        &cond(
            "when",
            Operator::Equal,
            FilterValue::Date("yesterday".into()),
        ),
    );
    assert!(m.contains("RFC3339"), "{m}");
    let m = err(&ix, &cond("count", Operator::Like, FilterValue::Int(5)));
    assert!(m.contains("Like"), "{m}");
    let m = err(
        &ix,
        &cond("count", Operator::Equal, FilterValue::IntList(vec![1])),
    );
    assert!(m.contains("single value"), "{m}");
}

#[test]
fn disabled_indexes_are_reported() {
    let mut props = vec![
        prop("name", DataType::Text, Tokenization::Word),
        prop("n", DataType::Int, Tokenization::Word),
    ];
    props[1].filterable = false;
    let mut cfg = config(props);
    cfg.index_null_state = false;
    cfg.index_property_length = false;
    cfg.index_timestamps = false;
    let ix = InvertedIndex::new(cfg.clone());
    let m = err(&ix, &cond("n", Operator::Equal, FilterValue::Int(1)));
    assert!(
        m.starts_with("Filtering by property 'n' requires inverted index"),
        "{m}"
    );
    assert!(err(
        &ix,
        &cond("name", Operator::IsNull, FilterValue::Boolean(true))
    )
    .contains("indexNullState"));
    assert!(err(
        &ix,
        &cond("len(name)", Operator::Equal, FilterValue::Int(1))
    )
    .contains("IndexPropertyLength"));
    assert!(
        err(&ix, &cond("_creationTimeUnix", Operator::Equal, text("1")))
            .contains("IndexTimestamps")
    );
    // range filters alone make a numeric property filterable
    cfg.properties[1].range_filters = true;
    ix.set_config(cfg);
    assert!(ix
        .filter(&cond("n", Operator::LessThan, FilterValue::Int(1)))
        .is_ok());
}

#[test]
fn tokenization_cases_of_the_acceptance_suite() {
    // test_filters.py TOKENIZATION_DOCS / TOKENIZATION_CASES
    let docs = [
        "Hello World-Wide",
        "hello world",
        "HELLO",
        "World_Class e-mail",
        "wide open spaces",
    ];
    let tokenizations = [
        ("word", Tokenization::Word),
        ("lowercase", Tokenization::Lowercase),
        ("whitespace", Tokenization::Whitespace),
        ("field", Tokenization::Field),
        ("trigram", Tokenization::Trigram),
    ];
    let props = tokenizations
        .iter()
        .map(|(n, t)| prop(&format!("p_{n}"), DataType::Text, *t))
        .collect();
    let objs: Vec<Obj> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut m = serde_json::Map::new();
            for (n, _) in &tokenizations {
                m.insert(format!("p_{n}"), json!(d));
            }
            Obj::new(i as u32, serde_json::Value::Object(m))
        })
        .collect();
    let ix = build(config(props), &objs).0;
    let cases: [(&str, Operator, &str, &[u32]); 17] = [
        ("word", Operator::Equal, "world", &[0, 1, 3]),
        ("word", Operator::Equal, "WIDE", &[0, 4]),
        ("word", Operator::Equal, "world-wide", &[0]),
        ("word", Operator::Equal, "mail", &[3]),
        ("word", Operator::Like, "wor*", &[0, 1, 3]),
        ("lowercase", Operator::Equal, "world-wide", &[0]),
        ("lowercase", Operator::Equal, "World", &[1]),
        ("lowercase", Operator::Equal, "HELLO", &[0, 1, 2]),
        ("whitespace", Operator::Equal, "hello", &[1]),
        ("whitespace", Operator::Equal, "World-Wide", &[0]),
        ("field", Operator::Equal, "Hello World-Wide", &[0]),
        ("field", Operator::Equal, "hello world-wide", &[]),
        ("field", Operator::Equal, "hello", &[]),
        ("field", Operator::Equal, "HELLO", &[2]),
        ("field", Operator::Like, "hello*", &[1]),
        ("trigram", Operator::Equal, "orld", &[0, 1, 3]),
        ("trigram", Operator::Equal, "wide", &[0, 4]),
    ];
    for (t, op, v, want) in cases {
        assert_eq!(
            ids(&ix, &cond(&format!("p_{t}"), op, text(v))),
            want,
            "{t} {op:?} {v:?}"
        );
    }
}

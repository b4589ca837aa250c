//! test_filters.py's own data and cases, with the expectations its Python evaluation gives
//! (exported by `filters_python.py`): every case must select exactly those rows.

use serde_json::{Map, Value};
use shoal_inverted_index::Tokenization;
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::DataType;

use super::{build, config, prop, Obj};

fn operator(name: &str) -> Operator {
    match name {
        "Equal" => Operator::Equal,
        "NotEqual" => Operator::NotEqual,
        "GreaterThan" => Operator::GreaterThan,
        "GreaterThanEqual" => Operator::GreaterThanEqual,
        "LessThan" => Operator::LessThan,
        "LessThanEqual" => Operator::LessThanEqual,
        "Like" => Operator::Like,
        "ContainsAny" => Operator::ContainsAny,
        "ContainsAll" => Operator::ContainsAll,
        "IsNull" => Operator::IsNull,
        other => panic!("operator {other}"),
    }
}

/// The REST/GraphQL `where` JSON as the filter model (what the API's parser produces).
fn to_filter(w: &Value) -> Filter {
    let op = w["operator"].as_str().expect("operator");
    if op == "And" || op == "Or" {
        let operands = w["operands"]
            .as_array()
            .expect("operands")
            .iter()
            .map(to_filter)
            .collect();
        return if op == "And" {
            Filter::And(operands)
        } else {
            Filter::Or(operands)
        };
    }
    let path = match w["path"][0].as_str().expect("path") {
        "id" | "_id" => FilterPath::Id,
        p if p.starts_with("len(") => FilterPath::Length(p[4..p.len() - 1].to_owned()),
        p => FilterPath::Property(p.to_owned()),
    };
    let strings = |v: &Value| {
        v.as_array()
            .expect("list")
            .iter()
            .map(|s| s.as_str().expect("str").to_owned())
            .collect()
    };
    let value = if let Some(v) = w.get("valueText") {
        FilterValue::Text(v.as_str().expect("text").to_owned())
    } else if let Some(v) = w.get("valueInt") {
        FilterValue::Int(v.as_i64().expect("int"))
    } else if let Some(v) = w.get("valueNumber") {
        FilterValue::Number(v.as_f64().expect("number"))
    } else if let Some(v) = w.get("valueBoolean") {
        FilterValue::Boolean(v.as_bool().expect("bool"))
    } else if let Some(v) = w.get("valueDate") {
        FilterValue::Date(v.as_str().expect("date").to_owned())
    } else if let Some(v) = w.get("valueTextArray") {
        FilterValue::TextList(strings(v))
    } else if let Some(v) = w.get("valueIntArray") {
        FilterValue::IntList(
            v.as_array()
                .expect("ints")
                .iter()
                .map(|i| i.as_i64().expect("int"))
                .collect(),
        )
    } else {
        panic!("no value in {w}")
    };
    Filter::Condition(Condition {
        path,
        operator: operator(op),
        value,
    })
}

/// Bit `i` of a hex number.
fn bit(hex: &str, i: usize) -> bool {
    let digits = hex.as_bytes();
    let Some(pos) = digits.len().checked_sub(1 + i / 4) else {
        return false;
    };
    let d = (digits[pos] as char).to_digit(16).expect("hex");
    d >> (i % 4) & 1 == 1
}

#[test]
fn every_case_of_the_acceptance_suite_selects_its_expected_rows() {
    let data: Value = serde_json::from_str(include_str!("filters_python.json")).expect("json");
    let rows = data["rows"].as_array().expect("rows");
    let objs: Vec<Obj> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut o = Obj::new(
                i as u32,
                Value::Object(r[1].as_object().cloned().unwrap_or_else(Map::new)),
            );
            o.id = uuid::Uuid::parse_str(r[0].as_str().expect("id")).expect("uuid");
            o
        })
        .collect();
    let props = vec![
        prop("name", DataType::Text, Tokenization::Word),
        prop("label", DataType::Text, Tokenization::Field),
        prop("tags", DataType::TextArray, Tokenization::Word),
        prop("count", DataType::Int, Tokenization::Word),
        prop("score", DataType::Number, Tokenization::Word),
        prop("active", DataType::Boolean, Tokenization::Word),
        prop("when", DataType::Date, Tokenization::Word),
        prop("ref", DataType::Uuid, Tokenization::Word),
    ];
    let (index, _) = build(config(props), &objs);
    let cases = data["cases"].as_array().expect("cases");
    assert!(cases.len() >= 60);
    for case in cases {
        let id = case[0].as_str().expect("case id");
        let filter = to_filter(&case[1]);
        let hex = case[2].as_str().expect("mask");
        let want: Vec<u32> = (0..objs.len())
            .filter(|i| bit(hex, *i))
            .map(|i| i as u32)
            .collect();
        let got: Vec<u32> = index
            .filter(&filter)
            .unwrap_or_else(|e| panic!("{id}: {e}"))
            .iter()
            .collect();
        assert_eq!(got, want, "{id}: {filter:?}");
    }
    let stopwords_only =
        to_filter(&serde_json::json!({"path": ["name"], "operator": "Equal", "valueText": "the"}));
    assert!(
        index.filter(&stopwords_only).is_err(),
        "a stopword-only value is an error"
    );
}

//! Random objects and random (well-typed) filters over them.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use shoal_inverted_index::{IndexConfig, Tokenization};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::DataType;

use crate::{config, prop};

/// The properties of the random objects.
pub fn schema() -> IndexConfig {
    config(vec![
        prop("name", DataType::Text, Tokenization::Word),
        prop("label", DataType::Text, Tokenization::Field),
        prop("tags", DataType::TextArray, Tokenization::Word),
        prop("kw", DataType::Text, Tokenization::Lowercase),
        prop("count", DataType::Int, Tokenization::Word),
        prop("score", DataType::Number, Tokenization::Word),
        prop("active", DataType::Boolean, Tokenization::Word),
        prop("when", DataType::Date, Tokenization::Word),
        prop("ref", DataType::Uuid, Tokenization::Word),
        prop("nums", DataType::IntArray, Tokenization::Word),
        prop(
            "cites",
            DataType::Reference(vec!["Doc".into()]),
            Tokenization::Word,
        ),
        prop("loc", DataType::GeoCoordinates, Tokenization::Word),
    ])
}

const WORDS: [&str; 10] = [
    "red", "Apple", "the", "of", "banana", "CHERRY", "app", "pie", "zebra", "é",
];
const SEPS: [&str; 5] = [" ", "-", "_", ", ", "  "];
const LABELS: [&str; 6] = ["Alpha One", "alpha one", "Beta", " Beta ", "", "Gamma-Ray"];
const DATES: [&str; 5] = [
    "2020-01-01T00:00:00Z",
    "2020-01-01T02:00:00+02:00",
    "2021-06-01T12:30:00Z",
    "1999-12-31T23:59:59.5Z",
    "2020-01-01T00:00:01Z",
];

fn uuid_of(i: u8) -> String {
    format!("00000000-0000-0000-0000-0000000000{i:02x}")
}

/// The uuid of the `i`th of a few reference targets.
pub fn target_of(i: u8) -> uuid::Uuid {
    uuid::Uuid::from_u128(0x7a00_0000_0000_4000_8000_0000_0000_0000 + u128::from(i))
}

/// A reference property's value: beacons to a few targets (repeats allowed), with and
/// without the class (the legacy form).
fn beacons() -> impl Strategy<Value = Value> {
    prop::collection::vec((0u8..5, any::<bool>()), 0..4).prop_map(|refs| {
        let beacons = refs.into_iter().map(|(i, legacy)| {
            let beacon = if legacy {
                format!("weaviate://localhost/{}", target_of(i))
            } else {
                format!("weaviate://localhost/Doc/{}", target_of(i))
            };
            json!({ "beacon": beacon })
        });
        Value::Array(beacons.collect())
    })
}

fn words() -> impl Strategy<Value = String> {
    prop::collection::vec((0..WORDS.len(), 0..SEPS.len()), 0..4).prop_map(|ws| {
        ws.iter()
            .map(|(w, s)| format!("{}{}", WORDS[*w], SEPS[*s]))
            .collect::<String>()
    })
}

fn maybe<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
    prop::option::weighted(0.8, s)
}

/// A random object (some properties missing, some JSON null).
pub fn object() -> impl Strategy<Value = Map<String, Value>> {
    (
        (maybe(words()), maybe(0..LABELS.len()), maybe(prop::collection::vec(words(), 0..3)), maybe(words())),
        (maybe(-3i64..4), maybe(-4i32..5), maybe(any::<bool>()), maybe(0..DATES.len())),
        (maybe(0u8..4), maybe(prop::collection::vec(0i64..5, 0..4)), maybe((-2i32..3, -2i32..3)), any::<bool>()),
        maybe(beacons()),
    )
        .prop_map(|((name, label, tags, kw), (count, score, active, when), (r, nums, loc, null_name), cites)| {
            let mut m = Map::new();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    m.insert(k.to_owned(), v);
                }
            };
            put("name", if null_name { Some(Value::Null) } else { name.map(Value::from) });
            put("label", label.map(|i| json!(LABELS[i])));
            put("tags", tags.map(|t| json!(t)));
            put("kw", kw.map(Value::from));
            put("count", count.map(Value::from));
            put("score", score.map(|s| json!(f64::from(s) * 0.5)));
            put("active", active.map(Value::from));
            put("when", when.map(|i| json!(DATES[i])));
            put("ref", r.map(|i| json!(uuid_of(i))));
            put("nums", nums.map(|n| json!(n)));
            put("cites", cites);
            put("loc", loc.map(|(a, b)| json!({"latitude": f64::from(a) * 0.01, "longitude": f64::from(b) * 0.01})));
            m
        })
}

fn op_strategy() -> impl Strategy<Value = Operator> {
    prop_oneof![
        Just(Operator::Equal),
        Just(Operator::NotEqual),
        Just(Operator::GreaterThan),
        Just(Operator::GreaterThanEqual),
        Just(Operator::LessThan),
        Just(Operator::LessThanEqual),
        Just(Operator::ContainsAny),
        Just(Operator::ContainsAll),
    ]
}

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        words(),
        (0..LABELS.len()).prop_map(|i| LABELS[i].to_owned())
    ]
}

fn like_pattern() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![Just("*".to_owned()), Just("?".to_owned()), text_value()],
        1..3,
    )
    .prop_map(|parts| parts.concat())
}

fn cond(path: FilterPath, operator: Operator, value: FilterValue) -> Filter {
    Filter::Condition(Condition {
        path,
        operator,
        value,
    })
}

fn p(name: &str) -> FilterPath {
    FilterPath::Property(name.to_owned())
}

/// A random valid-typed condition.
pub fn condition(ids: Vec<String>) -> impl Strategy<Value = Filter> {
    let text_props = prop_oneof![Just("name"), Just("label"), Just("tags"), Just("kw")];
    prop_oneof![
        (
            text_props.clone(),
            op_strategy(),
            prop::collection::vec(text_value(), 1..3)
        )
            .prop_map(|(n, op, vs)| {
                let value = if matches!(op, Operator::ContainsAny | Operator::ContainsAll) {
                    FilterValue::TextList(vs)
                } else {
                    FilterValue::Text(vs[0].clone())
                };
                cond(p(n), op, value)
            }),
        (text_props, like_pattern()).prop_map(|(n, pat)| cond(
            p(n),
            Operator::Like,
            FilterValue::Text(pat)
        )),
        (
            prop_oneof![Just("count"), Just("nums")],
            op_strategy(),
            prop::collection::vec(-3i64..5, 1..3)
        )
            .prop_map(|(n, op, vs)| {
                let value = if matches!(op, Operator::ContainsAny | Operator::ContainsAll) {
                    FilterValue::IntList(vs)
                } else {
                    FilterValue::Int(vs[0])
                };
                cond(p(n), op, value)
            }),
        (op_strategy(), -4i32..5).prop_map(|(op, s)| {
            let v = f64::from(s) * 0.5;
            let value = if matches!(op, Operator::ContainsAny | Operator::ContainsAll) {
                FilterValue::NumberList(vec![v])
            } else {
                FilterValue::Number(v)
            };
            cond(p("score"), op, value)
        }),
        (
            prop_oneof![Just(Operator::Equal), Just(Operator::NotEqual)],
            any::<bool>()
        )
            .prop_map(|(op, b)| cond(p("active"), op, FilterValue::Boolean(b))),
        (op_strategy(), 0..DATES.len()).prop_map(|(op, i)| {
            let value = if matches!(op, Operator::ContainsAny | Operator::ContainsAll) {
                FilterValue::DateList(vec![DATES[i].to_owned()])
            } else {
                FilterValue::Date(DATES[i].to_owned())
            };
            cond(p("when"), op, value)
        }),
        (op_strategy(), 0u8..4).prop_map(|(op, i)| {
            let value = if matches!(op, Operator::ContainsAny | Operator::ContainsAll) {
                FilterValue::TextList(vec![uuid_of(i)])
            } else {
                FilterValue::Text(uuid_of(i))
            };
            cond(p("ref"), op, value)
        }),
        (op_strategy(), prop::sample::select(ids)).prop_map(|(op, id)| {
            let value = if matches!(op, Operator::ContainsAny | Operator::ContainsAll) {
                FilterValue::TextList(vec![id])
            } else {
                FilterValue::Text(id)
            };
            cond(FilterPath::Id, op, value)
        }),
        (
            prop_oneof![
                Just("name"),
                Just("tags"),
                Just("ref"),
                Just("score"),
                Just("loc"),
                Just("nums"),
                Just("cites")
            ],
            any::<bool>()
        )
            .prop_map(|(n, b)| cond(p(n), Operator::IsNull, FilterValue::Boolean(b))),
        (
            prop_oneof![Just("name"), Just("tags"), Just("nums"), Just("label")],
            op_strategy(),
            0i64..12
        )
            .prop_filter_map("len() has no Contains", |(n, op, v)| {
                (!matches!(op, Operator::ContainsAny | Operator::ContainsAll))
                    .then(|| cond(FilterPath::Length(n.to_owned()), op, FilterValue::Int(v)))
            }),
        (
            prop_oneof![Just(FilterPath::CreationTime), Just(FilterPath::UpdateTime)],
            op_strategy(),
            0i64..6
        )
            .prop_filter_map("no Contains on timestamps here", |(path, op, d)| {
                (!matches!(op, Operator::ContainsAny | Operator::ContainsAll)).then(|| {
                    cond(
                        path,
                        op,
                        FilterValue::Text((1_600_000_000_000 + d * 1000).to_string()),
                    )
                })
            }),
        // targets 5 and 6 are referenced by no object
        prop::collection::vec(0u8..7, 0..4).prop_map(|ts| Filter::ReferencesAny {
            property: "cites".into(),
            targets: ts.into_iter().map(target_of).collect(),
        }),
        (
            -2i32..3,
            -2i32..3,
            prop_oneof![Just(0.0), Just(1200.0), Just(2500.0), Just(1e7)]
        )
            .prop_map(|(a, b, max)| {
                let value = FilterValue::GeoRange {
                    latitude: f64::from(a) * 0.01,
                    longitude: f64::from(b) * 0.01,
                    max_distance_m: max,
                };
                cond(p("loc"), Operator::WithinGeoRange, value)
            }),
    ]
}

/// A random filter tree.
pub fn filter(ids: Vec<String>) -> impl Strategy<Value = Filter> {
    condition(ids).prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Filter::And),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Filter::Or),
            inner.prop_map(|f| Filter::Not(Box::new(f))),
        ]
    })
}

//! Comparisons on ints, numbers and dates (single values and arrays) and on timestamps, which
//! the index answers from bit-sliced indexes, against the naive evaluator: random values with
//! negatives, `-0.0`, extreme and tiny magnitudes and dates before 1970, through inserts,
//! updates and deletes, with every comparison operator, `ContainsAny`/`ContainsAll`, and
//! two-sided ranges (an `And` of two comparisons on one property, which the index evaluates
//! as one range).

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use shoal_inverted_index::{IndexConfig, InvertedIndex, Posting, Tokenization};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::DataType;
use types::DocId;

use super::naive::expected;
use super::{config, prop, Obj};

const SLOTS: usize = 16;

fn schema() -> IndexConfig {
    let w = Tokenization::Word;
    config(vec![
        prop("i", DataType::Int, w),
        prop("n", DataType::Number, w),
        prop("d", DataType::Date, w),
        prop("is", DataType::IntArray, w),
        prop("ns", DataType::NumberArray, w),
        prop("ds", DataType::DateArray, w),
    ])
}

fn int() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => -4i64..4,
        1 => any::<i64>(),
        1 => prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(i64::MIN + 1), Just(i64::MAX - 1)],
    ]
}

fn number() -> impl Strategy<Value = f64> {
    use prop::num::f64 as f;
    prop_oneof![
        3 => (-4i32..4).prop_map(|x| f64::from(x) * 0.5),
        1 => prop_oneof![Just(0.0), Just(-0.0), Just(f64::MAX), Just(f64::MIN), Just(1e-300), Just(-5e-324)],
        1 => f::POSITIVE | f::NEGATIVE | f::NORMAL | f::SUBNORMAL | f::ZERO,
    ]
}

/// RFC 3339 dates from year 1 to 9999, clustered so that equal instants occur (also written
/// with another offset).
fn date() -> impl Strategy<Value = String> {
    let clustered = (-3i64..3, 0u32..2, prop::bool::ANY).prop_map(|(s, n, offset)| {
        let t = chrono::DateTime::from_timestamp(s * 3600, n * 500_000_000).unwrap_or_default();
        if offset {
            let tz = chrono::FixedOffset::east_opt(7200).expect("a valid offset");
            t.with_timezone(&tz)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
        } else {
            t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        }
    });
    let any_date = (-62_135_596_800i64..253_402_300_799, 0u32..1_000_000_000).prop_map(|(s, n)| {
        chrono::DateTime::from_timestamp(s, n)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
    });
    prop_oneof![3 => clustered, 1 => any_date]
}

fn ms() -> impl Strategy<Value = i64> {
    prop_oneof![3 => -3i64..3, 1 => any::<i64>()]
}

fn maybe<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
    prop::option::weighted(0.8, s)
}

/// A random object and its two timestamps.
fn object() -> impl Strategy<Value = (Map<String, Value>, i64, i64)> {
    use prop::collection::vec;
    (
        (maybe(int()), maybe(number()), maybe(date())),
        (maybe(vec(int(), 0..4)), maybe(vec(number(), 0..4))),
        maybe(vec(date(), 0..4)),
        (ms(), ms()),
    )
        .prop_map(|((i, n, d), (is, ns), ds, (created, updated))| {
            let mut m = Map::new();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    m.insert(k.to_owned(), v);
                }
            };
            put("i", i.map(Value::from));
            put("n", n.map(|x| json!(x)));
            put("d", d.map(Value::from));
            put("is", is.map(|x| json!(x)));
            put("ns", ns.map(|x| json!(x)));
            put("ds", ds.map(|x| json!(x)));
            (m, created, updated)
        })
}

fn comparison() -> impl Strategy<Value = Operator> {
    prop_oneof![
        Just(Operator::Equal),
        Just(Operator::NotEqual),
        Just(Operator::GreaterThan),
        Just(Operator::GreaterThanEqual),
        Just(Operator::LessThan),
        Just(Operator::LessThanEqual),
    ]
}

fn cond(path: FilterPath, operator: Operator, value: FilterValue) -> Filter {
    Filter::Condition(Condition {
        path,
        operator,
        value,
    })
}

/// A comparison on one of the properties or timestamps, with a value of its type.
fn condition() -> impl Strategy<Value = Filter> {
    let p = |n: &str| FilterPath::Property(n.to_owned());
    prop_oneof![
        (prop_oneof![Just("i"), Just("is")], comparison(), int()).prop_map(move |(n, op, v)| cond(
            p(n),
            op,
            FilterValue::Int(v)
        )),
        (prop_oneof![Just("n"), Just("ns")], comparison(), number())
            .prop_map(move |(n, op, v)| cond(p(n), op, FilterValue::Number(v))),
        (prop_oneof![Just("d"), Just("ds")], comparison(), date())
            .prop_map(move |(n, op, v)| cond(p(n), op, FilterValue::Date(v))),
        (
            prop_oneof![Just(FilterPath::CreationTime), Just(FilterPath::UpdateTime)],
            comparison(),
            ms()
        )
            .prop_map(|(path, op, v)| cond(path, op, FilterValue::Text(v.to_string()))),
        (
            prop_oneof![Just(Operator::ContainsAny), Just(Operator::ContainsAll)],
            prop::collection::vec(int(), 1..3)
        )
            .prop_map(move |(op, v)| cond(p("is"), op, FilterValue::IntList(v))),
        (
            prop_oneof![Just(Operator::ContainsAny), Just(Operator::ContainsAll)],
            prop::collection::vec(number(), 1..3)
        )
            .prop_map(move |(op, v)| cond(p("n"), op, FilterValue::NumberList(v))),
    ]
}

/// One comparison, or a two-sided range: two comparisons on the same property.
fn filter() -> impl Strategy<Value = Filter> {
    (condition(), condition()).prop_map(|(a, b)| {
        let (Filter::Condition(x), Filter::Condition(y)) = (&a, &b) else {
            return a;
        };
        if x.path == y.path {
            Filter::And(vec![a, b])
        } else {
            a
        }
    })
}

#[derive(Debug, Clone)]
enum Step {
    Put(usize, (Map<String, Value>, i64, i64)),
    Delete(usize),
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        prop_oneof![
            4 => (0..SLOTS, object()).prop_map(|(s, o)| Step::Put(s, o)),
            1 => (0..SLOTS).prop_map(Step::Delete),
        ],
        1..40,
    )
}

/// The index after `steps` applied as a shard would, and the objects it holds.
fn replay(steps: Vec<Step>) -> (InvertedIndex, Vec<Option<Obj>>) {
    let index = InvertedIndex::new(schema());
    let mut current: Vec<Option<Obj>> = vec![None; SLOTS];
    for step in steps {
        let (slot, new) = match step {
            Step::Put(slot, (props, created, updated)) => {
                let mut o = Obj::new(slot as u32, Value::Object(props));
                (o.created, o.updated) = (created, updated);
                (slot, Some(o))
            }
            Step::Delete(slot) => (slot, None),
        };
        let doc = slot as DocId;
        let postings = |o: &Option<Obj>| -> Vec<Posting> {
            o.as_ref()
                .map(|o| index.postings(doc, &o.input()))
                .unwrap_or_default()
        };
        let (old, fresh) = (postings(&current[slot]), postings(&new));
        index.apply(doc, &old, &fresh);
        current[slot] = new;
    }
    (index, current)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn comparisons_equal_naive_evaluation(
        steps in steps(),
        filters in prop::collection::vec(filter(), 1..10),
    ) {
        let (index, current) = replay(steps);
        let fresh = InvertedIndex::new(schema());
        for (slot, o) in current.iter().enumerate() {
            if let Some(o) = o {
                fresh.apply(slot as DocId, &[], &fresh.postings(slot as DocId, &o.input()));
            }
        }
        prop_assert!(index.same_data(&fresh), "incremental index differs from a fresh one");
        let cfg = schema();
        for f in &filters {
            let want = expected(&cfg, &current, f).expect("comparisons of numbers are valid");
            let got = index.filter(f).map(|b| b.iter().collect::<Vec<u32>>());
            prop_assert_eq!(got, Ok(want), "filter {:?}", f);
        }
    }
}

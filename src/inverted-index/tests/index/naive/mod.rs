//! A naive evaluator of filters straight over the JSON objects (the semantics of
//! test_filters.py's reference predicates, extended to every operator and type), random
//! objects and filters, and a property test that the index agrees with it.

use chrono::DateTime;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use shoal_inverted_index::{
    tokenize, tokenize_with_wildcards, IndexConfig, Stopwords, Tokenization,
};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::DataType;

mod strategies;

pub use strategies::{filter, object, schema, target_of};

use super::{build, Obj};

// ----------------------------------------------------------------------------- the naive evaluator

/// Evaluation of a filter against one object; `Err` when the filter is invalid (only the
/// stopword-only text value can be, for the filters generated here).
pub struct Naive<'a> {
    pub config: &'a IndexConfig,
}

fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn elements(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(other) => vec![other],
    }
}

fn instant(s: &str) -> (i64, u32) {
    let t = DateTime::parse_from_rfc3339(s).expect("test dates parse");
    (t.timestamp(), t.timestamp_subsec_nanos())
}

fn holds<T: PartialOrd>(op: Operator, a: T, b: T) -> bool {
    match op {
        Operator::Equal => a == b,
        Operator::NotEqual => a != b,
        Operator::GreaterThan => a > b,
        Operator::GreaterThanEqual => a >= b,
        Operator::LessThan => a < b,
        Operator::LessThanEqual => a <= b,
        other => panic!("not a comparison: {other:?}"),
    }
}

fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_000.0;
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let dp = (b.0 - a.0).to_radians();
    let dl = (b.1 - a.1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

impl Naive<'_> {
    pub fn matches(&self, f: &Filter, o: &Obj) -> Result<bool, String> {
        match f {
            Filter::And(v) => v
                .iter()
                .try_fold(true, |acc, f| Ok(self.matches(f, o)? && acc)),
            Filter::Or(v) => v
                .iter()
                .try_fold(false, |acc, f| Ok(self.matches(f, o)? || acc)),
            Filter::Not(f) => Ok(!self.matches(f, o)?),
            Filter::Condition(c) => self.condition(c, o),
            Filter::ReferencesAny { property, targets } => {
                let spec = self.config.property(property).expect("known property");
                if !matches!(spec.data_type, DataType::Reference(_)) {
                    return Err("not a reference property".into());
                }
                Ok(elements(o.props.get(property)).iter().any(|r| {
                    let beacon = r["beacon"].as_str().expect("beacon");
                    let id = beacon.rsplit('/').next().expect("a path");
                    let id = uuid::Uuid::parse_str(id).expect("test beacons hold uuids");
                    targets.contains(&id)
                }))
            }
        }
    }

    fn condition(&self, c: &Condition, o: &Obj) -> Result<bool, String> {
        if let Operator::ContainsAny | Operator::ContainsAll = c.operator {
            let items: Vec<FilterValue> = match &c.value {
                FilterValue::TextList(l) => l.iter().cloned().map(FilterValue::Text).collect(),
                FilterValue::IntList(l) => l.iter().copied().map(FilterValue::Int).collect(),
                FilterValue::NumberList(l) => l.iter().copied().map(FilterValue::Number).collect(),
                FilterValue::DateList(l) => l.iter().cloned().map(FilterValue::Date).collect(),
                other => vec![other.clone()],
            };
            let mut results = Vec::new();
            for value in items {
                let c = Condition {
                    path: c.path.clone(),
                    operator: Operator::Equal,
                    value,
                };
                results.push(self.condition(&c, o)?);
            }
            return Ok(if c.operator == Operator::ContainsAny {
                results.iter().any(|r| *r)
            } else {
                results.iter().all(|r| *r)
            });
        }
        match &c.path {
            FilterPath::Id => {
                let FilterValue::Text(s) = &c.value else {
                    panic!("id value")
                };
                Ok(holds(
                    c.operator,
                    o.id.hyphenated().to_string(),
                    s.to_lowercase(),
                ))
            }
            FilterPath::CreationTime | FilterPath::UpdateTime => {
                let FilterValue::Text(s) = &c.value else {
                    panic!("timestamp value")
                };
                let ts = if c.path == FilterPath::CreationTime {
                    o.created
                } else {
                    o.updated
                };
                Ok(holds(c.operator, ts, s.parse::<i64>().expect("ms")))
            }
            FilterPath::Length(name) => {
                let FilterValue::Int(v) = c.value else {
                    panic!("len value")
                };
                let len = match o.props.get(name) {
                    Some(Value::String(s)) => s.chars().count() as i64,
                    Some(Value::Array(a)) => a.len() as i64,
                    _ => 0,
                };
                Ok(holds(c.operator, len, v))
            }
            FilterPath::Property(name) => self.property(name, c, o),
            FilterPath::Reference { .. } => panic!("no cross-reference paths are generated"),
        }
    }

    fn property(&self, name: &str, c: &Condition, o: &Obj) -> Result<bool, String> {
        let spec = self.config.property(name).expect("known property");
        let value = o.props.get(name).filter(|v| !v.is_null());
        if c.operator == Operator::IsNull {
            let FilterValue::Boolean(want) = c.value else {
                panic!("IsNull value")
            };
            let null = match value {
                None => true,
                Some(Value::String(s)) => s.is_empty(),
                Some(Value::Array(a)) => a.is_empty(),
                Some(_) => false,
            };
            return Ok(null == want);
        }
        match (&spec.data_type, &c.value) {
            (DataType::Text | DataType::TextArray, FilterValue::Text(s)) => {
                let tokens: Vec<String> = value
                    .map(strings)
                    .unwrap_or_default()
                    .iter()
                    .flat_map(|t| tokenize(spec.tokenization, t))
                    .collect();
                self.text(spec.tokenization, c.operator, s, &tokens)
            }
            (
                DataType::GeoCoordinates,
                FilterValue::GeoRange {
                    latitude,
                    longitude,
                    max_distance_m,
                },
            ) => {
                let Some(v) = value else { return Ok(false) };
                let point = (
                    v["latitude"].as_f64().expect("lat"),
                    v["longitude"].as_f64().expect("lon"),
                );
                Ok(haversine((*latitude, *longitude), point) <= *max_distance_m)
            }
            (_, want) => {
                let els = elements(value);
                let any = |op: Operator| {
                    els.iter().any(|e| match want {
                        FilterValue::Int(w) => holds(op, e.as_i64().expect("int"), *w),
                        FilterValue::Number(w) => holds(op, e.as_f64().expect("number"), *w),
                        FilterValue::Boolean(w) => holds(op, e.as_bool().expect("bool"), *w),
                        FilterValue::Date(w) => {
                            holds(op, instant(e.as_str().expect("date")), instant(w))
                        }
                        FilterValue::Text(w) => holds(
                            op,
                            uuid::Uuid::parse_str(e.as_str().expect("uuid")).expect("uuid"),
                            uuid::Uuid::parse_str(w).expect("uuid"),
                        ),
                        other => panic!("unexpected value {other:?}"),
                    })
                };
                Ok(if c.operator == Operator::NotEqual {
                    !any(Operator::Equal)
                } else {
                    any(c.operator)
                })
            }
        }
    }

    fn text(
        &self,
        t: Tokenization,
        op: Operator,
        value: &str,
        tokens: &[String],
    ) -> Result<bool, String> {
        let stop: &Stopwords = &self.config.stopwords;
        let split = if op == Operator::Like {
            tokenize_with_wildcards(t, value)
        } else {
            tokenize(t, value)
        };
        let terms: Vec<String> = split.into_iter().filter(|w| !stop.contains(w)).collect();
        if terms.is_empty() {
            return Err("only stopwords".into());
        }
        Ok(terms.iter().all(|term| match op {
            Operator::NotEqual => !tokens.contains(term),
            Operator::Like => tokens.iter().any(|tok| like(term, tok)),
            op => tokens
                .iter()
                .any(|tok| holds(op, tok.as_str(), term.as_str())),
        }))
    }
}

/// `Like` by recursion over characters.
fn like(pattern: &str, s: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => (0..=s.len()).any(|i| go(rest, &s[i..])),
            Some(('?', rest)) => !s.is_empty() && go(rest, &s[1..]),
            Some((c, rest)) => s.first() == Some(c) && go(rest, &s[1..]),
        }
    }
    go(
        &pattern.chars().collect::<Vec<_>>(),
        &s.chars().collect::<Vec<_>>(),
    )
}

/// The docs (positions in `objs`) matching `f`, or `Err` if the filter is invalid.
pub fn expected(
    config: &IndexConfig,
    objs: &[Option<Obj>],
    f: &Filter,
) -> Result<Vec<u32>, String> {
    let naive = Naive { config };
    // invalid filters are invalid whatever the data: check against an empty object too
    naive.matches(f, &Obj::new(u32::MAX, json!({})))?;
    let mut out = Vec::new();
    for (doc, o) in objs.iter().enumerate() {
        if let Some(o) = o {
            if naive.matches(f, o)? {
                out.push(doc as u32);
            }
        }
    }
    Ok(out)
}

/// Objects 0..n from random property maps.
pub fn objects(props: Vec<Map<String, Value>>) -> Vec<Obj> {
    props
        .into_iter()
        .enumerate()
        .map(|(i, p)| Obj::new(i as u32, Value::Object(p)))
        .collect()
}

fn ids_of(n: usize) -> Vec<String> {
    let mut ids: Vec<String> = (0..n as u32)
        .map(|i| Obj::new(i, json!({})).id.to_string())
        .collect();
    ids.push("ffffffff-0000-4000-8000-000000000000".into());
    ids.push(Obj::new(1, json!({})).id.to_string().to_uppercase());
    ids
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn filter_equals_naive_evaluation(
        props in prop::collection::vec(object(), 1..25),
        filters in prop::collection::vec(filter(ids_of(25)), 1..8),
    ) {
        let cfg = schema();
        let objs = objects(props);
        let (index, _) = build(cfg.clone(), &objs);
        let present: Vec<Option<Obj>> = objs.into_iter().map(Some).collect();
        for f in &filters {
            let got = index.filter(f).map(|b| b.iter().collect::<Vec<u32>>());
            match expected(&cfg, &present, f) {
                Ok(want) => prop_assert_eq!(got, Ok(want), "filter {:?}", f),
                Err(_) => prop_assert!(got.is_err(), "filter {:?} should be an error", f),
            }
        }
    }
}

#[test]
fn naive_like_agrees_with_simple_cases() {
    assert!(like("a*c", "abbc") && like("?", "é") && !like("a?", "a") && like("*", ""));
}

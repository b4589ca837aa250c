//! `Aggregate` over a set of objects: per-property aggregations and `groupBy`.
//!
//! Follows Weaviate 1.27's `adapters/repos/db/aggregator`: `numerical.go`, `text.go`,
//! `boolean.go`, `date.go` (the arithmetic), `filtered.go` (which values count),
//! `aggregator.go` (which types aggregate) and `grouper.go` / `grouped.go` (groupBy).
//!
//! Values counted: every value of the property over the objects; array elements count one by
//! one; objects without the property (or with null) count nothing. Numbers:
//!
//! - `count` is the number of values; `sum` and `mean` (= sum / count) over all of them;
//! - `median` is the middle value, or for an even count the mean of the two middle values;
//! - `mode` is the most frequent value, the smallest one among equally frequent values;
//! - with no values only `count` (0) is set; the others are `None` (null), as in Weaviate.
//!
//! Weaviate serves every numeric aggregation except `count` as a GraphQL Float, ints included,
//! encoded by Go's `encoding/json`: integral values print without a fraction (`"sum": 5000`).
//! A renderer that wants byte-identical output prints integral values below 2^53 as integers
//! (`serde_json::Value::from(x as i64)`) and others as floats; `count` is an Int.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use types::schema::{Class, DataType};
use types::Object;

use crate::gofmt::{parse_rfc3339_nanos, rfc3339_nano_utc, v_f64};
use crate::query::PropertyAggregate;
use crate::{Error, Result};

/// Aggregates `objects` for the requested properties (numeric, text with topOccurrences,
/// boolean, date, and their arrays). Each property appears once in the result, even if asked
/// for twice. `top_occurrences_limit` is `topOccurrences(limit:)`, 5 when the query gives none
/// (Weaviate's `extractLimitFromTopOccs`).
///
/// Reference properties are skipped (absent from the map): their only aggregations, `type`
/// and `pointingTo`, come from the schema. Unknown properties and types Weaviate cannot
/// aggregate (geoCoordinates, phoneNumber, uuid, blob, object) are [`Error::InvalidInput`]
/// naming the property.
pub fn aggregate(
    class: &Class,
    objects: &[Object],
    properties: &[String],
    top_occurrences_limit: usize,
) -> Result<BTreeMap<String, PropertyAggregate>> {
    let mut out = BTreeMap::new();
    for name in properties {
        if out.contains_key(name) {
            continue;
        }
        let prop = class.property(name).ok_or_else(|| {
            Error::InvalidInput(format!(
                "property {name}: no such prop with name '{name}' found in class '{}' in the schema. \
                 Check your schema files for which properties in this class are available",
                class.class
            ))
        })?;
        let kind = prop.kind().ok_or_else(|| {
            Error::InvalidInput(format!(
                "property {name}: unrecognized dataType {:?}",
                prop.data_type
            ))
        })?;
        let values = || values_of(objects, name);
        let result = match kind {
            DataType::Int | DataType::Number | DataType::IntArray | DataType::NumberArray => {
                numeric(values().filter_map(Value::as_f64).collect())
            }
            DataType::Text | DataType::TextArray => {
                text(values().filter_map(Value::as_str), top_occurrences_limit)
            }
            DataType::Boolean | DataType::BooleanArray => {
                boolean(values().filter_map(Value::as_bool))
            }
            DataType::Date | DataType::DateArray => date(
                values()
                    .filter_map(Value::as_str)
                    .filter_map(parse_rfc3339_nanos)
                    .collect(),
            ),
            DataType::Reference(_) => continue,
            other @ (DataType::GeoCoordinates
            | DataType::PhoneNumber
            | DataType::Uuid
            | DataType::UuidArray
            | DataType::Blob
            | DataType::Object
            | DataType::ObjectArray) => {
                return Err(Error::InvalidInput(format!(
                    "property {name}: dataType {} can't be aggregated",
                    other.name().unwrap_or("unknown")
                )))
            }
        };
        out.insert(name.clone(), result);
    }
    Ok(out)
}

/// Every value of property `name`: scalars as themselves, arrays element by element; missing
/// properties and nulls yield nothing.
fn values_of<'a>(objects: &'a [Object], name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    objects
        .iter()
        .filter_map(move |o| o.properties.get(name))
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            Value::Null => Vec::new(),
            scalar @ (Value::Bool(_) | Value::Number(_) | Value::String(_) | Value::Object(_)) => {
                vec![scalar]
            }
        })
}

/// count, minimum, maximum, mean, median, mode and sum of numbers (in object order).
fn numeric(values: Vec<f64>) -> PropertyAggregate {
    let count = values.len() as u64;
    if values.is_empty() {
        return PropertyAggregate::Numeric {
            count,
            minimum: None,
            maximum: None,
            mean: None,
            median: None,
            mode: None,
            sum: None,
        };
    }
    let sum: f64 = values.iter().sum();
    let mut sorted = values;
    // JSON holds no NaN, so partial_cmp is total here.
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        let (lo, hi) = (sorted[n / 2 - 1], sorted[n / 2]);
        // Equal middles return the value itself (no (v + v) / 2 overflow), as Weaviate does.
        if lo == hi {
            lo
        } else {
            (lo + hi) / 2.0
        }
    };
    PropertyAggregate::Numeric {
        count,
        minimum: Some(sorted[0]),
        maximum: Some(sorted[n - 1]),
        mean: Some(sum / count as f64),
        median: Some(median),
        mode: Some(most_frequent(&sorted)),
        sum: Some(sum),
    }
}

/// The most frequent value of a sorted slice; the first (smallest) among equally frequent ones.
fn most_frequent<T: PartialEq + Copy>(sorted: &[T]) -> T {
    let mut best = sorted[0];
    let mut best_count = 0usize;
    let mut i = 0;
    while i < sorted.len() {
        let run = sorted[i..].iter().take_while(|v| **v == sorted[i]).count();
        if run > best_count {
            best = sorted[i];
            best_count = run;
        }
        i += run.max(1);
    }
    best
}

/// count (every value) and the `limit` most frequent values, ties by value (byte order).
fn text<'a>(values: impl Iterator<Item = &'a str>, limit: usize) -> PropertyAggregate {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    let mut count = 0u64;
    for v in values {
        count += 1;
        *counts.entry(v).or_default() += 1;
    }
    let mut top: Vec<(&str, u64)> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    top.truncate(limit);
    PropertyAggregate::Text {
        count,
        top_occurrences: top.into_iter().map(|(v, c)| (v.to_string(), c)).collect(),
    }
}

/// Totals and shares of true and false; all zero without values.
fn boolean(values: impl Iterator<Item = bool>) -> PropertyAggregate {
    let (mut total_true, mut total_false) = (0u64, 0u64);
    for v in values {
        if v {
            total_true += 1;
        } else {
            total_false += 1;
        }
    }
    let count = total_true + total_false;
    let share = |n: u64| {
        if count == 0 {
            0.0
        } else {
            n as f64 / count as f64
        }
    };
    PropertyAggregate::Boolean {
        count,
        total_true,
        total_false,
        percentage_true: share(total_true),
        percentage_false: share(total_false),
    }
}

/// count, minimum, maximum, median and mode of instants (nanoseconds), as RFC 3339 UTC text.
///
/// Weaviate prints `time.RFC3339Nano` in UTC for values it reads from its index and the stored
/// text for values it reads from objects; normalising to UTC gives the same text for the usual
/// `Z` dates. An even count's median is the instant halfway between the middle two, truncated
/// to the nanosecond. Among equally frequent dates the earliest is the mode (Weaviate picks one
/// at random).
fn date(mut nanos: Vec<i128>) -> PropertyAggregate {
    let count = nanos.len() as u64;
    if nanos.is_empty() {
        return PropertyAggregate::Date {
            count,
            minimum: None,
            maximum: None,
            median: None,
            mode: None,
        };
    }
    nanos.sort_unstable();
    let n = nanos.len();
    let median = if n % 2 == 1 {
        nanos[n / 2]
    } else {
        let (lo, hi) = (nanos[n / 2 - 1], nanos[n / 2]);
        lo + (hi - lo) / 2
    };
    PropertyAggregate::Date {
        count,
        minimum: Some(rfc3339_nano_utc(nanos[0])),
        maximum: Some(rfc3339_nano_utc(nanos[n - 1])),
        median: Some(rfc3339_nano_utc(median)),
        mode: Some(rfc3339_nano_utc(most_frequent(&nanos))),
    }
}

/// The identity of a group value: its JSON kind and its text (so "1" and 1 stay apart, as
/// they do in Weaviate's map of interface values).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum GroupKey {
    Text(String),
    Number(String),
    Bool(bool),
    Other(String),
}

/// The key and the displayed text of one grouped-by value (`None` for null).
fn group_value(v: &Value) -> Option<(GroupKey, String)> {
    match v {
        Value::Null => None,
        Value::String(s) => Some((GroupKey::Text(s.clone()), s.clone())),
        Value::Bool(b) => Some((GroupKey::Bool(*b), b.to_string())),
        Value::Number(n) => {
            // Weaviate holds every number as float64 and prints the group value with `%v`.
            let text = v_f64(n.as_f64().unwrap_or(0.0));
            Some((GroupKey::Number(text.clone()), text))
        }
        Value::Object(map) => {
            // A cross-reference groups by its beacon, as Weaviate's grouper does.
            let text = match map.get("beacon").and_then(Value::as_str) {
                Some(beacon) => beacon.to_string(),
                None => v.to_string(),
            };
            Some((GroupKey::Other(text.clone()), text))
        }
        Value::Array(_) => Some((GroupKey::Other(v.to_string()), v.to_string())),
    }
}

/// Splits objects by the value of `property` for a grouped Aggregate. Arrays put the object in
/// one group per distinct element (once per group, however often the element repeats), as
/// Weaviate does; objects without the property (or with null or an empty array) are in no
/// group.
///
/// Groups come most populous first; equally populous ones in order of first appearance
/// (Weaviate's order among them is random). All groups are returned: the caller keeps the
/// first `limit` (Weaviate's default is 100 groups).
///
/// The value is a JSON string, already in Weaviate's text (`groupedBy.value` is a GraphQL
/// String there): text as is, booleans `true`/`false`, numbers as Go's `%v` (`3`, `2.5`,
/// `1.234567e+06`), references as their beacon.
pub fn group_objects<'a>(objects: &'a [Object], property: &str) -> Vec<(Value, Vec<&'a Object>)> {
    let mut groups: Vec<(Value, Vec<&'a Object>)> = Vec::new();
    let mut index: HashMap<GroupKey, usize> = HashMap::new();
    for object in objects {
        let Some(value) = object.properties.get(property) else {
            continue;
        };
        let elements: Vec<&Value> = match value.as_array() {
            Some(items) => items.iter().collect(),
            None => vec![value],
        };
        for element in elements {
            let Some((key, text)) = group_value(element) else {
                continue;
            };
            let at = *index.entry(key).or_insert_with(|| {
                groups.push((Value::String(text), Vec::new()));
                groups.len() - 1
            });
            let members = &mut groups[at].1;
            // Objects are visited one at a time, so a repeat within one array is the last member.
            if !members.last().is_some_and(|m| std::ptr::eq(*m, object)) {
                members.push(object);
            }
        }
    }
    // Stable: equally populous groups keep their order of first appearance.
    groups.sort_by_key(|g| std::cmp::Reverse(g.1.len()));
    groups
}

#[cfg(test)]
#[path = "aggregate_tests.rs"]
mod tests;

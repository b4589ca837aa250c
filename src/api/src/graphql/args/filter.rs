//! `where` as a GraphQL literal -> [`WhereInput`] -> [`Filter`]. Each value field takes one value
//! or a list (Weaviate's custom scalars): `valueInt: 5` is an Int, `valueInt: [5]` an Int list.

use std::collections::BTreeMap;

use types::filter::{Filter, FilterValue};

use super::object;
use crate::filter::{self, geo_range, ValueSlot, WhereInput};
use crate::graphql::value::{self, as_bool, as_enum, as_float, as_int, as_str, Value};

/// The `where` argument of a class field, parsed. `Err` is the resolver message of
/// Weaviate's `ExtractFilters`, e.g. `invalid where filter: operand 0: ...`.
pub(crate) fn where_filter(args: &[(String, Value)]) -> Result<Option<Filter>, String> {
    let Some(v) = value::arg(args, "where") else {
        return Ok(None);
    };
    filter::parse(&where_input(v)?).map(Some)
}

/// Reads a `where` (or operand) literal.
fn where_input(v: &Value) -> Result<WhereInput, String> {
    let map = object(v)?;
    let operator = match value::field(map, "operator") {
        None => String::new(),
        Some(op) => as_enum(op)
            .ok_or_else(|| format!("operator must be an enum value, got {}", value::print(op)))?
            .to_string(),
    };
    let path = value::field(map, "path")
        .map(|p| {
            value::as_string_list(p)
                .ok_or_else(|| format!("path must be a list of strings, got {}", value::print(p)))
        })
        .transpose()?;
    Ok(WhereInput {
        operator,
        path,
        operands: operands(map)?,
        values: values(map),
    })
}

fn operands(map: &BTreeMap<String, Value>) -> Result<Vec<WhereInput>, String> {
    match value::field(map, "operands") {
        None => Ok(Vec::new()),
        Some(Value::List(items)) => items.iter().map(where_input).collect(),
        // graphql-go's list coercion: a single operand is a list of one.
        Some(single) => Ok(vec![where_input(single)?]),
    }
}

/// Reads one value field.
type Reader = fn(&Value) -> Option<FilterValue>;

/// The value fields Weaviate tries before `valueGeoRange` (the deprecated `valueString` comes
/// after it).
const BEFORE_GEO: [(&str, Reader); 5] = [
    ("valueInt", int),
    ("valueNumber", number),
    ("valueText", text),
    ("valueDate", date),
    ("valueBoolean", boolean),
];

/// The set value fields, in Weaviate's extraction order.
fn values(map: &BTreeMap<String, Value>) -> Vec<ValueSlot> {
    let mut out: Vec<ValueSlot> = BEFORE_GEO
        .iter()
        .filter_map(|(field, read)| slot(map, field, *read))
        .collect();
    if let Some(v) = value::field(map, "valueGeoRange") {
        out.push(ValueSlot {
            field: "valueGeoRange",
            value: geo(v),
        });
    }
    out.extend(slot(map, "valueString", text));
    out
}

/// One value field; `None` when unset or an empty list (unset, as in Weaviate).
fn slot(map: &BTreeMap<String, Value>, field: &'static str, read: Reader) -> Option<ValueSlot> {
    let v = value::field(map, field)?;
    if matches!(v, Value::List(items) if items.is_empty()) {
        return None;
    }
    let value = read(v).ok_or_else(|| format!("{field}: unexpected value {}", value::print(v)));
    Some(ValueSlot { field, value })
}

/// A value field's literal: one value or a list of them.
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

/// A value or a list of values read by `one`; `None` if any of them is of another kind.
fn one_or_many<T>(v: &Value, one: fn(&Value) -> Option<T>) -> Option<OneOrMany<T>> {
    if let Value::List(items) = v {
        items
            .iter()
            .map(one)
            .collect::<Option<Vec<T>>>()
            .map(OneOrMany::Many)
    } else {
        one(v).map(OneOrMany::One)
    }
}

fn int(v: &Value) -> Option<FilterValue> {
    Some(match one_or_many(v, as_int)? {
        OneOrMany::One(n) => FilterValue::Int(n),
        OneOrMany::Many(list) => FilterValue::IntList(list),
    })
}

fn number(v: &Value) -> Option<FilterValue> {
    Some(match one_or_many(v, as_float)? {
        OneOrMany::One(x) => FilterValue::Number(x),
        OneOrMany::Many(list) => FilterValue::NumberList(list),
    })
}

fn boolean(v: &Value) -> Option<FilterValue> {
    Some(match one_or_many(v, as_bool)? {
        OneOrMany::One(b) => FilterValue::Boolean(b),
        OneOrMany::Many(list) => FilterValue::BooleanList(list),
    })
}

fn text(v: &Value) -> Option<FilterValue> {
    Some(match one_or_many(v, owned_str)? {
        OneOrMany::One(s) => FilterValue::Text(s),
        OneOrMany::Many(list) => FilterValue::TextList(list),
    })
}

fn date(v: &Value) -> Option<FilterValue> {
    Some(match one_or_many(v, owned_str)? {
        OneOrMany::One(s) => FilterValue::Date(s),
        OneOrMany::Many(list) => FilterValue::DateList(list),
    })
}

fn owned_str(v: &Value) -> Option<String> {
    as_str(v).map(str::to_string)
}

/// `valueGeoRange: {geoCoordinates: {latitude, longitude}, distance: {max}}`.
fn geo(v: &Value) -> Result<FilterValue, String> {
    let map = object(v)?;
    let coordinates = value::field(map, "geoCoordinates")
        .and_then(|c| object(c).ok())
        .and_then(|c| {
            let lat = value::field(c, "latitude").and_then(as_float)?;
            let lon = value::field(c, "longitude").and_then(as_float)?;
            Some((lat, lon))
        });
    let max = value::field(map, "distance")
        .and_then(|d| object(d).ok())
        .map(|d| value::field(d, "max").and_then(as_float).unwrap_or(0.0));
    geo_range(coordinates, max)
}

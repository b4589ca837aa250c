//! `sort` of Get and of the REST object listing.
//!
//! Follows Weaviate 1.27's `adapters/repos/db/sorter` (comparators, value extraction) and
//! `entities/filters/sort_validator.go` (which paths are accepted):
//!
//! - a missing value (absent, null or an empty array) is smaller than every value: first in
//!   ascending order, last in descending order;
//! - text (and blob) compares case-insensitively (lower-cased), numbers and ints as floats,
//!   dates by instant, booleans with false before true;
//! - arrays compare element by element, then the shorter first; geo coordinates as
//!   `[longitude, latitude]`, phone numbers as `[countryCode, national]`;
//! - `_id` (and `id`) sorts by the uuid's text, `_creationTimeUnix` / `_lastUpdateTimeUnix` by
//!   milliseconds;
//! - object properties are accepted but do not order (every present value compares equal);
//! - uuid and reference properties are rejected, as are unknown names.
//!
//! Weaviate's sort is not stable; this one is, so equal keys keep their input order.

use std::cmp::Ordering;

use serde_json::Value;
use types::schema::{Class, DataType};
use types::Object;

use crate::gofmt::parse_rfc3339_nanos;
use crate::query::SortBy;
use crate::{Error, Result};

/// How one sort key's values are read and compared.
#[derive(Debug, Clone, Copy, PartialEq)]
enum KeyKind {
    Text,
    TextArray,
    Number,
    NumberArray,
    Date,
    DateArray,
    Boolean,
    BooleanArray,
    Geo,
    Phone,
    /// Present values are all equal (object properties).
    Any,
    Id,
    CreationTime,
    UpdateTime,
}

/// One extracted sort value; `Null` for missing ones.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    Null,
    Text(String),
    Texts(Vec<String>),
    Number(f64),
    Numbers(Vec<f64>),
    Date(i128),
    Dates(Vec<i128>),
    Bool(bool),
    Bools(Vec<bool>),
    Present,
}

/// Sorts objects by the sort keys (properties of any sortable type, `_id`,
/// `_creationTimeUnix`, `_lastUpdateTimeUnix`), first key first. Stable.
///
/// Errors with [`Error::InvalidInput`] naming the property for unknown properties, uuid and
/// reference properties, and empty paths (messages as Weaviate's, joined by ", ").
pub fn sort_objects(class: &Class, objects: &mut Vec<Object>, sort: &[SortBy]) -> Result<()> {
    let kinds = key_kinds(class, sort)?;
    if kinds.is_empty() || objects.len() < 2 {
        return Ok(());
    }
    let mut keyed: Vec<(Vec<Key>, Object)> = objects
        .drain(..)
        .map(|o| {
            let keys = sort
                .iter()
                .zip(&kinds)
                .map(|(s, k)| extract(&o, &s.path, *k))
                .collect();
            (keys, o)
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        for ((x, y), s) in a.iter().zip(b).zip(sort) {
            let ord = compare(x, y);
            let ord = if s.descending { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
    objects.extend(keyed.into_iter().map(|(_, o)| o));
    Ok(())
}

/// Validates every sort path and decides how to read it.
fn key_kinds(class: &Class, sort: &[SortBy]) -> Result<Vec<KeyKind>> {
    let mut kinds = Vec::with_capacity(sort.len());
    let mut errors = Vec::new();
    for (position, s) in sort.iter().enumerate() {
        match key_kind(class, &s.path) {
            Ok(k) => kinds.push(k),
            Err(e) => errors.push(format!("sort parameter at position {position}: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(kinds)
    } else {
        Err(Error::InvalidInput(errors.join(", ")))
    }
}

fn key_kind(class: &Class, path: &str) -> std::result::Result<KeyKind, String> {
    match path {
        "" => return Err("path parameter cannot be empty".into()),
        "_id" | "id" => return Ok(KeyKind::Id),
        "_creationTimeUnix" => return Ok(KeyKind::CreationTime),
        "_lastUpdateTimeUnix" => return Ok(KeyKind::UpdateTime),
        _ => {}
    }
    let prop = class.property(path).ok_or_else(|| {
        format!(
            "no such prop with name '{path}' found in class '{}' in the schema. Check your schema \
             files for which properties in this class are available",
            class.class
        )
    })?;
    let kind = prop.kind().ok_or_else(|| {
        format!(
            "prop {path:?} has an unknown data type {:?}",
            prop.data_type
        )
    })?;
    Ok(match kind {
        DataType::Text | DataType::Blob => KeyKind::Text,
        DataType::TextArray => KeyKind::TextArray,
        DataType::Int | DataType::Number => KeyKind::Number,
        DataType::IntArray | DataType::NumberArray => KeyKind::NumberArray,
        DataType::Date => KeyKind::Date,
        DataType::DateArray => KeyKind::DateArray,
        DataType::Boolean => KeyKind::Boolean,
        DataType::BooleanArray => KeyKind::BooleanArray,
        DataType::GeoCoordinates => KeyKind::Geo,
        DataType::PhoneNumber => KeyKind::Phone,
        DataType::Object | DataType::ObjectArray => KeyKind::Any,
        DataType::Uuid | DataType::UuidArray => {
            return Err(format!(
                "prop {path:?} is of type uuid/uuid[]: sorting by uuid is currently not supported - \
                 if you believe it should be, please open a feature request on github.com/weaviate/weaviate"
            ))
        }
        DataType::Reference(targets) => {
            return Err(format!(
                "sorting by reference not supported, property {path:?} is a ref prop to the class {:?}",
                targets.first().map(String::as_str).unwrap_or_default()
            ))
        }
    })
}

/// Reads one sort value. Values of the wrong shape read as missing rather than failing the
/// query: stored data was validated on write, so this only guards against surprises.
fn extract(object: &Object, path: &str, kind: KeyKind) -> Key {
    let value = object.properties.get(path);
    match kind {
        KeyKind::Id => Key::Text(object.id.hyphenated().to_string()),
        // Milliseconds, compared as floats in Weaviate (int data type).
        KeyKind::CreationTime => Key::Number(object.creation_time_ms as f64),
        KeyKind::UpdateTime => Key::Number(object.last_update_time_ms as f64),
        KeyKind::Text => scalar(value, |v| v.as_str().map(|s| Key::Text(s.to_lowercase()))),
        KeyKind::Number => scalar(value, |v| v.as_f64().map(Key::Number)),
        KeyKind::Date => scalar(value, |v| {
            v.as_str().and_then(parse_rfc3339_nanos).map(Key::Date)
        }),
        KeyKind::Boolean => scalar(value, |v| v.as_bool().map(Key::Bool)),
        KeyKind::TextArray => array(value, |v| v.as_str().map(str::to_lowercase), Key::Texts),
        KeyKind::NumberArray => array(value, Value::as_f64, Key::Numbers),
        KeyKind::DateArray => array(
            value,
            |v| v.as_str().and_then(parse_rfc3339_nanos),
            Key::Dates,
        ),
        KeyKind::BooleanArray => array(value, Value::as_bool, Key::Bools),
        KeyKind::Geo => scalar(value, |v| {
            let field = |name: &str| v.get(name).and_then(Value::as_f64).unwrap_or(0.0);
            v.is_object()
                .then(|| Key::Numbers(vec![field("longitude"), field("latitude")]))
        }),
        KeyKind::Phone => scalar(value, |v| {
            let field = |name: &str| v.get(name).and_then(Value::as_f64).unwrap_or(0.0);
            v.is_object()
                .then(|| Key::Numbers(vec![field("countryCode"), field("national")]))
        }),
        KeyKind::Any => scalar(value, |_| Some(Key::Present)),
    }
}

fn scalar(value: Option<&Value>, read: impl Fn(&Value) -> Option<Key>) -> Key {
    match value {
        None | Some(Value::Null) => Key::Null,
        Some(v) => read(v).unwrap_or(Key::Null),
    }
}

/// An array value; empty arrays are missing, as in Weaviate's sorter over stored objects.
fn array<T>(
    value: Option<&Value>,
    read: impl Fn(&Value) -> Option<T>,
    wrap: fn(Vec<T>) -> Key,
) -> Key {
    let Some(items) = value.and_then(Value::as_array) else {
        return Key::Null;
    };
    let parsed: Option<Vec<T>> = items.iter().map(read).collect();
    match parsed {
        Some(v) if !v.is_empty() => wrap(v),
        _ => Key::Null,
    }
}

/// Ascending order of two values of one key; missing first.
fn compare(a: &Key, b: &Key) -> Ordering {
    match (a, b) {
        (Key::Null, Key::Null) => Ordering::Equal,
        (Key::Null, _) => Ordering::Less,
        (_, Key::Null) => Ordering::Greater,
        (Key::Text(x), Key::Text(y)) => x.cmp(y),
        (Key::Number(x), Key::Number(y)) => float(*x, *y),
        (Key::Date(x), Key::Date(y)) => x.cmp(y),
        (Key::Bool(x), Key::Bool(y)) => x.cmp(y),
        (Key::Texts(x), Key::Texts(y)) => elementwise(x, y, |p, q| p.cmp(q)),
        (Key::Numbers(x), Key::Numbers(y)) => elementwise(x, y, |p, q| float(*p, *q)),
        (Key::Dates(x), Key::Dates(y)) => elementwise(x, y, |p, q| p.cmp(q)),
        (Key::Bools(x), Key::Bools(y)) => elementwise(x, y, |p, q| p.cmp(q)),
        // Present object values, or (impossible) mixed kinds: equal.
        _ => Ordering::Equal,
    }
}

fn float(x: f64, y: f64) -> Ordering {
    // JSON has no NaN, so this is a total order on stored values.
    x.partial_cmp(&y).unwrap_or(Ordering::Equal)
}

fn elementwise<T>(x: &[T], y: &[T], cmp: impl Fn(&T, &T) -> Ordering) -> Ordering {
    x.iter()
        .zip(y)
        .map(|(p, q)| cmp(p, q))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or_else(|| x.len().cmp(&y.len()))
}

#[cfg(test)]
#[path = "sort_tests.rs"]
mod tests;

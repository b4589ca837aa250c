//! The REST form of `where` (Weaviate's `WhereFilter` model, used by batch delete): scalar
//! `value*` fields plus explicit `value*Array` fields, read into a [`WhereInput`]. A field of the
//! wrong JSON type is reported in go-swagger's terms (`<name> in body must be of type int64`).

use serde_json::{Map, Value};
use types::filter::FilterValue;

use super::{geo_range, ValueSlot, WhereInput};

/// A field whose JSON type is not the declared one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TypeError {
    /// The dotted name of the field, e.g. `match.where.operands.0.valueInt`.
    pub name: String,
    /// The declared type in go-swagger's words (`int64`, `string`, `[]string`, ...).
    pub expected: &'static str,
    /// The JSON type that was sent.
    pub found: &'static str,
}

type Read<T> = Result<T, TypeError>;

/// Reads a `WhereFilter` object; `name` is its dotted name in the body (for messages).
pub(crate) fn where_input(value: &Value, name: &str) -> Read<WhereInput> {
    let map = value
        .as_object()
        .ok_or_else(|| mismatch(name, "object", value))?;
    let field = |f: &str| format!("{name}.{f}");
    Ok(WhereInput {
        operator: optional(map, "operator")
            .map(|v| string(v, &field("operator")))
            .transpose()?
            .unwrap_or_default(),
        path: optional(map, "path")
            .map(|v| list(v, &field("path"), "[]string", string))
            .transpose()?,
        operands: optional(map, "operands")
            .map(|v| operands(v, &field("operands")))
            .transpose()?
            .unwrap_or_default(),
        values: values(map, name)?,
    })
}

fn operands(value: &Value, name: &str) -> Read<Vec<WhereInput>> {
    let items = value
        .as_array()
        .ok_or_else(|| mismatch(name, "[]*models.WhereFilter", value))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| where_input(item, &format!("{name}.{i}")))
        .collect()
}

/// The set value fields, in the order Weaviate's value extractors try them.
fn values(map: &Map<String, Value>, name: &str) -> Read<Vec<ValueSlot>> {
    let f = |field: &str| format!("{name}.{field}");
    let ok = |v: Option<FilterValue>| v.map(Ok);
    let slots: [(&'static str, Option<Result<FilterValue, String>>); 13] = [
        (
            "valueInt",
            ok(scalar(map, "valueInt", &f("valueInt"), int)?.map(FilterValue::Int)),
        ),
        (
            "valueNumber",
            ok(scalar(map, "valueNumber", &f("valueNumber"), number)?.map(FilterValue::Number)),
        ),
        (
            "valueText",
            ok(scalar(map, "valueText", &f("valueText"), string)?.map(FilterValue::Text)),
        ),
        (
            "valueDate",
            ok(scalar(map, "valueDate", &f("valueDate"), string)?.map(FilterValue::Date)),
        ),
        (
            "valueBoolean",
            ok(scalar(map, "valueBoolean", &f("valueBoolean"), boolean)?.map(FilterValue::Boolean)),
        ),
        (
            "valueIntArray",
            ok(array(map, "valueIntArray", name, "[]int64", int)?.map(FilterValue::IntList)),
        ),
        (
            "valueNumberArray",
            ok(array(map, "valueNumberArray", name, "[]float64", number)?
                .map(FilterValue::NumberList)),
        ),
        (
            "valueTextArray",
            ok(array(map, "valueTextArray", name, "[]string", string)?.map(FilterValue::TextList)),
        ),
        (
            "valueDateArray",
            ok(array(map, "valueDateArray", name, "[]string", string)?.map(FilterValue::DateList)),
        ),
        (
            "valueBooleanArray",
            ok(array(map, "valueBooleanArray", name, "[]bool", boolean)?
                .map(FilterValue::BooleanList)),
        ),
        (
            "valueGeoRange",
            optional(map, "valueGeoRange")
                .map(|v| geo(v, &f("valueGeoRange")))
                .transpose()?,
        ),
        // The deprecated alias of valueText: filters treat string as text.
        (
            "valueString",
            ok(scalar(map, "valueString", &f("valueString"), string)?.map(FilterValue::Text)),
        ),
        (
            "valueStringArray",
            ok(array(map, "valueStringArray", name, "[]string", string)?
                .map(FilterValue::TextList)),
        ),
    ];
    Ok(slots
        .into_iter()
        .filter_map(|(field, value)| value.map(|value| ValueSlot { field, value }))
        .collect())
}

/// `valueGeoRange: {geoCoordinates: {latitude, longitude}, distance: {max}}`; a missing part is
/// Weaviate's value error, not a type error.
fn geo(value: &Value, name: &str) -> Read<Result<FilterValue, String>> {
    let map = value
        .as_object()
        .ok_or_else(|| mismatch(name, "object", value))?;
    let coordinates = match optional(map, "geoCoordinates") {
        None => None,
        Some(c) => {
            let c_name = format!("{name}.geoCoordinates");
            let c = c
                .as_object()
                .ok_or_else(|| mismatch(&c_name, "object", c))?;
            let lat = scalar(c, "latitude", &format!("{c_name}.latitude"), number)?;
            let lon = scalar(c, "longitude", &format!("{c_name}.longitude"), number)?;
            lat.zip(lon)
        }
    };
    let max = match optional(map, "distance") {
        None => None,
        Some(d) => {
            let d_name = format!("{name}.distance");
            let d = d
                .as_object()
                .ok_or_else(|| mismatch(&d_name, "object", d))?;
            Some(scalar(d, "max", &format!("{d_name}.max"), number)?.unwrap_or(0.0))
        }
    };
    Ok(geo_range(coordinates, max))
}

/// A field that is present and not `null`.
fn optional<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    map.get(key).filter(|v| !v.is_null())
}

fn scalar<T>(
    map: &Map<String, Value>,
    key: &str,
    name: &str,
    read: fn(&Value, &str) -> Read<T>,
) -> Read<Option<T>> {
    optional(map, key).map(|v| read(v, name)).transpose()
}

/// An array field; an empty array counts as unset, as in Weaviate.
fn array<T>(
    map: &Map<String, Value>,
    key: &str,
    parent: &str,
    ty: &'static str,
    read: fn(&Value, &str) -> Read<T>,
) -> Read<Option<Vec<T>>> {
    let name = format!("{parent}.{key}");
    let items = optional(map, key)
        .map(|v| list(v, &name, ty, read))
        .transpose()?;
    Ok(items.filter(|items| !items.is_empty()))
}

fn list<T>(
    value: &Value,
    name: &str,
    ty: &'static str,
    read: fn(&Value, &str) -> Read<T>,
) -> Read<Vec<T>> {
    let items = value.as_array().ok_or_else(|| mismatch(name, ty, value))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| read(item, &format!("{name}.{i}")))
        .collect()
}

fn string(value: &Value, name: &str) -> Read<String> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| mismatch(name, "string", value))
}

fn int(value: &Value, name: &str) -> Read<i64> {
    value.as_i64().ok_or_else(|| mismatch(name, "int64", value))
}

fn number(value: &Value, name: &str) -> Read<f64> {
    value
        .as_f64()
        .ok_or_else(|| mismatch(name, "number", value))
}

fn boolean(value: &Value, name: &str) -> Read<bool> {
    value
        .as_bool()
        .ok_or_else(|| mismatch(name, "boolean", value))
}

fn mismatch(name: &str, expected: &'static str, found: &Value) -> TypeError {
    TypeError {
        name: name.to_string(),
        expected,
        found: json_type(found),
    }
}

/// The JSON type of a value, as go-swagger names what it found.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

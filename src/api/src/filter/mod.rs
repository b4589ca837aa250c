//! The `where` filter that GraphQL (`Get`, `Aggregate`) and REST batch delete share, parsed into
//! [`types::filter::Filter`] with Weaviate 1.27's rules and messages
//! (`adapters/handlers/rest/filterext/parse.go` and `parse_value.go`, `entities/filters/path.go`).
//!
//! Each wire form is first read into a [`WhereInput`] (GraphQL literals in
//! `graphql::args::filter`, REST JSON in [`json`]); [`parse`] then applies the rules both share.
//! Checking values against the schema (types, indexes, tokenization) is the coordinator's job.

pub(crate) mod json;
mod path;

#[cfg(test)]
mod tests;

use serde_json::{json, Map, Value};
use types::filter::{Condition, Filter, FilterValue, Operator};

/// One clause as written, before its operator, path and value are interpreted.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct WhereInput {
    /// The operator name as written (empty when absent).
    pub operator: String,
    /// `None` when absent; `Some(vec![])` for an explicit empty list.
    pub path: Option<Vec<String>>,
    pub operands: Vec<WhereInput>,
    /// The `value*` fields that were set, in Weaviate's extraction order. Empty lists count as
    /// unset, as in Weaviate. A value that could not be read is an `Err` with the reason.
    pub values: Vec<ValueSlot>,
}

/// One set `value*` field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValueSlot {
    /// The field name (`valueInt`, `valueTextArray`, ...), for messages.
    pub field: &'static str,
    pub value: Result<FilterValue, String>,
}

/// What an operator does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    And,
    Or,
    Compare(Operator),
}

/// Parses a path on its own (`groupBy` of Aggregate uses the filter path rules).
pub(crate) fn parse_path(path: &[String]) -> Result<types::filter::FilterPath, String> {
    path::parse(Some(path))
}

/// Parses a clause tree (filterext.Parse). Errors are Weaviate's texts, e.g.
/// `invalid where filter: got operator 'Equal', but no value<Type> field set`.
pub(crate) fn parse(input: &WhereInput) -> Result<Filter, String> {
    let kind = operator(&input.operator)?;
    let parsed = match kind {
        Kind::Compare(op) => condition(input, op),
        Kind::And | Kind::Or => nested(input, kind),
    };
    parsed.map_err(|e| format!("invalid where filter: {e}"))
}

fn operator(name: &str) -> Result<Kind, String> {
    Ok(match name {
        "And" => Kind::And,
        "Or" => Kind::Or,
        "Equal" => Kind::Compare(Operator::Equal),
        "NotEqual" => Kind::Compare(Operator::NotEqual),
        "GreaterThan" => Kind::Compare(Operator::GreaterThan),
        "GreaterThanEqual" => Kind::Compare(Operator::GreaterThanEqual),
        "LessThan" => Kind::Compare(Operator::LessThan),
        "LessThanEqual" => Kind::Compare(Operator::LessThanEqual),
        "Like" => Kind::Compare(Operator::Like),
        "WithinGeoRange" => Kind::Compare(Operator::WithinGeoRange),
        "IsNull" => Kind::Compare(Operator::IsNull),
        "ContainsAny" => Kind::Compare(Operator::ContainsAny),
        "ContainsAll" => Kind::Compare(Operator::ContainsAll),
        // `Not` is in Weaviate's GraphQL enum but has no implementation in 1.27 either.
        other => return Err(format!("unrecognized operator: {other}")),
    })
}

/// A comparison: exactly one value, then the path (parseValueFilter).
fn condition(input: &WhereInput, operator: Operator) -> Result<Filter, String> {
    let value = single_value(input)?;
    let path = path::parse(input.path.as_deref())?;
    Ok(Filter::Condition(Condition {
        path,
        operator,
        value,
    }))
}

/// The one value of a comparison (parseValue).
fn single_value(input: &WhereInput) -> Result<FilterValue, String> {
    let mut found: Option<FilterValue> = None;
    for slot in &input.values {
        let value = slot.value.clone()?;
        if found.is_some() {
            return Err(format!(
                "found more than one values the clause '{}'",
                input.to_json()
            ));
        }
        found = Some(value);
    }
    found.ok_or_else(|| {
        format!(
            "got operator '{}', but no value<Type> field set",
            input.operator
        )
    })
}

/// `And` / `Or`: operands only (parseNestedFilter).
fn nested(input: &WhereInput, kind: Kind) -> Result<Filter, String> {
    let name = if kind == Kind::And { "And" } else { "Or" };
    if input.path.is_some() {
        return Err(format!(
            "operator '{name}' not compatible with field 'path', remove 'path' or switch to \
             compare operator (eg. Equal, NotEqual, etc.)"
        ));
    }
    if !input.values.is_empty() {
        return Err(format!(
            "operator '{name}' not compatible with field 'value<Type>', remove value field or \
             switch to compare operator (eg. Equal, NotEqual, etc.)"
        ));
    }
    if input.operands.is_empty() {
        return Err(format!(
            "operator '{name}', but no operands set - add at least one operand"
        ));
    }
    let operands = input
        .operands
        .iter()
        .enumerate()
        .map(|(i, operand)| parse(operand).map_err(|e| format!("operand {i}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if kind == Kind::And {
        Filter::And(operands)
    } else {
        Filter::Or(operands)
    })
}

impl WhereInput {
    /// The clause as JSON, for the "more than one value" message (Weaviate prints the clause).
    fn to_json(&self) -> Value {
        let mut out = Map::new();
        if !self.operator.is_empty() {
            out.insert("operator".into(), json!(self.operator));
        }
        if let Some(path) = &self.path {
            out.insert("path".into(), json!(path));
        }
        for slot in &self.values {
            if let Ok(value) = &slot.value {
                out.insert(slot.field.into(), value_json(value));
            }
        }
        Value::Object(out)
    }
}

/// A filter value in its wire form.
pub(crate) fn value_json(value: &FilterValue) -> Value {
    match value {
        FilterValue::Text(s) | FilterValue::Date(s) => json!(s),
        FilterValue::Int(n) => json!(n),
        FilterValue::Number(x) => json!(x),
        FilterValue::Boolean(b) => json!(b),
        FilterValue::TextList(v) | FilterValue::DateList(v) => json!(v),
        FilterValue::IntList(v) => json!(v),
        FilterValue::NumberList(v) => json!(v),
        FilterValue::BooleanList(v) => json!(v),
        FilterValue::GeoRange {
            latitude,
            longitude,
            max_distance_m,
        } => json!({"distance": {"max": max_distance_m},
                    "geoCoordinates": {"latitude": latitude, "longitude": longitude}}),
    }
}

/// Checks the parts of `valueGeoRange`, with Weaviate's messages (parse_value.go).
/// `coordinates` is `None` when `geoCoordinates` (or one of its fields) is missing.
pub(crate) fn geo_range(
    coordinates: Option<(f64, f64)>,
    max: Option<f64>,
) -> Result<FilterValue, String> {
    let max = max.ok_or("valueGeoRange: field 'distance' must be set")?;
    if max < 0.0 {
        return Err("valueGeoRange: field 'distance.max' must be a positive number".into());
    }
    let (latitude, longitude) =
        coordinates.ok_or("valueGeoRange: field 'geoCoordinates' must be set")?;
    Ok(FilterValue::GeoRange {
        latitude,
        longitude,
        max_distance_m: max,
    })
}

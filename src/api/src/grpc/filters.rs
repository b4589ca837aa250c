//! `Filters` (base.proto) into the shared filter model. gRPC has no `value_date`: the client
//! sends dates as `value_text`, so the class's schema decides that a text value on a date
//! property (or an RFC 3339 text on a timestamp) is a date, as Weaviate's gRPC parser does.
//! `ContainsNone` is `Not(ContainsAny)`.

use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::{Class, DataType};

use super::pb;
use super::pb::filter_target::Target;
use super::pb::filters::{Operator as Op, TestValue};
use crate::filter;

/// Deepest filter tree accepted; deeper trees are refused rather than recursed into.
const MAX_DEPTH: usize = 64;

/// Translates a filter tree. `Err` is the message of an `InvalidArgument` status.
pub(crate) fn translate(class: &Class, filters: &pb::Filters) -> Result<Filter, String> {
    translate_at(class, filters, 0)
}

fn translate_at(class: &Class, filters: &pb::Filters, depth: usize) -> Result<Filter, String> {
    if depth > MAX_DEPTH {
        return Err(format!("filters are nested deeper than {MAX_DEPTH} levels"));
    }
    let operator = Op::try_from(filters.operator)
        .map_err(|_| format!("unknown filter operator {}", filters.operator))?;
    let operands = || {
        filters
            .filters
            .iter()
            .map(|f| translate_at(class, f, depth + 1))
            .collect::<Result<Vec<_>, _>>()
    };
    let compare = |op| condition(class, filters, op);
    Ok(match operator {
        Op::And => Filter::And(non_empty(operands()?, "And")?),
        Op::Or => Filter::Or(non_empty(operands()?, "Or")?),
        Op::Not => match <[Filter; 1]>::try_from(operands()?) {
            Ok([only]) => Filter::Not(Box::new(only)),
            Err(v) => {
                return Err(format!(
                    "operator Not takes exactly one operand, got {}",
                    v.len()
                ))
            }
        },
        Op::ContainsNone => Filter::Not(Box::new(compare(Operator::ContainsAny)?)),
        Op::Equal => compare(Operator::Equal)?,
        Op::NotEqual => compare(Operator::NotEqual)?,
        Op::GreaterThan => compare(Operator::GreaterThan)?,
        Op::GreaterThanEqual => compare(Operator::GreaterThanEqual)?,
        Op::LessThan => compare(Operator::LessThan)?,
        Op::LessThanEqual => compare(Operator::LessThanEqual)?,
        Op::Like => compare(Operator::Like)?,
        Op::IsNull => compare(Operator::IsNull)?,
        Op::ContainsAny => compare(Operator::ContainsAny)?,
        Op::ContainsAll => compare(Operator::ContainsAll)?,
        Op::WithinGeoRange => compare(Operator::WithinGeoRange)?,
        Op::Unspecified => return Err("filter operator is not set".into()),
    })
}

fn non_empty(operands: Vec<Filter>, name: &str) -> Result<Vec<Filter>, String> {
    if operands.is_empty() {
        return Err(format!(
            "operator '{name}', but no operands set - add at least one operand"
        ));
    }
    Ok(operands)
}

fn condition(class: &Class, filters: &pb::Filters, operator: Operator) -> Result<Filter, String> {
    let path = path(filters)?;
    let value = filters
        .test_value
        .as_ref()
        .ok_or_else(|| format!("operator {} needs a value", operator.name()))?;
    let value = typed(class, &path, value);
    Ok(Filter::Condition(Condition {
        path,
        operator,
        value,
    }))
}

/// The target: a property (or `_id`, a timestamp, `len(prop)`); targets through references
/// wait for cross-references. The deprecated `on` path is read when no target is set.
fn path(filters: &pb::Filters) -> Result<FilterPath, String> {
    let name = match filters.target.as_ref().and_then(|t| t.target.as_ref()) {
        Some(Target::Property(name)) => name.clone(),
        Some(Target::SingleTarget(_) | Target::MultiTarget(_) | Target::Count(_)) => {
            return Err("filtering through cross-references is not supported by Shoal yet".into())
        }
        #[allow(deprecated)]
        None => match filters.on.as_slice() {
            [only] => only.clone(),
            [] => return Err("filter has no target property".into()),
            _ => {
                return Err(
                    "filtering through cross-references is not supported by Shoal yet".into(),
                )
            }
        },
    };
    filter::parse_path(&[name])
}

/// The filter value; a text value on a date property or a timestamp becomes a date.
fn typed(class: &Class, path: &FilterPath, value: &TestValue) -> FilterValue {
    let date_like = match path {
        FilterPath::Property(name) => class
            .properties
            .iter()
            .flatten()
            .find(|p| &p.name == name)
            .and_then(|p| p.kind())
            .is_some_and(|k| matches!(k, DataType::Date | DataType::DateArray)),
        FilterPath::CreationTime | FilterPath::UpdateTime => true,
        FilterPath::Id | FilterPath::Length(_) => false,
    };
    match value {
        TestValue::ValueText(s) if date_like && s.parse::<i64>().is_err() => {
            FilterValue::Date(s.clone())
        }
        TestValue::ValueText(s) => FilterValue::Text(s.clone()),
        TestValue::ValueInt(n) => FilterValue::Int(*n),
        TestValue::ValueBoolean(b) => FilterValue::Boolean(*b),
        TestValue::ValueNumber(x) => FilterValue::Number(*x),
        TestValue::ValueTextArray(a) if date_like => FilterValue::DateList(a.values.clone()),
        TestValue::ValueTextArray(a) => FilterValue::TextList(a.values.clone()),
        TestValue::ValueIntArray(a) => FilterValue::IntList(a.values.clone()),
        TestValue::ValueBooleanArray(a) => FilterValue::BooleanList(a.values.clone()),
        TestValue::ValueNumberArray(a) => FilterValue::NumberList(a.values.clone()),
        TestValue::ValueGeo(g) => FilterValue::GeoRange {
            latitude: f64::from(g.latitude),
            longitude: f64::from(g.longitude),
            max_distance_m: f64::from(g.distance),
        },
    }
}

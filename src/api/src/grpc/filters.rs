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

/// The classes of the schema by name, for filters and references through other classes.
pub(crate) type Schema<'a> = &'a dyn Fn(&str) -> Option<Class>;

/// Translates a filter tree. `Err` is the message of an `InvalidArgument` status.
pub(crate) fn translate(
    class: &Class,
    schema: Schema<'_>,
    filters: &pb::Filters,
) -> Result<Filter, String> {
    translate_at(&Ctx { class, schema }, filters, 0)
}

/// What a filter is translated against.
struct Ctx<'a> {
    class: &'a Class,
    schema: Schema<'a>,
}

fn translate_at(ctx: &Ctx<'_>, filters: &pb::Filters, depth: usize) -> Result<Filter, String> {
    if depth > MAX_DEPTH {
        return Err(format!("filters are nested deeper than {MAX_DEPTH} levels"));
    }
    let operator = Op::try_from(filters.operator)
        .map_err(|_| format!("unknown filter operator {}", filters.operator))?;
    let operands = || {
        filters
            .filters
            .iter()
            .map(|f| translate_at(ctx, f, depth + 1))
            .collect::<Result<Vec<_>, _>>()
    };
    let compare = |op| condition(ctx, filters, op);
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

fn condition(ctx: &Ctx<'_>, filters: &pb::Filters, operator: Operator) -> Result<Filter, String> {
    let (path, innermost) = path(ctx, filters)?;
    let value = filters
        .test_value
        .as_ref()
        .ok_or_else(|| format!("operator {} needs a value", operator.name()))?;
    let value = typed(&innermost, last_hop(&path), value);
    Ok(Filter::Condition(Condition {
        path,
        operator,
        value,
    }))
}

/// The target, and the class its last hop is a path on: a property (or `_id`, a timestamp,
/// `len(prop)`), a property of referenced objects (any depth), or the number of references.
/// The deprecated `on` path is read when no target is set.
fn path(ctx: &Ctx<'_>, filters: &pb::Filters) -> Result<(FilterPath, Class), String> {
    match &filters.target {
        Some(target) => target_path(ctx.class, ctx.schema, target, 0),
        #[allow(deprecated)]
        None => {
            if filters.on.is_empty() {
                return Err("filter has no target property".into());
            }
            let path = filter::parse_path(&filters.on)?;
            let innermost = innermost_class(ctx.class, ctx.schema, &path)?;
            Ok((path, innermost))
        }
    }
}

fn target_path(
    class: &Class,
    schema: Schema<'_>,
    target: &pb::FilterTarget,
    depth: usize,
) -> Result<(FilterPath, Class), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "filter targets are nested deeper than {MAX_DEPTH} levels"
        ));
    }
    let hop = |on: &str, collection: Option<&str>, inner: Option<&pb::FilterTarget>| {
        let collection = match collection {
            Some(c) => c.to_string(),
            None => single_target_of(class, on)?,
        };
        let next = schema(&collection)
            .ok_or_else(|| format!("class \"{collection}\" does not exist in schema"))?;
        let inner = inner.ok_or_else(|| format!("the reference filter on '{on}' has no target"))?;
        let (rest, innermost) = target_path(&next, schema, inner, depth + 1)?;
        let path = FilterPath::Reference {
            property: on.to_string(),
            class: collection,
            rest: Box::new(rest),
        };
        Ok::<_, String>((path, innermost))
    };
    match &target.target {
        Some(Target::Property(name)) => Ok((
            filter::parse_path(std::slice::from_ref(name))?,
            class.clone(),
        )),
        Some(Target::SingleTarget(t)) => hop(&t.on, None, t.target.as_deref()),
        Some(Target::MultiTarget(t)) => hop(&t.on, Some(&t.target_collection), t.target.as_deref()),
        Some(Target::Count(c)) => Ok((
            filter::parse_path(std::slice::from_ref(&c.on))?,
            class.clone(),
        )),
        None => Err("filter target is not set".into()),
    }
}

/// The one class the reference property `on` of `class` points at.
fn single_target_of(class: &Class, on: &str) -> Result<String, String> {
    let prop = class.property(on).ok_or_else(|| {
        format!(
            "no such prop with name '{on}' found in class '{}' in the schema",
            class.class
        )
    })?;
    match (prop.kind(), prop.data_type.as_slice()) {
        (Some(DataType::Reference(_)), [only]) => Ok(only.clone()),
        (Some(DataType::Reference(_)), _) => Err(format!(
            "reference property '{on}' has several target collections: filter with a multi-target reference"
        )),
        _ => Err(format!("property '{on}' of class '{}' is not a cross-reference", class.class)),
    }
}

/// The class the last hop of a (legacy `on`) path is on.
fn innermost_class(class: &Class, schema: Schema<'_>, path: &FilterPath) -> Result<Class, String> {
    match path {
        FilterPath::Reference {
            class: next, rest, ..
        } => {
            let next =
                schema(next).ok_or_else(|| format!("class \"{next}\" does not exist in schema"))?;
            innermost_class(&next, schema, rest)
        }
        FilterPath::Property(_)
        | FilterPath::Id
        | FilterPath::CreationTime
        | FilterPath::UpdateTime
        | FilterPath::Length(_) => Ok(class.clone()),
    }
}

/// The path after its reference hops.
fn last_hop(path: &FilterPath) -> &FilterPath {
    if let FilterPath::Reference { rest, .. } = path {
        return last_hop(rest);
    }
    path
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
        FilterPath::Id | FilterPath::Length(_) | FilterPath::Reference { .. } => false,
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

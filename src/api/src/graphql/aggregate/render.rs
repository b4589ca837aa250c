//! Aggregate result rows -> response rows: only the requested fields, under their response
//! keys. Statistics Weaviate leaves unset (the mean of no values, a missing property) are
//! `null`; counts are integers, numeric statistics floats, date statistics strings.

use model::{AggregateResult, AggregateRow, PropertyAggregate};
use serde_json::{json, Map, Value};

use super::fields::{MetaField, OccurrenceKind, PropField, PropKind, RowField, Stat};
use crate::graphql::render::grouped_by;

/// One response row per result row.
pub(crate) fn rows(fields: &[RowField], result: &AggregateResult) -> Value {
    Value::Array(
        result
            .rows
            .iter()
            .map(|r| Value::Object(row(fields, r)))
            .collect(),
    )
}

fn row(fields: &[RowField], row: &AggregateRow) -> Map<String, Value> {
    let mut out = Map::new();
    for field in fields {
        let (key, value) = match field {
            RowField::Typename { key, value } => (key, Value::String(value.clone())),
            RowField::Meta { key, fields } => (key, meta(fields, row.count)),
            RowField::GroupedBy { key, fields } => (
                key,
                row.grouped_by
                    .as_ref()
                    .map_or(Value::Null, |(path, value)| grouped_by(fields, path, value)),
            ),
            RowField::Property {
                key,
                name,
                data_type,
                fields,
            } => (key, property(fields, data_type, row.properties.get(name))),
        };
        out.insert(key.clone(), value);
    }
    out
}

fn meta(fields: &[MetaField], count: u64) -> Value {
    let mut out = Map::new();
    for field in fields {
        match field {
            MetaField::Typename { key, value } => {
                out.insert(key.clone(), Value::String(value.clone()));
            }
            MetaField::Count { key } => {
                out.insert(key.clone(), json!(count));
            }
        }
    }
    Value::Object(out)
}

/// A property object. `type` is known from the schema even when the coordinator computed
/// nothing for the property (Weaviate adds it the same way).
fn property(fields: &[PropField], data_type: &str, agg: Option<&PropertyAggregate>) -> Value {
    let mut out = Map::new();
    for PropField { key, kind } in fields {
        let value = match kind {
            PropKind::Typename(name) => Value::String(name.clone()),
            PropKind::Type => Value::String(data_type.to_string()),
            PropKind::Stat(stat) => agg.map_or(Value::Null, |a| stat_value(a, *stat)),
            PropKind::TopOccurrences { limit, fields } => top_occurrences(agg, *limit, fields),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

fn stat_value(agg: &PropertyAggregate, stat: Stat) -> Value {
    match agg {
        PropertyAggregate::Numeric {
            count,
            minimum,
            maximum,
            mean,
            median,
            mode,
            sum,
        } => match stat {
            Stat::Count => json!(count),
            Stat::Minimum => number(*minimum),
            Stat::Maximum => number(*maximum),
            Stat::Mean => number(*mean),
            Stat::Median => number(*median),
            Stat::Mode => number(*mode),
            Stat::Sum => number(*sum),
            Stat::TotalTrue | Stat::TotalFalse | Stat::PercentageTrue | Stat::PercentageFalse => {
                Value::Null
            }
        },
        PropertyAggregate::Text { count, .. } => {
            if stat == Stat::Count {
                json!(count)
            } else {
                Value::Null
            }
        }
        PropertyAggregate::Boolean {
            count,
            total_true,
            total_false,
            percentage_true,
            percentage_false,
        } => match stat {
            Stat::Count => json!(count),
            Stat::TotalTrue => json!(total_true),
            Stat::TotalFalse => json!(total_false),
            Stat::PercentageTrue => number(Some(*percentage_true)),
            Stat::PercentageFalse => number(Some(*percentage_false)),
            Stat::Minimum | Stat::Maximum | Stat::Mean | Stat::Median | Stat::Mode | Stat::Sum => {
                Value::Null
            }
        },
        PropertyAggregate::Date {
            count,
            minimum,
            maximum,
            median,
            mode,
        } => match stat {
            Stat::Count => json!(count),
            Stat::Minimum => string(minimum),
            Stat::Maximum => string(maximum),
            Stat::Median => string(median),
            Stat::Mode => string(mode),
            Stat::Mean
            | Stat::Sum
            | Stat::TotalTrue
            | Stat::TotalFalse
            | Stat::PercentageTrue
            | Stat::PercentageFalse => Value::Null,
        },
    }
}

/// The most frequent values, at most `limit` of them.
fn top_occurrences(
    agg: Option<&PropertyAggregate>,
    limit: usize,
    fields: &[(String, OccurrenceKind)],
) -> Value {
    let Some(PropertyAggregate::Text {
        top_occurrences, ..
    }) = agg
    else {
        return Value::Array(Vec::new());
    };
    let items = top_occurrences.iter().take(limit).map(|(value, occurs)| {
        let mut out = Map::new();
        for (key, kind) in fields {
            let v = match kind {
                OccurrenceKind::Typename(name) => Value::String(name.clone()),
                OccurrenceKind::Value => Value::String(value.clone()),
                OccurrenceKind::Occurs => json!(occurs),
            };
            out.insert(key.clone(), v);
        }
        Value::Object(out)
    });
    Value::Array(items.collect())
}

/// A float statistic; unset and non-finite values (JSON has none) are `null`.
fn number(x: Option<f64>) -> Value {
    x.and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

fn string(s: &Option<String>) -> Value {
    s.clone().map_or(Value::Null, Value::String)
}

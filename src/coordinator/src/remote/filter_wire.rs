//! The `where` filter on the internal wire. `types::filter` is plain data without serde (the
//! engine never serializes it), so shard calls carry this mirror, converted at both ends with
//! `#[serde(with = "filter_wire")]`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};

#[derive(Serialize, Deserialize)]
enum WFilter {
    And(Vec<WFilter>),
    Or(Vec<WFilter>),
    Cond(WPath, WOp, WValue),
}

#[derive(Serialize, Deserialize)]
enum WPath {
    Prop(String),
    Id,
    Created,
    Updated,
    Len(String),
}

#[derive(Serialize, Deserialize)]
enum WOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Like,
    Any,
    All,
    Null,
    Geo,
}

#[derive(Serialize, Deserialize)]
enum WValue {
    Text(String),
    Int(i64),
    Number(f64),
    Boolean(bool),
    Date(String),
    TextList(Vec<String>),
    IntList(Vec<i64>),
    NumberList(Vec<f64>),
    BooleanList(Vec<bool>),
    DateList(Vec<String>),
    Geo(f64, f64, f64),
}

fn to_wire(f: &Filter) -> WFilter {
    match f {
        Filter::And(v) => WFilter::And(v.iter().map(to_wire).collect()),
        Filter::Or(v) => WFilter::Or(v.iter().map(to_wire).collect()),
        Filter::Condition(c) => WFilter::Cond(
            match &c.path {
                FilterPath::Property(p) => WPath::Prop(p.clone()),
                FilterPath::Id => WPath::Id,
                FilterPath::CreationTime => WPath::Created,
                FilterPath::UpdateTime => WPath::Updated,
                FilterPath::Length(p) => WPath::Len(p.clone()),
            },
            match c.operator {
                Operator::Equal => WOp::Eq,
                Operator::NotEqual => WOp::Ne,
                Operator::GreaterThan => WOp::Gt,
                Operator::GreaterThanEqual => WOp::Ge,
                Operator::LessThan => WOp::Lt,
                Operator::LessThanEqual => WOp::Le,
                Operator::Like => WOp::Like,
                Operator::ContainsAny => WOp::Any,
                Operator::ContainsAll => WOp::All,
                Operator::IsNull => WOp::Null,
                Operator::WithinGeoRange => WOp::Geo,
            },
            match &c.value {
                FilterValue::Text(v) => WValue::Text(v.clone()),
                FilterValue::Int(v) => WValue::Int(*v),
                FilterValue::Number(v) => WValue::Number(*v),
                FilterValue::Boolean(v) => WValue::Boolean(*v),
                FilterValue::Date(v) => WValue::Date(v.clone()),
                FilterValue::TextList(v) => WValue::TextList(v.clone()),
                FilterValue::IntList(v) => WValue::IntList(v.clone()),
                FilterValue::NumberList(v) => WValue::NumberList(v.clone()),
                FilterValue::BooleanList(v) => WValue::BooleanList(v.clone()),
                FilterValue::DateList(v) => WValue::DateList(v.clone()),
                FilterValue::GeoRange {
                    latitude,
                    longitude,
                    max_distance_m,
                } => WValue::Geo(*latitude, *longitude, *max_distance_m),
            },
        ),
    }
}

fn from_wire(f: WFilter) -> Filter {
    match f {
        WFilter::And(v) => Filter::And(v.into_iter().map(from_wire).collect()),
        WFilter::Or(v) => Filter::Or(v.into_iter().map(from_wire).collect()),
        WFilter::Cond(path, op, value) => Filter::Condition(Condition {
            path: match path {
                WPath::Prop(p) => FilterPath::Property(p),
                WPath::Id => FilterPath::Id,
                WPath::Created => FilterPath::CreationTime,
                WPath::Updated => FilterPath::UpdateTime,
                WPath::Len(p) => FilterPath::Length(p),
            },
            operator: match op {
                WOp::Eq => Operator::Equal,
                WOp::Ne => Operator::NotEqual,
                WOp::Gt => Operator::GreaterThan,
                WOp::Ge => Operator::GreaterThanEqual,
                WOp::Lt => Operator::LessThan,
                WOp::Le => Operator::LessThanEqual,
                WOp::Like => Operator::Like,
                WOp::Any => Operator::ContainsAny,
                WOp::All => Operator::ContainsAll,
                WOp::Null => Operator::IsNull,
                WOp::Geo => Operator::WithinGeoRange,
            },
            value: match value {
                WValue::Text(v) => FilterValue::Text(v),
                WValue::Int(v) => FilterValue::Int(v),
                WValue::Number(v) => FilterValue::Number(v),
                WValue::Boolean(v) => FilterValue::Boolean(v),
                WValue::Date(v) => FilterValue::Date(v),
                WValue::TextList(v) => FilterValue::TextList(v),
                WValue::IntList(v) => FilterValue::IntList(v),
                WValue::NumberList(v) => FilterValue::NumberList(v),
                WValue::BooleanList(v) => FilterValue::BooleanList(v),
                WValue::DateList(v) => FilterValue::DateList(v),
                WValue::Geo(latitude, longitude, max_distance_m) => FilterValue::GeoRange {
                    latitude,
                    longitude,
                    max_distance_m,
                },
            },
        }),
    }
}

pub(crate) fn serialize<S: Serializer>(f: &Option<Filter>, s: S) -> Result<S::Ok, S::Error> {
    f.as_ref().map(to_wire).serialize(s)
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Filter>, D::Error> {
    Ok(Option::<WFilter>::deserialize(d)?.map(from_wire))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Holder {
        #[serde(with = "super")]
        filter: Option<Filter>,
    }

    #[test]
    fn filters_survive_the_wire() {
        let cond = |path, operator, value| {
            Filter::Condition(Condition {
                path,
                operator,
                value,
            })
        };
        let filter = Filter::And(vec![
            cond(
                FilterPath::Property("a".into()),
                Operator::Like,
                FilterValue::Text("x*".into()),
            ),
            Filter::Or(vec![
                cond(
                    FilterPath::Id,
                    Operator::Equal,
                    FilterValue::Text("u".into()),
                ),
                cond(
                    FilterPath::Length("b".into()),
                    Operator::GreaterThan,
                    FilterValue::IntList(vec![1, 2]),
                ),
                cond(
                    FilterPath::Property("g".into()),
                    Operator::WithinGeoRange,
                    FilterValue::GeoRange {
                        latitude: 1.5,
                        longitude: -2.0,
                        max_distance_m: 10.0,
                    },
                ),
            ]),
        ]);
        let json = serde_json::to_string(&Holder {
            filter: Some(filter.clone()),
        })
        .unwrap();
        let back: Holder = serde_json::from_str(&json).unwrap();
        assert_eq!(back.filter, Some(filter));
        let none: Holder = serde_json::from_str(r#"{"filter":null}"#).unwrap();
        assert!(none.filter.is_none());
    }
}

//! The `where` filter model shared by GraphQL, gRPC, REST batch delete and the engine. Parsing
//! from the wire happens in `api`, checking it against the class in `model::schema` (which the
//! coordinator calls); the inverted index evaluates it into a bitmap of doc ids.

use serde::{Deserialize, Serialize};

/// A filter tree. Serde gives it a wire form for node-to-node shard calls; it is not the
/// GraphQL or REST syntax (that is parsed in `api`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Filter {
    /// Every operand matches (an empty list matches everything).
    And(Vec<Filter>),
    /// At least one operand matches (an empty list matches nothing).
    Or(Vec<Filter>),
    /// Matches exactly what the operand does not (gRPC's `Not`; also how `ContainsNone` is
    /// expressed: not `ContainsAny`).
    Not(Box<Filter>),
    /// A condition on one path.
    Condition(Condition),
    /// Objects whose reference property `property` holds a beacon to one of `targets`.
    /// Clients do not write it: the coordinator puts it in place of a condition on a
    /// reference path once it knows which target objects match that condition, so that a
    /// shard answers it from its reverse index (beacon target -> docs).
    ReferencesAny {
        property: String,
        targets: Vec<uuid::Uuid>,
    },
}

/// `path operator value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub path: FilterPath,
    pub operator: Operator,
    pub value: FilterValue,
}

/// What a condition looks at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FilterPath {
    /// A property; nested-object leaves are not filterable in Weaviate 1.27.
    Property(String),
    /// `id` or `_id`: the object uuid.
    Id,
    /// `_creationTimeUnix`.
    CreationTime,
    /// `_lastUpdateTimeUnix`.
    UpdateTime,
    /// `len(prop)`: the length of a property (characters of text, elements of an array).
    Length(String),
    /// `[refProp, TargetClass, ...]`: `rest` is a path on the objects of `class` that
    /// `property` references; the condition holds when it holds for one of them.
    Reference {
        property: String,
        class: String,
        rest: Box<FilterPath>,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operator {
    Equal,
    NotEqual,
    GreaterThan,
    GreaterThanEqual,
    LessThan,
    LessThanEqual,
    /// `*` matches any sequence, `?` one character.
    Like,
    ContainsAny,
    ContainsAll,
    /// With a boolean value: true selects objects where the property is null or absent.
    IsNull,
    WithinGeoRange,
}

/// The value of a condition, typed by the `value*` field it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FilterValue {
    Text(String),
    Int(i64),
    Number(f64),
    Boolean(bool),
    /// RFC 3339, as given.
    Date(String),
    TextList(Vec<String>),
    IntList(Vec<i64>),
    NumberList(Vec<f64>),
    BooleanList(Vec<bool>),
    DateList(Vec<String>),
    /// `valueGeoRange`: a point and a maximum distance in meters.
    GeoRange {
        latitude: f64,
        longitude: f64,
        max_distance_m: f64,
    },
}

impl Operator {
    /// The operator as written in a query (`GreaterThanEqual`), for messages.
    pub fn name(self) -> &'static str {
        match self {
            Operator::Equal => "Equal",
            Operator::NotEqual => "NotEqual",
            Operator::GreaterThan => "GreaterThan",
            Operator::GreaterThanEqual => "GreaterThanEqual",
            Operator::LessThan => "LessThan",
            Operator::LessThanEqual => "LessThanEqual",
            Operator::Like => "Like",
            Operator::ContainsAny => "ContainsAny",
            Operator::ContainsAll => "ContainsAll",
            Operator::IsNull => "IsNull",
            Operator::WithinGeoRange => "WithinGeoRange",
        }
    }
}

impl FilterValue {
    /// The data type the value's field stands for (`valueText` and `valueString`: `text`),
    /// as Weaviate names it.
    pub fn data_type(&self) -> &'static str {
        match self {
            FilterValue::Text(_) | FilterValue::TextList(_) => "text",
            FilterValue::Int(_) | FilterValue::IntList(_) => "int",
            FilterValue::Number(_) | FilterValue::NumberList(_) => "number",
            FilterValue::Boolean(_) | FilterValue::BooleanList(_) => "boolean",
            FilterValue::Date(_) | FilterValue::DateList(_) => "date",
            FilterValue::GeoRange { .. } => "geoCoordinates",
        }
    }

    /// The wire name of the field the value came from (`valueText`, `valueGeoRange`).
    pub fn field_name(&self) -> &'static str {
        match self {
            FilterValue::GeoRange { .. } => "valueGeoRange",
            FilterValue::Text(_) | FilterValue::TextList(_) => "valueText",
            FilterValue::Int(_) | FilterValue::IntList(_) => "valueInt",
            FilterValue::Number(_) | FilterValue::NumberList(_) => "valueNumber",
            FilterValue::Boolean(_) | FilterValue::BooleanList(_) => "valueBoolean",
            FilterValue::Date(_) | FilterValue::DateList(_) => "valueDate",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let json = serde_json::to_string(&Some(filter.clone())).unwrap();
        assert_eq!(
            serde_json::from_str::<Option<Filter>>(&json).unwrap(),
            Some(filter)
        );
        assert_eq!(
            serde_json::from_str::<Option<Filter>>("null").unwrap(),
            None
        );
    }
}

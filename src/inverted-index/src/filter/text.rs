//! Conditions on property values: text, uuid and the other primitive types, and the object id.

use std::sync::LazyLock;

use roaring::RoaringBitmap;
use types::filter::{Condition, FilterValue, Operator};
use types::schema::DataType;

use super::{bounds, Cmp, Eval, Like};
use crate::config::PropertySpec;
use crate::index::PropIndex;
use crate::postings::codec;
use crate::tokenize::{tokenize, tokenize_with_wildcards};
use crate::{Error, Result};

static EMPTY: LazyLock<PropIndex> = LazyLock::new(PropIndex::default);

pub(super) fn invalid(msg: String) -> Error {
    Error::InvalidFilter(msg)
}

/// The data type's wire name for messages.
pub(super) fn type_name(dt: &DataType) -> &'static str {
    dt.name().unwrap_or("cross-reference")
}

/// Weaviate's message for a value field that does not fit the property's type.
pub(super) fn type_error(value: &FilterValue, spec: &PropertySpec, expected: &str) -> Error {
    invalid(format!(
        "data type filter cannot use \"{}\" on type \"{}\", use \"{expected}\" instead",
        value.field_name(),
        type_name(&spec.data_type)
    ))
}

impl Eval<'_> {
    /// The property's index (an empty one if no doc has the property yet).
    pub(super) fn index_of(&self, name: &str) -> &PropIndex {
        self.state.props.get(name).unwrap_or(&EMPTY)
    }

    /// A condition on `["prop"]`.
    pub(super) fn property(&self, name: &str, c: &Condition) -> Result<RoaringBitmap> {
        let spec = self.config.property(name).ok_or_else(|| {
            invalid(format!(
                "no such prop with name '{name}' found in the schema. Check your schema files for which properties in this class are available"
            ))
        })?;
        if c.operator == Operator::IsNull {
            return self.is_null(spec, c);
        }
        if c.operator == Operator::WithinGeoRange && spec.data_type != DataType::GeoCoordinates {
            return Err(invalid(format!(
                "WithinGeoRange can only be used on geoCoordinates properties, property '{name}' is of type '{}'",
                type_name(&spec.data_type)
            )));
        }
        match &spec.data_type {
            DataType::Reference(_) => self.ref_count(spec, c),
            DataType::GeoCoordinates => self.geo(spec, c),
            DataType::Text | DataType::TextArray => self.text(spec, c),
            DataType::Uuid | DataType::UuidArray => self.uuid_prop(spec, c),
            DataType::Int
            | DataType::IntArray
            | DataType::Number
            | DataType::NumberArray
            | DataType::Boolean
            | DataType::BooleanArray
            | DataType::Date
            | DataType::DateArray => self.primitive(spec, c),
            DataType::PhoneNumber | DataType::Blob | DataType::Object | DataType::ObjectArray => {
                Err(invalid(format!(
                    "filtering on property '{name}' of type '{}' is not supported",
                    type_name(&spec.data_type)
                )))
            }
        }
    }

    /// Weaviate's check that some inverted index serves the property.
    pub(super) fn require_index(&self, spec: &PropertySpec) -> Result<()> {
        if spec.indexes_values() {
            return Ok(());
        }
        Err(invalid(format!(
            "Filtering by property '{0}' requires inverted index. Is `indexFilterable` option of property '{0}' enabled? Set it to `true` or leave empty",
            spec.name
        )))
    }

    /// `op key` over a property's tokens (`text`) or other values; `NotEqual` is the
    /// complement of `Equal`.
    fn value_op(&self, p: &PropIndex, op: Operator, key: &[u8], text: bool) -> RoaringBitmap {
        let Some(cmp) = Cmp::of(op) else {
            return RoaringBitmap::new();
        };
        let (lo, hi) = bounds(cmp, key);
        let docs = match (cmp == Cmp::Eq, text) {
            (true, true) => p.token_docs(key),
            (true, false) => p.value_docs(key),
            (false, true) => p.token_range(lo, hi),
            (false, false) => p.value_range(lo, hi),
        };
        if op == Operator::NotEqual {
            self.complement(&docs)
        } else {
            docs
        }
    }

    fn text(&self, spec: &PropertySpec, c: &Condition) -> Result<RoaringBitmap> {
        self.require_index(spec)?;
        let p = self.index_of(&spec.name);
        self.contains(c, |value, op| {
            let FilterValue::Text(s) = value else {
                return Err(type_error(value, spec, "valueText"));
            };
            let terms: Vec<String> = if op == Operator::Like {
                tokenize_with_wildcards(spec.tokenization, s)
            } else {
                tokenize(spec.tokenization, s)
            };
            let terms: Vec<String> = terms.into_iter().filter(|t| !self.config.stopwords.contains(t)).collect();
            if terms.is_empty() {
                return Err(invalid(
                    "invalid search term, only stopwords provided. Stopwords can be configured in class.invertedIndexConfig.stopwords"
                        .into(),
                ));
            }
            let mut out = self.state.all.clone();
            for t in &terms {
                out &= if op == Operator::Like {
                    Like::new(t).docs(&p.terms, |t| &t.docs)
                } else {
                    self.value_op(p, op, t.as_bytes(), true)
                };
            }
            Ok(out)
        })
    }

    fn uuid_prop(&self, spec: &PropertySpec, c: &Condition) -> Result<RoaringBitmap> {
        self.require_index(spec)?;
        if matches!(c.operator, Operator::Like | Operator::WithinGeoRange) {
            return Err(invalid(format!(
                "operator \"{}\" cannot be used on uuid/uuid[] props",
                c.operator.name()
            )));
        }
        let p = self.index_of(&spec.name);
        self.contains(c, |value, op| {
            let FilterValue::Text(s) = value else {
                return Err(invalid(format!(
                    "property \"{}\" is of type \"uuid\" or \"uuid[]\": specify uuid as string using \"valueText\"",
                    spec.name
                )));
            };
            let key = codec::uuid(s).ok_or_else(|| invalid(format!("parse uuid string: invalid UUID {s:?}")))?;
            Ok(self.value_op(p, op, &key, false))
        })
    }

    fn primitive(&self, spec: &PropertySpec, c: &Condition) -> Result<RoaringBitmap> {
        self.require_index(spec)?;
        if c.operator == Operator::Like {
            return Err(invalid(format!(
                "operator Like is not supported on property '{}' of type '{}': Like needs a text property",
                spec.name,
                type_name(&spec.data_type)
            )));
        }
        let p = self.index_of(&spec.name);
        self.contains(c, |value, op| {
            let key = match (&spec.data_type, value) {
                (DataType::Int | DataType::IntArray, FilterValue::Int(v)) => {
                    codec::int(*v).to_vec()
                }
                (DataType::Number | DataType::NumberArray, FilterValue::Number(v)) => {
                    codec::number(*v).to_vec()
                }
                (DataType::Boolean | DataType::BooleanArray, FilterValue::Boolean(v)) => {
                    codec::boolean(*v).to_vec()
                }
                (DataType::Date | DataType::DateArray, FilterValue::Date(s)) => codec::date(s)
                    .ok_or_else(|| {
                        invalid(format!(
                            "trying parse time as RFC3339 string: cannot parse {s:?}"
                        ))
                    })?
                    .to_vec(),
                (DataType::Int | DataType::IntArray, _) => {
                    return Err(type_error(value, spec, "valueInt"))
                }
                (DataType::Number | DataType::NumberArray, _) => {
                    return Err(type_error(value, spec, "valueNumber"))
                }
                (DataType::Boolean | DataType::BooleanArray, _) => {
                    return Err(type_error(value, spec, "valueBoolean"))
                }
                (_, _) => return Err(type_error(value, spec, "valueDate")),
            };
            Ok(self.value_op(p, op, &key, false))
        })
    }
}

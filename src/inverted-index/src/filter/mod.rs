//! `where` filter evaluation with Weaviate 1.27's semantics (`inverted/searcher.go`,
//! `row_reader_roaring_set.go`, `entities/filters/filters_validator.go`; restated by the
//! acceptance tests' `test_filters.py`):
//!
//! - `And` / `Or` intersect / unite their operands (`And []` is every doc, `Or []` none).
//! - Text values are tokenized like the property (`Like` keeps `*`/`?` in `word` tokens),
//!   stopwords are dropped, and every remaining token must satisfy the operator (an `And` of
//!   per-token conditions); a value made only of stopwords is an error. On `text[]` a token
//!   matches when any element has it.
//! - `Equal` on arrays: any element equals. Range operators: any value (token, element) is in
//!   range, compared in the value's order (bytewise for text, numerically for numbers, as
//!   instants for dates).
//! - `NotEqual` is the complement of `Equal` over all docs (Weaviate: all-docs bitmap `AndNot`
//!   the row), so docs where the property is missing match. For several tokens it is the `And`
//!   of per-token `NotEqual`: docs having none of the tokens.
//! - `ContainsAny` / `ContainsAll`: `Or` / `And` of `Equal` over the listed values.
//! - `IsNull` (needs `indexNullState`): true selects docs where the property is missing, null,
//!   empty text or an empty array.
//! - `len(prop)` (needs `indexPropertyLength`): characters of text, elements of arrays; a
//!   missing property has length 0.
//! - `_creationTimeUnix` / `_lastUpdateTimeUnix` (needs `indexTimestamps`): ms as a string in
//!   `valueText` or a date in `valueDate`.
//! - `id` / `_id`: the uuid as a string in `valueText`.
//! - A reference property with `valueInt` compares the number of references.
//! - `WithinGeoRange`: great-circle (haversine, R = 6371 km) distance ≤ the maximum, meters.

mod like;
mod paths;
mod text;

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::ops::Bound;

use roaring::RoaringBitmap;
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};

use crate::config::IndexConfig;
use crate::index::State;
use crate::{Error, Result};

pub(crate) use like::Like;

/// Evaluates `filter` over `state`.
pub(crate) fn evaluate(
    config: &IndexConfig,
    state: &State,
    filter: &Filter,
) -> Result<RoaringBitmap> {
    Eval { config, state }.filter(filter)
}

struct Eval<'a> {
    config: &'a IndexConfig,
    state: &'a State,
}

impl Eval<'_> {
    fn filter(&self, f: &Filter) -> Result<RoaringBitmap> {
        match f {
            Filter::And(operands) => {
                let mut out = self.state.all.clone();
                // every operand is evaluated, so that an invalid one is reported
                for (i, o) in operands.iter().enumerate() {
                    out &= self.filter(o).map_err(|e| nested(e, i))?;
                }
                Ok(out)
            }
            Filter::Or(operands) => {
                let mut out = RoaringBitmap::new();
                for (i, o) in operands.iter().enumerate() {
                    out |= self.filter(o).map_err(|e| nested(e, i))?;
                }
                Ok(out)
            }
            Filter::Condition(c) => self.condition(c),
        }
    }

    fn condition(&self, c: &Condition) -> Result<RoaringBitmap> {
        match &c.path {
            FilterPath::Property(name) => self.property(name, c),
            FilterPath::Id => self.id(c),
            FilterPath::CreationTime => self.timestamp(&self.state.created, "_creationTimeUnix", c),
            FilterPath::UpdateTime => self.timestamp(&self.state.updated, "_lastUpdateTimeUnix", c),
            FilterPath::Length(name) => self.length(name, c),
        }
    }

    /// `all - docs`.
    fn complement(&self, docs: &RoaringBitmap) -> RoaringBitmap {
        &self.state.all - docs
    }

    /// Splits a `ContainsAny`/`ContainsAll` value into its items and combines `each` of them
    /// with `Or`/`And`. Any other operator is evaluated as is.
    fn contains(
        &self,
        c: &Condition,
        each: impl Fn(&FilterValue, Operator) -> Result<RoaringBitmap>,
    ) -> Result<RoaringBitmap> {
        let any = match c.operator {
            Operator::ContainsAny => true,
            Operator::ContainsAll => false,
            Operator::Equal
            | Operator::NotEqual
            | Operator::GreaterThan
            | Operator::GreaterThanEqual
            | Operator::LessThan
            | Operator::LessThanEqual
            | Operator::Like
            | Operator::IsNull
            | Operator::WithinGeoRange => {
                if is_list(&c.value) {
                    return Err(Error::InvalidFilter(format!(
                        "operator {} needs a single value, got a list in {}",
                        op_name(c.operator),
                        value_name(&c.value)
                    )));
                }
                return each(&c.value, c.operator);
            }
        };
        let items = list_items(&c.value);
        if items.is_empty() {
            return Err(Error::InvalidFilter(format!(
                "operator {} needs at least one value",
                op_name(c.operator)
            )));
        }
        let mut out = if any {
            RoaringBitmap::new()
        } else {
            self.state.all.clone()
        };
        for item in &items {
            let docs = each(item, Operator::Equal)?;
            if any {
                out |= docs;
            } else {
                out &= docs;
            }
        }
        Ok(out)
    }
}

/// Weaviate's wrapping of an operand's error.
fn nested(e: Error, i: usize) -> Error {
    match e {
        Error::InvalidFilter(m) => {
            Error::InvalidFilter(format!("child operand at position {i}: {m}"))
        }
        other @ (Error::InvalidSearch(_) | Error::InvalidConfig(_) | Error::Corrupt(_)) => other,
    }
}

/// A comparison served by an ordered map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Cmp {
    /// The comparison of a value operator (`NotEqual` is evaluated as the complement of `Eq`).
    fn of(op: Operator) -> Option<Cmp> {
        match op {
            Operator::Equal | Operator::NotEqual => Some(Cmp::Eq),
            Operator::GreaterThan => Some(Cmp::Gt),
            Operator::GreaterThanEqual => Some(Cmp::Ge),
            Operator::LessThan => Some(Cmp::Lt),
            Operator::LessThanEqual => Some(Cmp::Le),
            Operator::Like
            | Operator::ContainsAny
            | Operator::ContainsAll
            | Operator::IsNull
            | Operator::WithinGeoRange => None,
        }
    }

    fn holds<T: Ord + ?Sized>(self, a: &T, b: &T) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
        }
    }
}

/// The union of the docs of the keys `k` of `map` with `k cmp key`.
fn compare<K, Q, V>(
    map: &BTreeMap<K, V>,
    cmp: Cmp,
    key: &Q,
    docs: impl Fn(&V) -> &RoaringBitmap,
) -> RoaringBitmap
where
    K: Borrow<Q> + Ord,
    Q: Ord + ?Sized,
{
    let range = match cmp {
        Cmp::Eq => return map.get(key).map(&docs).cloned().unwrap_or_default(),
        Cmp::Gt => (Bound::Excluded(key), Bound::Unbounded),
        Cmp::Ge => (Bound::Included(key), Bound::Unbounded),
        Cmp::Lt => (Bound::Unbounded, Bound::Excluded(key)),
        Cmp::Le => (Bound::Unbounded, Bound::Included(key)),
    };
    let mut out = Union::default();
    for (_, v) in map.range::<Q, _>(range) {
        out.add(docs(v));
    }
    out.finish()
}

/// A union of many bitmaps, most of them small (one per distinct number, say): small ones are
/// collected as sorted ids and built in one go, which is much faster than or-ing each.
#[derive(Default)]
pub(crate) struct Union {
    out: RoaringBitmap,
    small: Vec<u32>,
}

impl Union {
    pub fn add(&mut self, b: &RoaringBitmap) {
        let n = b.len();
        if n == 1 {
            self.small.extend(b.min());
        } else if n <= 16 {
            self.small.extend(b.iter());
        } else {
            self.out |= b;
        }
    }

    pub fn finish(mut self) -> RoaringBitmap {
        if !self.small.is_empty() {
            self.small.sort_unstable();
            self.small.dedup();
            let small = RoaringBitmap::from_sorted_iter(self.small.iter().copied())
                .unwrap_or_else(|_| self.small.iter().copied().collect());
            self.out |= small;
        }
        self.out
    }
}

fn is_list(v: &FilterValue) -> bool {
    matches!(
        v,
        FilterValue::TextList(_)
            | FilterValue::IntList(_)
            | FilterValue::NumberList(_)
            | FilterValue::BooleanList(_)
            | FilterValue::DateList(_)
    )
}

/// The items of a list value as single values (a single value is a list of one).
fn list_items(v: &FilterValue) -> Vec<FilterValue> {
    match v {
        FilterValue::TextList(l) => l.iter().cloned().map(FilterValue::Text).collect(),
        FilterValue::IntList(l) => l.iter().copied().map(FilterValue::Int).collect(),
        FilterValue::NumberList(l) => l.iter().copied().map(FilterValue::Number).collect(),
        FilterValue::BooleanList(l) => l.iter().copied().map(FilterValue::Boolean).collect(),
        FilterValue::DateList(l) => l.iter().cloned().map(FilterValue::Date).collect(),
        FilterValue::Text(_)
        | FilterValue::Int(_)
        | FilterValue::Number(_)
        | FilterValue::Boolean(_)
        | FilterValue::Date(_)
        | FilterValue::GeoRange { .. } => vec![v.clone()],
    }
}

/// The wire name of the field a value came from.
fn value_name(v: &FilterValue) -> &'static str {
    match v {
        FilterValue::Text(_) | FilterValue::TextList(_) => "valueText",
        FilterValue::Int(_) | FilterValue::IntList(_) => "valueInt",
        FilterValue::Number(_) | FilterValue::NumberList(_) => "valueNumber",
        FilterValue::Boolean(_) | FilterValue::BooleanList(_) => "valueBoolean",
        FilterValue::Date(_) | FilterValue::DateList(_) => "valueDate",
        FilterValue::GeoRange { .. } => "valueGeoRange",
    }
}

fn op_name(op: Operator) -> &'static str {
    match op {
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

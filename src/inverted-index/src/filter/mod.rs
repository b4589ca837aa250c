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
//! - `ReferencesAny` (made by the coordinator from a condition on a cross-reference path):
//!   docs with a beacon to any of the targets (none for an empty list). A cross-reference
//!   path itself is resolved before it reaches a shard; here it is an internal error.
//! - `WithinGeoRange`: great-circle (haversine, R = 6371 km) distance ≤ the maximum, meters.

mod id;
mod like;
mod paths;
mod refs;
mod text;

use std::ops::Bound;

use roaring::RoaringBitmap;
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::DataType;

use crate::config::IndexConfig;
use crate::index::State;
use crate::postings::codec;
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
                // ranges on the same single-valued property are evaluated as one range (they
                // cannot fail, so skipping them reports the same errors)
                let mut merged = vec![false; operands.len()];
                let ranges: Vec<_> = operands.iter().map(|o| self.range_of(o)).collect();
                for (i, r) in ranges.iter().enumerate() {
                    let Some((name, lo, hi)) = r else { continue };
                    if merged[i] {
                        continue;
                    }
                    let (mut lo, mut hi) = (lo.clone(), hi.clone());
                    let mut n = 0;
                    for (j, r2) in ranges.iter().enumerate().skip(i + 1) {
                        if let Some((name2, lo2, hi2)) = r2 {
                            if name2 == name {
                                lo = tighter(lo, lo2.clone(), true);
                                hi = tighter(hi, hi2.clone(), false);
                                merged[j] = true;
                                n += 1;
                            }
                        }
                    }
                    if n > 0 {
                        merged[i] = true;
                        out &= self.index_of(name).value_range(bound(&lo), bound(&hi));
                    }
                }
                // every operand is evaluated, so that an invalid one is reported
                for (i, o) in operands.iter().enumerate() {
                    if !merged[i] {
                        out &= self.filter(o).map_err(|e| nested(e, i))?;
                    }
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
            Filter::Not(operand) => Ok(self.complement(&self.filter(operand)?)),
            Filter::Condition(c) => self.condition(c),
            Filter::ReferencesAny { property, targets } => self.references_any(property, targets),
        }
    }

    fn condition(&self, c: &Condition) -> Result<RoaringBitmap> {
        match &c.path {
            FilterPath::Property(name) => self.property(name, c),
            FilterPath::Id => self.id(c),
            FilterPath::CreationTime => self.timestamp(&self.state.created, "_creationTimeUnix", c),
            FilterPath::UpdateTime => self.timestamp(&self.state.updated, "_lastUpdateTimeUnix", c),
            FilterPath::Length(name) => self.length(name, c),
            FilterPath::Reference {
                property, class, ..
            } => Err(refs::unresolved(property, class)),
        }
    }

    /// A range condition on a single-valued int, number or date property that evaluates
    /// without error: the property and its bounds on the encoded value.
    fn range_of<'f>(&self, f: &'f Filter) -> Option<Range<'f>> {
        let Filter::Condition(c) = f else {
            return None;
        };
        let FilterPath::Property(name) = &c.path else {
            return None;
        };
        let spec = self.config.property(name)?;
        if !spec.indexes_values() {
            return None;
        }
        let key = match (&spec.data_type, &c.value) {
            (DataType::Int, FilterValue::Int(v)) => codec::int(*v).to_vec(),
            (DataType::Number, FilterValue::Number(v)) => codec::number(*v).to_vec(),
            (DataType::Date, FilterValue::Date(s)) => codec::date(s)?.to_vec(),
            _ => return None,
        };
        let (lo, hi) = match c.operator {
            Operator::GreaterThan => (Bound::Excluded(key), Bound::Unbounded),
            Operator::GreaterThanEqual => (Bound::Included(key), Bound::Unbounded),
            Operator::LessThan => (Bound::Unbounded, Bound::Excluded(key)),
            Operator::LessThanEqual => (Bound::Unbounded, Bound::Included(key)),
            Operator::Equal
            | Operator::NotEqual
            | Operator::Like
            | Operator::ContainsAny
            | Operator::ContainsAll
            | Operator::IsNull
            | Operator::WithinGeoRange => return None,
        };
        Some((name.as_str(), lo, hi))
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
                        c.operator.name(),
                        c.value.field_name()
                    )));
                }
                return each(&c.value, c.operator);
            }
        };
        let items = list_items(&c.value);
        if items.is_empty() {
            return Err(Error::InvalidFilter(format!(
                "operator {} needs at least one value",
                c.operator.name()
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
        other @ (Error::InvalidSearch(_)
        | Error::InvalidConfig(_)
        | Error::Corrupt(_)
        | Error::UnresolvedReferencePath { .. }) => other,
    }
}

/// A comparison of a value with the filter's value.
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

/// The bounds of the keys `k` with `k cmp key`.
fn bounds<T: Copy>(cmp: Cmp, key: T) -> (Bound<T>, Bound<T>) {
    match cmp {
        Cmp::Eq => (Bound::Included(key), Bound::Included(key)),
        Cmp::Gt => (Bound::Excluded(key), Bound::Unbounded),
        Cmp::Ge => (Bound::Included(key), Bound::Unbounded),
        Cmp::Lt => (Bound::Unbounded, Bound::Excluded(key)),
        Cmp::Le => (Bound::Unbounded, Bound::Included(key)),
    }
}

/// A range on a property: its name and the bounds on the encoded value.
type Range<'f> = (&'f str, Bound<Vec<u8>>, Bound<Vec<u8>>);

/// The tighter of two lower (`lower`) or upper bounds.
fn tighter(a: Bound<Vec<u8>>, b: Bound<Vec<u8>>, lower: bool) -> Bound<Vec<u8>> {
    use std::cmp::Ordering;
    let (ka, kb) = match (&a, &b) {
        (Bound::Unbounded, _) => return b,
        (_, Bound::Unbounded) => return a,
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) => {
            (x, y)
        }
    };
    match (ka.cmp(kb), lower) {
        (Ordering::Greater, true) | (Ordering::Less, false) => a,
        (Ordering::Less, true) | (Ordering::Greater, false) => b,
        (Ordering::Equal, _) => {
            if matches!(a, Bound::Excluded(_)) {
                a
            } else {
                b
            }
        }
    }
}

fn bound(b: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match b {
        Bound::Included(v) => Bound::Included(v.as_slice()),
        Bound::Excluded(v) => Bound::Excluded(v.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
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

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use serde_json::{json, Map};
    use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
    use types::schema::DataType;

    use crate::{DocInput, IndexConfig, InvertedIndex, PropertySpec, Tokenization};

    fn cond(name: &str, operator: Operator, v: i64) -> Filter {
        Filter::Condition(Condition {
            path: FilterPath::Property(name.into()),
            operator,
            value: FilterValue::Int(v),
        })
    }

    /// Ranges (single and merged) from the bit-sliced index agree with a brute force
    /// evaluation through inserts, updates and removals, for few and many docs per value.
    #[test]
    fn ranges_follow_updates() {
        let config = IndexConfig {
            properties: ["n", "m"]
                .iter()
                .map(|n| PropertySpec {
                    name: (*n).into(),
                    data_type: DataType::Int,
                    tokenization: Tokenization::Word,
                    filterable: true,
                    searchable: true,
                    range_filters: false,
                })
                .collect(),
            ..IndexConfig::default()
        };
        let index = InvertedIndex::new(config);
        let mut rng = StdRng::seed_from_u64(7);
        let mut docs: Vec<Option<(i64, i64, Vec<crate::Posting>)>> = vec![None; 6000];
        let ops = [
            Operator::GreaterThan,
            Operator::GreaterThanEqual,
            Operator::LessThan,
            Operator::LessThanEqual,
        ];
        for round in 0..30_000 {
            let doc = rng.gen_range(0..docs.len());
            let old = docs[doc].take().map(|d| d.2).unwrap_or_default();
            let new = if rng.gen_bool(0.8) {
                let (n, m) = (rng.gen_range(-5000..5000), rng.gen_range(0..3));
                let mut props = Map::new();
                props.insert("n".into(), json!(n));
                props.insert("m".into(), json!(m));
                let id = uuid::Uuid::from_u128(doc as u128);
                let input = DocInput {
                    id: &id,
                    properties: &props,
                    creation_ms: 0,
                    update_ms: 0,
                };
                let postings = index.postings(doc as u32, &input);
                docs[doc] = Some((n, m, postings.clone()));
                postings
            } else {
                Vec::new()
            };
            index.apply(doc as u32, &old, &new);
            if round % 500 != 0 {
                continue;
            }
            for _ in 0..20 {
                let (a, b) = (rng.gen_range(-6000..6000), rng.gen_range(-6000..6000));
                let (oa, ob) = (ops[rng.gen_range(0..4)], ops[rng.gen_range(0..4)]);
                let holds = |op: Operator, x: i64, v: i64| match op {
                    Operator::GreaterThan => x > v,
                    Operator::GreaterThanEqual => x >= v,
                    Operator::LessThan => x < v,
                    Operator::LessThanEqual => x <= v,
                    Operator::Equal
                    | Operator::NotEqual
                    | Operator::Like
                    | Operator::ContainsAny
                    | Operator::ContainsAll
                    | Operator::IsNull
                    | Operator::WithinGeoRange => unreachable!(),
                };
                let want: Vec<u32> = docs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, d)| {
                        let (n, m, _) = d.as_ref()?;
                        (holds(oa, *n, a) && holds(ob, *n, b) && holds(oa, *m, a % 3))
                            .then_some(i as u32)
                    })
                    .collect();
                let f = Filter::And(vec![
                    cond("n", oa, a),
                    cond("m", oa, a % 3),
                    cond("n", ob, b),
                ]);
                let got: Vec<u32> = index.filter(&f).unwrap().iter().collect();
                assert_eq!(got, want, "{f:?}");
            }
        }
    }
}

//! `["id"]` / `["_id"]`: the object id compared as its canonical uuid string, as Weaviate's
//! `_id` index stores it. The index keys ids by their 16 bytes, whose order is the order of
//! the canonical (lowercase, hyphenated) strings, so equality and ranges are map lookups.

use std::collections::BTreeMap;
use std::ops::Bound;

use roaring::RoaringBitmap;
use types::filter::{Condition, FilterValue, Operator};
use uuid::Uuid;

use super::text::invalid;
use super::{bounds, Cmp, Eval, Like};
use crate::index::{empty_range, Docs, Union};
use crate::Result;

type Ids = BTreeMap<[u8; 16], Docs>;

impl Eval<'_> {
    pub(super) fn id(&self, c: &Condition) -> Result<RoaringBitmap> {
        if matches!(c.operator, Operator::IsNull | Operator::WithinGeoRange) {
            return Err(invalid(format!(
                "operator {} cannot be used on the object id",
                c.operator.name()
            )));
        }
        self.contains(c, |value, op| {
            let FilterValue::Text(s) = value else {
                return Err(invalid(
                    "using [\"_id\"] to filter by uuid: must use \"valueText\" to specify the id"
                        .into(),
                ));
            };
            if op == Operator::Like {
                return Ok(like(&self.state.ids, s));
            }
            let Some(cmp) = Cmp::of(op) else {
                return Ok(RoaringBitmap::new());
            };
            let docs = match Uuid::parse_str(s) {
                Ok(u) => in_range(&self.state.ids, bounds(cmp, u.as_bytes())),
                // no canonical string equals a string that is not a uuid
                Err(_) if cmp == Cmp::Eq => RoaringBitmap::new(),
                Err(_) => by_string(&self.state.ids, cmp, s),
            };
            Ok(if op == Operator::NotEqual {
                self.complement(&docs)
            } else {
                docs
            })
        })
    }
}

fn canonical(id: &[u8; 16]) -> String {
    Uuid::from_bytes(*id).hyphenated().to_string()
}

fn in_range(ids: &Ids, (lo, hi): (Bound<&[u8; 16]>, Bound<&[u8; 16]>)) -> RoaringBitmap {
    let mut out = Union::default();
    if !empty_range(lo, hi) {
        for docs in ids.range::<[u8; 16], _>((lo, hi)).map(|e| e.1) {
            out.add(docs);
        }
    }
    out.finish()
}

/// A range bounded by a string that is not a uuid: compares every id's canonical string
/// (a scan, for a value Weaviate itself would not find in its `_id` index).
fn by_string(ids: &Ids, cmp: Cmp, s: &str) -> RoaringBitmap {
    let mut out = Union::default();
    for (id, docs) in ids {
        if cmp.holds(canonical(id).as_str(), s) {
            out.add(docs);
        }
    }
    out.finish()
}

/// `Like` on ids: only the ids whose canonical string starts with the pattern's literal
/// prefix are matched against it; they are one range of the map.
fn like(ids: &Ids, pattern: &str) -> RoaringBitmap {
    let like = Like::new(pattern);
    let Some((lo, hi)) = prefix_range(like.prefix()) else {
        // no canonical string starts with the prefix
        return RoaringBitmap::new();
    };
    let mut out = Union::default();
    for (id, docs) in ids.range(lo..=hi) {
        if like.matches(&canonical(id)) {
            out.add(docs);
        }
    }
    out.finish()
}

/// The smallest and largest uuid whose canonical string starts with `prefix`, `None` if
/// there is none.
fn prefix_range(prefix: &str) -> Option<([u8; 16], [u8; 16])> {
    const LOWEST: &str = "00000000-0000-0000-0000-000000000000";
    const HIGHEST: &str = "ffffffff-ffff-ffff-ffff-ffffffffffff";
    let end = |fill: &str| -> Option<[u8; 16]> {
        let s = format!("{prefix}{}", fill.get(prefix.len()..)?);
        let u = Uuid::parse_str(&s).ok()?;
        // the parser also takes uppercase and other forms: only canonical strings count
        (u.hyphenated().to_string() == s).then_some(*u.as_bytes())
    };
    if !prefix.is_ascii() {
        return None;
    }
    Some((end(LOWEST)?, end(HIGHEST)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_ranges_of_canonical_strings() {
        let (lo, hi) = prefix_range("").unwrap();
        assert_eq!((lo, hi), ([0; 16], [255; 16]));
        let (lo, hi) = prefix_range("0000000a-").unwrap();
        assert_eq!(canonical(&lo), "0000000a-0000-0000-0000-000000000000");
        assert_eq!(canonical(&hi), "0000000a-ffff-ffff-ffff-ffffffffffff");
        assert_eq!(prefix_range("A"), None, "canonical strings are lowercase");
        assert_eq!(prefix_range("0000000a0"), None, "a hyphen belongs there");
        assert_eq!(prefix_range(&"0".repeat(37)), None);
        assert_eq!(prefix_range("é"), None);
    }
}

//! [`PropIndex`]: everything indexed about one property, and its value lookups.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use roaring::RoaringBitmap;
use types::DocId;

use super::bsi::Bsi;
use super::counts::Counts;
use super::docs::{Docs, Removal, Union};

/// The docs having one token of a text property, with their term frequencies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    pub docs: Docs,
    /// `(doc, tf)` for term frequencies above 1, sorted by doc (most tokens occur once in a
    /// doc, and 1 is not stored; an empty `Vec` does not allocate, an empty hash map costs 48
    /// bytes per token).
    tf: Vec<(DocId, u32)>,
}

impl Term {
    fn new(doc: DocId, tf: u32) -> Term {
        let mut t = Term {
            docs: Docs::One(doc),
            tf: Vec::new(),
        };
        t.set_frequency(doc, tf);
        t
    }

    /// A term from its docs and the `(doc, tf)` with tf above 1, sorted by doc.
    pub(super) fn from_parts(docs: Docs, tf: Vec<(DocId, u32)>) -> Term {
        Term { docs, tf }
    }

    /// The term frequency of a doc that has this token.
    pub fn frequency(&self, doc: DocId) -> u32 {
        match self.tf.binary_search_by_key(&doc, |e| e.0) {
            Ok(i) => self.tf[i].1,
            Err(_) => 1,
        }
    }

    fn set_frequency(&mut self, doc: DocId, tf: u32) {
        // entries arrive in doc order when loading and building: appending is the usual case
        if tf > 1 && self.tf.last().is_none_or(|e| e.0 < doc) {
            self.tf.push((doc, tf));
            return;
        }
        match (self.tf.binary_search_by_key(&doc, |e| e.0), tf > 1) {
            (Ok(i), true) => self.tf[i].1 = tf,
            (Ok(i), false) => {
                self.tf.remove(i);
            }
            (Err(i), true) => self.tf.insert(i, (doc, tf)),
            (Err(_), false) => {}
        }
    }
}

/// The key of a non-text value: its encoded bytes (at most 16, checked when decoding)
/// zero-padded to 16, big-endian. All values of a property have the width of its type (8
/// for ints and numbers, 12 for dates, 1 for booleans, 16 for uuids), so comparing keys
/// compares the encoded bytes, which compares the values.
pub(crate) fn value_key(v: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    let n = v.len().min(16);
    b[..n].copy_from_slice(&v[..n]);
    u128::from_be_bytes(b)
}

/// True for the widths of int, number (8) and date (12) values: those get a bit-sliced
/// index. Booleans have two values and uuids are not ranged over in practice; their ranges
/// walk the value map.
pub(crate) fn ranged_width(len: usize) -> bool {
    len == 8 || len == 12
}

/// Everything indexed about one property.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct PropIndex {
    /// Text tokens -> docs, in byte order.
    pub terms: BTreeMap<Vec<u8>, Term>,
    /// Other values by [`value_key`] -> docs, in value order.
    pub values: BTreeMap<u128, Docs>,
    /// The int, number and date values of `values` again, bit-sliced, for ranges.
    pub ranges: Bsi,
    /// Distinct tokens per doc: the BM25 property length.
    pub doc_terms: Counts,
    /// Sum of `doc_terms`.
    pub term_total: u64,
    /// Length -> docs for docs where the property is present.
    pub lengths: BTreeMap<u32, RoaringBitmap>,
    /// Docs where the property is present (not JSON null, not missing).
    pub present: RoaringBitmap,
    /// Geo points.
    pub geo: HashMap<DocId, (f64, f64)>,
}

impl PropIndex {
    /// Adds a value entry: a token with its frequency (`tf`), or another value.
    pub fn add_value(&mut self, value: &[u8], doc: DocId, tf: Option<u32>) {
        match tf {
            Some(tf) => self.add_token(value, doc, tf),
            None => {
                let key = value_key(value);
                let new = match self.values.get_mut(&key) {
                    Some(d) => d.insert(doc),
                    None => {
                        self.values.insert(key, Docs::One(doc));
                        true
                    }
                };
                if new && ranged_width(value.len()) {
                    self.ranges.insert_new(key, doc);
                }
            }
        }
    }

    fn add_token(&mut self, token: &[u8], doc: DocId, tf: u32) {
        let new = match self.terms.get_mut(token) {
            Some(t) => {
                let new = t.docs.insert(doc);
                t.set_frequency(doc, tf);
                new
            }
            None => {
                self.terms.insert(token.to_vec(), Term::new(doc, tf));
                true
            }
        };
        if new {
            self.doc_terms.increment(doc);
            self.term_total += 1;
        }
    }

    /// Removes a value entry (`text`: a token).
    pub fn remove_value(&mut self, value: &[u8], doc: DocId, text: bool) {
        if text {
            return self.remove_token(value, doc);
        }
        let key = value_key(value);
        let Some(docs) = self.values.get_mut(&key) else {
            return;
        };
        match docs.remove(doc) {
            Removal::Absent => return,
            Removal::Removed => {}
            Removal::Last => {
                self.values.remove(&key);
            }
        }
        if ranged_width(value.len()) {
            self.ranges.remove(key, doc);
        }
    }

    fn remove_token(&mut self, token: &[u8], doc: DocId) {
        let Some(term) = self.terms.get_mut(token) else {
            return;
        };
        match term.docs.remove(doc) {
            Removal::Absent => return,
            Removal::Removed => term.set_frequency(doc, 1),
            Removal::Last => {
                self.terms.remove(token);
            }
        }
        self.term_total = self.term_total.saturating_sub(1);
        self.doc_terms.decrement(doc);
    }

    /// Docs where the property is not null: present with a non-zero length.
    pub fn not_null(&self) -> RoaringBitmap {
        match self.lengths.get(&0) {
            Some(empty) => &self.present - empty,
            None => self.present.clone(),
        }
    }

    /// Mean BM25 length over the docs that have the property (0 if none).
    pub fn mean_terms(&self) -> f64 {
        let n = self.present.len();
        if n == 0 {
            0.0
        } else {
            self.term_total as f64 / n as f64
        }
    }

    /// The docs having a token.
    pub fn token_docs(&self, token: &[u8]) -> RoaringBitmap {
        self.terms
            .get(token)
            .map(|t| t.docs.to_bitmap())
            .unwrap_or_default()
    }

    /// The docs having a token within the bounds (bytewise).
    pub fn token_range(&self, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> RoaringBitmap {
        let mut out = Union::default();
        if !empty_range(lo, hi) {
            for t in self.terms.range::<[u8], _>((lo, hi)).map(|e| e.1) {
                out.add(&t.docs);
            }
        }
        out.finish()
    }

    /// The docs having an (encoded, non-text) value.
    pub fn value_docs(&self, value: &[u8]) -> RoaringBitmap {
        self.values
            .get(&value_key(value))
            .map(Docs::to_bitmap)
            .unwrap_or_default()
    }

    /// The docs having a value within the bounds (encoded, non-text values of the
    /// property's width): from the bit-sliced index for ints, numbers and dates, else the
    /// union over the value map.
    pub fn value_range(&self, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> RoaringBitmap {
        let width = match (lo, hi) {
            (Bound::Included(v) | Bound::Excluded(v), _)
            | (_, Bound::Included(v) | Bound::Excluded(v)) => v.len(),
            (Bound::Unbounded, Bound::Unbounded) => 0,
        };
        let lo = lo.map(value_key);
        let hi = hi.map(value_key);
        if ranged_width(width) {
            return self.ranges.range(lo, hi);
        }
        let mut out = Union::default();
        if !empty_range(lo.as_ref(), hi.as_ref()) {
            for docs in self.values.range((lo, hi)).map(|e| e.1) {
                out.add(docs);
            }
        }
        out.finish()
    }
}

/// True if no key lies within the bounds (`BTreeMap::range` panics on such bounds).
pub(crate) fn empty_range<T: Ord + ?Sized>(lo: Bound<&T>, hi: Bound<&T>) -> bool {
    match (lo, hi) {
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b)) => a >= b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_frequencies_above_one_are_kept_sorted() {
        let mut p = PropIndex::default();
        for (doc, tf) in [(5, 2), (1, 1), (9, 3), (3, 4)] {
            p.add_value(b"x", doc, Some(tf));
        }
        let t = &p.terms[&b"x".to_vec()];
        assert_eq!(t.tf, [(3, 4), (5, 2), (9, 3)]);
        assert_eq!((t.frequency(1), t.frequency(3), t.frequency(9)), (1, 4, 3));
        p.add_value(b"x", 5, Some(1));
        p.remove_value(b"x", 9, true);
        let t = &p.terms[&b"x".to_vec()];
        assert_eq!(t.tf, [(3, 4)]);
        assert_eq!((p.term_total, p.doc_terms.get(9)), (3, 0));
        for doc in [1, 3, 5] {
            p.remove_value(b"x", doc, true);
        }
        assert_eq!(p, PropIndex::default());
    }

    #[test]
    fn value_keys_order_like_their_bytes() {
        let keys = [&[0u8][..], &[0, 1], &[1], &[1, 0, 0, 2], &[255; 16]];
        for w in keys.windows(2) {
            assert!(value_key(w[0]) <= value_key(w[1]), "{w:?}");
        }
    }
}

//! The in-memory structures and how entries are added and removed. Adding an entry twice or
//! removing one that is not there changes nothing, so replays and stale deletes are harmless.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use roaring::RoaringBitmap;
use types::DocId;

use crate::postings::{Entry, NO_LENGTH};

/// The docs having one value (token) of a property, with term frequencies for text tokens.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Term {
    pub docs: RoaringBitmap,
    /// Term frequencies above 1 (most tokens occur once in a doc; 1 is not stored).
    pub tf: HashMap<DocId, u32>,
    /// A text token: its docs count towards the BM25 property lengths.
    pub text: bool,
}

impl Term {
    /// The term frequency of a doc that has this token.
    pub fn frequency(&self, doc: DocId) -> u32 {
        self.tf.get(&doc).copied().unwrap_or(1)
    }
}

/// Everything indexed about one property.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct PropIndex {
    /// Encoded value (token) -> docs, in value order.
    pub values: BTreeMap<Vec<u8>, Term>,
    /// Distinct tokens per doc: the BM25 property length.
    pub doc_terms: HashMap<DocId, u32>,
    /// Sum of `doc_terms`.
    pub term_total: u64,
    /// Length -> docs for docs where the property is present.
    pub lengths: BTreeMap<u32, RoaringBitmap>,
    /// Docs where the property is present (not JSON null, not missing).
    pub present: RoaringBitmap,
    /// Geo points.
    pub geo: HashMap<DocId, (f64, f64)>,
    /// `(value, doc)` pairs in value order, for range filters whose cost follows the matches.
    pub pairs: Pairs,
}

/// A pair key: a value of 2..=12 bytes zero-padded to 12 (as `u64`, `u32`), then the doc.
pub(crate) type PairKey = (u64, u32, DocId);

/// The `(value, doc)` pairs of a property in value order. Derived from the value map (so it
/// takes no part in equality) and kept only while every value of the property is a non-text
/// value of one length in 2..=12 bytes (ints, numbers, dates) and values are mostly distinct
/// (few docs per value); otherwise ranges walk the value map and or its bitmaps.
#[derive(Debug, Default, Clone)]
pub(crate) struct Pairs {
    pub set: BTreeSet<PairKey>,
    /// The length of every value, 0 while there are none.
    pub len: usize,
    /// The pairs are not kept (until the property has no values again).
    pub off: bool,
}

impl PartialEq for Pairs {
    fn eq(&self, _: &Pairs) -> bool {
        true
    }
}

/// Below this many pairs the set is kept whatever the number of docs per value.
const PAIRS_MIN: usize = 4096;
/// Above this many docs per value on average the set is dropped.
const PAIRS_MAX_DOCS_PER_VALUE: usize = 16;

impl Pairs {
    /// The padded value of an encoded value of the kept length, `None` otherwise.
    pub fn value(&self, v: &[u8]) -> Option<(u64, u32)> {
        if self.off || v.len() != self.len {
            return None;
        }
        Some(pad(v))
    }

    /// The pairs with values within the bounds (`None` if the pairs are not kept or the bound
    /// values do not have their length); an empty iterator for an empty range.
    pub fn range(
        &self,
        lo: Bound<&[u8]>,
        hi: Bound<&[u8]>,
    ) -> Option<impl Iterator<Item = DocId> + '_> {
        if self.off || self.len == 0 {
            return None;
        }
        let lo = match lo {
            Bound::Included(v) => Bound::Included(self.key(v, 0)?),
            Bound::Excluded(v) => Bound::Excluded(self.key(v, DocId::MAX)?),
            Bound::Unbounded => Bound::Unbounded,
        };
        let hi = match hi {
            Bound::Included(v) => Bound::Included(self.key(v, DocId::MAX)?),
            Bound::Excluded(v) => Bound::Excluded(self.key(v, 0)?),
            Bound::Unbounded => Bound::Unbounded,
        };
        let empty = match (lo, hi) {
            (Bound::Included(a), Bound::Included(b)) => a > b,
            (Bound::Included(a) | Bound::Excluded(a), Bound::Excluded(b))
            | (Bound::Excluded(a), Bound::Included(b)) => a >= b,
            _ => false,
        };
        let range = if empty {
            None
        } else {
            Some(self.set.range((lo, hi)).map(|k| k.2))
        };
        Some(range.into_iter().flatten())
    }

    fn key(&self, v: &[u8], doc: DocId) -> Option<PairKey> {
        let (a, b) = self.value(v)?;
        Some((a, b, doc))
    }

    fn add(&mut self, value: &[u8], doc: DocId, text: bool, distinct_values: usize) {
        if self.off {
            return;
        }
        if text || !(2..=12).contains(&value.len()) || (self.len != 0 && value.len() != self.len) {
            self.turn_off();
            return;
        }
        self.len = value.len();
        let (a, b) = pad(value);
        self.set.insert((a, b, doc));
        let n = self.set.len();
        if n > PAIRS_MIN && n > PAIRS_MAX_DOCS_PER_VALUE * distinct_values {
            self.turn_off();
        }
    }

    fn remove(&mut self, value: &[u8], doc: DocId) {
        if let Some((a, b)) = self.value(value) {
            self.set.remove(&(a, b, doc));
        }
    }

    fn turn_off(&mut self) {
        self.off = true;
        self.set = BTreeSet::new();
    }
}

fn pad(v: &[u8]) -> (u64, u32) {
    let mut b = [0u8; 12];
    let n = v.len().min(12);
    b[..n].copy_from_slice(&v[..n]);
    let (x, y) = b.split_at(8);
    (
        u64::from_be_bytes(x.try_into().unwrap_or_default()),
        u32::from_be_bytes(y.try_into().unwrap_or_default()),
    )
}

impl PropIndex {
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
}

/// The whole index of a shard.
#[derive(Debug, Default, Clone)]
pub(crate) struct State {
    pub props: HashMap<String, PropIndex>,
    /// Canonical uuid string -> docs (one doc per uuid in a consistent shard).
    pub ids: BTreeMap<String, RoaringBitmap>,
    pub all: RoaringBitmap,
    pub created: BTreeMap<i64, RoaringBitmap>,
    pub updated: BTreeMap<i64, RoaringBitmap>,
}

fn uuid_string(id: [u8; 16]) -> String {
    uuid::Uuid::from_bytes(id).hyphenated().to_string()
}

fn add_to(map: &mut BTreeMap<i64, RoaringBitmap>, k: i64, doc: DocId) {
    map.entry(k).or_default().insert(doc);
}

fn remove_from<K: Ord>(map: &mut BTreeMap<K, RoaringBitmap>, k: &K, doc: DocId) {
    if let Some(b) = map.get_mut(k) {
        b.remove(doc);
        if b.is_empty() {
            map.remove(k);
        }
    }
}

/// The index of a property, created if missing; looks up before allocating the owned key
/// (this runs once per loaded entry). A macro because a function returning the borrow trips
/// the borrow checker on the fallback insert.
macro_rules! prop_mut {
    ($props:expr, $name:expr) => {
        match $props.get_mut($name) {
            Some(p) => p,
            None => $props.entry($name.to_owned()).or_default(),
        }
    };
}

impl State {
    /// True if both hold the same data (properties left empty by removals do not count).
    pub fn same_data(&self, other: &State) -> bool {
        fn props(s: &State) -> BTreeMap<&String, &PropIndex> {
            let empty = PropIndex::default();
            s.props.iter().filter(|(_, p)| **p != empty).collect()
        }
        props(self) == props(other)
            && self.ids == other.ids
            && self.all == other.all
            && self.created == other.created
            && self.updated == other.updated
    }

    /// Adds a decoded entry.
    pub fn add(&mut self, e: Entry<'_>) {
        match e {
            Entry::Id { id, doc } => {
                self.ids.entry(uuid_string(id)).or_default().insert(doc);
                self.all.insert(doc);
            }
            Entry::Created { ms, doc } => add_to(&mut self.created, ms, doc),
            Entry::Updated { ms, doc } => add_to(&mut self.updated, ms, doc),
            Entry::Value {
                prop,
                value,
                doc,
                tf,
            } => {
                let p = prop_mut!(self.props, prop);
                let term = match p.values.get_mut(value) {
                    Some(t) => t,
                    None => p.values.entry(value.to_vec()).or_default(),
                };
                let new = term.docs.insert(doc);
                if let Some(tf) = tf {
                    term.text = true;
                    if tf > 1 {
                        term.tf.insert(doc, tf);
                    } else {
                        term.tf.remove(&doc);
                    }
                    if new {
                        *p.doc_terms.entry(doc).or_default() += 1;
                        p.term_total += 1;
                    }
                }
                if new {
                    let distinct = p.values.len();
                    p.pairs.add(value, doc, tf.is_some(), distinct);
                }
            }
            Entry::Present { prop, len, doc } => {
                let p = prop_mut!(self.props, prop);
                p.present.insert(doc);
                p.lengths.entry(len).or_default().insert(doc);
            }
            Entry::Geo {
                prop,
                doc,
                lat,
                lon,
            } => {
                prop_mut!(self.props, prop).geo.insert(doc, (lat, lon));
            }
        }
    }

    /// Removes a decoded entry (its value bytes are not needed).
    pub fn remove(&mut self, e: Entry<'_>) {
        match e {
            Entry::Id { id, doc } => {
                remove_from(&mut self.ids, &uuid_string(id), doc);
                self.all.remove(doc);
            }
            Entry::Created { ms, doc } => remove_from(&mut self.created, &ms, doc),
            Entry::Updated { ms, doc } => remove_from(&mut self.updated, &ms, doc),
            Entry::Value {
                prop, value, doc, ..
            } => {
                let Some(p) = self.props.get_mut(prop) else {
                    return;
                };
                let Some(term) = p.values.get_mut(value) else {
                    return;
                };
                let was = term.docs.remove(doc);
                term.tf.remove(&doc);
                if was {
                    p.pairs.remove(value, doc);
                }
                if was && term.text {
                    p.term_total = p.term_total.saturating_sub(1);
                    if let Some(n) = p.doc_terms.get_mut(&doc) {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            p.doc_terms.remove(&doc);
                        }
                    }
                }
                if term.docs.is_empty() {
                    p.values.remove(value);
                    if p.values.is_empty() {
                        p.pairs = Pairs::default();
                    }
                }
            }
            Entry::Present { prop, len, doc } => {
                let Some(p) = self.props.get_mut(prop) else {
                    return;
                };
                remove_from(&mut p.lengths, &len, doc);
                // a consistent shard has one presence entry per property and doc
                p.present.remove(doc);
            }
            Entry::Geo { prop, doc, .. } => {
                if let Some(p) = self.props.get_mut(prop) {
                    p.geo.remove(&doc);
                }
            }
        }
    }
}

/// True if `len` is a real length (not the "present, no length" marker).
pub(crate) fn is_length(len: u32) -> bool {
    len != NO_LENGTH
}

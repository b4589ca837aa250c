//! The in-memory structures and how entries are added and removed. Adding an entry twice or
//! removing one that is not there changes nothing, so replays and stale deletes are harmless.

use std::collections::{BTreeMap, HashMap};

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

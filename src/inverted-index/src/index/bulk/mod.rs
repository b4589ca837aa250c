//! [`Bulk`]: loading a shard's stored entries in one go. Inserting 3M entries one by one
//! (a B-tree search, a roaring insert and a bit-sliced insert each) took seconds of a
//! restart; here entries are decoded into flat vectors as they stream out of the store (in
//! key order, which is value-then-doc order within a kind and property), and each structure
//! is then built once from sorted data: bitmaps by appending, B-trees by bulk construction,
//! bit-sliced indexes column by column. Entries in any other order, or repeated, give the
//! same result as [`State::add`] would, only slower (the sorts do real work).

use std::collections::{BTreeMap, HashMap};

use roaring::RoaringBitmap;
use types::DocId;

use super::bsi::Bsi;
use super::counts::Counts;
use super::docs::{sorted_bitmap, Docs};
use super::prop::{ranged_width, value_key, PropIndex, Term};
use super::state::{time_key, State};
use crate::postings::Entry;

/// The collected entries of a property, created if missing; looks up before allocating the
/// owned name (this runs once per entry). A macro for the same reason as `State`'s.
macro_rules! prop_mut {
    ($props:expr, $name:expr) => {
        match $props.get_mut($name) {
            Some(p) => p,
            None => $props.entry($name.to_owned()).or_default(),
        }
    };
}

/// Entries collected for a bulk build (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Bulk {
    ids: Vec<([u8; 16], DocId)>,
    created: Vec<(i64, DocId)>,
    updated: Vec<(i64, DocId)>,
    props: HashMap<String, PropBulk>,
}

/// A token and `(doc, tf)` of consecutive entries of it.
type Run = (Vec<u8>, Vec<(DocId, u32)>);

#[derive(Debug, Default)]
struct PropBulk {
    /// Runs of consecutive entries of one token: the token and its `(doc, tf)` in arrival
    /// order (keys of one token are adjacent in the store, so a token has one run).
    terms: Vec<Run>,
    /// Non-text values: [`value_key`], width in bytes, doc.
    values: Vec<(u128, u8, DocId)>,
    /// Presence entries: length, doc.
    present: Vec<(u32, DocId)>,
    /// Geo points in arrival order (the last one of a doc wins, as in `State::add`).
    geo: Vec<(DocId, (f64, f64))>,
}

impl Bulk {
    /// Collects a decoded entry.
    pub fn add(&mut self, e: Entry<'_>) {
        match e {
            Entry::Id { id, doc } => self.ids.push((id, doc)),
            Entry::Created { ms, doc } => self.created.push((ms, doc)),
            Entry::Updated { ms, doc } => self.updated.push((ms, doc)),
            Entry::Value {
                prop,
                value,
                doc,
                tf,
            } => {
                let p = prop_mut!(self.props, prop);
                match tf {
                    Some(tf) => match p.terms.last_mut() {
                        Some((token, docs)) if token.as_slice() == value => docs.push((doc, tf)),
                        _ => p.terms.push((value.to_vec(), vec![(doc, tf)])),
                    },
                    // decoding guarantees at most 16 bytes
                    None => p.values.push((value_key(value), value.len() as u8, doc)),
                }
            }
            Entry::Present { prop, len, doc } => {
                prop_mut!(self.props, prop).present.push((len, doc))
            }
            Entry::Geo {
                prop,
                doc,
                lat,
                lon,
            } => prop_mut!(self.props, prop).geo.push((doc, (lat, lon))),
        }
    }

    /// The state holding exactly the collected entries.
    pub fn build(self) -> State {
        let ids = group(self.ids);
        let mut all: Vec<DocId> = ids.iter().flat_map(|(_, docs)| docs.iter()).collect();
        all.sort_unstable();
        all.dedup();
        let times = |v: Vec<(i64, DocId)>| v.into_iter().map(|(ms, d)| (time_key(ms), d)).collect();
        State {
            props: self
                .props
                .into_iter()
                .map(|(name, p)| (name, p.build()))
                .collect(),
            ids: ids.into_iter().collect(),
            all: sorted_bitmap(&all),
            created: Bsi::from_pairs(times(self.created)),
            updated: Bsi::from_pairs(times(self.updated)),
        }
    }

    /// Adds the collected entries to a state one by one (loading into an index that already
    /// holds data, which a shard never does).
    pub fn replay(self, state: &mut State) {
        for (id, doc) in self.ids {
            state.add(Entry::Id { id, doc });
        }
        for (ms, doc) in self.created {
            state.add(Entry::Created { ms, doc });
        }
        for (ms, doc) in self.updated {
            state.add(Entry::Updated { ms, doc });
        }
        for (prop, p) in &self.props {
            p.replay(prop, state);
        }
    }
}

impl PropBulk {
    fn build(self) -> PropIndex {
        let (terms, doc_terms, term_total) = build_terms(self.terms);
        let (values, ranges) = build_values(self.values);
        let (lengths, present) = build_present(self.present);
        PropIndex {
            terms,
            values,
            ranges,
            doc_terms,
            term_total,
            lengths,
            present,
            geo: self.geo.into_iter().collect(),
        }
    }

    fn replay(&self, prop: &str, state: &mut State) {
        for (token, docs) in &self.terms {
            for &(doc, tf) in docs {
                let (value, tf) = (token.as_slice(), Some(tf));
                state.add(Entry::Value {
                    prop,
                    value,
                    doc,
                    tf,
                });
            }
        }
        for &(key, width, doc) in &self.values {
            let bytes = key.to_be_bytes();
            let value = &bytes[..usize::from(width)];
            state.add(Entry::Value {
                prop,
                value,
                doc,
                tf: None,
            });
        }
        for &(len, doc) in &self.present {
            state.add(Entry::Present { prop, len, doc });
        }
        for &(doc, (lat, lon)) in &self.geo {
            state.add(Entry::Geo {
                prop,
                doc,
                lat,
                lon,
            });
        }
    }
}

/// Tokens -> docs and frequencies, the distinct tokens per doc, and their sum.
fn build_terms(mut runs: Vec<Run>) -> (BTreeMap<Vec<u8>, Term>, Counts, u64) {
    // stable: the runs of one token stay in arrival order, for "the last tf wins"
    runs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut terms = Vec::with_capacity(runs.len());
    let mut docs_of_terms = Vec::new();
    let mut runs = runs.into_iter().peekable();
    while let Some((token, mut entries)) = runs.next() {
        while let Some((_, more)) = runs.next_if(|(t, _)| *t == token) {
            entries.extend(more);
        }
        entries.sort_by_key(|e| e.0);
        let mut uniq: Vec<(DocId, u32)> = Vec::with_capacity(entries.len());
        for (doc, tf) in entries {
            match uniq.last_mut() {
                Some(last) if last.0 == doc => last.1 = tf,
                _ => uniq.push((doc, tf)),
            }
        }
        let docs: Vec<DocId> = uniq.iter().map(|e| e.0).collect();
        docs_of_terms.extend_from_slice(&docs);
        if let Some(d) = Docs::from_sorted(&docs) {
            let tf = uniq.into_iter().filter(|e| e.1 > 1).collect();
            terms.push((token, Term::from_parts(d, tf)));
        }
    }
    let total = docs_of_terms.len() as u64;
    let counts = Counts::from_docs(docs_of_terms);
    (terms.into_iter().collect(), counts, total)
}

/// Values -> docs, and the ranged (int, number, date) ones bit-sliced.
fn build_values(mut values: Vec<(u128, u8, DocId)>) -> (BTreeMap<u128, Docs>, Bsi) {
    values.sort_unstable_by_key(|&(key, _, doc)| (key, doc));
    let pairs = values
        .iter()
        .filter(|&&(_, width, _)| ranged_width(usize::from(width)))
        .map(|&(key, _, doc)| (key, doc))
        .collect();
    let keyed = values.into_iter().map(|(key, _, doc)| (key, doc)).collect();
    (group(keyed).into_iter().collect(), Bsi::from_pairs(pairs))
}

/// Length -> docs, and the present docs.
fn build_present(mut present: Vec<(u32, DocId)>) -> (BTreeMap<u32, RoaringBitmap>, RoaringBitmap) {
    present.sort_unstable();
    present.dedup();
    let mut docs: Vec<DocId> = present.iter().map(|e| e.1).collect();
    docs.sort_unstable();
    docs.dedup();
    let lengths = group(present)
        .into_iter()
        .map(|(len, d)| (len, d.into_bitmap()))
        .collect();
    (lengths, sorted_bitmap(&docs))
}

/// `(key, doc)` pairs grouped into `(key, docs)` in key order.
fn group<K: Ord + Copy>(mut pairs: Vec<(K, DocId)>) -> Vec<(K, Docs)> {
    pairs.sort_unstable();
    pairs.dedup();
    let mut out = Vec::new();
    let mut docs = Vec::new();
    let mut at = 0;
    while at < pairs.len() {
        let key = pairs[at].0;
        docs.clear();
        while at < pairs.len() && pairs[at].0 == key {
            docs.push(pairs[at].1);
            at += 1;
        }
        if let Some(d) = Docs::from_sorted(&docs) {
            out.push((key, d));
        }
    }
    out
}

#[cfg(test)]
mod tests;

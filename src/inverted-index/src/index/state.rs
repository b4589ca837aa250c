//! The whole in-memory index of a shard and how entries are added and removed. Adding an
//! entry twice or removing one that is not there changes nothing, so replays and stale
//! deletes are harmless.

use std::collections::{BTreeMap, HashMap};

use roaring::RoaringBitmap;

use super::bsi::Bsi;
use super::docs::{Docs, Removal};
use super::prop::{value_key, PropIndex};
use crate::postings::{codec, Entry, NO_LENGTH};

/// The whole index of a shard.
#[derive(Debug, Default, Clone)]
pub(crate) struct State {
    pub props: HashMap<String, PropIndex>,
    /// uuid bytes -> docs (one doc per uuid in a consistent shard). Byte order is the order
    /// of the canonical (lowercase, hyphenated) strings, which `_id` filters compare.
    pub ids: BTreeMap<[u8; 16], Docs>,
    pub all: RoaringBitmap,
    /// Creation times ([`time_key`]) per doc, bit-sliced: one value per doc, so a bitmap per
    /// distinct millisecond would cost a bitmap per doc.
    pub created: Bsi,
    /// Last-update times, as `created`.
    pub updated: Bsi,
}

/// The bit-sliced key of a timestamp in ms (the key of its entry's encoded `i64`).
pub(crate) fn time_key(ms: i64) -> u128 {
    value_key(&codec::int(ms))
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

    /// True if nothing was ever added (or everything was removed).
    pub fn is_empty(&self) -> bool {
        self.props.is_empty()
            && self.ids.is_empty()
            && self.all.is_empty()
            && self.created.is_empty()
            && self.updated.is_empty()
    }

    /// Adds a decoded entry.
    pub fn add(&mut self, e: Entry<'_>) {
        match e {
            Entry::Id { id, doc } => {
                match self.ids.get_mut(&id) {
                    Some(docs) => {
                        docs.insert(doc);
                    }
                    None => {
                        self.ids.insert(id, Docs::One(doc));
                    }
                }
                self.all.insert(doc);
            }
            Entry::Created { ms, doc } => {
                self.created.insert(time_key(ms), doc);
            }
            Entry::Updated { ms, doc } => {
                self.updated.insert(time_key(ms), doc);
            }
            Entry::Value {
                prop,
                value,
                doc,
                tf,
            } => prop_mut!(self.props, prop).add_value(value, doc, tf),
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

    /// Removes a decoded entry.
    pub fn remove(&mut self, e: Entry<'_>) {
        match e {
            Entry::Id { id, doc } => {
                if let Some(docs) = self.ids.get_mut(&id) {
                    if docs.remove(doc) == Removal::Last {
                        self.ids.remove(&id);
                    }
                }
                self.all.remove(doc);
            }
            Entry::Created { ms, doc } => {
                self.created.remove(time_key(ms), doc);
            }
            Entry::Updated { ms, doc } => {
                self.updated.remove(time_key(ms), doc);
            }
            Entry::Value {
                prop,
                value,
                doc,
                tf,
            } => {
                if let Some(p) = self.props.get_mut(prop) {
                    p.remove_value(value, doc, tf.is_some());
                }
            }
            Entry::Present { prop, len, doc } => {
                let Some(p) = self.props.get_mut(prop) else {
                    return;
                };
                if let Some(docs) = p.lengths.get_mut(&len) {
                    docs.remove(doc);
                    if docs.is_empty() {
                        p.lengths.remove(&len);
                    }
                }
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

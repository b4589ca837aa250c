//! [`Bsi`]: a bit-sliced index over roaring bitmaps (O'Neil & Quass, "Improved Query
//! Performance with Variant Indexes", SIGMOD 1997; the structure behind Weaviate's
//! `indexRangeFilters`, `roaringsetrange`). It answers `value in [lo, hi]` for every doc
//! with a handful of bitmap operations per bit, whatever the number of distinct values.
//!
//! Values are `u128` (encoded value bytes zero-padded to 16, see [`super::value_key`]), so
//! that ints, numbers and dates (12 bytes: seconds and nanoseconds) all fit without loss.
//! Padding and bits that every value shares cost nothing: values are stored XOR a *base*
//! (the first value stored into the empty index), so such bits have empty slices, which take
//! no memory and which a search skips without a bitmap operation.
//!
//! A doc may hold several values (array properties; a timestamp entry replayed with another
//! value). A *layer* holds at most one value per doc; a doc's second value goes to the next
//! layer where the doc has none, and a search unites its layers. Single-valued properties
//! have one layer; an array property has as many as its longest array has distinct values,
//! so a doc with `k` values costs `O(k)` layer checks per value it adds or removes, and a
//! search visits every layer (the later ones hold few docs, so their bitmaps are small).

mod build;
mod search;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::ops::Bound;

use roaring::{MultiOps, RoaringBitmap};
use types::DocId;

/// Bits per value.
const BITS: usize = 128;

/// See the module docs.
#[derive(Debug, Default, Clone)]
pub(crate) struct Bsi {
    /// Values are stored XOR this.
    base: u128,
    /// Never ends with an empty layer.
    layers: Vec<Layer>,
}

/// At most one value per doc.
#[derive(Debug, Clone, Default)]
struct Layer {
    /// The docs that have a value in this layer.
    exists: RoaringBitmap,
    /// The non-empty slices by increasing bit: the docs whose stored value (value XOR base)
    /// has that bit set; each a subset of `exists`. Kept sparse so that a small index (a
    /// tenant's timestamps) costs bytes, not 128 empty bitmaps.
    slices: Vec<Slice>,
}

#[derive(Debug, Clone)]
struct Slice {
    bit: u8,
    docs: RoaringBitmap,
}

impl Layer {
    /// The slice of bit `i` (`None`: no doc has it set).
    fn slice(&self, i: usize) -> Option<&RoaringBitmap> {
        let at = self.slices.binary_search_by_key(&i, |s| usize::from(s.bit));
        at.ok().map(|at| &self.slices[at].docs)
    }

    /// True if `doc` has the stored value `stored` here.
    fn holds(&self, doc: DocId, stored: u128) -> bool {
        if !self.exists.contains(doc) {
            return false;
        }
        let mut seen = 0u128;
        for s in &self.slices {
            let want = stored >> s.bit & 1 == 1;
            if s.docs.contains(doc) != want {
                return false;
            }
            seen |= 1 << s.bit;
        }
        // a set bit without a slice is a bit no doc has
        stored & !seen == 0
    }

    fn set(&mut self, doc: DocId, stored: u128) {
        self.exists.insert(doc);
        for i in ones(stored) {
            let bit = i as u8;
            match self.slices.binary_search_by_key(&bit, |s| s.bit) {
                Ok(at) => {
                    self.slices[at].docs.insert(doc);
                }
                Err(at) => {
                    let docs = RoaringBitmap::from_iter([doc]);
                    self.slices.insert(at, Slice { bit, docs });
                }
            }
        }
    }

    fn clear(&mut self, doc: DocId, stored: u128) {
        self.exists.remove(doc);
        for s in &mut self.slices {
            if stored >> s.bit & 1 == 1 {
                s.docs.remove(doc);
            }
        }
        self.slices.retain(|s| !s.docs.is_empty());
    }
}

/// The positions of the set bits of `x`.
fn ones(mut x: u128) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if x == 0 {
            return None;
        }
        let i = x.trailing_zeros() as usize;
        x &= x - 1;
        Some(i)
    })
}

impl Bsi {
    /// Adds `(value, doc)`; false if it was there already.
    pub fn insert(&mut self, value: u128, doc: DocId) -> bool {
        let stored = value ^ self.base;
        if self.layers.iter().any(|l| l.holds(doc, stored)) {
            return false;
        }
        self.insert_new(value, doc);
        true
    }

    /// Adds `(value, doc)`, which the caller knows is not there (a property's value map
    /// knows): skips the check, which reads the doc's value in every layer it has one.
    pub fn insert_new(&mut self, value: u128, doc: DocId) {
        if self.layers.is_empty() {
            self.base = value;
        }
        let stored = value ^ self.base;
        let free = self.layers.iter().position(|l| !l.exists.contains(doc));
        let layer = match free {
            Some(i) => &mut self.layers[i],
            None => {
                self.layers.push(Layer::default());
                let last = self.layers.len() - 1;
                &mut self.layers[last]
            }
        };
        layer.set(doc, stored);
    }

    /// True if it holds no pair.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Removes `(value, doc)`; false if it was not there.
    pub fn remove(&mut self, value: u128, doc: DocId) -> bool {
        let stored = value ^ self.base;
        let Some(at) = self.layers.iter().position(|l| l.holds(doc, stored)) else {
            return false;
        };
        self.layers[at].clear(doc, stored);
        while self.layers.last().is_some_and(|l| l.exists.is_empty()) {
            self.layers.pop();
        }
        true
    }

    /// The docs having a value within the bounds.
    pub fn range(&self, lo: Bound<u128>, hi: Bound<u128>) -> RoaringBitmap {
        let lo = match lo {
            Bound::Included(v) => v,
            Bound::Excluded(v) => match v.checked_add(1) {
                Some(v) => v,
                None => return RoaringBitmap::new(),
            },
            Bound::Unbounded => 0,
        };
        let hi = match hi {
            Bound::Included(v) => v,
            Bound::Excluded(v) => match v.checked_sub(1) {
                Some(v) => v,
                None => return RoaringBitmap::new(),
            },
            Bound::Unbounded => u128::MAX,
        };
        if lo > hi {
            return RoaringBitmap::new();
        }
        let mut parts = Vec::new();
        for layer in &self.layers {
            search::Search::new(layer, self.base).between(lo, hi, &mut parts);
        }
        // one part: no copy (the usual case for an equality)
        if parts.len() == 1 {
            return parts.pop().unwrap_or_default();
        }
        parts.union()
    }

    /// Every `(value, doc)` pair, for comparisons in tests of rebuilds (not fast).
    fn pairs(&self) -> BTreeSet<(u128, DocId)> {
        let mut out = BTreeSet::new();
        for layer in &self.layers {
            let mut values: Vec<(DocId, u128)> = layer.exists.iter().map(|d| (d, 0)).collect();
            for s in &layer.slices {
                for doc in &s.docs {
                    if let Ok(at) = values.binary_search_by_key(&doc, |e| e.0) {
                        values[at].1 |= 1 << s.bit;
                    }
                }
            }
            out.extend(values.into_iter().map(|(d, v)| (v ^ self.base, d)));
        }
        out
    }
}

/// Equal if they hold the same `(value, doc)` pairs (layout and base do not matter).
impl PartialEq for Bsi {
    fn eq(&self, other: &Bsi) -> bool {
        self.pairs() == other.pairs()
    }
}

//! Building a [`Bsi`] in one pass from all its pairs (loading a shard), instead of inserting
//! them one by one: each insert reads the doc's value in every layer and sets a bit per
//! slice, where a bulk build only appends docs in increasing order to the slices' bitmaps.

use roaring::RoaringBitmap;
use types::DocId;

use super::{ones, Bsi, Layer, Slice, BITS};
use crate::index::docs::sorted_bitmap;

/// A layer under construction. Docs arrive in increasing order; those of one roaring
/// container (65536 docs) are gathered per bit and added to the bitmaps together (see
/// [`sorted_bitmap`] for why not `RoaringBitmap::push`).
struct Builder {
    exists: RoaringBitmap,
    slices: Vec<RoaringBitmap>,
    /// The container being gathered (doc >> 16).
    chunk: Option<u32>,
    pending_exists: Vec<DocId>,
    pending: Vec<Vec<DocId>>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            exists: RoaringBitmap::new(),
            slices: vec![RoaringBitmap::new(); BITS],
            chunk: None,
            pending_exists: Vec::new(),
            pending: vec![Vec::new(); BITS],
        }
    }

    /// Adds `doc` (greater than every doc added before) with its stored value.
    fn push(&mut self, doc: DocId, stored: u128) {
        if self.chunk != Some(doc >> 16) {
            self.flush();
            self.chunk = Some(doc >> 16);
        }
        self.pending_exists.push(doc);
        for i in ones(stored) {
            self.pending[i].push(doc);
        }
    }

    fn flush(&mut self) {
        append(&mut self.exists, &mut self.pending_exists);
        for (bitmap, docs) in self.slices.iter_mut().zip(&mut self.pending) {
            append(bitmap, docs);
        }
    }

    fn finish(mut self) -> Layer {
        self.flush();
        let slices = self
            .slices
            .into_iter()
            .enumerate()
            .filter(|(_, docs)| !docs.is_empty())
            .map(|(bit, docs)| Slice {
                bit: bit as u8,
                docs,
            })
            .collect();
        Layer {
            exists: self.exists,
            slices,
        }
    }
}

/// Appends increasing `docs` beyond the bitmap's maximum and empties `docs`.
fn append(bitmap: &mut RoaringBitmap, docs: &mut Vec<DocId>) {
    if docs.is_empty() {
        return;
    }
    *bitmap |= sorted_bitmap(docs);
    docs.clear();
}

impl Bsi {
    /// The index holding exactly the given `(value, doc)` pairs (any order, duplicates
    /// allowed): equal to inserting them one by one into an empty index.
    pub fn from_pairs(mut pairs: Vec<(u128, DocId)>) -> Bsi {
        // the smallest value as the base, as inserting in key order (loading) chooses it
        let Some(&base) = pairs.iter().map(|(v, _)| v).min() else {
            return Bsi::default();
        };
        // by doc, then value: a doc's i-th distinct value goes to layer i
        pairs.sort_unstable_by_key(|&(v, d)| (d, v));
        pairs.dedup();
        let mut layers: Vec<Builder> = Vec::new();
        let (mut prev, mut at) = (None, 0usize);
        for (value, doc) in pairs {
            at = if prev == Some(doc) { at + 1 } else { 0 };
            prev = Some(doc);
            if layers.len() == at {
                layers.push(Builder::new());
            }
            layers[at].push(doc, value ^ base);
        }
        Bsi {
            base,
            layers: layers.into_iter().map(Builder::finish).collect(),
        }
    }
}

//! Compression of the flat index. The states and settings are those of the HNSW index (see
//! `hnsw::compressed`): BQ and RQ may be active from the first insert, PQ and SQ are trained
//! on a sample of the index's vectors by [`FlatIndex::compress`].
//!
//! A compressed scan ranks every (allowed) code against the prepared query, keeps the best
//! `max(k, rescoreLimit)` and rescores them with full vectors, read from memory or, when the
//! index was compressed with a loader, through it. A range search filters the rescored
//! candidates, so it can miss vectors whose codes ranked below that cut.
//!
//! Compressing a populated index trains and encodes under the read lock while inserts and
//! removals go on; they record their ids meanwhile, and the switch, under the write lock,
//! re-encodes those and moves every other code into the slot order of that moment.

use std::collections::{HashMap, HashSet};

use roaring::RoaringBitmap;
use types::schema::Distance;
use types::DocId;

use super::{len_of, FlatIndex, Store};
use crate::distance;
use crate::error::{Error, Result};
use crate::quantization::{Compression, CompressionState, Pending, Quantizer, QueryCode, Rng};
use crate::topk::{canonical, TopK};
use crate::VectorLoader;

/// Seed of the training sample, so that a compression is reproducible.
const SAMPLE_SEED: u64 = 0xF1A7_5A3D;

impl FlatIndex {
    /// An empty index that compresses its vectors as `compression` says: BQ and RQ from the
    /// first insert, PQ and SQ once trained by [`FlatIndex::compress_pending`]. With a
    /// `loader`, full vectors are not kept once compressed.
    pub fn with_compression(
        metric: Distance,
        compression: Compression,
        loader: Option<VectorLoader>,
    ) -> Result<Self> {
        compression.validate(metric, None)?;
        let index = FlatIndex::new(metric);
        *index.pending.lock() = Pending::of(compression, loader);
        Ok(index)
    }

    /// Whether scans run on codes.
    pub fn is_compressed(&self) -> bool {
        self.store.read().quant.is_some()
    }

    /// The compression in effect or pending.
    pub fn compression_state(&self) -> CompressionState {
        if let Some(quant) = &self.store.read().quant {
            return CompressionState::Compressed(quant.params());
        }
        match &*self.pending.lock() {
            Some(p) => CompressionState::Pending(p.compression),
            None => CompressionState::Uncompressed,
        }
    }

    /// Bytes held by codes and codebooks (part of [`FlatIndex::memory_bytes`]).
    pub fn compressed_bytes(&self) -> usize {
        self.store.read().code_bytes()
    }

    /// Whether a pending PQ or SQ compression has its `trainingLimit` of vectors.
    pub fn compression_due(&self) -> bool {
        let Some(pending) = self.pending.lock().clone() else {
            return false;
        };
        pending.due(self.len())
    }

    /// Trains and applies the pending compression if [`FlatIndex::compression_due`]; returns
    /// whether it did.
    pub fn compress_pending(&self) -> Result<bool> {
        if !self.compression_due() {
            return Ok(false);
        }
        let Some(pending) = self.pending.lock().clone() else {
            return Ok(false);
        };
        self.compress(pending.compression, pending.loader)?;
        Ok(true)
    }

    /// Compresses the index now (see the module docs); the same rules as
    /// [`crate::HnswIndex::compress`].
    pub fn compress(&self, compression: Compression, loader: Option<VectorLoader>) -> Result<()> {
        let _one_at_a_time = self.compress_lock.lock();
        let dim = {
            let mut store = self.store.write();
            if store.quant.is_some() {
                return Err(Error::AlreadyCompressed);
            }
            if compression.is_none() {
                return Ok(());
            }
            compression.validate(self.metric, store.dim)?;
            let Some(dim) = store.dim else {
                if compression.needs_training() {
                    return Err(Error::NotEnoughTrainingData {
                        needed: compression.min_training_vectors(),
                        got: 0,
                    });
                }
                *self.pending.lock() = Pending::of(compression, loader);
                return Ok(());
            };
            store.dirty = Some(Vec::new());
            dim
        };
        let done = self.compress_populated(compression, loader, dim);
        self.store.write().dirty = None;
        done
    }

    fn compress_populated(
        &self,
        compression: Compression,
        loader: Option<VectorLoader>,
        dim: usize,
    ) -> Result<()> {
        let sample: Vec<f32> = if compression.needs_training() {
            let store = self.store.read();
            let picked = Rng::new(SAMPLE_SEED).sample(store.len(), compression.training_limit());
            picked
                .iter()
                .flat_map(|&slot| store.vector(slot, dim))
                .copied()
                .collect()
        } else {
            Vec::new()
        };
        let Some(quantizer) = Quantizer::train(&compression, self.metric, dim, &sample)? else {
            return Ok(());
        };
        drop(sample);
        let words = quantizer.code_words();
        let (ids, codes) = {
            let store = self.store.read();
            let mut codes = vec![0u64; store.len() * words];
            let mut buf = Vec::new();
            for (slot, code) in codes.chunks_exact_mut(words).enumerate() {
                quantizer.encode(store.vector(slot, dim), code, &mut buf);
            }
            (store.ids.clone(), codes)
        };
        let mut store = self.store.write();
        let dirty: HashSet<DocId> = store.dirty.take().unwrap_or_default().into_iter().collect();
        let encoded: HashMap<DocId, usize> =
            ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
        let mut current = vec![0u64; store.len() * words];
        let mut buf = Vec::new();
        for (slot, &id) in store.ids.iter().enumerate() {
            let out = &mut current[slot * words..(slot + 1) * words];
            match encoded.get(&id) {
                Some(&i) if !dirty.contains(&id) => {
                    out.copy_from_slice(&codes[i * words..(i + 1) * words]);
                }
                _ => quantizer.encode(store.vector(slot, dim), out, &mut buf),
            }
        }
        store.codes = current;
        store.quant = Some(Box::new(quantizer));
        if let Some(loader) = loader {
            store.data = Vec::new();
            store.dropped = Some(loader);
        }
        *self.pending.lock() = None;
        Ok(())
    }

    /// Activates a pending setting that needs no training once the first insert fixes the
    /// dimension. Called under the store's write lock.
    pub(super) fn activate_pending(&self, store: &mut Store, dim: usize) {
        let mut pending = self.pending.lock();
        let Some(p) = pending.as_ref() else {
            return;
        };
        if p.compression.needs_training() {
            return;
        }
        if let Ok(Some(quantizer)) = Quantizer::train(&p.compression, self.metric, dim, &[]) {
            store.quant = Some(Box::new(quantizer));
            store.dropped = p.loader.clone();
            *pending = None;
        }
    }

    /// The compressed scan described in the module docs; `query` is prepared.
    pub(super) fn scan_compressed(
        &self,
        store: &Store,
        quant: &Quantizer,
        query: &[f32],
        k: usize,
        max_distance: f32,
        allow: Option<&RoaringBitmap>,
    ) -> Vec<(DocId, f32)> {
        let available = allow.map_or(store.len(), |a| store.len().min(len_of(a)));
        let keep = quant.rescore_count(k).min(available);
        if k == 0 || keep == 0 {
            return Vec::new();
        }
        let mut prepared = QueryCode::default();
        quant.prepare(query, &mut prepared);
        let w = quant.code_words();
        let mut top = TopK::new(keep);
        let mut offer = |slot: usize, id: DocId| {
            let code = &store.codes[slot * w..(slot + 1) * w];
            top.push(canonical(quant.distance(&prepared, code)), id);
        };
        match allow {
            None => store
                .ids
                .iter()
                .enumerate()
                .for_each(|(slot, &id)| offer(slot, id)),
            Some(allow) if len_of(allow) <= store.len() => {
                for id in allow {
                    if let Some(slot) = store.slot_of(id) {
                        offer(slot, id);
                    }
                }
            }
            Some(allow) => {
                for (slot, &id) in store.ids.iter().enumerate() {
                    if allow.contains(id) {
                        offer(slot, id);
                    }
                }
            }
        }
        let candidates = top.into_sorted();
        let mut best = TopK::new(k.min(candidates.len()));
        for &(id, _) in &candidates {
            match self.full_distance(store, query, id) {
                Some(d) if d <= max_distance => best.push(d, id),
                Some(_) | None => {}
            }
        }
        best.into_sorted()
    }

    /// The exact distance from the prepared `query` to `id`'s vector, read from memory or
    /// through the loader; `None` if it cannot be read.
    fn full_distance(&self, store: &Store, query: &[f32], id: DocId) -> Option<f32> {
        let Some(loader) = &store.dropped else {
            let slot = store.slot_of(id)?;
            return Some(canonical((self.kernel)(
                query,
                store.vector(slot, query.len()),
            )));
        };
        let mut v = loader(id)?;
        if v.len() != query.len() || v.iter().any(|x| !x.is_finite()) {
            return None;
        }
        if self.metric == Distance::Cosine {
            distance::normalize(&mut v);
        }
        Some(canonical((self.kernel)(query, &v)))
    }
}

impl Store {
    /// Code words per slot (0 when uncompressed).
    pub(super) fn words(&self) -> usize {
        self.quant.as_ref().map_or(0, |q| q.code_words())
    }

    /// Bytes of the codes and the quantizer.
    pub(super) fn code_bytes(&self) -> usize {
        self.codes.capacity() * std::mem::size_of::<u64>()
            + self.quant.as_ref().map_or(0, |q| q.bytes())
    }

    /// The code of a prepared vector (empty when uncompressed).
    pub(super) fn encode(&self, v: &[f32]) -> Vec<u64> {
        let Some(quant) = &self.quant else {
            return Vec::new();
        };
        let mut code = vec![0; quant.code_words()];
        quant.encode(v, &mut code, &mut Vec::new());
        code
    }
}

//! Compression of an HNSW index: building it compressed, compressing a populated index in
//! place while searches and inserts go on, and rescoring.
//!
//! # States
//! - An index built [`HnswIndex::with_compression`] records the setting as *pending*. BQ and
//!   RQ need no training and become active at the first insert (the dimension is known then);
//!   PQ and SQ stay pending until the owner calls [`HnswIndex::compress_pending`], which it
//!   should do once [`HnswIndex::compression_due`] says the index holds `trainingLimit`
//!   vectors (Weaviate starts training at that count too).
//! - [`HnswIndex::compress`] compresses now: it samples up to `trainingLimit` live vectors,
//!   trains, encodes every slot and then switches, all under the storage read lock in
//!   batches, so searches and inserts continue. Cleanups wait (they would free slots whose
//!   codes are being made). The switch takes the storage write lock once, encodes the slots
//!   inserts filled meanwhile, and installs the codes. A slot whose vector cannot be read (a
//!   tombstone whose cached vector was evicted, a live node whose object is being deleted)
//!   gets a zero code: such a node is never a result and only routes searches.
//! - Compression is never undone: a compressed index rejects another setting with
//!   [`Error::AlreadyCompressed`].
//!
//! # Vectors after compression
//! Given a [`VectorLoader`], the index frees every full vector and reads them back through the
//! loader for rescoring only; without one it keeps them (resident or cached as configured).
//!
//! # Searching
//! The graph is traversed by code distances, collecting `max(k, rescoreLimit, ef)`
//! candidates. As in Weaviate, PQ and BQ rescore all of them with full vectors, while SQ and RQ,
//! whose code distances rank well, rescore only their best `rescoreLimit` (when that is at
//! least `k`; 0 returns code distances without rescoring). The best `k` are returned with
//! exact distances. Inserts link new nodes by code distances too.

use std::thread;

use parking_lot::Mutex;
use types::schema::Distance;
use types::DocId;

use super::cache::{Source, VectorLoader};
use super::storage::{Storage, USED};
use super::HnswIndex;
use crate::distance;
use crate::error::{Error, Result};
use crate::quantization::{Compression, CompressionState, Pending, Quantizer, Rng};
use crate::topk::TopK;

/// Slots encoded per hold of the storage read lock.
const ENCODE_BATCH: usize = 1024;
/// Seed of the training sample, so that a compression is reproducible.
const SAMPLE_SEED: u64 = 0x0007_A10F_5A3D;

impl HnswIndex {
    /// An empty index that will compress its vectors as `compression` says (see the module
    /// docs for when it becomes active). With a `loader`, full vectors are not kept once it
    /// is compressed: rescoring reads them through it. The setting is checked against the
    /// metric now and against the dimension once that is known.
    pub fn with_compression(
        metric: Distance,
        params: super::HnswParams,
        compression: Compression,
        loader: Option<VectorLoader>,
    ) -> Result<Self> {
        compression.validate(metric, None)?;
        let index = HnswIndex::new(metric, params);
        *index.pending.lock() = Pending::of(compression, loader);
        Ok(index)
    }

    /// Whether searches run on codes.
    pub fn is_compressed(&self) -> bool {
        self.storage.read().quant.is_some()
    }

    /// The compression in effect or pending.
    pub fn compression_state(&self) -> CompressionState {
        if let Some(quant) = &self.storage.read().quant {
            return CompressionState::Compressed(quant.params());
        }
        match &*self.pending.lock() {
            Some(p) => CompressionState::Pending(p.compression),
            None => CompressionState::Uncompressed,
        }
    }

    /// Bytes held by codes and codebooks (part of [`HnswIndex::memory_bytes`]).
    pub fn compressed_bytes(&self) -> usize {
        self.storage.read().code_bytes()
    }

    /// Whether a pending compression that needs training (PQ, SQ) has its `trainingLimit` of
    /// vectors: the owner's cue to call [`HnswIndex::compress_pending`] in the background.
    pub fn compression_due(&self) -> bool {
        let Some(pending) = self.pending.lock().clone() else {
            return false;
        };
        pending.due(self.len())
    }

    /// Trains and applies the pending compression if [`HnswIndex::compression_due`]; returns
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

    /// Compresses the index now, as described in the module docs; blocks for the training and
    /// encoding, while other threads keep searching and inserting. An empty index compresses
    /// from its first insert (BQ, RQ) or fails with [`Error::NotEnoughTrainingData`] (PQ,
    /// SQ), as does one with fewer vectors than PQ has centroids.
    pub fn compress(&self, compression: Compression, loader: Option<VectorLoader>) -> Result<()> {
        let _one_at_a_time = self.compress_lock.lock();
        if self.is_compressed() {
            return Err(Error::AlreadyCompressed);
        }
        if compression.is_none() {
            return Ok(());
        }
        compression.validate(self.metric, self.dim())?;
        {
            let st = self.storage.write();
            if st.dim == 0 {
                if compression.needs_training() {
                    return Err(Error::NotEnoughTrainingData {
                        needed: compression.min_training_vectors(),
                        got: 0,
                    });
                }
                *self.pending.lock() = Pending::of(compression, loader);
                return Ok(());
            }
        }
        let _no_cleanup = self.cleanup_lock.lock();
        let dim = self.storage.read().dim;
        let sample = if compression.needs_training() {
            self.training_sample(compression.training_limit())
        } else {
            Vec::new()
        };
        let Some(quantizer) = Quantizer::train(&compression, self.metric, dim, &sample)? else {
            return Ok(());
        };
        drop(sample);
        let (mut codes, encoded) = self.encode_existing(&quantizer);
        let mut st = self.storage.write();
        self.encode_rest(&st, &quantizer, &mut codes, &encoded);
        st.install_codes(quantizer, &codes);
        if let Some(loader) = loader {
            st.drop_vectors(loader);
        }
        *self.pending.lock() = None;
        Ok(())
    }

    /// Activates a pending setting that needs no training, once the first insert fixed the
    /// dimension (the storage holds no node yet). Called under the storage write lock.
    pub(super) fn activate_pending(&self, st: &mut Storage) {
        let mut pending = self.pending.lock();
        let Some(p) = pending.as_ref() else {
            return;
        };
        if p.compression.needs_training() {
            return;
        }
        if let Ok(Some(quantizer)) = Quantizer::train(&p.compression, self.metric, st.dim, &[]) {
            st.install_codes(quantizer, &[]);
            if let Some(loader) = p.loader.clone() {
                st.drop_vectors(loader);
            }
            *pending = None;
        }
    }

    /// Up to `limit` live vectors drawn at random, as stored (normalised for cosine), one
    /// after another.
    fn training_sample(&self, limit: usize) -> Vec<f32> {
        let live: Vec<u32> = {
            let st = self.storage.read();
            let next = self.ids.read().next;
            (0..next).filter(|&n| st.is_live(n)).collect()
        };
        let picked = Rng::new(SAMPLE_SEED).sample(live.len(), limit);
        let dim = self.storage.read().dim;
        let mut out = Vec::with_capacity(picked.len() * dim);
        for batch in picked.chunks(ENCODE_BATCH) {
            let over = {
                let st = self.storage.read();
                with_source!(st, |src| {
                    for &i in batch {
                        if let Some(v) = src.vector(live[i]) {
                            out.extend_from_slice(v);
                        }
                    }
                });
                Self::over_cache(&st)
            };
            if over {
                self.evict_if_over();
            }
        }
        out
    }

    /// Encodes every used slot below the current slot count, in batches over the available
    /// cores. Returns the codes and a bitset of the slots encoded.
    fn encode_existing(&self, quantizer: &Quantizer) -> (Vec<u64>, Vec<u64>) {
        let next = self.ids.read().next as usize;
        let words = quantizer.code_words();
        let mut codes = vec![0u64; next * words];
        let mut encoded = vec![0u64; next.div_ceil(64)];
        let batches: Vec<(usize, &mut [u64], &mut [u64])> = codes
            .chunks_mut(ENCODE_BATCH * words)
            .zip(encoded.chunks_mut(ENCODE_BATCH / 64))
            .enumerate()
            .map(|(b, (c, e))| (b * ENCODE_BATCH, c, e))
            .collect();
        let work = Mutex::new(batches);
        let run = || {
            let mut buf = Vec::new();
            loop {
                let Some((first, codes, bits)) = work.lock().pop() else {
                    return;
                };
                let over = {
                    let st = self.storage.read();
                    with_source!(st, |src| {
                        for (i, code) in codes.chunks_exact_mut(words).enumerate() {
                            let node = (first + i) as u32;
                            if st.flags(node) & USED == 0 {
                                continue;
                            }
                            if let Some(v) = src.vector(node) {
                                quantizer.encode(v, code, &mut buf);
                            }
                            bits[i / 64] |= 1 << (i % 64);
                        }
                    });
                    Self::over_cache(&st)
                };
                if over {
                    self.evict_if_over();
                }
            }
        };
        let threads = thread::available_parallelism().map_or(1, |n| n.get());
        if threads > 1 && next > ENCODE_BATCH {
            thread::scope(|scope| {
                for _ in 0..threads {
                    scope.spawn(run);
                }
            });
        } else {
            run();
        }
        (codes, encoded)
    }

    /// Under the storage write lock: encodes the used slots [`HnswIndex::encode_existing`]
    /// did not (those inserts filled meanwhile), growing `codes` to every slot handed out.
    fn encode_rest(
        &self,
        st: &Storage,
        quantizer: &Quantizer,
        codes: &mut Vec<u64>,
        encoded: &[u64],
    ) {
        let next = self.ids.read().next as usize;
        let words = quantizer.code_words();
        codes.resize(next * words, 0);
        let mut buf = Vec::new();
        with_source!(st, |src| {
            for node in 0..next {
                let done = encoded
                    .get(node / 64)
                    .is_some_and(|w| w & (1 << (node % 64)) != 0);
                if done || st.flags(node as u32) & USED == 0 {
                    continue;
                }
                if let Some(v) = src.vector(node as u32) {
                    quantizer.encode(v, &mut codes[node * words..(node + 1) * words], &mut buf);
                }
            }
        });
    }

    /// The best `k` of `candidates` by full-precision distance to `q` (prepared: normalised
    /// for cosine). Candidates whose vector cannot be read (deleted meanwhile) are dropped.
    pub(super) fn rescore(
        &self,
        st: &Storage,
        q: &[f32],
        candidates: Vec<(DocId, f32)>,
        k: usize,
    ) -> Vec<(DocId, f32)> {
        let mut top = TopK::new(k.min(candidates.len()));
        if let Some(loader) = &st.dropped {
            for &(doc, _) in &candidates {
                let Some(mut v) = loader(doc) else {
                    continue;
                };
                if v.len() != q.len() || v.iter().any(|x| !x.is_finite()) {
                    continue;
                }
                if self.metric == Distance::Cosine {
                    distance::normalize(&mut v);
                }
                top.push(self.dist(q, &v), doc);
            }
            return top.into_sorted();
        }
        let ids = self.ids.read();
        with_source!(st, |src| {
            for &(doc, _) in &candidates {
                if let Some(v) = ids.node_of(doc).and_then(|node| src.vector(node)) {
                    top.push(self.dist(q, v), doc);
                }
            }
        });
        top.into_sorted()
    }
}

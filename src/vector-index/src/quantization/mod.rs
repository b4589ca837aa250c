//! Vector quantization: short codes that stand in for full vectors while an index is searched,
//! after which the best candidates are rescored with the full vectors.
//!
//! | kind | code per vector | distance on codes | training |
//! |------|-----------------|-------------------|----------|
//! | PQ ([`pq`]) | `segments` bytes | per-query table of `segments × centroids` partial distances (asymmetric) | k-means per segment, or Weaviate's `tile` quantiles per dimension |
//! | BQ ([`bq`]) | one bit per dimension | Hamming (xor + popcount) | none |
//! | SQ ([`sq`]) | one byte per dimension + 8 bytes | integer dot product plus correction terms (the query is encoded too) | global min/max |
//! | RQ-8 ([`rq`]) | one byte per rotated dimension + 16 bytes | integer dot product plus correction terms | none: a seeded rotation |
//! | RQ-1 ([`rq`]) | one bit per rotated dimension + 16 bytes | popcounts against a 4-bit query | none |
//!
//! Codes are stored as `u64` words (byte codes are viewed as bytes), so that bit codes load
//! whole words and every code starts aligned. Distances follow [`crate::distance`]'s
//! conventions: for cosine the vectors are normalised before encoding and a distance is
//! `1 - dot`, for dot `-dot`, for l2-squared the squared distance; BQ reports Hamming counts,
//! which rank but are not on the metric's scale (rescoring puts them back on it).
//!
//! This module is not an index and holds no codes of its own: [`crate::HnswIndex`] and
//! [`crate::FlatIndex`] keep the codes and use a [`Quantizer`] to make, compare and persist
//! them. The integer kernels live in [`kernels`].

mod bq;
pub(crate) mod kernels;
mod params;
mod pq;
mod rq;
mod serial;
mod sq;

#[cfg(test)]
pub(crate) mod tests;

use std::mem::size_of;

use types::schema::Distance;

pub use kernels::code_kernel_names;
pub use params::{
    default_pq_segments, BqParams, Compression, PqEncoderKind, PqParams, RqParams, SqParams,
    TileDistribution, DEFAULT_RQ_SEED, DEFAULT_TRAINING_LIMIT,
};

use crate::error::{Error, Result};
use crate::VectorLoader;

/// Where an index stands with compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompressionState {
    /// Full-precision vectors only; no compression asked for.
    Uncompressed,
    /// Asked for but not active yet: BQ and RQ until the first insert, PQ and SQ until
    /// trained (see `compression_due` on the indexes).
    Pending(Compression),
    /// Searches score codes and rescore with full vectors (defaults resolved).
    Compressed(Compression),
}

/// A compression asked for that is not active yet, with the loader to use once it is.
#[derive(Clone)]
pub(crate) struct Pending {
    pub(crate) compression: Compression,
    pub(crate) loader: Option<VectorLoader>,
}

impl Pending {
    /// `None` for [`Compression::None`].
    pub(crate) fn of(compression: Compression, loader: Option<VectorLoader>) -> Option<Pending> {
        (!compression.is_none()).then_some(Pending {
            compression,
            loader,
        })
    }

    /// Whether the index, holding `len` vectors, has enough to train on.
    pub(crate) fn due(&self, len: usize) -> bool {
        let c = &self.compression;
        c.needs_training() && len >= c.training_limit().max(c.min_training_vectors())
    }
}

/// How a code's estimate of a dot product becomes a distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Metric {
    L2Squared,
    Dot,
    Cosine,
}

impl Metric {
    fn of(metric: Distance, compression: &'static str) -> Result<Metric> {
        match metric {
            Distance::L2Squared => Ok(Metric::L2Squared),
            Distance::Dot => Ok(Metric::Dot),
            Distance::Cosine => Ok(Metric::Cosine),
            Distance::Manhattan | Distance::Hamming => Err(Error::CompressionMetric {
                compression,
                metric,
            }),
        }
    }

    /// The distance whose vectors have squared norms `nx`, `ny` and dot product `dot`.
    #[inline]
    fn distance_from_dot(self, dot: f32, nx: f32, ny: f32) -> f32 {
        match self {
            Metric::L2Squared => nx + ny - 2.0 * dot,
            Metric::Dot => -dot,
            Metric::Cosine => 1.0 - dot,
        }
    }
}

/// A trained quantizer: everything needed to encode vectors, score codes and persist itself.
pub(crate) struct Quantizer {
    kind: Kind,
    params: Compression,
}

enum Kind {
    Pq(pq::Pq),
    Bq(bq::Bq),
    Sq(sq::Sq),
    Rq8(rq::Rq8),
    Rq1(rq::Rq1),
}

/// A query prepared for one quantizer; reused across queries so that preparing allocates
/// nothing once warm.
#[derive(Default)]
pub(crate) struct QueryCode {
    /// PQ: `segments × centroids` partial distances.
    table: Vec<f32>,
    /// BQ, SQ, RQ: the query's own code; RQ-1: its four bit planes.
    code: Vec<u64>,
    /// RQ: the rotated query.
    rotated: Vec<f32>,
    /// Per-kind scalars (norms, sums).
    terms: [f32; 8],
}

impl QueryCode {
    /// Bytes held.
    pub(crate) fn bytes(&self) -> usize {
        (self.table.capacity() + self.rotated.capacity()) * size_of::<f32>()
            + self.code.capacity() * size_of::<u64>()
    }
}

impl Quantizer {
    /// Trains `params` (resolved for `dim`) on `sample`, `n × dim` floats already prepared as
    /// the index stores them (normalised for cosine); `None` for [`Compression::None`].
    pub(crate) fn train(
        params: &Compression,
        metric: Distance,
        dim: usize,
        sample: &[f32],
    ) -> Result<Option<Quantizer>> {
        params.validate(metric, Some(dim))?;
        let params = params.resolved(dim);
        let n = sample.len() / dim.max(1);
        let needed = params.min_training_vectors();
        if n < needed {
            return Err(Error::NotEnoughTrainingData { needed, got: n });
        }
        let kind = match params {
            Compression::Pq(p) => {
                Kind::Pq(pq::Pq::train(&p, Metric::of(metric, "pq")?, dim, sample))
            }
            Compression::Bq(_) => Kind::Bq(bq::Bq::new(dim)),
            Compression::Sq(_) => Kind::Sq(sq::Sq::train(Metric::of(metric, "sq")?, dim, sample)),
            Compression::Rq(p) if p.bits == 1 => Kind::Rq1(rq::Rq1::new(
                Metric::of(metric, "rq")?,
                dim,
                p.seed,
                rq::Layout::Blocks,
            )),
            Compression::Rq(p) => Kind::Rq8(rq::Rq8::new(
                Metric::of(metric, "rq")?,
                dim,
                p.seed,
                rq::Layout::Blocks,
            )),
            Compression::None => return Ok(None),
        };
        Ok(Some(Quantizer { kind, params }))
    }

    /// The settings, with defaults resolved.
    pub(crate) fn params(&self) -> Compression {
        self.params
    }

    /// `u64` words per code.
    pub(crate) fn code_words(&self) -> usize {
        match &self.kind {
            Kind::Pq(q) => q.code_words(),
            Kind::Bq(q) => q.code_words(),
            Kind::Sq(q) => q.code_words(),
            Kind::Rq8(q) => q.code_words(),
            Kind::Rq1(q) => q.code_words(),
        }
    }

    /// Candidates a search for `k` rescores (HNSW raises it to `ef` as well).
    pub(crate) fn rescore_count(&self, k: usize) -> usize {
        k.max(self.params.rescore_limit())
    }

    /// Encodes `v` (length [`Quantizer::dim`]) into `out` ([`Quantizer::code_words`] words);
    /// `buf` is scratch space.
    pub(crate) fn encode(&self, v: &[f32], out: &mut [u64], buf: &mut Vec<f32>) {
        out.fill(0);
        match &self.kind {
            Kind::Pq(q) => q.encode(v, bytes_of_mut(out)),
            Kind::Bq(q) => q.encode(v, out),
            Kind::Sq(q) => q.encode(v, out),
            Kind::Rq8(q) => q.encode(v, out, buf),
            Kind::Rq1(q) => q.encode(v, out, buf),
        }
    }

    /// Prepares query `q` (length [`Quantizer::dim`], normalised for cosine) into `out`.
    pub(crate) fn prepare(&self, q: &[f32], out: &mut QueryCode) {
        match &self.kind {
            Kind::Pq(p) => p.prepare(q, out),
            Kind::Bq(p) => p.prepare(q, out),
            Kind::Sq(p) => p.prepare(q, out),
            Kind::Rq8(p) => p.prepare(q, out),
            Kind::Rq1(p) => p.prepare(q, out),
        }
    }

    /// The estimated distance of a prepared query to a code.
    #[inline]
    pub(crate) fn distance(&self, q: &QueryCode, code: &[u64]) -> f32 {
        match &self.kind {
            Kind::Pq(p) => p.distance(q, bytes_of(code)),
            Kind::Bq(p) => p.distance(q, code),
            Kind::Sq(p) => p.distance(q, code),
            Kind::Rq8(p) => p.distance(q, code),
            Kind::Rq1(p) => p.distance(q, code),
        }
    }

    /// The estimated distance between two codes (graph construction and repair).
    #[inline]
    pub(crate) fn between(&self, a: &[u64], b: &[u64]) -> f32 {
        match &self.kind {
            Kind::Pq(p) => p.between(bytes_of(a), bytes_of(b)),
            Kind::Bq(p) => p.between(a, b),
            Kind::Sq(p) => p.between(a, b),
            Kind::Rq8(p) => p.between(a, b),
            Kind::Rq1(p) => p.between(a, b),
        }
    }

    /// The decoded vector of a PQ code (`None` for other kinds): what the table distances
    /// are distances to.
    #[cfg(test)]
    pub(crate) fn decode_pq(&self, code: &[u64]) -> Option<Vec<f32>> {
        match &self.kind {
            Kind::Pq(p) => Some(p.decode(bytes_of(code))),
            Kind::Bq(_) | Kind::Sq(_) | Kind::Rq8(_) | Kind::Rq1(_) => None,
        }
    }

    /// Bytes of the trained state (codebooks, rotation).
    pub(crate) fn bytes(&self) -> usize {
        size_of::<Self>()
            + match &self.kind {
                Kind::Pq(q) => q.bytes(),
                Kind::Bq(_) | Kind::Sq(_) => 0,
                Kind::Rq8(q) => q.bytes(),
                Kind::Rq1(q) => q.bytes(),
            }
    }
}

/// The bytes of a code stored as words (native byte order).
#[inline]
pub(crate) fn bytes_of(words: &[u64]) -> &[u8] {
    // SAFETY: `u8` has no invalid values and alignment 1; the length covers the same memory.
    unsafe { std::slice::from_raw_parts(words.as_ptr().cast::<u8>(), words.len() * 8) }
}

/// [`bytes_of`] for writing.
#[inline]
pub(crate) fn bytes_of_mut(words: &mut [u64]) -> &mut [u8] {
    // SAFETY: as in `bytes_of`; the exclusive borrow is carried over.
    unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<u8>(), words.len() * 8) }
}

/// Two `f32`s packed into one code word.
#[inline]
fn pack(lo: f32, hi: f32) -> u64 {
    u64::from(lo.to_bits()) | u64::from(hi.to_bits()) << 32
}

/// Inverse of [`pack`].
#[inline]
fn unpack(word: u64) -> (f32, f32) {
    (
        f32::from_bits(word as u32),
        f32::from_bits((word >> 32) as u32),
    )
}

/// A small deterministic generator (splitmix64) for sampling, initialisation and rotations:
/// seeded, so that training and rotations are reproducible.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// `count` distinct indexes of `0..n` (all of them if `count >= n`), ascending: a partial
    /// Fisher-Yates shuffle.
    pub(crate) fn sample(&mut self, n: usize, count: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        let count = count.min(n);
        for i in 0..count {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(count);
        all.sort_unstable();
        all
    }
}

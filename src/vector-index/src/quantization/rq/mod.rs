//! Rotational quantization (Weaviate's `rq`): a seeded random rotation ([`rotation`]) spreads
//! each vector evenly over its coordinates, after which a uniform quantizer per vector works
//! without any training.
//!
//! - **8 bits** ([`Rq8`]): each rotated coordinate is a byte within the vector's own range,
//!   `x_i ≈ lo + step · c_i`. The query is encoded the same way and the dot product is
//!   estimated from one integer dot product of the byte strings:
//!   `x·y ≈ P·lo_x·lo_y + lo_x·step_y·Σc_y + lo_y·step_x·Σc_x + step_x·step_y·Σ c_x,i c_y,i`.
//! - **1 bit** ([`Rq1`]): each rotated coordinate keeps its sign, scaled by
//!   `|x|² / |x|₁` (the RaBitQ estimator, as Weaviate's). The query keeps 4 bits per
//!   coordinate, `q_i ≈ lo + Δ·u_i`, stored as four bit planes, so that `Σ u_i s_i` comes from
//!   popcounts: `Σ u_i b_i = Σ_j 2^j · |p_j ∧ b|`, all four with `|b|` in one pass of the
//!   planes kernel. Two data codes are compared by the angle their Hamming distance implies
//!   (`cos(π·h/P)`). A code is its sign bits and one word of scalars: 200 bytes at 1,536
//!   dimensions, 30.7 times smaller than the vector, approaching 32 as the dimension grows
//!   (Weaviate describes its own 1-bit RQ the same way).
//!
//! Distances follow from the estimated dot product and the stored squared norms.

mod rotation;

use std::f32::consts::PI;

use super::kernels::{self, DotU8Fn, HammingFn, PlanesFn};
use super::{bytes_of, bytes_of_mut, pack, unpack, Metric, QueryCode};

pub(crate) use rotation::{Layout, Rotation};

/// Query bit planes of 1-bit RQ.
const PLANES: usize = 4;

/// 8-bit rotational quantization.
pub(crate) struct Rq8 {
    rotation: Rotation,
    metric: Metric,
    dot: DotU8Fn,
}

impl Rq8 {
    pub(super) fn new(metric: Metric, dim: usize, seed: u64, layout: Layout) -> Rq8 {
        Rq8 {
            rotation: Rotation::with_layout(dim, seed, layout),
            metric,
            dot: kernels::selected().dot_u8.1,
        }
    }

    pub(super) fn bytes(&self) -> usize {
        self.rotation.bytes()
    }

    pub(super) fn layout(&self) -> Layout {
        self.rotation.layout()
    }

    fn payload_words(&self) -> usize {
        self.rotation.padded() / 8
    }

    pub(super) fn code_words(&self) -> usize {
        self.payload_words() + 2
    }

    /// Bytes, then `(lo, step)` and `(Σc, |x|²)` as pairs of floats.
    pub(super) fn encode(&self, v: &[f32], out: &mut [u64], buf: &mut Vec<f32>) {
        self.rotation.apply(v, buf);
        let (lo, hi) = buf
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        let step = if hi > lo { (hi - lo) / 255.0 } else { 0.0 };
        let pw = self.payload_words();
        let (payload, tail) = out.split_at_mut(pw);
        let mut sum = 0u64;
        if step > 0.0 {
            for (byte, &x) in bytes_of_mut(payload).iter_mut().zip(buf.iter()) {
                let c = ((x - lo) / step).round().clamp(0.0, 255.0) as u8;
                *byte = c;
                sum += u64::from(c);
            }
        }
        let norm2: f32 = v.iter().map(|x| x * x).sum();
        tail[0] = pack(if lo.is_finite() { lo } else { 0.0 }, step);
        tail[1] = pack(sum as f32, norm2);
    }

    pub(super) fn prepare(&self, q: &[f32], out: &mut QueryCode) {
        out.code.clear();
        out.code.resize(self.code_words(), 0);
        self.encode(q, &mut out.code, &mut out.rotated);
    }

    #[inline]
    pub(super) fn distance(&self, q: &QueryCode, code: &[u64]) -> f32 {
        self.between(&q.code, code)
    }

    #[inline]
    pub(super) fn between(&self, a: &[u64], b: &[u64]) -> f32 {
        let pw = self.payload_words();
        let dot = (self.dot)(bytes_of(&a[..pw]), bytes_of(&b[..pw])) as f32;
        let ((la, sa), (ca, na)) = (unpack(a[pw]), unpack(a[pw + 1]));
        let ((lb, sb), (cb, nb)) = (unpack(b[pw]), unpack(b[pw + 1]));
        let p = self.rotation.padded() as f32;
        let estimate = p * la * lb + la * sb * cb + lb * sa * ca + sa * sb * dot;
        self.metric.distance_from_dot(estimate, na, nb)
    }
}

/// 1-bit rotational quantization.
pub(crate) struct Rq1 {
    rotation: Rotation,
    metric: Metric,
    hamming: HammingFn,
    planes: PlanesFn,
    /// Codes of persisted formats 1 and 2 end with a second word holding `|b|`, which is now
    /// counted instead; an index restored from them keeps the word so its codes still read.
    ones_word: bool,
}

impl Rq1 {
    pub(super) fn new(metric: Metric, dim: usize, seed: u64, layout: Layout) -> Rq1 {
        Rq1 {
            rotation: Rotation::with_layout(dim, seed, layout),
            metric,
            hamming: kernels::selected().hamming.1,
            planes: kernels::selected().planes.1,
            ones_word: false,
        }
    }

    /// As [`Rq1::new`], for codes of the persisted formats 1 and 2.
    pub(super) fn with_ones_word(metric: Metric, dim: usize, seed: u64, layout: Layout) -> Rq1 {
        Rq1 {
            ones_word: true,
            ..Rq1::new(metric, dim, seed, layout)
        }
    }

    /// Whether codes carry the older second tail word.
    pub(super) fn has_ones_word(&self) -> bool {
        self.ones_word
    }

    pub(super) fn bytes(&self) -> usize {
        self.rotation.bytes()
    }

    pub(super) fn layout(&self) -> Layout {
        self.rotation.layout()
    }

    fn bit_words(&self) -> usize {
        self.rotation.padded() / 64
    }

    pub(super) fn code_words(&self) -> usize {
        self.bit_words() + 1 + usize::from(self.ones_word)
    }

    /// Sign bits, then `(scale, |x|²)` as a pair of floats (and `(|b|, 0)` in the older form).
    pub(super) fn encode(&self, v: &[f32], out: &mut [u64], buf: &mut Vec<f32>) {
        self.rotation.apply(v, buf);
        let words = self.bit_words();
        let (mut l1, mut l2) = (0f32, 0f32);
        for (i, &x) in buf.iter().enumerate() {
            if x > 0.0 {
                out[i / 64] |= 1 << (i % 64);
            }
            l1 += x.abs();
            l2 += x * x;
        }
        let scale = if l1 > 0.0 { l2 / l1 } else { 0.0 };
        let norm2: f32 = v.iter().map(|x| x * x).sum();
        out[words] = pack(scale, norm2);
        if self.ones_word {
            let ones: u32 = out[..words].iter().map(|w| w.count_ones()).sum();
            out[words + 1] = pack(ones as f32, 0.0);
        }
    }

    /// The query's four bit planes of its 4-bit codes, and `(lo, Δ, Σu, |q|²)` as terms.
    pub(super) fn prepare(&self, q: &[f32], out: &mut QueryCode) {
        self.rotation.apply(q, &mut out.rotated);
        let words = self.bit_words();
        let (lo, hi) = out
            .rotated
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        let delta = if hi > lo { (hi - lo) / 15.0 } else { 0.0 };
        out.code.clear();
        out.code.resize(PLANES * words, 0);
        let mut total = 0u32;
        for (i, &x) in out.rotated.iter().enumerate() {
            let u = if delta > 0.0 {
                ((x - lo) / delta).round().clamp(0.0, 15.0) as u32
            } else {
                0
            };
            total += u;
            for plane in 0..PLANES {
                if u >> plane & 1 == 1 {
                    out.code[plane * words + i / 64] |= 1 << (i % 64);
                }
            }
        }
        let norm2: f32 = q.iter().map(|x| x * x).sum();
        out.terms = [lo, delta, total as f32, norm2, 0.0, 0.0, 0.0, 0.0];
    }

    #[inline]
    pub(super) fn distance(&self, q: &QueryCode, code: &[u64]) -> f32 {
        let words = self.bit_words();
        let (weighted, ones) = (self.planes)(&q.code, &code[..words]);
        let (weighted, ones) = (weighted as f32, ones as f32);
        let (scale, nx) = unpack(code[words]);
        let [lo, delta, total, nq, ..] = q.terms;
        let p = self.rotation.padded() as f32;
        let sum = lo * (2.0 * ones - p) + delta * (2.0 * weighted - total);
        self.metric.distance_from_dot(scale * sum, nq, nx)
    }

    #[inline]
    pub(super) fn between(&self, a: &[u64], b: &[u64]) -> f32 {
        let words = self.bit_words();
        let h = (self.hamming)(&a[..words], &b[..words]) as f32;
        let ((_, na), (_, nb)) = (unpack(a[words]), unpack(b[words]));
        let p = self.rotation.padded() as f32;
        let estimate = (na * nb).sqrt() * (PI * h / p).cos();
        self.metric.distance_from_dot(estimate, na, nb)
    }
}

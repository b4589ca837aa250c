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
//!   popcounts: `Σ u_i b_i = Σ_j 2^j · (|p_j| + |b| - hamming(p_j, b)) / 2`. Two data codes are
//!   compared by the angle their Hamming distance implies (`cos(π·h/P)`).
//!
//! Distances follow from the estimated dot product and the stored squared norms.

mod rotation;

use std::f32::consts::PI;

use super::kernels::{self, DotU8Fn, HammingFn};
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
}

impl Rq1 {
    pub(super) fn new(metric: Metric, dim: usize, seed: u64, layout: Layout) -> Rq1 {
        Rq1 {
            rotation: Rotation::with_layout(dim, seed, layout),
            metric,
            hamming: kernels::selected().hamming.1,
        }
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
        self.bit_words() + 2
    }

    /// Sign bits, then `(scale, |x|²)` and `(|b|, 0)` as pairs of floats.
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
        let ones: u32 = out[..words].iter().map(|w| w.count_ones()).sum();
        let scale = if l1 > 0.0 { l2 / l1 } else { 0.0 };
        let norm2: f32 = v.iter().map(|x| x * x).sum();
        out[words] = pack(scale, norm2);
        out[words + 1] = pack(ones as f32, 0.0);
    }

    /// The query's four bit planes of its 4-bit codes, and `(lo, Δ, Σu, |q|²)` and the
    /// planes' popcounts as terms.
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
        for plane in 0..PLANES {
            let ones: u32 = out.code[plane * words..(plane + 1) * words]
                .iter()
                .map(|w| w.count_ones())
                .sum();
            out.terms[4 + plane] = ones as f32;
        }
    }

    #[inline]
    pub(super) fn distance(&self, q: &QueryCode, code: &[u64]) -> f32 {
        let words = self.bit_words();
        let bits = &code[..words];
        let ((scale, nx), (ones, _)) = (unpack(code[words]), unpack(code[words + 1]));
        let [lo, delta, total, nq, ..] = q.terms;
        let mut weighted = 0f32;
        for plane in 0..PLANES {
            let h = (self.hamming)(&q.code[plane * words..(plane + 1) * words], bits) as f32;
            let both = (q.terms[4 + plane] + ones - h) * 0.5;
            weighted += (1 << plane) as f32 * both;
        }
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

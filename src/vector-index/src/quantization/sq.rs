//! Scalar quantization: every component becomes one byte within a range trained once for the
//! whole index (Weaviate's global minimum and maximum over the training sample), so a value is
//! `lo + step · c` with `step = (max - min) / 255`.
//!
//! The query is encoded the same way, and distances come from one integer dot product of the
//! byte strings plus terms stored with each code (the sum and the sum of squares of its bytes):
//!
//! ```text
//! a·b      = D·lo² + lo·step·(Σa + Σb) + step²·Σ a_i b_i
//! |a - b|² = step² · (Σa² + Σb² - 2·Σ a_i b_i)
//! ```

use super::kernels::{self, DotU8Fn};
use super::{bytes_of, bytes_of_mut, pack, unpack, Metric, QueryCode};

/// The scalar quantizer: its range and metric.
pub(crate) struct Sq {
    dim: usize,
    lo: f32,
    step: f32,
    metric: Metric,
    dot: DotU8Fn,
}

impl Sq {
    /// The range of every component of `sample`.
    pub(super) fn train(metric: Metric, dim: usize, sample: &[f32]) -> Sq {
        let (lo, hi) = sample
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        let lo = if lo.is_finite() { lo } else { 0.0 };
        let step = if hi.is_finite() && hi > lo {
            (hi - lo) / 255.0
        } else {
            0.0
        };
        Sq::from_parts(metric, dim, lo, step)
    }

    pub(super) fn from_parts(metric: Metric, dim: usize, lo: f32, step: f32) -> Sq {
        Sq {
            dim,
            lo,
            step,
            metric,
            dot: kernels::selected().dot_u8.1,
        }
    }

    /// The trained range as persisted: `lo` and `step`.
    pub(super) fn range(&self) -> (f32, f32) {
        (self.lo, self.step)
    }

    fn payload_words(&self) -> usize {
        self.dim.div_ceil(8)
    }

    pub(super) fn code_words(&self) -> usize {
        self.payload_words() + 1
    }

    /// Bytes, then the word `(Σ c, Σ c²)` as two floats.
    pub(super) fn encode(&self, v: &[f32], out: &mut [u64]) {
        let pw = self.payload_words();
        let (payload, tail) = out.split_at_mut(pw);
        let (mut sum, mut squares) = (0u64, 0u64);
        for (byte, &x) in bytes_of_mut(payload).iter_mut().zip(v) {
            let c = if self.step > 0.0 {
                ((x - self.lo) / self.step).round().clamp(0.0, 255.0) as u8
            } else {
                0
            };
            *byte = c;
            sum += u64::from(c);
            squares += u64::from(c) * u64::from(c);
        }
        tail[0] = pack(sum as f32, squares as f32);
    }

    pub(super) fn prepare(&self, q: &[f32], out: &mut QueryCode) {
        out.code.clear();
        out.code.resize(self.code_words(), 0);
        self.encode(q, &mut out.code);
    }

    #[inline]
    pub(super) fn distance(&self, q: &QueryCode, code: &[u64]) -> f32 {
        self.between(&q.code, code)
    }

    #[inline]
    pub(super) fn between(&self, a: &[u64], b: &[u64]) -> f32 {
        let pw = self.payload_words();
        let dot = (self.dot)(
            &bytes_of(&a[..pw])[..self.dim],
            &bytes_of(&b[..pw])[..self.dim],
        ) as f32;
        let ((sa, qa), (sb, qb)) = (unpack(a[pw]), unpack(b[pw]));
        let step2 = self.step * self.step;
        match self.metric {
            Metric::L2Squared => step2 * (qa + qb - 2.0 * dot),
            Metric::Dot | Metric::Cosine => {
                let estimate = self.dim as f32 * self.lo * self.lo
                    + self.lo * self.step * (sa + sb)
                    + step2 * dot;
                self.metric.distance_from_dot(estimate, 0.0, 0.0)
            }
        }
    }
}

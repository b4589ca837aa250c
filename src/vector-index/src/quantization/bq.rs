//! Binary quantization: one bit per dimension, set when the component is positive. Codes are
//! compared by Hamming distance, so ranking by it approximates ranking by angle; it suits
//! centred data such as normalised embeddings, and rescoring restores the exact order.

use super::kernels::{self, HammingFn};
use super::QueryCode;

/// The binary quantizer of one dimension.
pub(crate) struct Bq {
    dim: usize,
    hamming: HammingFn,
}

impl Bq {
    pub(super) fn new(dim: usize) -> Bq {
        Bq {
            dim,
            hamming: kernels::selected().hamming.1,
        }
    }

    pub(super) fn code_words(&self) -> usize {
        self.dim.div_ceil(64)
    }

    pub(super) fn encode(&self, v: &[f32], out: &mut [u64]) {
        for (i, &x) in v.iter().enumerate().take(self.dim) {
            if x > 0.0 {
                out[i / 64] |= 1 << (i % 64);
            }
        }
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
        let words = self.code_words();
        (self.hamming)(&a[..words], &b[..words]) as f32
    }
}

//! Reference code kernels in plain iterator code; the property tests pin every faster kernel to
//! these. Integer sums are exact, so faster kernels must match bit for bit.

use super::{DotU8Fn, HammingFn, PlanesFn};

pub(super) const HAMMING: (&str, HammingFn) = ("scalar", hamming);
pub(super) const DOT_U8: (&str, DotU8Fn) = ("scalar", dot_u8);
pub(super) const PLANES: (&str, PlanesFn) = ("scalar", planes);

/// Bits that differ; the shorter length rules if the lengths differ.
pub(crate) fn hamming(a: &[u64], b: &[u64]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// `Σ a[i]·b[i]`; the shorter length rules if the lengths differ.
pub(crate) fn dot_u8(a: &[u8], b: &[u8]) -> u64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| u64::from(u32::from(x) * u32::from(y)))
        .sum()
}

/// `(Σ_j 2^j·|p_j ∧ b|, |b|)` over the four planes laid one after another in `planes`, each
/// `b.len()` words.
pub(crate) fn planes(planes: &[u64], b: &[u64]) -> (u32, u32) {
    let words = b.len();
    let weighted = (0..4)
        .map(|j| {
            let plane = &planes[j * words..(j + 1) * words];
            let overlap: u32 = plane.iter().zip(b).map(|(p, x)| (p & x).count_ones()).sum();
            overlap << j
        })
        .sum();
    (weighted, b.iter().map(|x| x.count_ones()).sum())
}

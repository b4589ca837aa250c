//! Reference code kernels in plain iterator code; the property tests pin every faster kernel to
//! these. Integer sums are exact, so faster kernels must match bit for bit.

use super::{DotU8Fn, HammingFn};

pub(super) const HAMMING: (&str, HammingFn) = ("scalar", hamming);
pub(super) const DOT_U8: (&str, DotU8Fn) = ("scalar", dot_u8);

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

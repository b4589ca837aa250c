//! Reference kernels in plain iterator code. They define what every SIMD kernel must compute
//! (the property tests pin the SIMD versions to these) and serve CPUs without a SIMD path.
//!
//! Sums run sequentially from left to right; the compiler keeps that order because float
//! addition is not associative, so these stay a faithful reference even when optimised.

use super::{check_lengths, Kernels};

/// The kernels of this module, in the shape the dispatcher hands out.
pub(super) const KERNELS: Kernels = Kernels {
    name: "scalar",
    cosine,
    dot,
    l2_squared,
    manhattan,
    hamming,
};

/// `Σ a[i]·b[i]`.
///
/// # Panics
/// If the slices differ in length.
pub fn dot_product(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `Σ (a[i] - b[i])²`.
///
/// # Panics
/// If the slices differ in length.
pub fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// `Σ |a[i] - b[i]|`.
///
/// # Panics
/// If the slices differ in length.
pub fn manhattan(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()
}

/// The number of positions where `a[i] != b[i]` (IEEE comparison: `0.0 == -0.0`), as a float
/// because every metric reports one.
///
/// # Panics
/// If the slices differ in length.
pub fn hamming(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    a.iter().zip(b).filter(|(x, y)| x != y).count() as f32
}

/// Cosine distance of vectors that are already normalised: `1 - a·b`.
fn cosine(a: &[f32], b: &[f32]) -> f32 {
    1.0 - dot_product(a, b)
}

/// Dot distance: the negated product, so that smaller means closer like every other metric.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    -dot_product(a, b)
}

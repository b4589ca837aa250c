//! AVX2 + FMA kernels for x86_64.
//!
//! Float kernels keep four independent 8-lane accumulators: an FMA has a latency of about four
//! cycles but a throughput of two per cycle, so a single accumulator would leave the unit idle
//! most of the time. After the 32-float blocks come 8-float chunks, then the scalar reference
//! finishes the last few components, so any length is handled.

// The workspace declares Rust 1.80, which wants `unsafe` around every intrinsic; newer
// compilers treat the arithmetic ones as safe inside `#[target_feature]` functions and would
// flag the blocks.
#![allow(unused_unsafe)]

use std::arch::x86_64::{
    __m256, __m256i, _mm256_add_ps, _mm256_andnot_ps, _mm256_castps256_ps128, _mm256_castps_si256,
    _mm256_cmp_ps, _mm256_extractf128_ps, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_set1_ps,
    _mm256_setzero_ps, _mm256_setzero_si256, _mm256_storeu_si256, _mm256_sub_epi32, _mm256_sub_ps,
    _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_shuffle_ps, _CMP_NEQ_UQ,
};

use super::{check_lengths, scalar, Kernels};

const LANES: usize = 8;
const BLOCK: usize = 4 * LANES;

/// The AVX2 kernels when this CPU has AVX2 and FMA.
pub(super) fn detect() -> Option<Kernels> {
    let supported = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
    supported.then_some(AVX2_KERNELS)
}

// The wrappers below are safe functions around `unsafe` kernels. That is sound only because
// they are private and `detect` hands them out after checking the CPU features; nothing else in
// the crate may call them directly.
const AVX2_KERNELS: Kernels = Kernels {
    name: "avx2+fma",
    cosine,
    dot,
    l2_squared,
    manhattan,
    hamming,
};

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: reachable only through `detect`, which verified avx2 and fma; lengths are equal.
    1.0 - unsafe { dot_product_avx2(a, b) }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    -unsafe { dot_product_avx2(a, b) }
}

fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    unsafe { l2_squared_avx2(a, b) }
}

fn manhattan(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    unsafe { manhattan_avx2(a, b) }
}

fn hamming(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    unsafe { hamming_avx2(a, b) }
}

/// Sum of the eight lanes.
#[target_feature(enable = "avx2,fma")]
unsafe fn horizontal_sum(v: __m256) -> f32 {
    // SAFETY: register-only intrinsics; the caller guarantees the features.
    unsafe {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps::<0b01>(s, s));
        _mm_cvtss_f32(s)
    }
}

/// Loads eight floats from `s` starting at `i`.
///
/// # Safety
/// `i + 8 <= s.len()` and the CPU has AVX.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn load(s: &[f32], i: usize) -> __m256 {
    debug_assert!(i + LANES <= s.len());
    // SAFETY: the caller keeps the eight floats in bounds; loadu has no alignment requirement.
    unsafe { _mm256_loadu_ps(s.as_ptr().add(i)) }
}

/// `Σ a[i]·b[i]`.
///
/// # Safety
/// The CPU has AVX2 and FMA, and `a.len() == b.len()`.
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_product_avx2(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: every load reads `[i, i + 8)` with `i + 8 <= n` ensured by the loop conditions,
    // and `b` is as long as `a`.
    unsafe {
        let (mut s0, mut s1, mut s2, mut s3) = zeros();
        while i + BLOCK <= n {
            s0 = _mm256_fmadd_ps(load(a, i), load(b, i), s0);
            s1 = _mm256_fmadd_ps(load(a, i + 8), load(b, i + 8), s1);
            s2 = _mm256_fmadd_ps(load(a, i + 16), load(b, i + 16), s2);
            s3 = _mm256_fmadd_ps(load(a, i + 24), load(b, i + 24), s3);
            i += BLOCK;
        }
        while i + LANES <= n {
            s0 = _mm256_fmadd_ps(load(a, i), load(b, i), s0);
            i += LANES;
        }
        let sum = horizontal_sum(fold(s0, s1, s2, s3));
        sum + scalar::dot_product(&a[i..], &b[i..])
    }
}

/// `Σ (a[i] - b[i])²`.
///
/// # Safety
/// The CPU has AVX2 and FMA, and `a.len() == b.len()`.
#[target_feature(enable = "avx2,fma")]
unsafe fn l2_squared_avx2(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: as in `dot_product_avx2`.
    unsafe {
        let (mut s0, mut s1, mut s2, mut s3) = zeros();
        while i + BLOCK <= n {
            let d0 = _mm256_sub_ps(load(a, i), load(b, i));
            let d1 = _mm256_sub_ps(load(a, i + 8), load(b, i + 8));
            let d2 = _mm256_sub_ps(load(a, i + 16), load(b, i + 16));
            let d3 = _mm256_sub_ps(load(a, i + 24), load(b, i + 24));
            s0 = _mm256_fmadd_ps(d0, d0, s0);
            s1 = _mm256_fmadd_ps(d1, d1, s1);
            s2 = _mm256_fmadd_ps(d2, d2, s2);
            s3 = _mm256_fmadd_ps(d3, d3, s3);
            i += BLOCK;
        }
        while i + LANES <= n {
            let d = _mm256_sub_ps(load(a, i), load(b, i));
            s0 = _mm256_fmadd_ps(d, d, s0);
            i += LANES;
        }
        let sum = horizontal_sum(fold(s0, s1, s2, s3));
        sum + scalar::l2_squared(&a[i..], &b[i..])
    }
}

/// `Σ |a[i] - b[i]|`.
///
/// # Safety
/// The CPU has AVX2 and FMA, and `a.len() == b.len()`.
#[target_feature(enable = "avx2,fma")]
unsafe fn manhattan_avx2(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: as in `dot_product_avx2`.
    unsafe {
        let (mut s0, mut s1, mut s2, mut s3) = zeros();
        while i + BLOCK <= n {
            s0 = _mm256_add_ps(s0, abs_diff(load(a, i), load(b, i)));
            s1 = _mm256_add_ps(s1, abs_diff(load(a, i + 8), load(b, i + 8)));
            s2 = _mm256_add_ps(s2, abs_diff(load(a, i + 16), load(b, i + 16)));
            s3 = _mm256_add_ps(s3, abs_diff(load(a, i + 24), load(b, i + 24)));
            i += BLOCK;
        }
        while i + LANES <= n {
            s0 = _mm256_add_ps(s0, abs_diff(load(a, i), load(b, i)));
            i += LANES;
        }
        let sum = horizontal_sum(fold(s0, s1, s2, s3));
        sum + scalar::manhattan(&a[i..], &b[i..])
    }
}

/// The number of positions where `a[i] != b[i]`.
///
/// One accumulator suffices: an integer add has a latency of one cycle.
///
/// # Safety
/// The CPU has AVX2 and FMA, and `a.len() == b.len()`.
#[target_feature(enable = "avx2,fma")]
unsafe fn hamming_avx2(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: as in `dot_product_avx2`; the store writes exactly the 32 bytes of `lanes`.
    unsafe {
        let mut count: __m256i = _mm256_setzero_si256();
        while i + LANES <= n {
            // Unordered-or-unequal matches Rust's `!=`; a true lane is all ones, i.e. -1, so
            // subtracting it counts one.
            let ne = _mm256_cmp_ps::<_CMP_NEQ_UQ>(load(a, i), load(b, i));
            count = _mm256_sub_epi32(count, _mm256_castps_si256(ne));
            i += LANES;
        }
        let mut lanes = [0u32; LANES];
        _mm256_storeu_si256(lanes.as_mut_ptr().cast(), count);
        let simd: u32 = lanes.iter().sum();
        simd as f32 + scalar::hamming(&a[i..], &b[i..])
    }
}

/// `|x - y|` per lane. A function rather than a closure: closures do not inherit
/// `#[target_feature]` on Rust 1.80, so the intrinsics would not be inlined.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn abs_diff(x: __m256, y: __m256) -> __m256 {
    // SAFETY: register-only intrinsics; the caller guarantees the features.
    // Clearing the sign bit is the absolute value.
    unsafe { _mm256_andnot_ps(_mm256_set1_ps(-0.0), _mm256_sub_ps(x, y)) }
}

#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn zeros() -> (__m256, __m256, __m256, __m256) {
    // SAFETY: register-only intrinsic; the caller guarantees the features.
    let z = unsafe { _mm256_setzero_ps() };
    (z, z, z, z)
}

/// Adds the four accumulators pairwise.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn fold(s0: __m256, s1: __m256, s2: __m256, s3: __m256) -> __m256 {
    // SAFETY: register-only intrinsics; the caller guarantees the features.
    unsafe { _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)) }
}

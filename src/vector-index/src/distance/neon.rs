//! NEON kernels for aarch64.
//!
//! Same shape as the AVX2 kernels: four independent 4-lane accumulators over 16-float blocks
//! (to hide the FMA latency), then 4-float chunks, then the scalar reference for the rest.

// The workspace declares Rust 1.80, which wants `unsafe` around every intrinsic; newer
// compilers treat the arithmetic ones as safe inside `#[target_feature]` functions and would
// flag the blocks.
#![allow(unused_unsafe)]

use std::arch::aarch64::{
    float32x4_t, uint32x4_t, vabdq_f32, vaddq_f32, vaddvq_f32, vaddvq_u32, vceqq_f32, vdupq_n_f32,
    vdupq_n_u32, vfmaq_f32, vld1q_f32, vsubq_f32, vsubq_u32,
};

use super::{check_lengths, scalar, Kernels};

const LANES: usize = 4;
const BLOCK: usize = 4 * LANES;

/// The NEON kernels when this CPU has NEON (every mainstream aarch64 CPU does).
pub(super) fn detect() -> Option<Kernels> {
    std::arch::is_aarch64_feature_detected!("neon").then_some(NEON_KERNELS)
}

// The wrappers below are safe functions around `unsafe` kernels. That is sound only because
// they are private and `detect` hands them out after checking the CPU feature.
const NEON_KERNELS: Kernels = Kernels {
    name: "neon",
    cosine,
    dot,
    l2_squared,
    manhattan,
    hamming,
};

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: reachable only through `detect`, which verified neon; lengths are equal.
    1.0 - unsafe { dot_product_neon(a, b) }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    -unsafe { dot_product_neon(a, b) }
}

fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    unsafe { l2_squared_neon(a, b) }
}

fn manhattan(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    unsafe { manhattan_neon(a, b) }
}

fn hamming(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    unsafe { hamming_neon(a, b) }
}

/// Loads four floats from `s` starting at `i`.
///
/// # Safety
/// `i + 4 <= s.len()` and the CPU has NEON.
#[target_feature(enable = "neon")]
#[inline]
unsafe fn load(s: &[f32], i: usize) -> float32x4_t {
    debug_assert!(i + LANES <= s.len());
    // SAFETY: the caller keeps the four floats in bounds; vld1q has no alignment requirement.
    unsafe { vld1q_f32(s.as_ptr().add(i)) }
}

/// Sum of four accumulators' lanes.
#[target_feature(enable = "neon")]
#[inline]
unsafe fn fold(s: [float32x4_t; 4]) -> f32 {
    // SAFETY: register-only intrinsics; the caller guarantees the feature.
    unsafe { vaddvq_f32(vaddq_f32(vaddq_f32(s[0], s[1]), vaddq_f32(s[2], s[3]))) }
}

#[target_feature(enable = "neon")]
#[inline]
unsafe fn zeros() -> [float32x4_t; 4] {
    // SAFETY: register-only intrinsic; the caller guarantees the feature.
    [unsafe { vdupq_n_f32(0.0) }; 4]
}

/// `Σ a[i]·b[i]`.
///
/// # Safety
/// The CPU has NEON, and `a.len() == b.len()`.
#[target_feature(enable = "neon")]
unsafe fn dot_product_neon(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: every load reads `[i, i + 4)` with `i + 4 <= n` ensured by the loop conditions,
    // and `b` is as long as `a`.
    unsafe {
        let mut s = zeros();
        while i + BLOCK <= n {
            for (lane, acc) in s.iter_mut().enumerate() {
                *acc = vfmaq_f32(*acc, load(a, i + 4 * lane), load(b, i + 4 * lane));
            }
            i += BLOCK;
        }
        while i + LANES <= n {
            s[0] = vfmaq_f32(s[0], load(a, i), load(b, i));
            i += LANES;
        }
        fold(s) + scalar::dot_product(&a[i..], &b[i..])
    }
}

/// `Σ (a[i] - b[i])²`.
///
/// # Safety
/// The CPU has NEON, and `a.len() == b.len()`.
#[target_feature(enable = "neon")]
unsafe fn l2_squared_neon(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: as in `dot_product_neon`.
    unsafe {
        let mut s = zeros();
        while i + BLOCK <= n {
            for (lane, acc) in s.iter_mut().enumerate() {
                let d = vsubq_f32(load(a, i + 4 * lane), load(b, i + 4 * lane));
                *acc = vfmaq_f32(*acc, d, d);
            }
            i += BLOCK;
        }
        while i + LANES <= n {
            let d = vsubq_f32(load(a, i), load(b, i));
            s[0] = vfmaq_f32(s[0], d, d);
            i += LANES;
        }
        fold(s) + scalar::l2_squared(&a[i..], &b[i..])
    }
}

/// `Σ |a[i] - b[i]|`.
///
/// # Safety
/// The CPU has NEON, and `a.len() == b.len()`.
#[target_feature(enable = "neon")]
unsafe fn manhattan_neon(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: as in `dot_product_neon`.
    unsafe {
        let mut s = zeros();
        while i + BLOCK <= n {
            for (lane, acc) in s.iter_mut().enumerate() {
                *acc = vaddq_f32(
                    *acc,
                    vabdq_f32(load(a, i + 4 * lane), load(b, i + 4 * lane)),
                );
            }
            i += BLOCK;
        }
        while i + LANES <= n {
            s[0] = vaddq_f32(s[0], vabdq_f32(load(a, i), load(b, i)));
            i += LANES;
        }
        fold(s) + scalar::manhattan(&a[i..], &b[i..])
    }
}

/// The number of positions where `a[i] != b[i]`.
///
/// Counts equal lanes (an equal lane is all ones, i.e. `u32::MAX`, so subtracting it adds one)
/// and subtracts from the number compared; NaN compares unequal, matching Rust's `!=`.
///
/// # Safety
/// The CPU has NEON, and `a.len() == b.len()`.
#[target_feature(enable = "neon")]
unsafe fn hamming_neon(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: as in `dot_product_neon`.
    unsafe {
        let mut equal: uint32x4_t = vdupq_n_u32(0);
        while i + LANES <= n {
            equal = vsubq_u32(equal, vceqq_f32(load(a, i), load(b, i)));
            i += LANES;
        }
        let unequal = i as u32 - vaddvq_u32(equal);
        unequal as f32 + scalar::hamming(&a[i..], &b[i..])
    }
}

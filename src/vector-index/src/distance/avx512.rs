//! AVX-512F kernels for x86_64.
//!
//! Four independent 16-lane accumulators over 64-float blocks hide the FMA latency; 16-float
//! chunks follow, and the last partial chunk is read with a masked load, which never touches
//! memory outside the slice, so no scalar tail is needed.

// The workspace still declares Rust 1.80, which wants `unsafe` around every intrinsic; the
// compilers that can build this module treat the arithmetic ones as safe inside
// `#[target_feature]` functions and would flag the blocks.
#![allow(unused_unsafe)]

use std::arch::x86_64::{
    __m512, __m512i, __mmask16, _mm512_abs_ps, _mm512_add_ps, _mm512_cmp_ps_mask, _mm512_fmadd_ps,
    _mm512_loadu_ps, _mm512_mask_add_epi32, _mm512_maskz_loadu_ps, _mm512_reduce_add_epi32,
    _mm512_reduce_add_ps, _mm512_set1_epi32, _mm512_setzero_ps, _mm512_setzero_si512,
    _mm512_sub_ps, _CMP_NEQ_UQ,
};

use super::{check_lengths, Kernels};

const LANES: usize = 16;
const BLOCK: usize = 4 * LANES;

/// The AVX-512 kernels when this CPU has AVX-512F.
pub(super) fn detect() -> Option<Kernels> {
    is_x86_feature_detected!("avx512f").then_some(AVX512_KERNELS)
}

// Safe wrappers around `unsafe` kernels: sound only because they are private and `detect`
// hands them out after checking the CPU feature.
const AVX512_KERNELS: Kernels = Kernels {
    name: "avx512f",
    cosine,
    dot,
    l2_squared,
    manhattan,
    hamming,
};

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: reachable only through `detect`, which verified avx512f; lengths are equal.
    1.0 - unsafe { dot_product_avx512(a, b) }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    -unsafe { dot_product_avx512(a, b) }
}

fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    unsafe { l2_squared_avx512(a, b) }
}

fn manhattan(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    unsafe { manhattan_avx512(a, b) }
}

fn hamming(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    // SAFETY: as in `cosine`.
    unsafe { hamming_avx512(a, b) }
}

/// Loads sixteen floats from `s` starting at `i`.
///
/// # Safety
/// `i + 16 <= s.len()` and the CPU has AVX-512F.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn load(s: &[f32], i: usize) -> __m512 {
    debug_assert!(i + LANES <= s.len());
    // SAFETY: the caller keeps the sixteen floats in bounds; loadu has no alignment requirement.
    unsafe { _mm512_loadu_ps(s.as_ptr().add(i)) }
}

/// Loads the `s.len() - i < 16` floats from `i` to the end, zeros in the other lanes.
///
/// # Safety
/// `i <= s.len() < i + 16` and the CPU has AVX-512F.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn load_tail(s: &[f32], i: usize) -> (__m512, __mmask16) {
    debug_assert!(i <= s.len() && s.len() - i < LANES);
    let mask: __mmask16 = (1u16 << (s.len() - i)) - 1;
    // SAFETY: a masked load reads only the lanes set in `mask`, all of which are in bounds;
    // masked-off lanes do not fault even past the end of the allocation.
    (
        unsafe { _mm512_maskz_loadu_ps(mask, s.as_ptr().add(i)) },
        mask,
    )
}

#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn zeros() -> [__m512; 4] {
    // SAFETY: register-only intrinsic; the caller guarantees the feature.
    [unsafe { _mm512_setzero_ps() }; 4]
}

/// Sum of all lanes of the four accumulators.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn fold(s: [__m512; 4]) -> f32 {
    // SAFETY: register-only intrinsics; the caller guarantees the feature.
    unsafe {
        _mm512_reduce_add_ps(_mm512_add_ps(
            _mm512_add_ps(s[0], s[1]),
            _mm512_add_ps(s[2], s[3]),
        ))
    }
}

/// `Σ a[i]·b[i]`.
///
/// # Safety
/// The CPU has AVX-512F, and `a.len() == b.len()`.
#[target_feature(enable = "avx512f")]
unsafe fn dot_product_avx512(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: full loads read `[i, i + 16)` with `i + 16 <= n` ensured by the loop conditions,
    // the tail load reads the rest of the slice only, and `b` is as long as `a`.
    unsafe {
        let mut s = zeros();
        while i + BLOCK <= n {
            for (lane, acc) in s.iter_mut().enumerate() {
                let j = i + LANES * lane;
                *acc = _mm512_fmadd_ps(load(a, j), load(b, j), *acc);
            }
            i += BLOCK;
        }
        while i + LANES <= n {
            s[0] = _mm512_fmadd_ps(load(a, i), load(b, i), s[0]);
            i += LANES;
        }
        if i < n {
            s[1] = _mm512_fmadd_ps(load_tail(a, i).0, load_tail(b, i).0, s[1]);
        }
        fold(s)
    }
}

/// `Σ (a[i] - b[i])²`.
///
/// # Safety
/// The CPU has AVX-512F, and `a.len() == b.len()`.
#[target_feature(enable = "avx512f")]
unsafe fn l2_squared_avx512(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: as in `dot_product_avx512`.
    unsafe {
        let mut s = zeros();
        while i + BLOCK <= n {
            for (lane, acc) in s.iter_mut().enumerate() {
                let j = i + LANES * lane;
                let d = _mm512_sub_ps(load(a, j), load(b, j));
                *acc = _mm512_fmadd_ps(d, d, *acc);
            }
            i += BLOCK;
        }
        while i + LANES <= n {
            let d = _mm512_sub_ps(load(a, i), load(b, i));
            s[0] = _mm512_fmadd_ps(d, d, s[0]);
            i += LANES;
        }
        if i < n {
            let d = _mm512_sub_ps(load_tail(a, i).0, load_tail(b, i).0);
            s[1] = _mm512_fmadd_ps(d, d, s[1]);
        }
        fold(s)
    }
}

/// `Σ |a[i] - b[i]|`.
///
/// # Safety
/// The CPU has AVX-512F, and `a.len() == b.len()`.
#[target_feature(enable = "avx512f")]
unsafe fn manhattan_avx512(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: as in `dot_product_avx512`.
    unsafe {
        let mut s = zeros();
        while i + BLOCK <= n {
            for (lane, acc) in s.iter_mut().enumerate() {
                let j = i + LANES * lane;
                let d = _mm512_abs_ps(_mm512_sub_ps(load(a, j), load(b, j)));
                *acc = _mm512_add_ps(*acc, d);
            }
            i += BLOCK;
        }
        while i + LANES <= n {
            let d = _mm512_abs_ps(_mm512_sub_ps(load(a, i), load(b, i)));
            s[0] = _mm512_add_ps(s[0], d);
            i += LANES;
        }
        if i < n {
            let d = _mm512_abs_ps(_mm512_sub_ps(load_tail(a, i).0, load_tail(b, i).0));
            s[1] = _mm512_add_ps(s[1], d);
        }
        fold(s)
    }
}

/// The number of positions where `a[i] != b[i]`. The comparison yields a lane mask that adds
/// one to each unequal lane's counter, so counting stays in vector registers.
///
/// # Safety
/// The CPU has AVX-512F, and `a.len() == b.len()`.
#[target_feature(enable = "avx512f")]
unsafe fn hamming_avx512(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let mut i = 0;
    // SAFETY: as in `dot_product_avx512`.
    unsafe {
        let one = _mm512_set1_epi32(1);
        let mut count: __m512i = _mm512_setzero_si512();
        while i + LANES <= n {
            // Unordered-or-unequal matches Rust's `!=`.
            let ne = _mm512_cmp_ps_mask::<_CMP_NEQ_UQ>(load(a, i), load(b, i));
            count = _mm512_mask_add_epi32(count, ne, count, one);
            i += LANES;
        }
        if i < n {
            let ((x, mask), (y, _)) = (load_tail(a, i), load_tail(b, i));
            // Masked-off lanes load as 0.0 on both sides and so compare equal; `& mask` makes
            // that explicit instead of relied upon.
            let ne = _mm512_cmp_ps_mask::<_CMP_NEQ_UQ>(x, y) & mask;
            count = _mm512_mask_add_epi32(count, ne, count, one);
        }
        _mm512_reduce_add_epi32(count) as f32
    }
}

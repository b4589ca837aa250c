//! x86_64 code kernels: POPCNT and AVX-512 VPOPCNTDQ Hamming, AVX2 and AVX-512BW byte dot
//! products.
//!
//! The byte kernels widen bytes to 16 bits and multiply-add pairs into 32-bit lanes. A lane
//! gains at most `2 · 255² = 130,050` per step, so the lanes are flushed into a 64-bit total
//! every [`FLUSH`] bytes, long before they could overflow; any length is exact.

// The workspace declares Rust 1.89, whose compiler wants `unsafe` around some intrinsics that
// newer ones treat as safe inside `#[target_feature]` functions.
#![allow(unused_unsafe)]

use std::arch::x86_64::{
    __m256i, __m512i, _mm256_add_epi32, _mm256_castsi256_si128, _mm256_cvtepu8_epi16,
    _mm256_extracti128_si256, _mm256_loadu_si256, _mm256_madd_epi16, _mm256_setzero_si256,
    _mm256_storeu_si256, _mm512_add_epi32, _mm512_add_epi64, _mm512_castsi512_si256,
    _mm512_cvtepu8_epi16, _mm512_extracti64x4_epi64, _mm512_loadu_si512, _mm512_madd_epi16,
    _mm512_maskz_loadu_epi64, _mm512_popcnt_epi64, _mm512_reduce_add_epi32,
    _mm512_reduce_add_epi64, _mm512_setzero_si512, _mm512_xor_si512,
};

use super::{scalar, DotU8Fn, HammingFn};

/// Bytes between two flushes of the 32-bit lanes: at most `FLUSH / 32` steps of 260,100 each
/// per lane, far below `i32::MAX`.
const FLUSH: usize = 1 << 14;

/// The Hamming kernels this CPU supports, slowest first.
pub(super) fn hamming_kernels() -> Vec<(&'static str, HammingFn)> {
    let mut all: Vec<(&'static str, HammingFn)> = Vec::new();
    if is_x86_feature_detected!("popcnt") {
        all.push(("popcnt", hamming_popcnt));
    }
    if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512vpopcntdq") {
        all.push(("avx512vpopcntdq", hamming_avx512));
    }
    all
}

/// The byte dot-product kernels this CPU supports, slowest first.
pub(super) fn dot_kernels() -> Vec<(&'static str, DotU8Fn)> {
    let mut all: Vec<(&'static str, DotU8Fn)> = Vec::new();
    if is_x86_feature_detected!("avx2") {
        all.push(("avx2", dot_u8_avx2));
    }
    if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bw") {
        all.push(("avx512bw", dot_u8_avx512));
    }
    all
}

// The wrappers below are safe functions around `unsafe` kernels. That is sound only because
// they are private and handed out by the detection functions above after checking the CPU
// features.

fn hamming_popcnt(a: &[u64], b: &[u64]) -> u32 {
    // SAFETY: handed out only when the CPU has POPCNT.
    unsafe { hamming_popcnt_impl(a, b) }
}

fn hamming_avx512(a: &[u64], b: &[u64]) -> u32 {
    // SAFETY: handed out only when the CPU has AVX-512F and VPOPCNTDQ.
    unsafe { hamming_avx512_impl(a, b) }
}

fn dot_u8_avx2(a: &[u8], b: &[u8]) -> u64 {
    // SAFETY: handed out only when the CPU has AVX2.
    unsafe { dot_u8_avx2_impl(a, b) }
}

fn dot_u8_avx512(a: &[u8], b: &[u8]) -> u64 {
    // SAFETY: handed out only when the CPU has AVX-512F and AVX-512BW.
    unsafe { dot_u8_avx512_impl(a, b) }
}

/// The scalar loop compiled with POPCNT, four independent counters so that the popcounts of
/// consecutive words overlap.
#[target_feature(enable = "popcnt")]
unsafe fn hamming_popcnt_impl(a: &[u64], b: &[u64]) -> u32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0u32; 4];
    let (mut xs, mut ys) = (a.chunks_exact(4), b.chunks_exact(4));
    for (x, y) in (&mut xs).zip(&mut ys) {
        for i in 0..4 {
            acc[i] += (x[i] ^ y[i]).count_ones();
        }
    }
    let tail = scalar::hamming(xs.remainder(), ys.remainder());
    acc.iter().sum::<u32>() + tail
}

/// Eight words per step; the last partial step is read with a masked load, which touches no
/// memory outside the slices.
#[target_feature(enable = "avx512f,avx512vpopcntdq")]
unsafe fn hamming_avx512_impl(a: &[u64], b: &[u64]) -> u32 {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    // SAFETY: every load reads words below `n` of both slices; the masked load reads only the
    // lanes its mask selects.
    unsafe {
        let mut acc = _mm512_setzero_si512();
        let mut i = 0;
        while i + 8 <= n {
            let x = _mm512_loadu_si512(pa.add(i).cast::<__m512i>());
            let y = _mm512_loadu_si512(pb.add(i).cast::<__m512i>());
            acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_xor_si512(x, y)));
            i += 8;
        }
        if i < n {
            let mask = ((1u16 << (n - i)) - 1) as u8;
            let x = _mm512_maskz_loadu_epi64(mask, pa.add(i).cast::<i64>());
            let y = _mm512_maskz_loadu_epi64(mask, pb.add(i).cast::<i64>());
            acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_xor_si512(x, y)));
        }
        _mm512_reduce_add_epi64(acc) as u32
    }
}

/// 32 bytes per step, widened to two vectors of sixteen 16-bit lanes.
#[target_feature(enable = "avx2")]
unsafe fn dot_u8_avx2_impl(a: &[u8], b: &[u8]) -> u64 {
    let n = a.len().min(b.len());
    let simd = n - n % 32;
    let mut total = 0u64;
    let mut start = 0;
    while start < simd {
        let end = (start + FLUSH).min(simd);
        // SAFETY: every 32-byte load starts at or after `start` and ends at or before `end`,
        // which is within both slices.
        unsafe {
            let mut acc = _mm256_setzero_si256();
            let mut i = start;
            while i < end {
                let x = _mm256_loadu_si256(a.as_ptr().add(i).cast::<__m256i>());
                let y = _mm256_loadu_si256(b.as_ptr().add(i).cast::<__m256i>());
                let (xl, xh) = (_mm256_castsi256_si128(x), _mm256_extracti128_si256::<1>(x));
                let (yl, yh) = (_mm256_castsi256_si128(y), _mm256_extracti128_si256::<1>(y));
                let lo = _mm256_madd_epi16(_mm256_cvtepu8_epi16(xl), _mm256_cvtepu8_epi16(yl));
                let hi = _mm256_madd_epi16(_mm256_cvtepu8_epi16(xh), _mm256_cvtepu8_epi16(yh));
                acc = _mm256_add_epi32(acc, _mm256_add_epi32(lo, hi));
                i += 32;
            }
            let mut lanes = [0i32; 8];
            _mm256_storeu_si256(lanes.as_mut_ptr().cast::<__m256i>(), acc);
            total += lanes.iter().map(|&l| l as u64).sum::<u64>();
        }
        start = end;
    }
    total + scalar::dot_u8(&a[simd..n], &b[simd..n])
}

/// 64 bytes per step, widened to two vectors of thirty-two 16-bit lanes.
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn dot_u8_avx512_impl(a: &[u8], b: &[u8]) -> u64 {
    let n = a.len().min(b.len());
    let simd = n - n % 64;
    let mut total = 0u64;
    let mut start = 0;
    while start < simd {
        let end = (start + FLUSH).min(simd);
        // SAFETY: every 64-byte load lies within `start..end`, inside both slices.
        unsafe {
            let mut acc = _mm512_setzero_si512();
            let mut i = start;
            while i < end {
                let x = _mm512_loadu_si512(a.as_ptr().add(i).cast::<__m512i>());
                let y = _mm512_loadu_si512(b.as_ptr().add(i).cast::<__m512i>());
                let (xl, xh) = (_mm512_castsi512_si256(x), _mm512_extracti64x4_epi64::<1>(x));
                let (yl, yh) = (_mm512_castsi512_si256(y), _mm512_extracti64x4_epi64::<1>(y));
                let lo = _mm512_madd_epi16(_mm512_cvtepu8_epi16(xl), _mm512_cvtepu8_epi16(yl));
                let hi = _mm512_madd_epi16(_mm512_cvtepu8_epi16(xh), _mm512_cvtepu8_epi16(yh));
                acc = _mm512_add_epi32(acc, _mm512_add_epi32(lo, hi));
                i += 64;
            }
            // Each lane is below 2^31 and non-negative, and so is their sum over one flush.
            total += _mm512_reduce_add_epi32(acc) as u32 as u64;
        }
        start = end;
    }
    total + scalar::dot_u8(&a[simd..n], &b[simd..n])
}

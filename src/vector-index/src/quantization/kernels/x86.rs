//! x86_64 code kernels: POPCNT and AVX-512 VPOPCNTDQ Hamming; AVX2, AVX-512BW and AVX-512 VNNI
//! byte dot products.
//!
//! The AVX2 and AVX-512BW byte kernels split each 16-bit lane into its even byte (a mask) and
//! its odd byte (a shift) rather than widening with `vpmovzxbw`: masks and shifts can issue on
//! two ports, where the widening shuffles all queue on the one shuffle port (the kernel's own
//! speed-up was not measured apart; SQ's search as a whole is in `bench/compression`).
//! `vpmaddwd` then multiply-adds pairs into 32-bit lanes. The VNNI kernel multiplies
//! unsigned by signed bytes (`vpdpbusd`), so it biases one side by -128 and adds `128 · Σa`
//! back, `Σa` coming from `vpsadbw`. A lane gains at most 260,100 per step in every kernel, so
//! the lanes are flushed into a 64-bit total every [`FLUSH`] bytes, long before they could
//! overflow; any length is exact.

// The workspace declares Rust 1.89, whose compiler wants `unsafe` around some intrinsics that
// newer ones treat as safe inside `#[target_feature]` functions.
#![allow(unused_unsafe)]

use std::arch::x86_64::{
    __m256i, __m512i, _mm256_add_epi32, _mm256_and_si256, _mm256_loadu_si256, _mm256_madd_epi16,
    _mm256_set1_epi16, _mm256_setzero_si256, _mm256_srli_epi16, _mm256_storeu_si256,
    _mm512_add_epi32, _mm512_add_epi64, _mm512_and_si512, _mm512_dpbusd_epi32, _mm512_loadu_si512,
    _mm512_madd_epi16, _mm512_maskz_loadu_epi64, _mm512_maskz_loadu_epi8, _mm512_popcnt_epi64,
    _mm512_reduce_add_epi32, _mm512_reduce_add_epi64, _mm512_sad_epu8, _mm512_set1_epi16,
    _mm512_set1_epi8, _mm512_setzero_si512, _mm512_slli_epi64, _mm512_srli_epi16, _mm512_xor_si512,
};

use super::{scalar, DotU8Fn, HammingFn, PlanesFn};

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

/// The bit-plane kernels this CPU supports, slowest first.
pub(super) fn planes_kernels() -> Vec<(&'static str, PlanesFn)> {
    let mut all: Vec<(&'static str, PlanesFn)> = Vec::new();
    if is_x86_feature_detected!("popcnt") {
        all.push(("popcnt", planes_popcnt));
    }
    if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512vpopcntdq") {
        all.push(("avx512vpopcntdq", planes_avx512));
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
        if is_x86_feature_detected!("avx512vnni") {
            all.push(("avx512vnni", dot_u8_vnni));
        }
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

fn planes_popcnt(planes: &[u64], b: &[u64]) -> (u32, u32) {
    // SAFETY: handed out only when the CPU has POPCNT.
    unsafe { planes_popcnt_impl(planes, b) }
}

fn planes_avx512(planes: &[u64], b: &[u64]) -> (u32, u32) {
    // SAFETY: handed out only when the CPU has AVX-512F and VPOPCNTDQ.
    unsafe { planes_avx512_impl(planes, b) }
}

fn dot_u8_avx2(a: &[u8], b: &[u8]) -> u64 {
    // SAFETY: handed out only when the CPU has AVX2.
    unsafe { dot_u8_avx2_impl(a, b) }
}

fn dot_u8_avx512(a: &[u8], b: &[u8]) -> u64 {
    // SAFETY: handed out only when the CPU has AVX-512F and AVX-512BW.
    unsafe { dot_u8_avx512_impl(a, b) }
}

fn dot_u8_vnni(a: &[u8], b: &[u8]) -> u64 {
    // SAFETY: handed out only when the CPU has AVX-512F, AVX-512BW and AVX-512 VNNI.
    unsafe { dot_u8_vnni_impl(a, b) }
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
/// memory outside the slices. Strings shorter than a step take the POPCNT loop.
#[target_feature(enable = "popcnt,avx512f,avx512vpopcntdq")]
unsafe fn hamming_avx512_impl(a: &[u64], b: &[u64]) -> u32 {
    let n = a.len().min(b.len());
    if n < 8 {
        // Shorter than one step: the POPCNT loop skips the mask and the reduction.
        // SAFETY: this function's features include POPCNT.
        return unsafe { hamming_popcnt_impl(a, b) };
    }
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

/// One pass over `b`: each word is loaded once for its own count and its four overlaps.
#[target_feature(enable = "popcnt")]
unsafe fn planes_popcnt_impl(planes: &[u64], b: &[u64]) -> (u32, u32) {
    let words = b.len();
    let (p0, rest) = planes.split_at(words);
    let (p1, rest) = rest.split_at(words);
    let (p2, rest) = rest.split_at(words);
    let p3 = &rest[..words];
    let (mut o, mut ones) = ([0u32; 4], 0u32);
    for i in 0..words {
        let x = b[i];
        ones += x.count_ones();
        o[0] += (p0[i] & x).count_ones();
        o[1] += (p1[i] & x).count_ones();
        o[2] += (p2[i] & x).count_ones();
        o[3] += (p3[i] & x).count_ones();
    }
    (o[0] + (o[1] << 1) + (o[2] << 2) + (o[3] << 3), ones)
}

/// Eight words of `b` per step against the same words of each plane, the four overlaps
/// weighted by shifts into one accumulator; the last partial step is read with masked loads.
/// Codes shorter than a step (128 dimensions are two words) take the POPCNT loop, which skips
/// the masks and the final reductions.
#[target_feature(enable = "popcnt,avx512f,avx512vpopcntdq")]
unsafe fn planes_avx512_impl(planes: &[u64], b: &[u64]) -> (u32, u32) {
    let words = b.len();
    assert!(planes.len() >= 4 * words, "four planes of {words} words");
    if words < 8 {
        // SAFETY: this function's features include POPCNT.
        return unsafe { planes_popcnt_impl(planes, b) };
    }
    let (pp, pb) = (planes.as_ptr(), b.as_ptr());
    // SAFETY: every load reads words below `words` of `b` and of each plane (which the assert
    // puts inside `planes`); the masked loads read only the lanes their mask selects.
    unsafe {
        let mut ones = _mm512_setzero_si512();
        let mut weighted = _mm512_setzero_si512();
        let mut i = 0;
        while i < words {
            let lanes = (words - i).min(8);
            let mask = (u16::MAX >> (16 - lanes)) as u8;
            let x = _mm512_maskz_loadu_epi64(mask, pb.add(i).cast::<i64>());
            let overlap = |j: usize| {
                let p = _mm512_maskz_loadu_epi64(mask, pp.add(j * words + i).cast::<i64>());
                _mm512_popcnt_epi64(_mm512_and_si512(p, x))
            };
            let low = _mm512_add_epi64(overlap(0), _mm512_slli_epi64::<1>(overlap(1)));
            let high = _mm512_add_epi64(
                _mm512_slli_epi64::<2>(overlap(2)),
                _mm512_slli_epi64::<3>(overlap(3)),
            );
            weighted = _mm512_add_epi64(weighted, _mm512_add_epi64(low, high));
            ones = _mm512_add_epi64(ones, _mm512_popcnt_epi64(x));
            i += 8;
        }
        let weighted = _mm512_reduce_add_epi64(weighted) as u32;
        (weighted, _mm512_reduce_add_epi64(ones) as u32)
    }
}

/// 32 bytes per step, as sixteen even and sixteen odd bytes in 16-bit lanes.
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
            let low = _mm256_set1_epi16(0xFF);
            let mut acc = _mm256_setzero_si256();
            let mut i = start;
            while i < end {
                let x = _mm256_loadu_si256(a.as_ptr().add(i).cast::<__m256i>());
                let y = _mm256_loadu_si256(b.as_ptr().add(i).cast::<__m256i>());
                let even = _mm256_madd_epi16(_mm256_and_si256(x, low), _mm256_and_si256(y, low));
                let odd = _mm256_madd_epi16(_mm256_srli_epi16::<8>(x), _mm256_srli_epi16::<8>(y));
                acc = _mm256_add_epi32(acc, _mm256_add_epi32(even, odd));
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

/// 64 bytes per step, as 32 even and 32 odd bytes in 16-bit lanes.
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
            let low = _mm512_set1_epi16(0xFF);
            let mut acc = _mm512_setzero_si512();
            let mut i = start;
            while i < end {
                let x = _mm512_loadu_si512(a.as_ptr().add(i).cast::<__m512i>());
                let y = _mm512_loadu_si512(b.as_ptr().add(i).cast::<__m512i>());
                let even = _mm512_madd_epi16(_mm512_and_si512(x, low), _mm512_and_si512(y, low));
                let odd = _mm512_madd_epi16(_mm512_srli_epi16::<8>(x), _mm512_srli_epi16::<8>(y));
                acc = _mm512_add_epi32(acc, _mm512_add_epi32(even, odd));
                i += 64;
            }
            // Each lane is below 2^31 and non-negative, and so is their sum over one flush.
            total += _mm512_reduce_add_epi32(acc) as u32 as u64;
        }
        start = end;
    }
    total + scalar::dot_u8(&a[simd..n], &b[simd..n])
}

/// 64 bytes per step: `Σ a_i·(b_i - 128)` by `vpdpbusd` and `Σ a_i` by `vpsadbw`; the last
/// partial step is read with masked loads (zero bytes of `a` add nothing to either sum).
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn dot_u8_vnni_impl(a: &[u8], b: &[u8]) -> u64 {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut biased = 0i64;
    let mut start = 0;
    // SAFETY: every full load lies within `start..end`, inside both slices; the masked loads
    // read only the bytes below `n` their mask selects.
    unsafe {
        let flip = _mm512_set1_epi8(i8::MIN);
        let zero = _mm512_setzero_si512();
        let mut sums = _mm512_setzero_si512();
        while start < n {
            let end = (start + FLUSH).min(n);
            let mut acc = _mm512_setzero_si512();
            let mut i = start;
            while i + 64 <= end {
                let x = _mm512_loadu_si512(pa.add(i).cast::<__m512i>());
                let y = _mm512_loadu_si512(pb.add(i).cast::<__m512i>());
                acc = _mm512_dpbusd_epi32(acc, x, _mm512_xor_si512(y, flip));
                sums = _mm512_add_epi64(sums, _mm512_sad_epu8(x, zero));
                i += 64;
            }
            if i < end {
                let mask = u64::MAX >> (64 - (end - i));
                let x = _mm512_maskz_loadu_epi8(mask, pa.add(i).cast::<i8>());
                let y = _mm512_maskz_loadu_epi8(mask, pb.add(i).cast::<i8>());
                acc = _mm512_dpbusd_epi32(acc, x, _mm512_xor_si512(y, flip));
                sums = _mm512_add_epi64(sums, _mm512_sad_epu8(x, zero));
            }
            // A lane moves by at most 4 · 255 · 128 per step: far from overflow in one flush.
            biased += i64::from(_mm512_reduce_add_epi32(acc));
            start = end;
        }
        (biased + 128 * _mm512_reduce_add_epi64(sums)) as u64
    }
}

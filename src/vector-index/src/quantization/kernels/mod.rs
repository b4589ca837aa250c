//! Integer kernels over codes: the Hamming distance of bit strings (xor + popcount, for BQ and
//! 1-bit RQ), the weighted overlap of a 4-bit query's bit planes with a bit string (1-bit RQ's
//! query distance) and the dot product of byte strings (SQ and 8-bit RQ).
//!
//! As in [`crate::distance`], each kernel has a [`scalar`] reference and faster versions picked
//! once at runtime: on x86_64 POPCNT and AVX-512 VPOPCNTDQ for bits, AVX2, AVX-512BW and
//! AVX-512 VNNI for bytes. On aarch64 the scalar code is used: NEON is part of the baseline
//! there, and LLVM lowers `count_ones` to `cnt` and vectorises the byte loop by itself.

use std::sync::OnceLock;

pub(crate) mod scalar;
#[cfg(target_arch = "x86_64")]
mod x86;

#[cfg(test)]
mod tests;

/// Bits that differ between two equally long bit strings.
pub(crate) type HammingFn = fn(&[u64], &[u64]) -> u32;
/// `Σ a[i]·b[i]` of two equally long byte strings, exactly.
pub(crate) type DotU8Fn = fn(&[u8], &[u8]) -> u64;
/// For four bit planes `p_0..p_3` of `b.len()` words each, laid one after another in `planes`,
/// and a bit string `b`: `(Σ_j 2^j·|p_j ∧ b|, |b|)`, i.e. `Σ u_i·b_i` for the 4-bit values
/// `u_i` the planes hold, and the ones of `b`.
pub(crate) type PlanesFn = fn(&[u64], &[u64]) -> (u32, u32);

/// One implementation of each code kernel.
#[derive(Clone, Copy)]
pub(crate) struct CodeKernels {
    pub(crate) hamming: (&'static str, HammingFn),
    pub(crate) dot_u8: (&'static str, DotU8Fn),
    pub(crate) planes: (&'static str, PlanesFn),
}

/// The kernels chosen for this CPU, detected on first use.
pub(crate) fn selected() -> &'static CodeKernels {
    static SELECTED: OnceLock<CodeKernels> = OnceLock::new();
    SELECTED.get_or_init(|| CodeKernels {
        hamming: hamming_kernels()
            .into_iter()
            .last()
            .unwrap_or(scalar::HAMMING),
        dot_u8: dot_kernels().into_iter().last().unwrap_or(scalar::DOT_U8),
        planes: planes_kernels()
            .into_iter()
            .last()
            .unwrap_or(scalar::PLANES),
    })
}

/// Every Hamming kernel this CPU runs, the scalar reference first and the fastest last.
pub(crate) fn hamming_kernels() -> Vec<(&'static str, HammingFn)> {
    let mut all = vec![scalar::HAMMING];
    #[cfg(target_arch = "x86_64")]
    all.extend(x86::hamming_kernels());
    all
}

/// Every byte dot-product kernel this CPU runs, the scalar reference first and the fastest
/// last.
pub(crate) fn dot_kernels() -> Vec<(&'static str, DotU8Fn)> {
    let mut all = vec![scalar::DOT_U8];
    #[cfg(target_arch = "x86_64")]
    all.extend(x86::dot_kernels());
    all
}

/// Every bit-plane kernel this CPU runs, the scalar reference first and the fastest last.
pub(crate) fn planes_kernels() -> Vec<(&'static str, PlanesFn)> {
    let mut all = vec![scalar::PLANES];
    #[cfg(target_arch = "x86_64")]
    all.extend(x86::planes_kernels());
    all
}

/// The names of the kernels in use, for logs and the benchmark: Hamming, byte dot product and
/// bit planes.
pub fn code_kernel_names() -> (&'static str, &'static str, &'static str) {
    let k = selected();
    (k.hamming.0, k.dot_u8.0, k.planes.0)
}

//! Integer kernels over codes: the Hamming distance of bit strings (xor + popcount, for BQ and
//! 1-bit RQ) and the dot product of byte strings (SQ and 8-bit RQ).
//!
//! As in [`crate::distance`], each kernel has a [`scalar`] reference and faster versions picked
//! once at runtime: on x86_64 POPCNT and AVX-512 VPOPCNTDQ for Hamming, AVX2 and AVX-512BW for
//! bytes. On aarch64 the scalar code is used: NEON is part of the baseline there, and LLVM
//! lowers `count_ones` to `cnt` and vectorises the byte loop by itself.

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

/// One implementation of each code kernel.
#[derive(Clone, Copy)]
pub(crate) struct CodeKernels {
    pub(crate) hamming: (&'static str, HammingFn),
    pub(crate) dot_u8: (&'static str, DotU8Fn),
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

/// The names of the kernels in use, for logs and the benchmark.
pub fn code_kernel_names() -> (&'static str, &'static str) {
    let k = selected();
    (k.hamming.0, k.dot_u8.0)
}

//! Distance kernels with Weaviate's definitions, where smaller always means closer:
//!
//! | metric       | distance                                   |
//! |--------------|--------------------------------------------|
//! | `cosine`     | `1 - a·b` of normalised vectors (`1 - cos`) |
//! | `dot`        | `-(a·b)`                                   |
//! | `l2-squared` | `Σ (a[i] - b[i])²`                         |
//! | `manhattan`  | `Σ abs(a[i] - b[i])`                       |
//! | `hamming`    | `#{i : a[i] != b[i]}`                      |
//!
//! Each metric has a [`scalar`] reference and SIMD versions (AVX-512F and AVX2+FMA on x86_64,
//! NEON on aarch64). The best set for this CPU is detected once; hot loops should fetch their function
//! with [`kernel`] before the loop rather than call [`distance`] per pair.

use std::sync::OnceLock;

use types::schema::Distance;

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
#[cfg(target_arch = "aarch64")]
mod neon;
pub mod scalar;

#[cfg(test)]
mod tests;

/// A distance kernel: two vectors of equal length in, their distance out.
///
/// Every kernel panics if the lengths differ; the indexes validate dimensions before calling.
pub type DistanceFn = fn(&[f32], &[f32]) -> f32;

/// One implementation of every metric.
#[derive(Clone, Copy)]
pub(crate) struct Kernels {
    pub(crate) name: &'static str,
    pub(crate) cosine: DistanceFn,
    pub(crate) dot: DistanceFn,
    pub(crate) l2_squared: DistanceFn,
    pub(crate) manhattan: DistanceFn,
    pub(crate) hamming: DistanceFn,
}

impl Kernels {
    fn get(&self, metric: Distance) -> DistanceFn {
        match metric {
            Distance::Cosine => self.cosine,
            Distance::Dot => self.dot,
            Distance::L2Squared => self.l2_squared,
            Distance::Manhattan => self.manhattan,
            Distance::Hamming => self.hamming,
        }
    }
}

/// The kernels chosen for this CPU, detected on first use.
fn selected() -> &'static Kernels {
    static SELECTED: OnceLock<Kernels> = OnceLock::new();
    SELECTED.get_or_init(|| simd_kernels().next().unwrap_or(scalar::KERNELS))
}

/// Every SIMD kernel set this CPU supports, fastest first.
#[cfg(target_arch = "x86_64")]
fn simd_kernels() -> impl Iterator<Item = Kernels> {
    [avx512::detect(), avx2::detect()].into_iter().flatten()
}

/// Every SIMD kernel set this CPU supports, fastest first.
#[cfg(target_arch = "aarch64")]
fn simd_kernels() -> impl Iterator<Item = Kernels> {
    neon::detect().into_iter()
}

/// Every SIMD kernel set this CPU supports: none on other architectures.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn simd_kernels() -> impl Iterator<Item = Kernels> {
    std::iter::empty()
}

/// Every kernel set this CPU can run, the scalar reference first; for tests comparing them.
#[cfg(test)]
pub(crate) fn available_kernels() -> Vec<Kernels> {
    std::iter::once(scalar::KERNELS)
        .chain(simd_kernels())
        .collect()
}

/// The fastest kernel of `metric` for this CPU. Cheap after the first call, but callers that
/// compute many distances should still fetch it once and keep it.
///
/// For [`Distance::Cosine`] the kernel computes `1 - a·b` and so expects both vectors already
/// normalised (see [`normalize`]).
pub fn kernel(metric: Distance) -> DistanceFn {
    selected().get(metric)
}

/// The distance of `a` and `b` under `metric`; see [`kernel`] for the cosine precondition.
///
/// # Panics
/// If the slices differ in length.
pub fn distance(metric: Distance, a: &[f32], b: &[f32]) -> f32 {
    kernel(metric)(a, b)
}

/// The name of the kernel set in use ("avx512f", "avx2+fma", "neon" or "scalar"), for logs
/// and metrics.
pub fn simd_level() -> &'static str {
    selected().name
}

/// The distance of two vectors as given (cosine normalises copies first), or `None` when their
/// lengths differ: for callers outside an index, which hold vectors that were never checked
/// against each other (the query of one target against an object's stored vector).
pub fn distance_of_raw(metric: Distance, a: &[f32], b: &[f32]) -> Option<f32> {
    if a.len() != b.len() {
        return None;
    }
    if metric != Distance::Cosine {
        return Some(distance(metric, a, b));
    }
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    normalize(&mut a);
    normalize(&mut b);
    Some(distance(metric, &a, &b))
}

/// Scales `v` to unit length. A zero vector stays zero (its cosine distance to anything is
/// then 1), as in Weaviate.
///
/// The norm is accumulated in `f64`: this runs once per insert or query, and the wider type
/// keeps the squares of large finite components from overflowing to infinity.
pub fn normalize(v: &mut [f32]) {
    let norm = v
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt();
    if norm > 0.0 && norm.is_finite() {
        for x in v {
            *x = (f64::from(*x) / norm) as f32;
        }
    }
}

/// The contract every kernel enforces: a mismatch is a bug in the caller, and the SIMD kernels
/// rely on it for their bounds.
#[inline]
fn check_lengths(a: &[f32], b: &[f32]) {
    assert_eq!(
        a.len(),
        b.len(),
        "distance kernel called with vectors of different lengths"
    );
}

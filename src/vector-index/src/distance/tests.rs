//! Hand-computed values for every kernel set this CPU runs, and property tests pinning the
//! SIMD kernels to the scalar reference.

use proptest::prelude::*;
use types::schema::Distance;

use super::{available_kernels, distance, kernel, normalize, scalar, simd_level, Kernels};

fn close(got: f32, want: f32) -> bool {
    (got - want).abs() <= 1e-6 * want.abs().max(1.0)
}

/// Runs `check` against every kernel set, naming the set on failure.
fn for_each_set(check: impl Fn(&Kernels)) {
    for set in available_kernels() {
        eprintln!("kernel set {}", set.name);
        check(&set);
    }
}

#[test]
fn small_vectors_match_hand_computed_values() {
    let (a, b) = ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]);
    for_each_set(|k| {
        assert_eq!((k.dot)(&a, &b), -32.0);
        assert_eq!((k.l2_squared)(&a, &b), 27.0);
        assert_eq!((k.manhattan)(&a, &b), 9.0);
        assert_eq!((k.hamming)(&a, &b), 3.0);
        assert_eq!((k.hamming)(&a, &a), 0.0);
    });
}

/// 37 components exercise the 32-wide block, an 8-wide chunk and a scalar tail of AVX2, and
/// two 16-wide chunks and a masked tail of AVX-512.
#[test]
fn long_vectors_match_hand_computed_values() {
    let a: Vec<f32> = (0..37).map(|i| i as f32).collect();
    let b = vec![1.0f32; 37];
    for_each_set(|k| {
        // Σ i for i < 37.
        assert_eq!((k.dot)(&a, &b), -666.0);
        // (0-1)² + Σ j² for j < 36 = 1 + 35·36·71/6.
        assert_eq!((k.l2_squared)(&a, &b), 14911.0);
        // |0-1| + Σ j for j < 36.
        assert_eq!((k.manhattan)(&a, &b), 631.0);
        // Only position 1 holds equal values.
        assert_eq!((k.hamming)(&a, &b), 36.0);
    });
}

#[test]
fn cosine_is_one_minus_cos_of_normalised_vectors() {
    let norm = |v: &[f32]| {
        let mut v = v.to_vec();
        normalize(&mut v);
        v
    };
    let (a, b) = (norm(&[3.0, 4.0]), norm(&[4.0, 3.0]));
    for_each_set(|k| {
        assert!(close((k.cosine)(&a, &b), 1.0 - 0.96));
        assert!(close((k.cosine)(&a, &a), 0.0));
        assert!(close((k.cosine)(&a, &norm(&[-4.0, 3.0])), 1.0));
        assert!(close((k.cosine)(&a, &norm(&[-3.0, -4.0])), 2.0));
    });
}

#[test]
fn hamming_follows_ieee_equality() {
    let a = [0.0, 1.0, 2.5, -7.0, 0.0, 3.0, 3.0, 3.0, 9.0];
    let b = [-0.0, 1.0, 2.0, -7.0, 1.0, 3.0, 3.0, 3.0, 9.5];
    for_each_set(|k| assert_eq!((k.hamming)(&a, &b), 3.0));
}

#[test]
fn dispatched_functions_agree_with_the_selected_set() {
    let (a, b) = ([1.0, -2.0, 0.5], [0.0, 2.0, 4.0]);
    assert_eq!(distance(Distance::Dot, &a, &b), -(-4.0 + 2.0));
    assert_eq!(distance(Distance::L2Squared, &a, &b), 1.0 + 16.0 + 12.25);
    assert_eq!(distance(Distance::Manhattan, &a, &b), 1.0 + 4.0 + 3.5);
    assert_eq!(distance(Distance::Hamming, &a, &b), 3.0);
    assert_eq!(kernel(Distance::Cosine)(&a, &a), 1.0 - 5.25);
    assert!(["avx512f", "avx2+fma", "neon", "scalar"].contains(&simd_level()));
}

#[test]
#[should_panic(expected = "different lengths")]
fn kernels_reject_different_lengths() {
    distance(Distance::L2Squared, &[1.0, 2.0], &[1.0]);
}

#[test]
fn normalize_scales_to_unit_length() {
    let mut v = [3.0, 0.0, 4.0];
    normalize(&mut v);
    assert_eq!(v, [0.6, 0.0, 0.8]);
}

#[test]
fn normalize_keeps_zero_vectors_and_survives_large_values() {
    let mut zero = [0.0; 4];
    normalize(&mut zero);
    assert_eq!(zero, [0.0; 4]);

    // The squares overflow f32; the f64 accumulation must not.
    let mut big = [3e30, 4e30];
    normalize(&mut big);
    assert!(close(big[0], 0.6) && close(big[1], 0.8), "{big:?}");
}

/// A component: mostly moderate values, with small ones and both zeros mixed in.
fn component() -> impl Strategy<Value = f32> {
    prop_oneof![
        4 => -1e3f32..1e3f32,
        2 => -1f32..1f32,
        1 => Just(0.0f32),
        1 => Just(-0.0f32),
    ]
}

/// Two vectors of a random length in 1..300 sharing some components, so that hamming sees both
/// equal and unequal positions and l2/manhattan see exact zeros.
fn vector_pair() -> impl Strategy<Value = (Vec<f32>, Vec<f32>)> {
    (1usize..300).prop_flat_map(|n| {
        let parts = (
            prop::collection::vec(component(), n),
            prop::collection::vec(component(), n),
            prop::collection::vec(any::<bool>(), n),
        );
        parts.prop_map(|(a, mut b, share)| {
            for ((bi, ai), s) in b.iter_mut().zip(&a).zip(share) {
                if s {
                    *bi = *ai;
                }
            }
            (a, b)
        })
    })
}

/// The forward error bound of summing `n` rounded terms in any order is about
/// `n·ε·Σ|term|`; two summations may each be off by that much, in opposite directions.
fn tolerance(n: usize, magnitude: f64) -> f32 {
    (2.0 * (n as f64 + 2.0) * f64::from(f32::EPSILON) * magnitude) as f32
}

fn sum_abs(a: &[f32], b: &[f32], term: impl Fn(f64, f64) -> f64) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| term(f64::from(x), f64::from(y)).abs())
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn simd_kernels_match_scalar((a, b) in vector_pair()) {
        let n = a.len();
        let reference = scalar::KERNELS;
        let products = sum_abs(&a, &b, |x, y| x * y);
        let squares = sum_abs(&a, &b, |x, y| (x - y) * (x - y));
        let diffs = sum_abs(&a, &b, |x, y| x - y);
        for set in available_kernels() {
            let checks = [
                ("cosine", set.cosine, reference.cosine, 1.0 + products),
                ("dot", set.dot, reference.dot, products),
                ("l2-squared", set.l2_squared, reference.l2_squared, squares),
                ("manhattan", set.manhattan, reference.manhattan, diffs),
            ];
            for (metric, simd, scalar, magnitude) in checks {
                let (got, want) = (simd(&a, &b), scalar(&a, &b));
                prop_assert!(
                    (got - want).abs() <= tolerance(n, magnitude),
                    "{} {metric} n={n}: {got} vs scalar {want}", set.name
                );
            }
            prop_assert_eq!((set.hamming)(&a, &b), (reference.hamming)(&a, &b));
        }
    }

    #[test]
    fn normalised_vectors_have_unit_norm(v in prop::collection::vec(-1e3f32..1e3f32, 1..300)) {
        let mut v = v;
        normalize(&mut v);
        let norm: f64 = v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt();
        prop_assert!(norm == 0.0 || (norm - 1.0).abs() < 1e-5, "norm {norm}");
    }
}

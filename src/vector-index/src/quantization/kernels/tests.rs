//! Hand-computed values and property tests pinning every code kernel this CPU runs to the
//! scalar reference, for every length including those that are not a multiple of a lane width.

use proptest::prelude::*;

use super::{dot_kernels, hamming_kernels, planes_kernels, scalar, selected};

#[test]
fn hamming_counts_differing_bits() {
    for (name, kernel) in hamming_kernels() {
        assert_eq!(kernel(&[], &[]), 0, "{name}");
        assert_eq!(kernel(&[0b1011], &[0b0110]), 3, "{name}");
        let ones = vec![u64::MAX; 19];
        let zeros = vec![0; 19];
        assert_eq!(kernel(&ones, &zeros), 19 * 64, "{name}");
        assert_eq!(kernel(&ones, &ones), 0, "{name}");
    }
}

#[test]
fn dot_u8_is_exact_at_the_extremes() {
    for (name, kernel) in dot_kernels() {
        assert_eq!(kernel(&[], &[]), 0, "{name}");
        assert_eq!(kernel(&[1, 2, 3], &[4, 5, 6]), 32, "{name}");
        // Long enough to cross several flushes of the 32-bit lanes.
        let max = vec![255u8; 70_001];
        assert_eq!(kernel(&max, &max), 70_001 * 65_025, "{name}");
        // The VNNI kernel biases one side by -128: both ends of that side must stay exact.
        let zeros = vec![0u8; 70_001];
        assert_eq!(kernel(&max, &zeros), 0, "{name}");
        assert_eq!(kernel(&zeros, &max), 0, "{name}");
    }
}

#[test]
fn planes_weigh_each_plane_by_its_bit() {
    for (name, kernel) in planes_kernels() {
        assert_eq!(kernel(&[], &[]), (0, 0), "{name}");
        // u = [1, 2, 4, 8, 15] in bits 0..5, b selects bits 0, 3 and 4.
        let planes = [0b10001, 0b10010, 0b10100, 0b11000];
        assert_eq!(kernel(&planes, &[0b11001]), (1 + 8 + 15, 3), "{name}");
        let full = vec![u64::MAX; 4 * 19];
        let b = vec![u64::MAX; 19];
        assert_eq!(kernel(&full, &b), (15 * 64 * 19, 64 * 19), "{name}");
    }
}

#[test]
fn the_fastest_kernels_are_selected() {
    let k = selected();
    assert_eq!(k.hamming.0, hamming_kernels().last().unwrap().0);
    assert_eq!(k.dot_u8.0, dot_kernels().last().unwrap().0);
    assert_eq!(k.planes.0, planes_kernels().last().unwrap().0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn hamming_kernels_match_scalar(
        pair in (0usize..70).prop_flat_map(|n| (
            prop::collection::vec(any::<u64>(), n),
            prop::collection::vec(any::<u64>(), n),
        ))
    ) {
        let (a, b) = pair;
        let want = scalar::hamming(&a, &b);
        for (name, kernel) in hamming_kernels() {
            prop_assert_eq!(kernel(&a, &b), want, "{} n={}", name, a.len());
        }
    }

    #[test]
    fn dot_kernels_match_scalar(
        pair in (0usize..400).prop_flat_map(|n| (
            prop::collection::vec(any::<u8>(), n),
            prop::collection::vec(any::<u8>(), n),
        ))
    ) {
        let (a, b) = pair;
        let want = scalar::dot_u8(&a, &b);
        for (name, kernel) in dot_kernels() {
            prop_assert_eq!(kernel(&a, &b), want, "{} n={}", name, a.len());
        }
    }

    #[test]
    fn planes_kernels_match_scalar(
        pair in (0usize..40).prop_flat_map(|n| (
            prop::collection::vec(any::<u64>(), 4 * n),
            prop::collection::vec(any::<u64>(), n),
        ))
    ) {
        let (planes, b) = pair;
        let want = scalar::planes(&planes, &b);
        for (name, kernel) in planes_kernels() {
            prop_assert_eq!(kernel(&planes, &b), want, "{} n={}", name, b.len());
        }
    }
}

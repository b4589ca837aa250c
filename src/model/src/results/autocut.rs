//! Autocut: keep results up to the N-th "jump" in their scores.
//!
//! Follows Weaviate 1.27's `entities/autocut/autocut.go`. The values are mapped onto the unit
//! square (first value at 0, last at 1, positions evenly spaced on x) and compared with the
//! diagonal; a jump is a local maximum of `normalised value - position`. The cut is placed
//! before the result that starts the N-th jump.
//!
//! Because the values are normalised by their first and last entry, the result is the same for
//! any affine rescaling with a non-zero factor: scores (descending), distances (ascending) and
//! negated distances all give the same cut. Weaviate passes raw distances for vector searches
//! and scores for bm25 and hybrid.

/// The number of leading results to keep out of `values` (best first), cutting after the
/// `cut_off`-th jump. `cut_off == 0` means autocut is off: everything is kept.
///
/// Arithmetic is in `f32` in Weaviate's order of operations, so borderline cases cut where
/// Weaviate cuts. Equal first and last values make every normalised value NaN (or infinite),
/// which finds no jump and keeps everything, as in Weaviate.
pub fn autocut(values: &[f32], cut_off: u32) -> usize {
    let n = values.len();
    if n <= 1 || cut_off == 0 {
        return n;
    }
    let step = 1.0f32 / (n as f32 - 1.0);
    let first = values[0];
    let span = values[n - 1] - first;
    let diff: Vec<f32> = values
        .iter()
        .enumerate()
        .map(|(i, y)| (y - first) / span - i as f32 * step)
        .collect();

    let mut jumps = 0u32;
    // Index 0 is skipped: the cut goes before the extremum, so the first result always stays.
    for i in 1..n {
        let is_peak = if i == n - 1 {
            // The last point has no successor; Weaviate compares it with its two predecessors
            // (with two values, diff is [0, 0] or NaN and never peaks, so i - 2 is not needed).
            i >= 2 && diff[i] > diff[i - 1] && diff[i] > diff[i - 2]
        } else {
            diff[i] > diff[i - 1] && diff[i] > diff[i + 1]
        };
        if is_peak {
            jumps += 1;
            if jumps >= cut_off {
                return i;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::autocut;

    /// The cases of Weaviate's `entities/autocut/autocut_test.go` (v1.27.0).
    #[test]
    fn weaviate_cases() {
        let cases: &[(&[f32], u32, usize)] = &[
            (&[], 1, 0),
            (&[2.0], 1, 1),
            (&[2.0, 1.95, 1.9, 0.2, 0.1, 0.1, -1.0], 1, 3),
            (&[2.0, 1.95, 1.9, 0.2, 0.1, 0.1, -2.0], 2, 6),
            (&[5.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0], 1, 1),
            (&[5.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0], 2, 5),
            (&[0.298, 0.260, 0.169, 0.108, 0.108, 0.104, 0.093], 1, 3),
            (&[0.5, 0.32, 0.31, 0.30, 0.29, 0.15], 1, 1),
            (&[0.5, 0.32, 0.31, 0.30, 0.29, 0.15, 0.15, 0.15], 2, 5),
            (&[1.0, 0.98, 0.95, 0.9, 0.88, 0.87, 0.80, 0.79], 1, 3),
            (&[1.0, 0.98, 0.95, 0.9, 0.88, 0.87, 0.80, 0.79], 2, 6),
            (&[1.0, 0.98, 0.95, 0.9, 0.88, 0.87, 0.80, 0.79], 3, 8),
            (
                &[0.586835, 0.5450372, 0.34137487, 0.30482167, 0.2753393],
                1,
                2,
            ),
            (&[0.36663342, 0.33818772, 0.045160502, 0.045160501], 1, 2),
        ];
        for (values, cut, want) in cases {
            assert_eq!(autocut(values, *cut), *want, "autocut({values:?}, {cut})");
        }
    }

    #[test]
    fn distances_and_negated_distances_cut_alike() {
        // Ascending distances with one clear jump after the third result.
        let distances = [0.10f32, 0.11, 0.12, 0.60, 0.61, 0.62];
        let negated: Vec<f32> = distances.iter().map(|d| -d).collect();
        assert_eq!(autocut(&distances, 1), 3);
        assert_eq!(autocut(&negated, 1), 3);
    }

    #[test]
    fn flat_or_tiny_inputs_keep_everything() {
        assert_eq!(autocut(&[0.5, 0.5, 0.5, 0.5], 1), 4);
        assert_eq!(autocut(&[0.9, 0.1], 1), 2);
        assert_eq!(autocut(&[0.9, 0.5, 0.1], 0), 3);
        // Same first and last value but a bump in between: still no cut (NaN/inf compare false).
        assert_eq!(autocut(&[1.0, 2.0, 1.0], 1), 3);
    }
}

//! One distance from several: how a search over several target vectors ranks each object from
//! its distance to every target (Weaviate's `targets.combination`; `usecases/traverser` and
//! `adapters/repos/db` combine them the same way). Lower is better, as for one target.

use crate::query::TargetCombination;

/// The combined distance of each candidate. `distances[i][t]` is candidate `i`'s distance to
/// target `targets[t]`; every candidate has one per target. `Err` names a target without a
/// weight where the combination needs weights.
pub fn combine(
    combination: &TargetCombination,
    targets: &[String],
    distances: &[Vec<f32>],
) -> Result<Vec<f32>, String> {
    let weights = |weights: &std::collections::BTreeMap<String, f32>| {
        targets
            .iter()
            .map(|t| {
                weights
                    .get(t)
                    .copied()
                    .ok_or_else(|| format!("no weight given for target vector '{t}'"))
            })
            .collect::<Result<Vec<f32>, String>>()
    };
    Ok(match combination {
        TargetCombination::Minimum => distances
            .iter()
            .map(|d| d.iter().copied().fold(f32::INFINITY, f32::min))
            .collect(),
        TargetCombination::Sum => distances.iter().map(|d| d.iter().sum()).collect(),
        TargetCombination::Average => distances
            .iter()
            .map(|d| d.iter().sum::<f32>() / d.len().max(1) as f32)
            .collect(),
        TargetCombination::Manual(w) => {
            let w = weights(w)?;
            distances.iter().map(|d| weighted(d, &w)).collect()
        }
        TargetCombination::RelativeScore(w) => {
            let w = weights(w)?;
            let scaled = scale_per_target(distances, targets.len());
            scaled.iter().map(|d| weighted(d, &w)).collect()
        }
    })
}

fn weighted(distances: &[f32], weights: &[f32]) -> f32 {
    distances.iter().zip(weights).map(|(d, w)| d * w).sum()
}

/// Each target's distances mapped to [0, 1] by min-max over the candidates (all 0 when they
/// are equal).
fn scale_per_target(distances: &[Vec<f32>], targets: usize) -> Vec<Vec<f32>> {
    let mut out = distances.to_vec();
    for t in 0..targets {
        let column = distances.iter().map(|d| d[t]);
        let (lo, hi) = column.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
        for row in &mut out {
            row[t] = if hi > lo {
                (row[t] - lo) / (hi - lo)
            } else {
                0.0
            };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn targets() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    const DISTANCES: [[f32; 2]; 3] = [[0.1, 0.9], [0.5, 0.5], [0.3, 0.1]];

    fn rows() -> Vec<Vec<f32>> {
        DISTANCES.iter().map(|r| r.to_vec()).collect()
    }

    fn weights(a: f32, b: f32) -> BTreeMap<String, f32> {
        BTreeMap::from([("a".into(), a), ("b".into(), b)])
    }

    fn close(got: Vec<f32>, want: &[f32]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "{got:?} != {want:?}");
        }
    }

    #[test]
    fn minimum_sum_and_average() {
        let t = targets();
        close(
            combine(&TargetCombination::Minimum, &t, &rows()).unwrap(),
            &[0.1, 0.5, 0.1],
        );
        close(
            combine(&TargetCombination::Sum, &t, &rows()).unwrap(),
            &[1.0, 1.0, 0.4],
        );
        close(
            combine(&TargetCombination::Average, &t, &rows()).unwrap(),
            &[0.5, 0.5, 0.2],
        );
    }

    #[test]
    fn manual_weights_each_target() {
        let got = combine(
            &TargetCombination::Manual(weights(2.0, 0.5)),
            &targets(),
            &rows(),
        );
        close(got.unwrap(), &[0.65, 1.25, 0.65]);
    }

    #[test]
    fn relative_score_scales_each_target_before_weighting() {
        // a: 0.1..0.5 -> 0, 1, 0.5; b: 0.1..0.9 -> 1, 0.5, 0.
        let got = combine(
            &TargetCombination::RelativeScore(weights(1.0, 1.0)),
            &targets(),
            &rows(),
        );
        close(got.unwrap(), &[1.0, 1.5, 0.5]);
        let equal = vec![vec![0.2, 0.2], vec![0.2, 0.2]];
        let got = combine(
            &TargetCombination::RelativeScore(weights(1.0, 1.0)),
            &targets(),
            &equal,
        );
        close(got.unwrap(), &[0.0, 0.0]);
    }

    #[test]
    fn a_missing_weight_is_named() {
        let only_a = BTreeMap::from([("a".to_string(), 1.0)]);
        let err = combine(&TargetCombination::Manual(only_a), &targets(), &rows()).unwrap_err();
        assert!(err.contains("'b'"), "{err}");
    }
}

//! Lloyd's k-means for one PQ segment, with faiss's practical choices: at most
//! [`MAX_POINTS_PER_CENTROID`] training points per centroid (a random subsample beyond that),
//! initial centroids drawn from the points, [`ITERATIONS`] rounds at most (fewer once no point
//! changes cluster), and an empty cluster refilled by splitting the largest one.

use super::super::Rng;
use super::{argmin, partials};

/// Rounds of assignment and update at most.
const ITERATIONS: usize = 25;
/// Training points per centroid at most; more barely moves the centroids and costs linearly.
const MAX_POINTS_PER_CENTROID: usize = 256;
/// Relative nudge that splits a cluster in two when a centroid lost all its points.
const SPLIT: f32 = 1.0 / 1024.0;

/// `k` centroids (`k × d` floats) of the `n × d` points in `data` (`n >= 1`). With fewer points
/// than centroids, points are repeated.
pub(super) fn kmeans(data: &[f32], d: usize, k: usize, seed: u64) -> Vec<f32> {
    let n = data.len() / d;
    let mut rng = Rng::new(seed);
    let points: Vec<&[f32]> = if n > k * MAX_POINTS_PER_CENTROID {
        rng.sample(n, k * MAX_POINTS_PER_CENTROID)
            .into_iter()
            .map(|i| &data[i * d..(i + 1) * d])
            .collect()
    } else {
        data.chunks_exact(d).collect()
    };
    let mut centroids = initial(&points, d, k, &mut rng);
    let mut assignment = vec![usize::MAX; points.len()];
    let mut transposed = vec![0.0; k * d];
    let mut dists = vec![0.0; k];
    let mut sums = vec![0.0f64; k * d];
    let mut counts = vec![0usize; k];
    for _ in 0..ITERATIONS {
        transpose(&centroids, d, k, &mut transposed);
        let mut changed = 0;
        for (p, slot) in points.iter().zip(assignment.iter_mut()) {
            partials(p, &transposed, k, true, &mut dists);
            let c = argmin(&dists);
            changed += usize::from(*slot != c);
            *slot = c;
        }
        if changed == 0 {
            break;
        }
        sums.fill(0.0);
        counts.fill(0);
        for (p, &c) in points.iter().zip(&assignment) {
            counts[c] += 1;
            for (s, &x) in sums[c * d..(c + 1) * d].iter_mut().zip(p.iter()) {
                *s += f64::from(x);
            }
        }
        for c in 0..k {
            if counts[c] > 0 {
                let inv = 1.0 / counts[c] as f64;
                for j in 0..d {
                    centroids[c * d + j] = (sums[c * d + j] * inv) as f32;
                }
            }
        }
        split_empty(&mut centroids, &mut counts, d);
    }
    centroids
}

/// `k` distinct points drawn at random (repeating points when there are fewer than `k`).
fn initial(points: &[&[f32]], d: usize, k: usize, rng: &mut Rng) -> Vec<f32> {
    let picked = rng.sample(points.len(), k);
    let mut centroids = Vec::with_capacity(k * d);
    for i in 0..k {
        let p = if picked.len() == k {
            picked[i]
        } else {
            i % points.len()
        };
        centroids.extend_from_slice(points[p]);
    }
    centroids
}

/// Gives every empty cluster half of the largest one: both centroids move a little apart
/// from the old one, and the next assignment splits its points between them.
fn split_empty(centroids: &mut [f32], counts: &mut [usize], d: usize) {
    for empty in 0..counts.len() {
        if counts[empty] > 0 {
            continue;
        }
        let Some(big) = (0..counts.len()).max_by_key(|&c| counts[c]) else {
            return;
        };
        if counts[big] < 2 {
            return;
        }
        for j in 0..d {
            let x = centroids[big * d + j];
            let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
            centroids[empty * d + j] = x * (1.0 + sign * SPLIT);
            centroids[big * d + j] = x * (1.0 - sign * SPLIT);
        }
        counts[empty] = counts[big] / 2;
        counts[big] -= counts[empty];
    }
}

/// `centroids` (`k × d`) as `d × k`.
fn transpose(centroids: &[f32], d: usize, k: usize, out: &mut [f32]) {
    for c in 0..k {
        for j in 0..d {
            out[j * k + c] = centroids[c * d + j];
        }
    }
}

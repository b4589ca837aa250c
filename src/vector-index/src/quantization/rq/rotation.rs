//! A fast pseudo-random rotation: the vector is zero-padded to a power of two `P`, then three
//! rounds each flip the signs of a seeded random subset of components and apply the
//! normalised Walsh–Hadamard transform (`H / √P`, orthogonal). The product is orthogonal, so
//! norms and dot products are kept, while any fixed vector's energy is spread evenly over the
//! coordinates, which is what makes a uniform per-coordinate quantizer work. `O(P log P)` per
//! vector; the seed alone rebuilds it.

use super::super::Rng;

/// Rounds of sign flip and transform; three spread a vector's energy well enough for 8-bit
/// and 1-bit codes (Weaviate uses three as well).
const ROUNDS: usize = 3;
/// The smallest padded length: a whole word of 1-bit codes.
const MIN_PADDED: usize = 64;

/// A seeded rotation of `dim`-vectors into `padded` dimensions.
pub(crate) struct Rotation {
    padded: usize,
    /// `ROUNDS × padded` factors of ±1.
    signs: Vec<f32>,
}

impl Rotation {
    pub(crate) fn new(dim: usize, seed: u64) -> Rotation {
        let padded = dim.max(MIN_PADDED).next_power_of_two();
        let mut rng = Rng::new(seed);
        let signs = (0..ROUNDS * padded)
            .map(|_| if rng.next_u64() >> 63 == 0 { 1.0 } else { -1.0 })
            .collect();
        Rotation { padded, signs }
    }

    /// The rotated length.
    pub(crate) fn padded(&self) -> usize {
        self.padded
    }

    pub(crate) fn bytes(&self) -> usize {
        self.signs.capacity() * std::mem::size_of::<f32>()
    }

    /// Rotates `x` into `out` (resized to [`Rotation::padded`]).
    pub(crate) fn apply(&self, x: &[f32], out: &mut Vec<f32>) {
        let p = self.padded;
        out.clear();
        out.extend_from_slice(&x[..x.len().min(p)]);
        out.resize(p, 0.0);
        let scale = 1.0 / (p as f32).sqrt();
        for round in self.signs.chunks_exact(p) {
            for (v, &s) in out.iter_mut().zip(round) {
                *v *= s;
            }
            walsh_hadamard(out);
            for v in out.iter_mut() {
                *v *= scale;
            }
        }
    }
}

/// The unnormalised fast Walsh–Hadamard transform in place; `v.len()` is a power of two.
fn walsh_hadamard(v: &mut [f32]) {
    let n = v.len();
    let mut h = 1;
    while h < n {
        for block in v.chunks_exact_mut(2 * h) {
            let (left, right) = block.split_at_mut(h);
            for (a, b) in left.iter_mut().zip(right.iter_mut()) {
                let (x, y) = (*a, *b);
                *a = x + y;
                *b = x - y;
            }
        }
        h *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_norms_and_dot_products() {
        let r = Rotation::new(100, 7);
        assert_eq!(r.padded(), 128);
        let x: Vec<f32> = (0..100).map(|i| (i as f32 * 0.37).sin()).collect();
        let y: Vec<f32> = (0..100).map(|i| (i as f32 * 0.11).cos()).collect();
        let (mut rx, mut ry) = (Vec::new(), Vec::new());
        r.apply(&x, &mut rx);
        r.apply(&y, &mut ry);
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f32>();
        assert!((dot(&rx, &ry) - dot(&x, &y)).abs() < 1e-3);
        assert!((dot(&rx, &rx) - dot(&x, &x)).abs() < 1e-3);
    }

    #[test]
    fn the_seed_determines_the_rotation() {
        let x = [1.0, 0.0, 0.0, 2.0];
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        Rotation::new(4, 1).apply(&x, &mut a);
        Rotation::new(4, 1).apply(&x, &mut b);
        Rotation::new(4, 2).apply(&x, &mut c);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}

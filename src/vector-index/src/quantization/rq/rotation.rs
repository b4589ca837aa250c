//! A fast pseudo-random rotation: the vector is zero-padded to `P` dimensions, then three
//! rounds each flip the signs of a seeded random subset of components and apply normalised
//! Walsh–Hadamard transforms (`H / √B`, orthogonal). Every step is orthogonal, so norms and dot
//! products are kept, while any fixed vector's energy is spread evenly over the coordinates,
//! which is what makes a uniform per-coordinate quantizer work. `O(P log B)` per vector; the
//! seed and the [`Layout`] alone rebuild it.
//!
//! [`Layout::Blocks`] pads only to a multiple of 64 (1536 stays 1536, where a power of two
//! would store 2048 coordinates per code) and transforms blocks of `B` = 64, 128 or 256
//! coordinates; a seeded permutation before each round moves coordinates between blocks, so
//! that three rounds still spread a vector over all of them. [`Layout::PowerOfTwo`] is the
//! first format (one transform over the whole padded vector), kept to read codes made with it.

use super::super::Rng;

/// Rounds of sign flip and transform; three spread a vector's energy well enough for 8-bit
/// and 1-bit codes (Weaviate uses three as well).
const ROUNDS: usize = 3;
/// The smallest padded length, and the unit of [`Layout::Blocks`]: a whole word of 1-bit codes.
const MIN_PADDED: usize = 64;
/// The largest transform block of [`Layout::Blocks`].
const MAX_BLOCK: usize = 256;

/// How a rotation pads and transforms; persisted with the codes it made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Padded to the next power of two, one transform over the whole vector.
    PowerOfTwo,
    /// Padded to a multiple of 64, permuted and transformed in blocks.
    Blocks,
}

/// A seeded rotation of `dim`-vectors into `padded` dimensions. Its state is kept compact (a
/// bit per sign, two bytes per permuted position below 65,536 coordinates): it is paid per
/// index, and a node may hold thousands of tenants' indexes.
pub(crate) struct Rotation {
    padded: usize,
    /// Coordinates per transform.
    block: usize,
    /// `ROUNDS × padded` sign bits, set where the factor is -1.
    signs: Vec<u64>,
    /// `ROUNDS × padded` source positions, one permutation per round; empty for
    /// [`Layout::PowerOfTwo`].
    perms: Perms,
}

/// Source positions, in the narrowest integers that hold them.
enum Perms {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Perms {
    fn of(positions: Vec<u32>, padded: usize) -> Perms {
        if padded <= usize::from(u16::MAX) + 1 {
            Perms::Narrow(positions.into_iter().map(|i| i as u16).collect())
        } else {
            Perms::Wide(positions)
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Perms::Narrow(v) => v.is_empty(),
            Perms::Wide(v) => v.is_empty(),
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Perms::Narrow(v) => v.capacity() * std::mem::size_of::<u16>(),
            Perms::Wide(v) => v.capacity() * std::mem::size_of::<u32>(),
        }
    }

    /// `out[i] = from[perm[i]]` with the permutation of `round` (`from.len()` positions).
    fn gather(&self, round: usize, from: &[f32], out: &mut Vec<f32>) {
        let p = from.len();
        out.clear();
        match self {
            Perms::Narrow(v) => out.extend(
                v[round * p..(round + 1) * p]
                    .iter()
                    .map(|&i| from[usize::from(i)]),
            ),
            Perms::Wide(v) => out.extend(
                v[round * p..(round + 1) * p]
                    .iter()
                    .map(|&i| from[i as usize]),
            ),
        }
    }
}

impl Rotation {
    pub(crate) fn with_layout(dim: usize, seed: u64, layout: Layout) -> Rotation {
        let dim = dim.max(MIN_PADDED);
        let (padded, block) = match layout {
            Layout::PowerOfTwo => {
                let p = dim.next_power_of_two();
                (p, p)
            }
            Layout::Blocks => {
                let p = dim.div_ceil(MIN_PADDED) * MIN_PADDED;
                let block = [MAX_BLOCK, 128, MIN_PADDED]
                    .into_iter()
                    .find(|b| p.is_multiple_of(*b))
                    .unwrap_or(MIN_PADDED);
                (p, block)
            }
        };
        let mut rng = Rng::new(seed);
        let mut signs = vec![0u64; (ROUNDS * padded).div_ceil(64)];
        for i in 0..ROUNDS * padded {
            signs[i / 64] |= (rng.next_u64() >> 63) << (i % 64);
        }
        let perms = match layout {
            Layout::PowerOfTwo => Perms::Wide(Vec::new()),
            Layout::Blocks => Perms::of(
                (0..ROUNDS)
                    .flat_map(|_| shuffled(padded, &mut rng))
                    .collect(),
                padded,
            ),
        };
        Rotation {
            padded,
            block,
            signs,
            perms,
        }
    }

    /// The layout, for persistence.
    pub(crate) fn layout(&self) -> Layout {
        if self.perms.is_empty() {
            Layout::PowerOfTwo
        } else {
            Layout::Blocks
        }
    }

    /// The rotated length.
    pub(crate) fn padded(&self) -> usize {
        self.padded
    }

    pub(crate) fn bytes(&self) -> usize {
        self.signs.capacity() * std::mem::size_of::<u64>() + self.perms.bytes()
    }

    /// Rotates `x` into `out` (resized to [`Rotation::padded`]).
    pub(crate) fn apply(&self, x: &[f32], out: &mut Vec<f32>) {
        let p = self.padded;
        out.clear();
        out.extend_from_slice(&x[..x.len().min(p)]);
        out.resize(p, 0.0);
        let scale = 1.0 / (self.block as f32).sqrt();
        let mut moved = Vec::new();
        for round in 0..ROUNDS {
            if !self.perms.is_empty() {
                self.perms.gather(round, out, &mut moved);
                std::mem::swap(out, &mut moved);
            }
            for (i, v) in out.iter_mut().enumerate() {
                let bit = round * p + i;
                let negate = (self.signs[bit / 64] >> (bit % 64)) as u32 & 1;
                *v = f32::from_bits(v.to_bits() ^ (negate << 31));
            }
            for block in out.chunks_exact_mut(self.block) {
                walsh_hadamard(block);
            }
            for v in out.iter_mut() {
                *v *= scale;
            }
        }
    }
}

/// A seeded random permutation of `0..n` (Fisher–Yates).
fn shuffled(n: usize, rng: &mut Rng) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
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
        for (dim, layout, padded) in [
            (100, Layout::PowerOfTwo, 128),
            (100, Layout::Blocks, 128),
            (1536, Layout::Blocks, 1536),
            (1536, Layout::PowerOfTwo, 2048),
            (200, Layout::Blocks, 256),
            (320, Layout::Blocks, 320),
        ] {
            let r = Rotation::with_layout(dim, 7, layout);
            assert_eq!(r.padded(), padded, "{dim} {layout:?}");
            assert_eq!(r.layout(), layout);
            let x: Vec<f32> = (0..dim).map(|i| (i as f32 * 0.37).sin()).collect();
            let y: Vec<f32> = (0..dim).map(|i| (i as f32 * 0.11).cos()).collect();
            let (mut rx, mut ry) = (Vec::new(), Vec::new());
            r.apply(&x, &mut rx);
            r.apply(&y, &mut ry);
            let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f32>();
            let tolerance = 1e-5 * dim as f32;
            assert!(
                (dot(&rx, &ry) - dot(&x, &y)).abs() < tolerance,
                "{dim} {layout:?}"
            );
            assert!(
                (dot(&rx, &rx) - dot(&x, &x)).abs() < tolerance,
                "{dim} {layout:?}"
            );
        }
    }

    /// A one-hot vector is spread over every block: no coordinate keeps more than a small
    /// share of its energy, which is what the quantizers rely on.
    #[test]
    fn blocks_spread_a_spike_over_all_coordinates() {
        let r = Rotation::with_layout(1536, 3, Layout::Blocks);
        let mut x = vec![0.0; 1536];
        x[5] = 1.0;
        let mut out = Vec::new();
        r.apply(&x, &mut out);
        let largest = out.iter().map(|v| v * v).fold(0.0f32, f32::max);
        assert!(largest < 0.01, "largest share {largest}");
        let reached = out.iter().filter(|v| v.abs() > 1e-6).count();
        assert!(reached > 1500, "{reached} coordinates reached");
    }

    /// The rotation as first written: a float ±1 per sign and `u32` positions. The compact
    /// state must rotate bit for bit the same, or stored codes would stop matching queries.
    fn reference_apply(dim: usize, seed: u64, layout: Layout, x: &[f32]) -> Vec<f32> {
        let r = Rotation::with_layout(dim, seed, layout);
        let (p, block) = (r.padded(), r.block);
        let mut rng = Rng::new(seed);
        let signs: Vec<f32> = (0..ROUNDS * p)
            .map(|_| if rng.next_u64() >> 63 == 0 { 1.0 } else { -1.0 })
            .collect();
        let perms: Vec<u32> = match layout {
            Layout::PowerOfTwo => Vec::new(),
            Layout::Blocks => (0..ROUNDS).flat_map(|_| shuffled(p, &mut rng)).collect(),
        };
        let mut out = x.to_vec();
        out.resize(p, 0.0);
        for round in 0..ROUNDS {
            if let Some(perm) = perms.get(round * p..(round + 1) * p) {
                out = perm.iter().map(|&i| out[i as usize]).collect();
            }
            for (v, s) in out.iter_mut().zip(&signs[round * p..]) {
                *v *= s;
            }
            for b in out.chunks_exact_mut(block) {
                walsh_hadamard(b);
            }
            for v in out.iter_mut() {
                *v *= 1.0 / (block as f32).sqrt();
            }
        }
        out
    }

    #[test]
    fn compact_state_rotates_exactly_as_the_reference() {
        for (dim, layout) in [
            (100, Layout::PowerOfTwo),
            (100, Layout::Blocks),
            (1536, Layout::Blocks),
            (70_000, Layout::Blocks),
        ] {
            let x: Vec<f32> = (0..dim).map(|i| (i as f32 * 0.37).sin()).collect();
            let mut got = Vec::new();
            Rotation::with_layout(dim, 9, layout).apply(&x, &mut got);
            assert_eq!(got, reference_apply(dim, 9, layout, &x), "{dim} {layout:?}");
        }
    }

    #[test]
    fn the_seed_determines_the_rotation() {
        let x = [1.0, 0.0, 0.0, 2.0];
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        Rotation::with_layout(4, 1, Layout::Blocks).apply(&x, &mut a);
        Rotation::with_layout(4, 1, Layout::Blocks).apply(&x, &mut b);
        Rotation::with_layout(4, 2, Layout::Blocks).apply(&x, &mut c);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}

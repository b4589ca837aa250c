//! A fixed HNSW workload for instruction counting (`valgrind --tool=callgrind`): 20,000
//! Gaussian vectors of 128 floats inserted one by one (a reproducible graph), then 2,000
//! searches for the 10 nearest with `ef` 64. Prints a checksum of the results.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shoal_vector_index::{HnswIndex, HnswParams};
use types::schema::Distance;

const N: usize = 20_000;
const DIM: usize = 128;
const QUERIES: usize = 2_000;

fn gaussian(rng: &mut StdRng) -> f32 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
}

fn vectors(n: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| (0..DIM).map(|_| gaussian(&mut rng)).collect())
        .collect()
}

#[inline(never)]
fn build(data: &[Vec<f32>]) -> HnswIndex {
    let params = HnswParams {
        max_connections: 16,
        ef_construction: 64,
        ..HnswParams::default()
    };
    let index = HnswIndex::new(Distance::L2Squared, params);
    for (i, v) in data.iter().enumerate() {
        index.insert(i as u32, v).expect("insert");
    }
    index
}

#[inline(never)]
fn search_all(index: &HnswIndex, queries: &[Vec<f32>]) -> u64 {
    let mut sum = 0u64;
    for q in queries {
        for (id, _) in index.search_with_ef(q, 10, 64, None).expect("search") {
            sum = sum.wrapping_mul(31).wrapping_add(u64::from(id));
        }
    }
    sum
}

fn main() {
    let index = build(&vectors(N, 1));
    let sum = search_all(&index, &vectors(QUERIES, 2));
    println!("checksum {sum}");
}

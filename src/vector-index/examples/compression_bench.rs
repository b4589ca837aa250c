//! Measures vector compression in Shoal's HNSW index on synthetic data: for no compression,
//! PQ (two segment counts), BQ, SQ, RQ-8 and RQ-1, the recall@10 after rescoring against exact
//! brute force, single-threaded QPS, index memory per vector and the time to train and encode.
//!
//! ```sh
//! cargo run --release -p shoal-vector-index --example compression_bench -- \
//!     [--n 20000] [--dim 128] [--queries 200] [--data random|clustered|both]
//! ```
//!
//! - One graph is built per dataset (all cores, uncompressed, `M = 16`, `efConstruction =
//!   128`), snapshotted, and restored for every setting, so all settings search the same
//!   graph; each compressed copy is then compressed in place with a loader, as a shard does
//!   when a schema update turns compression on, so it keeps no full vectors in memory.
//! - The loader reads from an in-memory table: QPS leaves out the cost of reading vectors
//!   from disk for rescoring, which a shard pays (`rescoreLimit` reads per query).
//! - Queries: one thread, `search(k = 10)` with the default dynamic `ef`, the fastest of three
//!   passes after one untimed warm-up pass. Memory: `memory_bytes() / n`.
//!
//! No number is asserted; this program only prints.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, bail, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shoal_vector_index::quantization::code_kernel_names;
use shoal_vector_index::{
    distance, BqParams, Compression, FlatIndex, HnswIndex, HnswParams, PqParams, RqParams,
    SqParams, VectorLoader,
};
use types::schema::Distance;

const K: usize = 10;
const REPEAT: usize = 3;

struct Args {
    n: usize,
    dim: usize,
    queries: usize,
    data: Vec<&'static str>,
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let (hamming, dot) = code_kernel_names();
    println!(
        "kernels: float {}, hamming {hamming}, bytes {dot}; n {}, dim {}, {} queries, k {K}",
        distance::simd_level(),
        args.n,
        args.dim,
        args.queries
    );
    for data in &args.data {
        run(&args, data)?;
    }
    Ok(())
}

fn run(args: &Args, data: &str) -> Result<()> {
    let metric = Distance::Cosine;
    let vectors = match data {
        "clustered" => clustered(args.n + args.queries, args.dim, 100, 7),
        _ => gaussian(args.n + args.queries, args.dim, 7),
    };
    let (base, queries) = vectors.split_at(args.n);
    let items: Vec<(u32, Vec<f32>)> = base
        .iter()
        .enumerate()
        .map(|(i, v)| Ok((u32::try_from(i)?, v.clone())))
        .collect::<Result<_>>()?;
    let truth = exact_top(metric, &items, queries)?;

    let params = HnswParams {
        max_connections: 16,
        ef_construction: 128,
        ..HnswParams::default()
    };
    let start = Instant::now();
    let graph = HnswIndex::new(metric, params);
    graph
        .insert_batch(&items)
        .map_err(|e| anyhow!("build: {e}"))?;
    eprintln!(
        "{data}: graph built in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let mut snapshot = Vec::new();
    graph.write_graph(&mut snapshot)?;
    drop(graph);

    let table: Arc<Vec<Vec<f32>>> = Arc::new(base.to_vec());
    let loader: VectorLoader = {
        let table = Arc::clone(&table);
        Arc::new(move |id| table.get(id as usize).cloned())
    };
    println!("\n{data} data ({metric:?})");
    println!(
        "{:<26} {:>9} {:>9} {:>12} {:>12}",
        "setting", "recall@10", "QPS", "bytes/vector", "compress s"
    );
    for (name, compression) in settings() {
        let (index, _) = HnswIndex::read_graph(metric, params, &mut &snapshot[..], &mut |sink| {
            for (id, v) in &items {
                sink(*id, v);
            }
        })
        .map_err(|e| anyhow!("restore: {e}"))?;
        let start = Instant::now();
        if !compression.is_none() {
            index
                .compress(compression, Some(Arc::clone(&loader)))
                .map_err(|e| anyhow!("{name}: {e}"))?;
        }
        let compress_seconds = start.elapsed().as_secs_f64();
        let (recall, qps) = measure(&index, queries, &truth)?;
        println!(
            "{name:<26} {recall:>9.4} {qps:>9.0} {:>12.1} {:>12}",
            index.memory_bytes() as f64 / args.n as f64,
            if compression.is_none() {
                "-".to_string()
            } else {
                format!("{compress_seconds:.2}")
            }
        );
    }
    Ok(())
}

fn settings() -> Vec<(&'static str, Compression)> {
    vec![
        ("none", Compression::None),
        (
            "pq segments=32",
            Compression::Pq(PqParams {
                segments: 32,
                ..PqParams::default()
            }),
        ),
        (
            "pq segments=64 (default)",
            Compression::Pq(PqParams::default()),
        ),
        ("bq", Compression::Bq(BqParams::default())),
        ("sq", Compression::Sq(SqParams::default())),
        ("rq bits=8", Compression::Rq(RqParams::default())),
        ("rq bits=1", Compression::Rq(RqParams::one_bit())),
    ]
}

/// Recall@10 against `truth` and the best single-threaded QPS of [`REPEAT`] passes.
fn measure(index: &HnswIndex, queries: &[Vec<f32>], truth: &[Vec<u32>]) -> Result<(f64, f64)> {
    let search = |q: &Vec<f32>| index.search(q, K, None).map_err(|e| anyhow!("search: {e}"));
    for q in queries {
        search(q)?;
    }
    let mut best = f64::INFINITY;
    let mut results = Vec::new();
    for _ in 0..REPEAT {
        let start = Instant::now();
        results = queries.iter().map(search).collect::<Result<Vec<_>>>()?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    let found: usize = results
        .iter()
        .zip(truth)
        .map(|(got, want)| got.iter().filter(|h| want.contains(&h.0)).count())
        .sum();
    let recall = found as f64 / (truth.len() * K) as f64;
    Ok((recall, queries.len() as f64 / best))
}

/// The exact top-10 ids of every query, by brute force.
fn exact_top(
    metric: Distance,
    items: &[(u32, Vec<f32>)],
    queries: &[Vec<f32>],
) -> Result<Vec<Vec<u32>>> {
    let flat = FlatIndex::new(metric);
    for (id, v) in items {
        flat.insert(*id, v).map_err(|e| anyhow!("flat: {e}"))?;
    }
    queries
        .iter()
        .map(|q| {
            let hits = flat.search(q, K, None).map_err(|e| anyhow!("flat: {e}"))?;
            Ok(hits.into_iter().map(|h| h.0).collect())
        })
        .collect()
}

fn normal(rng: &mut StdRng) -> f32 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
}

fn gaussian(n: usize, dim: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| (0..dim).map(|_| normal(&mut rng)).collect())
        .collect()
}

/// Points around `clusters` random centres (spread 3, noise 0.5), in random order.
fn clustered(n: usize, dim: usize, clusters: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let centres = gaussian(clusters, dim, seed ^ 0xC1);
    (0..n)
        .map(|_| {
            let c = &centres[rng.gen_range(0..clusters)];
            c.iter()
                .map(|&x| 3.0 * x + 0.5 * normal(&mut rng))
                .collect()
        })
        .collect()
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        n: 20_000,
        dim: 128,
        queries: 200,
        data: vec!["random", "clustered"],
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--n" => args.n = value.parse()?,
            "--dim" => args.dim = value.parse()?,
            "--queries" => args.queries = value.parse()?,
            "--data" => {
                args.data = match value.as_str() {
                    "random" => vec!["random"],
                    "clustered" => vec!["clustered"],
                    "both" => vec!["random", "clustered"],
                    other => bail!("--data {other}: random, clustered or both"),
                }
            }
            other => bail!("unknown flag {other}"),
        }
    }
    Ok(args)
}

//! Measures vector compression in Shoal's HNSW index: for no compression, PQ (several segment
//! counts), BQ, SQ, RQ-8 and RQ-1, the recall@10 after rescoring against exact brute force,
//! single-threaded QPS, index memory per vector and the time to train and encode.
//!
//! ```sh
//! # synthetic data, a table on stdout
//! cargo run --profile ci -p shoal-vector-index --example compression_bench -- \
//!     [--n 20000] [--dim 128] [--queries 200] [--data random|clustered|both]
//! # a dataset prepared by bench/hnsw/prepare.py, one JSON line per setting on stdout
//! cargo run --profile ci -p shoal-vector-index --example compression_bench -- \
//!     --dataset DIR [--pq-segments 32,16] [--settings none,pq,bq,sq,rq8,rq1] [--repeat 3]
//! ```
//!
//! `bench/compression/run.sh` runs the dataset form next to faiss; see `bench/README.md`.
//!
//! - One graph is built per dataset (all cores, uncompressed, `M = 16`, `efConstruction =
//!   128`), snapshotted, and restored for every setting, so all settings search the same
//!   graph; each compressed copy is then compressed in place with a loader, as a shard does
//!   when a schema update turns compression on, so it keeps no full vectors in memory.
//! - The loader reads from an in-memory table: QPS leaves out the cost of reading vectors
//!   from disk for rescoring, which a shard pays (`rescoreLimit` reads per query).
//! - Queries: one thread, `search(k = 10)` with the default dynamic `ef` (100 for k = 10),
//!   the fastest of `--repeat` passes after one untimed warm-up pass. A compressed search
//!   collects `max(k, rescoreLimit, ef)` candidates by code distance and rescores all of them
//!   (PQ, BQ) or its best `rescoreLimit` (SQ, RQ), as Weaviate does, with Weaviate's default
//!   `rescoreLimit` per method; each JSON line says how many (`rescore_candidates`).
//! - Memory: `memory_bytes() / n` (codes, codebooks, links, metadata; full vectors only for
//!   `none`), and `compressed_bytes() / n` (codes and codebooks alone). Compress time: training (PQ, SQ) and encoding every vector, on all cores.
//!
//! No number is asserted; this program only prints.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use shoal_vector_index::quantization::code_kernel_names;
use shoal_vector_index::{
    distance, BqParams, Compression, FlatIndex, HnswIndex, HnswParams, PqParams, RqParams,
    SqParams, VectorLoader,
};
use types::schema::Distance;

mod bench_data;
use bench_data::{emit, numbered, read_dataset, recall_at_k, Dataset, K};

/// The setting names `--settings` picks from, in the order they run.
const SETTING_KEYS: [&str; 6] = ["none", "pq", "bq", "sq", "rq8", "rq1"];

struct Args {
    n: usize,
    dim: usize,
    queries: usize,
    data: Vec<&'static str>,
    dataset: Option<PathBuf>,
    pq_segments: Vec<usize>,
    settings: Vec<String>,
    repeat: usize,
}

/// One compression setting to measure.
struct Setting {
    name: String,
    key: &'static str,
    compression: Compression,
}

/// What one setting measured.
struct Measured {
    recall: f64,
    qps: f64,
    memory_bytes: usize,
    code_bytes: usize,
    compress_seconds: Option<f64>,
    rescore_candidates: usize,
}

/// The vectors one run measures: base items (id = row), queries and their exact top-10.
struct Workload<'a> {
    label: &'a str,
    metric: Distance,
    items: &'a [(u32, Vec<f32>)],
    queries: &'a [Vec<f32>],
    truth: &'a [Vec<u32>],
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let (hamming, dot, planes) = code_kernel_names();
    let kernels = format!(
        "float {}, hamming {hamming}, bytes {dot}, bit planes {planes}",
        distance::simd_level()
    );
    if let Some(dir) = &args.dataset {
        return run_dataset(&args, dir, &kernels);
    }
    println!(
        "kernels: {kernels}; n {}, dim {}, {} queries, k {K}",
        args.n, args.dim, args.queries
    );
    for data in &args.data {
        run_synthetic(&args, data)?;
    }
    Ok(())
}

/// A prepared dataset: one JSON line for the build and one per setting.
fn run_dataset(args: &Args, dir: &std::path::Path, kernels: &str) -> Result<()> {
    let Dataset {
        meta,
        base,
        queries,
        gt,
    } = read_dataset(dir)?;
    let items = numbered(base)?;
    let common = json!({"engine": "shoal", "dataset": meta.name, "m": 16, "ef_construction": 128});
    let settings = settings(&args.pq_segments, &args.settings, meta.dim)?;
    let workload = Workload {
        label: &meta.name,
        metric: meta.metric,
        items: &items,
        queries: &queries,
        truth: &gt,
    };
    measure_all(&workload, &settings, args.repeat, |record| {
        emit(&common, record);
    })?;
    emit(&common, json!({"kind": "kernels", "kernels": kernels}));
    Ok(())
}

/// Synthetic data, as a table on stdout.
fn run_synthetic(args: &Args, data: &str) -> Result<()> {
    let vectors = match data {
        "clustered" => clustered(args.n + args.queries, args.dim, 100, 7),
        _ => gaussian(args.n + args.queries, args.dim, 7),
    };
    let (base, queries) = vectors.split_at(args.n);
    let items = numbered(base.to_vec())?;
    let metric = Distance::Cosine;
    let truth = exact_top(metric, &items, queries)?;
    let settings = settings(&args.pq_segments, &args.settings, args.dim)?;
    println!("\n{data} data ({metric:?})");
    println!(
        "{:<26} {:>9} {:>9} {:>12} {:>12}",
        "setting", "recall@10", "QPS", "bytes/vector", "compress s"
    );
    let workload = Workload {
        label: data,
        metric,
        items: &items,
        queries,
        truth: &truth,
    };
    measure_all(&workload, &settings, args.repeat, |r| {
        if r["kind"] != "setting" {
            return;
        }
        println!(
            "{:<26} {:>9.4} {:>9.0} {:>12.1} {:>12}",
            r["setting"].as_str().unwrap_or("?"),
            r["recall"].as_f64().unwrap_or(f64::NAN),
            r["qps"].as_f64().unwrap_or(f64::NAN),
            r["bytes_per_vector"].as_f64().unwrap_or(f64::NAN),
            r["compress_seconds"]
                .as_f64()
                .map_or("-".to_string(), |s| format!("{s:.2}")),
        );
    })
}

/// Builds the graph once, then restores, compresses and queries it for every setting, handing
/// one record for the build and one per setting to `out`.
fn measure_all(
    w: &Workload<'_>,
    settings: &[Setting],
    repeat: usize,
    mut out: impl FnMut(Value),
) -> Result<()> {
    let n = w.items.len();
    let params = HnswParams {
        max_connections: 16,
        ef_construction: 128,
        ..HnswParams::default()
    };
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let start = Instant::now();
    let graph = HnswIndex::new(w.metric, params);
    graph
        .insert_batch(w.items)
        .map_err(|e| anyhow!("build: {e}"))?;
    let build_seconds = start.elapsed().as_secs_f64();
    eprintln!("{}: graph built in {build_seconds:.1} s", w.label);
    out(
        json!({"kind": "build", "n": n, "dim": w.items.first().map_or(0, |i| i.1.len()),
               "threads": threads, "seconds": build_seconds}),
    );
    let mut snapshot = Vec::new();
    graph.write_graph(&mut snapshot)?;
    drop(graph);

    let table: Arc<Vec<Vec<f32>>> = Arc::new(w.items.iter().map(|(_, v)| v.clone()).collect());
    let loader: VectorLoader = {
        let table = Arc::clone(&table);
        Arc::new(move |id| table.get(id as usize).cloned())
    };
    for setting in settings {
        let m = measure_setting(w, params, &snapshot, setting, &loader, repeat)?;
        eprintln!(
            "{}: {}: recall@10 {:.4}, {:.0} QPS, {:.1} bytes/vector",
            w.label,
            setting.name,
            m.recall,
            m.qps,
            m.memory_bytes as f64 / n as f64
        );
        let (segments, bits) = match setting.compression {
            Compression::Pq(p) => (Some(p.segments), None),
            Compression::Rq(p) => (None, Some(p.bits)),
            Compression::None | Compression::Bq(_) | Compression::Sq(_) => (None, None),
        };
        out(json!({
            "kind": "setting",
            "setting": setting.name,
            "scheme": setting.key,
            "segments": segments,
            "bits": bits,
            "recall": m.recall,
            "qps": m.qps,
            "threads": 1,
            "repeat": repeat,
            "ef": params.ef_for(K),
            "rescore_candidates": m.rescore_candidates,
            "memory_bytes": m.memory_bytes,
            "bytes_per_vector": m.memory_bytes as f64 / n as f64,
            "memory_source": "memory_bytes() / n (full vectors read through the loader, not held)",
            "code_bytes_per_vector": m.code_bytes as f64 / n as f64,
            "compress_seconds": m.compress_seconds,
        }));
    }
    Ok(())
}

/// Restores the graph, compresses it as `setting` says and measures it.
fn measure_setting(
    w: &Workload<'_>,
    params: HnswParams,
    snapshot: &[u8],
    setting: &Setting,
    loader: &VectorLoader,
    repeat: usize,
) -> Result<Measured> {
    let (index, _) = HnswIndex::read_graph(w.metric, params, &mut &snapshot[..], &mut |sink| {
        for (id, v) in w.items {
            sink(*id, v);
        }
    })
    .map_err(|e| anyhow!("restore: {e}"))?;
    let compress_seconds = if setting.compression.is_none() {
        None
    } else {
        let start = Instant::now();
        index
            .compress(setting.compression, Some(Arc::clone(loader)))
            .map_err(|e| anyhow!("{}: {e}", setting.name))?;
        Some(start.elapsed().as_secs_f64())
    };
    let (recall, qps) = measure(&index, w.queries, w.truth, repeat)?;
    let rescore_candidates = if setting.compression.is_none() {
        0
    } else {
        let collected = setting
            .compression
            .rescore_limit()
            .max(K)
            .max(params.ef_for(K));
        setting.compression.hnsw_rescored(K, collected).unwrap_or(0)
    };
    Ok(Measured {
        recall,
        qps,
        memory_bytes: index.memory_bytes(),
        code_bytes: index.compressed_bytes(),
        compress_seconds,
        rescore_candidates,
    })
}

/// The settings named in `keys` (all of [`SETTING_KEYS`] when empty), PQ once per segment
/// count, each with Weaviate's defaults otherwise.
fn settings(pq_segments: &[usize], keys: &[String], dim: usize) -> Result<Vec<Setting>> {
    for key in keys {
        if !SETTING_KEYS.contains(&key.as_str()) {
            bail!(
                "--settings {key}: expected some of {}",
                SETTING_KEYS.join(",")
            );
        }
    }
    let wanted = |key: &str| keys.is_empty() || keys.iter().any(|k| k == key);
    let mut out = Vec::new();
    let mut add = |name: String, key: &'static str, compression: Compression| {
        if wanted(key) {
            out.push(Setting {
                name,
                key,
                compression,
            });
        }
    };
    add("none".into(), "none", Compression::None);
    for &segments in pq_segments {
        if segments == 0 || !dim.is_multiple_of(segments) {
            bail!("--pq-segments {segments} does not divide the dimension {dim}");
        }
        add(
            format!("pq segments={segments}"),
            "pq",
            Compression::Pq(PqParams {
                segments,
                ..PqParams::default()
            }),
        );
    }
    add("bq".into(), "bq", Compression::Bq(BqParams::default()));
    add("sq".into(), "sq", Compression::Sq(SqParams::default()));
    add(
        "rq bits=8".into(),
        "rq8",
        Compression::Rq(RqParams::default()),
    );
    add(
        "rq bits=1".into(),
        "rq1",
        Compression::Rq(RqParams::one_bit()),
    );
    Ok(out)
}

/// Recall@10 against `truth` and the best single-threaded QPS of `repeat` passes.
fn measure(
    index: &HnswIndex,
    queries: &[Vec<f32>],
    truth: &[Vec<u32>],
    repeat: usize,
) -> Result<(f64, f64)> {
    let search = |q: &Vec<f32>| -> Result<Vec<u32>> {
        let hits = index
            .search(q, K, None)
            .map_err(|e| anyhow!("search: {e}"))?;
        Ok(hits.into_iter().map(|h| h.0).collect())
    };
    for q in queries {
        search(q)?;
    }
    let mut best = f64::INFINITY;
    let mut results = Vec::new();
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        results = queries.iter().map(search).collect::<Result<Vec<_>>>()?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    Ok((recall_at_k(&results, truth), queries.len() as f64 / best))
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

fn parse_list<T: std::str::FromStr>(flag: &str, value: &str) -> Result<Vec<T>> {
    value
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| anyhow!("{flag}: cannot parse {s:?}")))
        .collect()
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        n: 20_000,
        dim: 128,
        queries: 200,
        data: vec!["random", "clustered"],
        dataset: None,
        pq_segments: Vec::new(),
        settings: Vec::new(),
        repeat: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--n" => args.n = value.parse()?,
            "--dim" => args.dim = value.parse()?,
            "--queries" => args.queries = value.parse()?,
            "--dataset" => args.dataset = Some(PathBuf::from(value)),
            "--pq-segments" => args.pq_segments = parse_list(&flag, &value)?,
            "--settings" => args.settings = parse_list(&flag, &value)?,
            "--repeat" => args.repeat = value.parse()?,
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
    if args.pq_segments.is_empty() {
        // Synthetic data keeps its former pair; a dataset gets dim/4 and dim/8.
        let dim = match &args.dataset {
            Some(dir) => bench_data::read_meta(dir)?.dim,
            None => args.dim,
        };
        args.pq_segments = if args.dataset.is_some() {
            vec![dim / 4, dim / 8]
        } else {
            vec![
                32,
                shoal_vector_index::quantization::default_pq_segments(dim),
            ]
        };
    }
    Ok(args)
}

//! Builds and queries Shoal's HNSW index in-process on a dataset prepared by
//! `bench/hnsw/prepare.py`, printing one JSON line per measurement (the fields of
//! `bench/hnsw/hnswlib_bench.py`, which measures hnswlib the same way). `bench/hnsw/run.sh` runs
//! both and prints the comparison; see `bench/README.md`.
//!
//! ```sh
//! cargo run --release -p shoal-vector-index --example hnsw_bench -- DATASET_DIR \
//!     --m 16 --ef-construction 128 [--ef 16,32,64,128,256] [--repeat 3] [--chunk 100000] [--no-filtered]
//! ```
//!
//! - Build: `insert_batch` (all cores) in chunks of `--chunk` vectors, for progress; timed from
//!   `HnswIndex::new` to the end of the last chunk.
//! - Queries: one thread, `search_with_ef(k = 10)` for every query in turn, fastest of
//!   `--repeat` passes per ef after one untimed warm-up pass; recall@10 against the exact top-10
//!   in `gt.u32`.
//! - Bytes per vector: `memory_bytes() / n`; the growth of the process's anonymous resident
//!   memory during the build is printed as a cross-check.
//! - Filtered (when the dataset has `allow.u32`): the same queries restricted to the allow-list,
//!   once with `flat_search_cutoff` below the allow-list size (the graph path) and once with
//!   the default cutoff, recall against `gt_filtered.u32`.
//!
//! Progress goes to stderr; stdout carries only the JSON lines.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use roaring::RoaringBitmap;
use serde_json::{json, Value};
use shoal_vector_index::{HnswIndex, HnswParams};

mod bench_data;
use bench_data::{
    anon_rss_bytes, emit, numbered, read_dataset, read_u32_rows, recall_at_k, Dataset, Meta, K,
};

struct Args {
    dataset_dir: PathBuf,
    m: usize,
    ef_construction: usize,
    ef_values: Vec<usize>,
    repeat: usize,
    chunk: usize,
    filtered: bool,
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let Dataset {
        meta,
        base,
        queries,
        gt,
    } = read_dataset(&args.dataset_dir)?;
    let common = json!({
        "engine": "shoal",
        "dataset": meta.name,
        "m": args.m,
        "ef_construction": args.ef_construction,
    });
    let items = numbered(base)?;

    let params = HnswParams {
        max_connections: args.m,
        ef_construction: args.ef_construction,
        ..HnswParams::default()
    };
    let (index, build) = build_index(&meta, params, &items, args.chunk)?;
    drop(items);
    emit(&common, build);

    search_all(&index, &queries, None, 64)?; // warm-up, untimed
    for &ef in &args.ef_values {
        let Measured {
            recall,
            qps,
            mean_returned,
        } = timed_queries(&index, &queries, &gt, None, ef, args.repeat)?;
        emit(
            &common,
            json!({"kind": "query", "ef": ef, "threads": 1, "recall": recall, "qps": qps,
                   "mean_returned": mean_returned}),
        );
        eprintln!(
            "shoal {} M={} ef={ef}: recall@10 {recall:.4}, {qps:.0} QPS",
            meta.name, args.m
        );
    }

    if args.filtered && meta.allow_count > 0 {
        run_filtered(&args, &meta, &common, &index, params, &queries)?;
    }
    Ok(())
}

fn build_index(
    meta: &Meta,
    params: HnswParams,
    items: &[(u32, Vec<f32>)],
    chunk: usize,
) -> Result<(HnswIndex, Value)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rss_before = anon_rss_bytes();
    let start = Instant::now();
    let index = HnswIndex::new(meta.metric, params);
    let mut built = 0;
    for part in items.chunks(chunk.max(1)) {
        index
            .insert_batch(part)
            .map_err(|e| anyhow::anyhow!("insert_batch: {e}"))?;
        built += part.len();
        eprintln!(
            "shoal {} M={}: built {built}/{} ({:.1} s)",
            meta.name,
            params.max_connections,
            meta.n,
            start.elapsed().as_secs_f64()
        );
    }
    let seconds = start.elapsed().as_secs_f64();
    let rss_after = anon_rss_bytes();
    let memory = index.memory_bytes();
    let build = json!({
        "kind": "build",
        "n": meta.n,
        "dim": meta.dim,
        "threads": threads,
        "seconds": seconds,
        "memory_bytes": memory,
        "memory_source": "memory_bytes()",
        "bytes_per_vector": memory as f64 / meta.n as f64,
        "rss_delta_bytes": rss_before.zip(rss_after).map(|(b, a)| a as i64 - b as i64),
    });
    Ok((index, build))
}

/// What one ef measured.
struct Measured {
    recall: f64,
    qps: f64,
    /// Mean number of results per query (below `K` when a search came back short).
    mean_returned: f64,
}

/// Recall and QPS of one ef: the fastest of `repeat` single-threaded passes over all queries.
fn timed_queries(
    index: &HnswIndex,
    queries: &[Vec<f32>],
    gt: &[Vec<u32>],
    allow: Option<&RoaringBitmap>,
    ef: usize,
    repeat: usize,
) -> Result<Measured> {
    let mut best = f64::INFINITY;
    let mut results = Vec::new();
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        results = search_all(index, queries, allow, ef)?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    let returned: usize = results.iter().map(Vec::len).sum();
    Ok(Measured {
        recall: recall_at_k(&results, gt),
        qps: queries.len() as f64 / best,
        mean_returned: returned as f64 / queries.len() as f64,
    })
}

/// The ids found for every query, in query order, on the calling thread.
fn search_all(
    index: &HnswIndex,
    queries: &[Vec<f32>],
    allow: Option<&RoaringBitmap>,
    ef: usize,
) -> Result<Vec<Vec<u32>>> {
    queries
        .iter()
        .map(|q| {
            index
                .search_with_ef(q, K, ef, allow)
                .map(|hits| hits.into_iter().map(|(id, _)| id).collect())
                .map_err(|e| anyhow::anyhow!("search_with_ef: {e}"))
        })
        .collect()
}

/// Filtered recall at 1% selectivity: once on the graph path (`flat_search_cutoff` below the
/// allow-list size) and once with the default cutoff.
fn run_filtered(
    args: &Args,
    meta: &Meta,
    common: &Value,
    index: &HnswIndex,
    params: HnswParams,
    queries: &[Vec<f32>],
) -> Result<()> {
    let allow_ids = read_u32_rows(&args.dataset_dir.join("allow.u32"), meta.allow_count, 1)?;
    let allow: RoaringBitmap = allow_ids.iter().map(|row| row[0]).collect();
    let gt_filtered = read_u32_rows(&args.dataset_dir.join("gt_filtered.u32"), meta.nq, meta.k)?;
    let graph_cutoff = meta.allow_count / 2;
    let default_cutoff = HnswParams::default().flat_search_cutoff;
    for (path, cutoff) in [("graph", graph_cutoff), ("default cutoff", default_cutoff)] {
        index.set_params(HnswParams {
            flat_search_cutoff: cutoff,
            ..params
        });
        for &ef in &args.ef_values {
            let Measured {
                recall,
                qps,
                mean_returned,
            } = timed_queries(index, queries, &gt_filtered, Some(&allow), ef, args.repeat)?;
            emit(
                common,
                json!({"kind": "filtered", "ef": ef, "threads": 1, "allow_count": meta.allow_count,
                       "path": path, "cutoff": cutoff, "recall": recall, "qps": qps,
                       "mean_returned": mean_returned}),
            );
            eprintln!(
                "shoal {} M={} filtered ({path}, cutoff {cutoff}) ef={ef}: recall@10 {recall:.4}, {qps:.0} QPS, {mean_returned:.2} results/query",
                meta.name, args.m
            );
        }
    }
    index.set_params(params);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// files and arguments

const USAGE: &str = "usage: hnsw_bench DATASET_DIR [--m 16] [--ef-construction 128] \
                     [--ef 16,32,64,128,256] [--repeat 3] [--chunk 100000] [--no-filtered]";

fn parse_args() -> Result<Args> {
    let mut args = Args {
        dataset_dir: PathBuf::new(),
        m: 16,
        ef_construction: 128,
        ef_values: vec![16, 32, 64, 128, 256],
        repeat: 3,
        chunk: 100_000,
        filtered: true,
    };
    let mut dataset_dir = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--m" => args.m = value("--m")?.parse()?,
            "--ef-construction" => args.ef_construction = value("--ef-construction")?.parse()?,
            "--ef" => {
                args.ef_values = value("--ef")?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
            }
            "--repeat" => args.repeat = value("--repeat")?.parse()?,
            "--chunk" => args.chunk = value("--chunk")?.parse()?,
            "--no-filtered" => args.filtered = false,
            "-h" | "--help" => {
                eprintln!("{USAGE}");
                std::process::exit(0);
            }
            other if other.starts_with("--") => bail!("unknown option {other}\n{USAGE}"),
            other if dataset_dir.is_none() => dataset_dir = Some(PathBuf::from(other)),
            other => bail!("unexpected argument {other}\n{USAGE}"),
        }
    }
    args.dataset_dir = dataset_dir.context(USAGE)?;
    Ok(args)
}

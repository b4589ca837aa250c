//! Reading a dataset prepared by `bench/hnsw/prepare.py` (the format is documented in
//! `bench/hnsw/common.py`), recall@10 and the JSON-lines output, shared by the examples
//! `hnsw_bench` and `compression_bench` (`mod bench_data;` in each; not an example itself).
//!
//! Each example is its own crate, so an item only one of them uses would be dead code in the
//! other: hence the allowance below.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::Value;
use types::schema::Distance;

/// The k of recall@k the benchmarks measure (and of the prepared ground truth).
pub const K: usize = 10;

/// `meta.json` of a prepared dataset.
pub struct Meta {
    pub name: String,
    pub dim: usize,
    pub n: usize,
    pub nq: usize,
    pub k: usize,
    pub metric: Distance,
    pub allow_count: usize,
}

/// A whole prepared dataset in memory: base rows (row i has id i), queries, exact top-k ids.
pub struct Dataset {
    pub meta: Meta,
    pub base: Vec<Vec<f32>>,
    pub queries: Vec<Vec<f32>>,
    pub gt: Vec<Vec<u32>>,
}

/// Reads `meta.json`, `base.f32`, `queries.f32` and `gt.u32`; fails unless the ground truth
/// has `k` = [`K`].
pub fn read_dataset(dir: &Path) -> Result<Dataset> {
    let meta = read_meta(dir)?;
    eprintln!("{}: loading {} x {} vectors", meta.name, meta.n, meta.dim);
    if meta.k != K {
        bail!(
            "the ground truth has k = {}, these benchmarks measure recall@{K}",
            meta.k
        );
    }
    let base = read_rows(&dir.join("base.f32"), meta.n, meta.dim)?;
    let queries = read_rows(&dir.join("queries.f32"), meta.nq, meta.dim)?;
    let gt = read_u32_rows(&dir.join("gt.u32"), meta.nq, meta.k)?;
    Ok(Dataset {
        meta,
        base,
        queries,
        gt,
    })
}

/// Mean over queries of |the first [`K`] ids returned ∩ the exact top-[`K`]| / [`K`].
pub fn recall_at_k(results: &[Vec<u32>], gt: &[Vec<u32>]) -> f64 {
    let hits: usize = results
        .iter()
        .zip(gt)
        .map(|(got, truth)| got.iter().take(K).filter(|id| truth.contains(id)).count())
        .sum();
    hits as f64 / (K * gt.len()) as f64
}

/// Prints `common` extended with the fields of `record` as one JSON line on stdout.
pub fn emit(common: &Value, record: Value) {
    let mut line = common.clone();
    if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), record) {
        line.extend(fields);
    }
    println!("{line}");
}

pub fn read_meta(dir: &Path) -> Result<Meta> {
    let path = dir.join("meta.json");
    let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    let v: Value = serde_json::from_str(&text).with_context(|| path.display().to_string())?;
    let int = |key: &str| -> Result<usize> {
        let n = v[key]
            .as_u64()
            .with_context(|| format!("{}: {key} must be a non-negative integer", path.display()))?;
        Ok(usize::try_from(n)?)
    };
    let metric = match v["metric"].as_str() {
        Some("cosine") => Distance::Cosine,
        Some("l2-squared") => Distance::L2Squared,
        Some("dot") => Distance::Dot,
        other => bail!("{}: unsupported metric {other:?}", path.display()),
    };
    Ok(Meta {
        name: v["name"].as_str().unwrap_or("dataset").to_owned(),
        dim: int("dim")?,
        n: int("n")?,
        nq: int("nq")?,
        k: int("k")?,
        metric,
        allow_count: if v["allow_count"].is_null() {
            0
        } else {
            int("allow_count")?
        },
    })
}

/// Reads `rows` x `cols` little-endian 4-byte values, one `Vec` per row.
fn read_raw_rows<T>(
    path: &Path,
    rows: usize,
    cols: usize,
    decode: fn([u8; 4]) -> T,
) -> Result<Vec<Vec<T>>> {
    let file = File::open(path).with_context(|| path.display().to_string())?;
    let expected = (rows * cols * 4) as u64;
    let actual = file.metadata()?.len();
    if actual != expected {
        bail!(
            "{}: {actual} bytes, expected {expected} ({rows} x {cols} x 4)",
            path.display()
        );
    }
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut bytes = vec![0u8; cols * 4];
    let mut out = Vec::with_capacity(rows);
    for _ in 0..rows {
        reader.read_exact(&mut bytes)?;
        out.push(
            bytes
                .chunks_exact(4)
                .map(|b| decode([b[0], b[1], b[2], b[3]]))
                .collect(),
        );
    }
    Ok(out)
}

pub fn read_rows(path: &Path, rows: usize, cols: usize) -> Result<Vec<Vec<f32>>> {
    read_raw_rows(path, rows, cols, f32::from_le_bytes)
}

pub fn read_u32_rows(path: &Path, rows: usize, cols: usize) -> Result<Vec<Vec<u32>>> {
    read_raw_rows(path, rows, cols, u32::from_le_bytes)
}

/// Anonymous resident memory of this process (Linux `/proc/self/status`, `RssAnon`).
pub fn anon_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The base rows as `(id, vector)` items, id = row number.
pub fn numbered(base: Vec<Vec<f32>>) -> Result<Vec<(u32, Vec<f32>)>> {
    base.into_iter()
        .enumerate()
        .map(|(id, v)| Ok((u32::try_from(id)?, v)))
        .collect()
}

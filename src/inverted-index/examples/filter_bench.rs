//! Benchmark of the in-memory inverted index (not a test: it asserts nothing about time).
//!
//! Measures, single-threaded, in one run:
//! 1. build: 1,000,000 synthetic objects with 5 properties (`category` field-tokenized text
//!    with 100 values, `price` number, `count` int, `active` boolean, `published` date),
//!    indexed through `postings()` + `apply()` as the shard does; build time, posting bytes
//!    per object and the process RSS growth per object;
//! 2. filter latency (median, p99 over 200 random queries each): Equal on text and int,
//!    number ranges of ~1 %, ~10 %, ~50 % selectivity, And, Or, a 3-level nested And/Or;
//! 3. BM25 top-10 latency (median, p99, 200 random 2–3 word queries) on 100,000 passages:
//!    real text from the file in `FILTER_BENCH_CORPUS` (or the first argument; one passage
//!    per line), else a seeded synthetic Zipf corpus (the output says which).
//!
//! Run: `cargo run --release -p shoal-inverted-index --example filter_bench [corpus.txt]`
//! (`FILTER_BENCH_OBJECTS` overrides the object count).

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use shoal_inverted_index::{DocInput, IndexConfig, InvertedIndex, PropertySpec, Tokenization};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::DataType;

const RUNS: usize = 200;
const PASSAGES: usize = 100_000;
const PASSAGE_WORDS: usize = 100;
/// Dates are spread over 2020-01-01 .. 2025-01-01 (seconds).
const DATE_START: i64 = 1_577_836_800;
const DATE_SPAN: i64 = 5 * 365 * 86_400;

fn main() {
    let objects = std::env::var("FILTER_BENCH_OBJECTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let index = build_objects(objects);
    filter_benchmarks(&index);
    drop(index);
    bm25_benchmark();
}

// ---------------------------------------------------------------- build

fn object_config() -> IndexConfig {
    let w = Tokenization::Word;
    IndexConfig {
        properties: vec![
            PropertySpec::with_defaults("category", DataType::Text, Tokenization::Field),
            PropertySpec::with_defaults("price", DataType::Number, w),
            PropertySpec::with_defaults("count", DataType::Int, w),
            PropertySpec::with_defaults("active", DataType::Boolean, w),
            PropertySpec::with_defaults("published", DataType::Date, w),
        ],
        ..IndexConfig::default()
    }
}

fn date_string(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .expect("valid timestamp")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn random_object(rng: &mut StdRng) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "category".into(),
        json!(format!("category-{:02}", rng.gen_range(0..100))),
    );
    m.insert("price".into(), json!(rng.gen_range(0.0..1000.0f64)));
    m.insert("count".into(), json!(rng.gen_range(0..1000i64)));
    m.insert("active".into(), json!(rng.gen_bool(0.5)));
    let secs = DATE_START + rng.gen_range(0..DATE_SPAN);
    m.insert("published".into(), json!(date_string(secs)));
    m
}

/// Resident set size of this process in bytes (Linux; 0 elsewhere).
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn build_objects(n: u32) -> InvertedIndex {
    let index = InvertedIndex::new(object_config());
    let mut rng = StdRng::seed_from_u64(42);
    let rss_before = rss_bytes();
    let (mut entries, mut bytes) = (0u64, 0u64);
    let start = Instant::now();
    for doc in 0..n {
        let props = random_object(&mut rng);
        let id = uuid::Uuid::from_u128(0x5b0a1_u128 << 64 | u128::from(doc));
        let ms = 1_700_000_000_000 + i64::from(doc);
        let input = DocInput {
            id: &id,
            properties: &props,
            creation_ms: ms,
            update_ms: ms,
        };
        let postings = index.postings(doc, &input);
        entries += postings.len() as u64;
        bytes += postings
            .iter()
            .map(|p| (p.key.len() + p.value.len()) as u64)
            .sum::<u64>();
        index.apply(doc, &[], &postings);
    }
    let took = start.elapsed();
    let rss_growth = rss_bytes().saturating_sub(rss_before);
    print_build(n, took, entries, bytes, rss_growth);
    index
}

fn print_build(n: u32, took: Duration, entries: u64, bytes: u64, rss: u64) {
    let n64 = u64::from(n);
    println!("== build: {n} objects, 5 properties (postings() + apply(), one thread)");
    println!(
        "  time {:.2} s  ({:.0} objects/s, {:.2} µs/object)",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / n as f64
    );
    println!(
        "  posting entries {entries} ({:.1}/object); durable size (key+value bytes) {:.1} MB = {:.1} B/object",
        entries as f64 / n as f64,
        bytes as f64 / 1e6,
        bytes as f64 / n64 as f64
    );
    println!(
        "  in-memory estimate (process RSS growth during build, incl. allocator slack) {:.1} MB = {:.1} B/object",
        rss as f64 / 1e6,
        rss as f64 / n64 as f64
    );
}

// ---------------------------------------------------------------- filters

fn cond(prop: &str, operator: Operator, value: FilterValue) -> Filter {
    Filter::Condition(Condition {
        path: FilterPath::Property(prop.into()),
        operator,
        value,
    })
}

fn category(rng: &mut StdRng) -> Filter {
    let v = format!("category-{:02}", rng.gen_range(0..100));
    cond("category", Operator::Equal, FilterValue::Text(v))
}

fn count_eq(rng: &mut StdRng) -> Filter {
    cond(
        "count",
        Operator::Equal,
        FilterValue::Int(rng.gen_range(0..1000)),
    )
}

/// `price` in `[lo, lo + width)`: price is uniform on [0, 1000), so selectivity = width / 1000.
fn price_range(rng: &mut StdRng, width: f64) -> Filter {
    let lo = rng.gen_range(0.0..1000.0 - width);
    Filter::And(vec![
        cond("price", Operator::GreaterThanEqual, FilterValue::Number(lo)),
        cond("price", Operator::LessThan, FilterValue::Number(lo + width)),
    ])
}

fn active(rng: &mut StdRng) -> Filter {
    cond(
        "active",
        Operator::Equal,
        FilterValue::Boolean(rng.gen_bool(0.5)),
    )
}

fn published_after(rng: &mut StdRng) -> Filter {
    let secs = DATE_START + rng.gen_range(0..DATE_SPAN);
    cond(
        "published",
        Operator::GreaterThan,
        FilterValue::Date(date_string(secs)),
    )
}

/// `(category = a OR category = b) AND ((active AND price ~10 %) OR published > d)`.
fn nested(rng: &mut StdRng) -> Filter {
    Filter::And(vec![
        Filter::Or(vec![category(rng), category(rng)]),
        Filter::Or(vec![
            Filter::And(vec![active(rng), price_range(rng, 100.0)]),
            published_after(rng),
        ]),
    ])
}

type Make = fn(&mut StdRng) -> Filter;

fn filter_cases() -> Vec<(&'static str, Make)> {
    vec![
        ("Equal category (text, 1/100)", category),
        ("Equal count (int, 1/1000)", count_eq),
        ("price range ~1%", |r| price_range(r, 10.0)),
        ("price range ~10%", |r| price_range(r, 100.0)),
        ("price range ~50%", |r| price_range(r, 500.0)),
        ("And(category, active)", |r| {
            Filter::And(vec![category(r), active(r)])
        }),
        ("Or(category, count)", |r| {
            Filter::Or(vec![category(r), count_eq(r)])
        }),
        ("And(Or(cat,cat), Or(And(active,price10%), date>))", nested),
        ("published > random date (~50%)", published_after),
    ]
}

fn filter_benchmarks(index: &InvertedIndex) {
    println!("\n== filter latency: {RUNS} runs per query, random values, one thread");
    println!(
        "  {:<50} {:>10} {:>10} {:>12}",
        "query", "median", "p99", "mean matches"
    );
    let mut rng = StdRng::seed_from_u64(7);
    for (name, make) in filter_cases() {
        let filters: Vec<Filter> = (0..RUNS).map(|_| make(&mut rng)).collect();
        let mut times = Vec::with_capacity(RUNS);
        let mut matches = 0u64;
        for f in &filters {
            let start = Instant::now();
            let bitmap = index.filter(f).expect("filter is valid");
            times.push(start.elapsed());
            matches += bitmap.len();
        }
        let (median, p99) = median_p99(&mut times);
        println!(
            "  {name:<50} {:>10} {:>10} {:>12}",
            fmt(median),
            fmt(p99),
            matches / RUNS as u64
        );
    }
}

// ---------------------------------------------------------------- BM25

fn corpus_path() -> Option<String> {
    std::env::args()
        .nth(1)
        .or_else(|| std::env::var("FILTER_BENCH_CORPUS").ok())
}

/// Real passages from `path`; when the file has fewer than [`PASSAGES`] lines, 100-word windows
/// over its word stream with the stride that yields [`PASSAGES`] (overlapping text).
fn real_corpus(path: &str) -> (Vec<String>, String) {
    let text = std::fs::read_to_string(path).expect("read corpus file");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() >= PASSAGES {
        let passages = lines[..PASSAGES].iter().map(|s| s.to_string()).collect();
        return (
            passages,
            format!("real text: first {PASSAGES} lines of {path}"),
        );
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let stride = ((words.len().saturating_sub(PASSAGE_WORDS)) / PASSAGES).max(1);
    let passages: Vec<String> = (0..PASSAGES)
        .map(|i| (i * stride) % words.len().saturating_sub(PASSAGE_WORDS).max(1))
        .map(|s| words[s..(s + PASSAGE_WORDS).min(words.len())].join(" "))
        .collect();
    let how = format!(
        "real text from {path} ({} lines, {} words), expanded to {PASSAGES} overlapping \
         {PASSAGE_WORDS}-word windows with stride {stride} words (vocabulary and term \
         statistics are real; passages overlap)",
        lines.len(),
        words.len()
    );
    (passages, how)
}

/// A seeded corpus whose words follow a Zipf(1.0) law over 50,000 synthetic words.
fn synthetic_corpus() -> (Vec<String>, String) {
    const VOCAB: usize = 50_000;
    let mut cumulative = Vec::with_capacity(VOCAB);
    let mut total = 0.0;
    for rank in 1..=VOCAB {
        total += 1.0 / rank as f64;
        cumulative.push(total);
    }
    let mut rng = StdRng::seed_from_u64(99);
    let word = |rng: &mut StdRng| {
        let x = rng.gen_range(0.0..total);
        format!("w{}", cumulative.partition_point(|&c| c < x))
    };
    let passages = (0..PASSAGES)
        .map(|_| {
            (0..PASSAGE_WORDS)
                .map(|_| word(&mut rng))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    (
        passages,
        "SYNTHETIC Zipf(s=1) corpus, 50,000-word vocabulary, seed 99".into(),
    )
}

fn text_config() -> IndexConfig {
    IndexConfig {
        properties: vec![PropertySpec::with_defaults(
            "text",
            DataType::Text,
            Tokenization::Word,
        )],
        ..IndexConfig::default()
    }
}

fn build_text(passages: &[String]) -> InvertedIndex {
    let index = InvertedIndex::new(text_config());
    let start = Instant::now();
    for (doc, passage) in passages.iter().enumerate() {
        let doc = doc as u32;
        let mut props = Map::new();
        props.insert("text".into(), Value::String(passage.clone()));
        let id = uuid::Uuid::from_u128(u128::from(doc) + 1);
        let input = DocInput {
            id: &id,
            properties: &props,
            creation_ms: 0,
            update_ms: 0,
        };
        let postings = index.postings(doc, &input);
        index.apply(doc, &[], &postings);
    }
    println!(
        "  indexed {} passages in {:.2} s",
        passages.len(),
        start.elapsed().as_secs_f64()
    );
    index
}

/// 2–3 consecutive words of a random passage.
fn random_queries(passages: &[String]) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(5);
    (0..RUNS)
        .map(|_| {
            let words: Vec<&str> = passages[rng.gen_range(0..passages.len())]
                .split_whitespace()
                .collect();
            let len = rng.gen_range(2..=3).min(words.len());
            let at = rng.gen_range(0..=words.len() - len);
            words[at..at + len].join(" ")
        })
        .collect()
}

fn bm25_benchmark() {
    let (passages, how) = match corpus_path() {
        Some(path) => real_corpus(&path),
        None => synthetic_corpus(),
    };
    println!("\n== BM25 top-10: {RUNS} random 2-3 word queries, one thread");
    println!("  corpus: {how}");
    let index = build_text(&passages);
    let queries = random_queries(&passages);
    let mut times = Vec::with_capacity(RUNS);
    let mut hits = 0usize;
    for q in &queries {
        let start = Instant::now();
        let top = index.bm25(q, &[], 10, None).expect("bm25");
        times.push(start.elapsed());
        hits += top.len();
    }
    let (median, p99) = median_p99(&mut times);
    println!(
        "  median {}  p99 {}  (mean results {:.1})",
        fmt(median),
        fmt(p99),
        hits as f64 / RUNS as f64
    );
    println!("  sample queries: {:?}", &queries[..3]);
}

// ---------------------------------------------------------------- stats

fn median_p99(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort_unstable();
    let p99 = ((times.len() * 99).div_ceil(100)).saturating_sub(1);
    (times[times.len() / 2], times[p99])
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}

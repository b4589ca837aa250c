//! Benchmark of loading stored postings at shard open (not a test: it asserts nothing about
//! time): entry by entry (`InvertedIndex::load`, the old path) against the bulk `Loader`,
//! on the same entries in the store's key order, single-threaded.
//!
//! Two data sets of `LOAD_BENCH_OBJECTS` objects (default 1,000,000):
//! 1. no properties, as the restart bench imports: 3 entries per object (id, creation and
//!    update time, the times 0.6 ms apart as in a 10-minute import);
//! 2. the same plus a number, an int and a field-tokenized text property of 100 values.
//!
//! Run: `cargo run --profile ci -p shoal-inverted-index --example load_bench`.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map};
use shoal_inverted_index::{
    DocInput, IndexConfig, InvertedIndex, Posting, PropertySpec, Stopwords, Tokenization,
};
use types::schema::DataType;

fn main() {
    let objects = std::env::var("LOAD_BENCH_OBJECTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    for with_props in [false, true] {
        let (config, stored) = postings(objects, with_props);
        let label = if with_props {
            "with 3 properties"
        } else {
            "no properties"
        };
        println!("{objects} objects, {label}: {} entries", stored.len());
        compare(config, &stored);
    }
}

fn compare(config: IndexConfig, stored: &[Posting]) {
    let started = Instant::now();
    let old = InvertedIndex::new(config.clone());
    for p in stored {
        old.load(&p.key, &p.value).expect("entries decode");
    }
    let old_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let new = InvertedIndex::new(config);
    let mut loader = new.loader();
    for p in stored {
        loader.push(&p.key, &p.value).expect("entries decode");
    }
    let pushed_s = started.elapsed().as_secs_f64();
    loader.finish();
    let new_s = started.elapsed().as_secs_f64();

    println!("  entry by entry: {old_s:.3} s");
    println!(
        "  bulk:           {new_s:.3} s (collect {pushed_s:.3} s, build {:.3} s)",
        new_s - pushed_s
    );
    println!("  speed-up:       {:.1}x", old_s / new_s);
    println!("  same index:     {}", new.same_data(&old));
}

fn config(with_props: bool) -> IndexConfig {
    let properties = if with_props {
        vec![
            PropertySpec::with_defaults("category", DataType::Text, Tokenization::Field),
            PropertySpec::with_defaults("price", DataType::Number, Tokenization::Word),
            PropertySpec::with_defaults("count", DataType::Int, Tokenization::Word),
        ]
    } else {
        Vec::new()
    };
    IndexConfig {
        properties,
        stopwords: Stopwords::english(),
        k1: 1.2,
        b: 0.75,
        index_null_state: false,
        index_property_length: false,
        index_timestamps: true,
    }
}

/// The stored entries of `n` objects with random uuids, sorted by key as the store holds them.
fn postings(n: usize, with_props: bool) -> (IndexConfig, Vec<Posting>) {
    let config = config(with_props);
    let index = InvertedIndex::new(config.clone());
    let mut rng = StdRng::seed_from_u64(7);
    let start_ms = 1_767_225_600_000i64;
    let mut out = Vec::with_capacity(n * if with_props { 6 } else { 3 });
    for doc in 0..n as u32 {
        let id = uuid::Builder::from_random_bytes(rng.gen()).into_uuid();
        let mut props = Map::new();
        if with_props {
            props.insert(
                "category".into(),
                json!(format!("c{}", rng.gen_range(0..100))),
            );
            props.insert("price".into(), json!(rng.gen_range(0.0..1000.0)));
            props.insert("count".into(), json!(rng.gen_range(0..10_000)));
        }
        let ms = start_ms + i64::from(doc) * 6 / 10;
        let input = DocInput {
            id: &id,
            properties: &props,
            creation_ms: ms,
            update_ms: ms,
        };
        out.extend(index.postings(doc, &input));
    }
    out.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    (config, out)
}

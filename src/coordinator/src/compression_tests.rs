//! Vector compression on a real standalone node: PQ enabled on a populated class through
//! `update_class` compresses its shard in the background while queries keep answering, until
//! `/v1/nodes` reports it compressed; BQ on a flat index from the start; named vectors each
//! compressed with their own method, reported per target; a class naming two
//! compressions refused as invalid input, and PQ segments that do not divide the vector length
//! refused on the first vector or on the update that enables them.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use model::schema::{apply_update, parse_class};
use model::{ConsistencyLevel, ObjectWrite, SearchQuery, VectorSearch};
use serde_json::{json, Value};
use types::ErrorKind;
use uuid::Uuid;

use crate::Coordinator;

const DIM: usize = 16;

fn vector(n: u32) -> Vec<f32> {
    (0..DIM as u32)
        .map(|d| ((n.wrapping_mul(2_654_435_761) ^ d.wrapping_mul(40_503)) % 1000) as f32 - 499.5)
        .collect()
}

fn write(class: &str, n: u32) -> ObjectWrite {
    ObjectWrite {
        class: class.into(),
        id: Some(Uuid::from_u128(n as u128)),
        tenant: None,
        properties: serde_json::Map::new(),
        vector: Some(vector(n)),
        vectors: None,
    }
}

async fn create(c: &Coordinator, body: Value) {
    let class = parse_class(&body, &c.schema_defaults()).expect("a valid class");
    c.create_class(class).await.expect("created");
}

async fn fill(c: &Coordinator, class: &str, n: u32) {
    let writes = (0..n).map(|i| write(class, i)).collect();
    let results = c.batch_objects(writes, ConsistencyLevel::One).await;
    assert!(results.iter().all(Result::is_ok));
}

/// The nearest object to stored vector `n`.
async fn nearest(c: &Coordinator, class: &str, n: u32) -> Uuid {
    let q = SearchQuery {
        class: class.into(),
        limit: Some(3),
        vector_search: Some(VectorSearch::NearVector {
            vector: vector(n),
            target_vectors: Vec::new(),
            threshold: None,
            per_target: Default::default(),
            combination: Default::default(),
        }),
        ..SearchQuery::default()
    };
    let result = c.search(q).await.expect("search");
    result.hits[0].object.id
}

async fn compressed(c: &Coordinator, class: &str) -> bool {
    let nodes = c.nodes(Some(class)).await.expect("nodes");
    let shards: Vec<_> = nodes.iter().flat_map(|n| n.shards.iter()).collect();
    !shards.is_empty() && shards.iter().all(|s| s.compressed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pq_enabled_on_a_populated_class_compresses_while_queries_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = crate::testing::standalone(dir.path()).await;
    create(&c, json!({"class": "Docs", "vectorizer": "none"})).await;
    fill(&c, "Docs", 600).await;
    assert!(!compressed(&c, "Docs").await);

    let stop = Arc::new(AtomicBool::new(false));
    let (answered, right) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let queries = {
        let (c, stop) = (c.clone(), stop.clone());
        let (answered, right) = (answered.clone(), right.clone());
        tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(Ordering::Acquire) {
                // Every query answers; while codes replace vectors the graph search is
                // approximate, so the nearest is counted rather than required.
                if nearest(&c, "Docs", n).await == Uuid::from_u128(n as u128) {
                    right.fetch_add(1, Ordering::Relaxed);
                }
                answered.fetch_add(1, Ordering::Relaxed);
                n = (n + 7) % 600;
            }
        })
    };
    let current = c.existing_class("Docs").expect("class");
    let change =
        json!({"vectorIndexConfig": {"pq": {"enabled": true, "segments": 4, "centroids": 32}}});
    let updated =
        apply_update(&current, &change, &c.schema_defaults()).expect("enabling is allowed");
    c.update_class(updated).await.expect("updated");

    let deadline = Instant::now() + Duration::from_secs(120);
    while !compressed(&c, "Docs").await {
        assert!(
            Instant::now() < deadline,
            "the shard never reported compressed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Release);
    queries.await.expect("queries kept answering");
    let answered = answered.load(Ordering::Relaxed);
    assert!(answered > 0);
    assert!(
        right.load(Ordering::Relaxed) * 10 >= answered * 9,
        "recall during compression"
    );
    let mut found = 0;
    for n in (0..600).step_by(20) {
        found += usize::from(nearest(&c, "Docs", n).await == Uuid::from_u128(n as u128));
    }
    assert!(found >= 27, "{found} of 30 found after compression");
    let echoed = serde_json::to_value(c.class("Docs").expect("class")).expect("json");
    assert_eq!(echoed["vectorIndexConfig"]["pq"]["enabled"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bq_on_a_flat_index_is_compressed_from_the_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = crate::testing::standalone(dir.path()).await;
    create(
        &c,
        json!({"class": "Exact", "vectorizer": "none", "vectorIndexType": "flat",
               "vectorIndexConfig": {"bq": {"enabled": true}}}),
    )
    .await;
    fill(&c, "Exact", 200).await;
    assert!(compressed(&c, "Exact").await);
    for n in [0, 57, 199] {
        assert_eq!(nearest(&c, "Exact", n).await, Uuid::from_u128(n as u128));
    }
}

/// The nearest object to stored vector `n` on named `target`.
async fn nearest_on(c: &Coordinator, class: &str, target: &str, n: u32) -> Uuid {
    let q = SearchQuery {
        class: class.into(),
        limit: Some(3),
        vector_search: Some(VectorSearch::NearVector {
            vector: vector(n),
            target_vectors: vec![target.to_string()],
            threshold: None,
            per_target: Default::default(),
            combination: Default::default(),
        }),
        ..SearchQuery::default()
    };
    c.search(q).await.expect("search").hits[0].object.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_named_vector_compresses_with_its_own_method() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = crate::testing::standalone(dir.path()).await;
    let none = json!({"none": {}});
    create(
        &c,
        json!({"class": "Named", "vectorConfig": {
            "rotated": {"vectorizer": none, "vectorIndexType": "hnsw",
                        "vectorIndexConfig": {"rq": {"enabled": true}}},
            "binary": {"vectorizer": none, "vectorIndexType": "flat",
                       "vectorIndexConfig": {"bq": {"enabled": true}}},
            "plain": {"vectorizer": none, "vectorIndexType": "hnsw"}}}),
    )
    .await;
    let writes = (0..300u32)
        .map(|n| ObjectWrite {
            vector: None,
            vectors: Some(
                ["rotated", "binary", "plain"]
                    .into_iter()
                    .map(|t| (t.to_string(), vector(n)))
                    .collect(),
            ),
            ..write("Named", n)
        })
        .collect();
    let results = c.batch_objects(writes, ConsistencyLevel::One).await;
    assert!(results.iter().all(Result::is_ok));

    let nodes = c.nodes(Some("Named")).await.expect("nodes");
    let methods: Vec<(String, String)> = nodes[0].shards[0]
        .vector_indexes
        .iter()
        .map(|v| (v.target.clone(), v.compression.clone()))
        .collect();
    let expected = [("binary", "bq"), ("plain", "none"), ("rotated", "rq-8")];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(t, m)| (t.to_string(), m.to_string()))
        .collect();
    assert_eq!(methods, expected);
    assert!(nodes[0].shards[0].compressed);
    for target in ["rotated", "binary", "plain"] {
        for n in [0, 131, 299] {
            assert_eq!(
                nearest_on(&c, "Named", target, n).await,
                Uuid::from_u128(n as u128),
                "{target}, object {n}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_naming_two_compressions_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = crate::testing::standalone(dir.path()).await;
    let body = json!({"class": "Both", "vectorizer": "none",
        "vectorIndexConfig": {"pq": {"enabled": true}, "sq": {"enabled": true}}});
    let e = crate::Error::from(parse_class(&body, &c.schema_defaults()).unwrap_err());
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("pq, sq"), "{e}");
    // Nor can an update add a second one.
    create(
        &c,
        json!({"class": "One", "vectorizer": "none",
        "vectorIndexConfig": {"bq": {"enabled": true}}}),
    )
    .await;
    let current = c.existing_class("One").expect("class");
    let change = json!({"vectorIndexConfig": {"rq": {"enabled": true}}});
    let e = crate::Error::from(apply_update(&current, &change, &c.schema_defaults()).unwrap_err());
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("bq, rq"), "{e}");
    assert!(c.class("Both").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pq_segments_must_divide_the_vector_length() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = crate::testing::standalone(dir.path()).await;
    let refusal = format!(
        "vectorIndexConfig.pq.segments: segments should be an integer divisor of dimensions (7 segments, {DIM} dimensions)"
    );
    // Set at creation: the first vector, which fixes the length, is refused.
    create(
        &c,
        json!({"class": "Seven", "vectorizer": "none",
        "vectorIndexConfig": {"pq": {"enabled": true, "segments": 7}}}),
    )
    .await;
    let first = c
        .batch_objects(vec![write("Seven", 1)], ConsistencyLevel::One)
        .await;
    let e = first[0].as_ref().expect_err("refused");
    assert_eq!(
        (e.kind(), e.to_string()),
        (ErrorKind::InvalidInput, refusal.clone())
    );
    // Set by an update of a populated class: the update is refused and changes nothing.
    create(&c, json!({"class": "Later", "vectorizer": "none"})).await;
    fill(&c, "Later", 20).await;
    let current = c.existing_class("Later").expect("class");
    let change = json!({"vectorIndexConfig": {"pq": {"enabled": true, "segments": 7}}});
    let updated = apply_update(&current, &change, &c.schema_defaults()).expect("parsed");
    let e = c.update_class(updated).await.expect_err("refused");
    assert_eq!(
        (e.kind(), e.to_string()),
        (ErrorKind::InvalidInput, refusal)
    );
    assert_eq!(c.existing_class("Later").expect("class"), current);
    let change = json!({"vectorIndexConfig": {"pq": {"enabled": true, "segments": 8}}});
    let updated = apply_update(&current, &change, &c.schema_defaults()).expect("parsed");
    c.update_class(updated).await.expect("8 divides 16");
}

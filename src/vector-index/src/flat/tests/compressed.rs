//! Compressed flat index: recall after rescoring for every kind on random and clustered data,
//! dropped vectors read through the loader, filters and ranges, pending and in-place
//! compression (also while other threads write), and errors.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::thread;

use roaring::RoaringBitmap;
use types::schema::Distance;
use types::DocId;

use super::super::FlatIndex;
use crate::error::Error;
use crate::quantization::tests::{clustered_data, gaussian_data};
use crate::quantization::{BqParams, Compression, CompressionState, PqParams, RqParams, SqParams};
use crate::VectorLoader;

const K: usize = 10;

/// Every kind, with the metric it suits (BQ and RQ need centred data, which cosine gives).
fn kinds() -> Vec<(Compression, Distance)> {
    vec![
        (
            Compression::Pq(PqParams {
                segments: 16,
                ..PqParams::default()
            }),
            Distance::L2Squared,
        ),
        (
            Compression::Pq(PqParams {
                segments: 8,
                ..PqParams::default()
            }),
            Distance::Cosine,
        ),
        (Compression::Bq(BqParams::default()), Distance::Cosine),
        (Compression::Sq(SqParams::default()), Distance::L2Squared),
        (Compression::Sq(SqParams::default()), Distance::Dot),
        (Compression::Rq(RqParams::default()), Distance::L2Squared),
        (Compression::Rq(RqParams::one_bit()), Distance::Cosine),
    ]
}

fn filled(metric: Distance, data: &[Vec<f32>]) -> FlatIndex {
    let index = FlatIndex::new(metric);
    for (i, v) in data.iter().enumerate() {
        index.insert(i as DocId, v).unwrap();
    }
    index
}

fn recall(index: &FlatIndex, exact: &FlatIndex, queries: &[Vec<f32>]) -> f64 {
    let mut found = 0;
    for q in queries {
        let got: HashSet<DocId> = index
            .search(q, K, None)
            .unwrap()
            .iter()
            .map(|h| h.0)
            .collect();
        let want = exact.search(q, K, None).unwrap();
        found += want.iter().filter(|h| got.contains(&h.0)).count();
    }
    found as f64 / (queries.len() * K) as f64
}

/// A loader over a map of the vectors as inserted.
fn loader_of(data: &[Vec<f32>]) -> VectorLoader {
    let map: HashMap<DocId, Vec<f32>> = data
        .iter()
        .enumerate()
        .map(|(i, v)| (i as DocId, v.clone()))
        .collect();
    Arc::new(move |id| map.get(&id).cloned())
}

#[test]
fn recall_after_rescoring_is_high_for_every_kind() {
    let sets = [
        ("random", gaussian_data(3000, 64, 1)),
        ("clustered", clustered_data(3000, 64, 30, 2)),
    ];
    for (name, data) in &sets {
        let queries = gaussian_data(30, 64, 3);
        let queries: Vec<Vec<f32>> = if *name == "clustered" {
            data[..30]
                .iter()
                .map(|v| v.iter().map(|x| x + 0.1).collect())
                .collect()
        } else {
            queries
        };
        for (compression, metric) in kinds() {
            let exact = filled(metric, data);
            let index = filled(metric, data);
            index.compress(compression, None).unwrap();
            assert!(index.is_compressed());
            let r = recall(&index, &exact, &queries);
            assert!(r >= 0.9, "{name} {compression:?} {metric:?}: recall {r}");
            // Rescored distances are exact.
            let got = index.search(&queries[0], K, None).unwrap();
            for (id, d) in got {
                let want = exact.search(&queries[0], 3000, None).unwrap();
                let exact_d = want.iter().find(|h| h.0 == id).unwrap().1;
                assert!((d - exact_d).abs() <= 1e-4 * (1.0 + exact_d.abs()));
            }
        }
    }
}

#[test]
fn dropped_vectors_are_read_through_the_loader_with_the_same_results() {
    let data = gaussian_data(1500, 32, 4);
    let queries = gaussian_data(10, 32, 5);
    for (compression, metric) in kinds() {
        let kept = filled(metric, &data);
        kept.compress(compression, None).unwrap();
        let dropped = filled(metric, &data);
        let loader = loader_of(&data);
        let before = dropped.memory_bytes();
        dropped.compress(compression, Some(loader)).unwrap();
        assert!(dropped.memory_bytes() < before / 2, "{compression:?}");
        for q in &queries {
            assert_eq!(
                kept.search(q, K, None).unwrap(),
                dropped.search(q, K, None).unwrap()
            );
        }
        // Updates and removals keep codes and ids aligned.
        dropped.insert(7, &queries[0]).unwrap();
        assert!(dropped.remove(8));
        assert_eq!(dropped.len(), 1499);
        assert!(dropped
            .search(&queries[1], 1500, None)
            .unwrap()
            .iter()
            .all(|h| h.0 != 8));
    }
}

#[test]
fn filters_and_ranges_apply_to_compressed_scans() {
    let data = clustered_data(2000, 32, 10, 6);
    let exact = filled(Distance::L2Squared, &data);
    let index = filled(Distance::L2Squared, &data);
    index
        .compress(Compression::Sq(SqParams::default()), None)
        .unwrap();
    let allow: RoaringBitmap = (0..2000u32).filter(|i| i % 7 == 0).collect();
    let q = &data[3];
    let got = index.search(q, K, Some(&allow)).unwrap();
    let want = exact.search(q, K, Some(&allow)).unwrap();
    assert!(got.iter().all(|h| allow.contains(h.0)));
    let common = got.iter().filter(|h| want.contains(h)).count();
    assert!(common >= 9, "{got:?} vs {want:?}");
    let radius = want[4].1;
    let within = index.search_within(q, radius, 100, None).unwrap();
    assert!(within.iter().all(|h| h.1 <= radius));
    assert!(within.len() >= 4);
}

#[test]
fn built_compressed_and_pending_compression() {
    let data = gaussian_data(600, 16, 7);
    let bq =
        FlatIndex::with_compression(Distance::Cosine, Compression::Bq(BqParams::default()), None)
            .unwrap();
    assert_eq!(
        bq.compression_state(),
        CompressionState::Pending(Compression::Bq(BqParams::default()))
    );
    bq.insert(1, &data[0]).unwrap();
    assert!(bq.is_compressed());

    let pq = Compression::Pq(PqParams {
        segments: 4,
        centroids: 64,
        training_limit: 500,
        ..PqParams::default()
    });
    let index = FlatIndex::with_compression(Distance::L2Squared, pq, None).unwrap();
    for (i, v) in data.iter().enumerate().take(499) {
        index.insert(i as DocId, v).unwrap();
    }
    assert!(!index.compression_due());
    assert_eq!(index.compress_pending(), Ok(false));
    index.insert(499, &data[499]).unwrap();
    assert!(index.compression_due());
    assert_eq!(index.compress_pending(), Ok(true));
    assert!(matches!(
        index.compression_state(),
        CompressionState::Compressed(Compression::Pq(_))
    ));
    assert!(index.compressed_bytes() > 0);
}

#[test]
fn compression_errors_are_structured() {
    let empty = FlatIndex::new(Distance::L2Squared);
    let pq = Compression::Pq(PqParams::default());
    assert_eq!(
        empty.compress(pq, None),
        Err(Error::NotEnoughTrainingData {
            needed: 256,
            got: 0
        })
    );
    let index = filled(Distance::L2Squared, &gaussian_data(200, 10, 8));
    assert_eq!(
        index.compress(
            Compression::Pq(PqParams {
                segments: 3,
                ..PqParams::default()
            }),
            None
        ),
        Err(Error::PqSegments {
            segments: 3,
            dim: 10
        })
    );
    assert_eq!(
        index.compress(pq, None),
        Err(Error::NotEnoughTrainingData {
            needed: 256,
            got: 200
        })
    );
    assert!(!index.is_compressed());
    index
        .compress(Compression::Bq(BqParams::default()), None)
        .unwrap();
    assert_eq!(
        index.compress(Compression::Bq(BqParams::default()), None),
        Err(Error::AlreadyCompressed)
    );
    assert!(FlatIndex::with_compression(Distance::Hamming, pq, None).is_err());
}

#[test]
fn compressing_while_others_write_and_search() {
    let data = gaussian_data(4000, 32, 9);
    let index = Arc::new(filled(Distance::Cosine, &data[..3000]));
    thread::scope(|scope| {
        let writer = Arc::clone(&index);
        let data = &data;
        scope.spawn(move || {
            for (i, v) in data.iter().enumerate().skip(3000) {
                writer.insert(i as DocId, v).unwrap();
                if i % 10 == 0 {
                    writer.remove((i - 3000) as DocId);
                }
            }
        });
        let reader = Arc::clone(&index);
        scope.spawn(move || {
            for q in data.iter().take(200) {
                assert!(reader.search(q, K, None).unwrap().len() <= K);
            }
        });
        index
            .compress(Compression::Rq(RqParams::default()), None)
            .unwrap();
    });
    assert!(index.is_compressed());
    assert_eq!(index.len(), 4000 - 100);
    let exact = FlatIndex::new(Distance::Cosine);
    for (i, v) in data.iter().enumerate() {
        if i >= 1000 || i % 10 != 0 {
            exact.insert(i as DocId, v).unwrap();
        }
    }
    let r = recall(&index, &exact, &gaussian_data(30, 32, 10));
    assert!(r >= 0.9, "recall {r}");
}

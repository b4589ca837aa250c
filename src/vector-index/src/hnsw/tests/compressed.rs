//! Compressed HNSW: recall after rescoring for every kind on random and clustered data, built
//! compressed or compressed in place, filtered search, removals and cleanup on codes,
//! snapshot round trips (with and without full vectors) and old snapshots, and compression
//! while other threads search and insert.

use std::collections::HashMap;
use std::sync::Arc;
use std::thread;

use super::*;
use crate::error::Error;
use crate::hnsw::snapshot::as_version_2;
use crate::quantization::tests::{clustered_data, gaussian_data};
use crate::quantization::{BqParams, Compression, CompressionState, PqParams, RqParams, SqParams};
use crate::VectorLoader;

const K: usize = 10;

fn params() -> HnswParams {
    HnswParams {
        max_connections: 16,
        ef_construction: 64,
        ..HnswParams::default()
    }
}

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

/// A loader over a map of the vectors as inserted.
fn loader_of(items: &[(DocId, Vec<f32>)]) -> VectorLoader {
    let map: HashMap<DocId, Vec<f32>> = items.iter().cloned().collect();
    Arc::new(move |id| map.get(&id).cloned())
}

/// The graph invariants, and reachability except under dot: inner product is not a metric,
/// and on clustered data its graphs (compressed or not) leave many nodes reachable only as
/// results of other nodes' hubs; recall is what is checked there.
fn assert_reachable(index: &HnswIndex, metric: Distance) {
    let report = check_invariants(index);
    if metric != Distance::Dot {
        report.assert_mostly_reachable();
    }
}

fn built(metric: Distance, items: &[(DocId, Vec<f32>)]) -> HnswIndex {
    let index = HnswIndex::new(metric, params());
    index.insert_batch(items).unwrap();
    index
}

#[test]
fn recall_after_rescoring_is_high_for_every_kind_compressed_in_place() {
    let sets = [
        ("random", gaussian_data(3000, 64, 31)),
        ("clustered", clustered_data(3000, 64, 30, 32)),
    ];
    for (name, data) in &sets {
        let items = items(data);
        let queries: Vec<Vec<f32>> = data[..25]
            .iter()
            .map(|v| v.iter().map(|x| x + 0.05).collect())
            .collect();
        for (compression, metric) in kinds() {
            let flat = reference(metric, &items);
            let index = built(metric, &items);
            index.compress(compression, None).unwrap();
            assert!(index.is_compressed());
            let r = mean_recall(&index, &flat, &queries, K, None);
            assert!(r >= 0.9, "{name} {compression:?} {metric:?}: recall {r}");
            assert_reachable(&index, metric);
        }
    }
}

/// Weaviate's hnsw `rescore` (`search.go`): PQ and BQ rescore every candidate collected, SQ and
/// RQ only their best `rescoreLimit` when that is at least `k`, and SQ or RQ with a
/// `rescoreLimit` of 0 answers with code distances. Counted as reads through the loader.
#[test]
fn each_method_rescores_as_many_candidates_as_weaviate() {
    let data = gaussian_data(2000, 32, 35);
    let items = items(&data);
    let query = gaussian_data(1, 32, 36).remove(0);
    let ef = params().ef_for(K);
    let sq = |rescore_limit| {
        Compression::Sq(SqParams {
            rescore_limit,
            ..SqParams::default()
        })
    };
    let rq = |rescore_limit| {
        Compression::Rq(RqParams {
            rescore_limit,
            ..RqParams::default()
        })
    };
    let cases = [
        (
            Compression::Pq(PqParams {
                segments: 8,
                ..PqParams::default()
            }),
            ef,
        ),
        (
            Compression::Bq(BqParams::default()),
            BqParams::default().rescore_limit,
        ),
        (sq(20), 20),
        (rq(20), 20),
        (rq(150), 150),
        (sq(5), ef),
        (sq(0), 0),
        (rq(0), 0),
    ];
    for (compression, want) in cases {
        let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let inner = loader_of(&items);
        let counted = Arc::clone(&reads);
        let loader: VectorLoader = Arc::new(move |id| {
            counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            inner(id)
        });
        let index = built(Distance::L2Squared, &items);
        index.compress(compression, Some(loader)).unwrap();
        reads.store(0, std::sync::atomic::Ordering::Relaxed);
        let hits = index.search(&query, K, None).unwrap();
        assert_eq!(hits.len(), K, "{compression:?}");
        let got = reads.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(got, want, "{compression:?}: vectors read for rescoring");
        let exact =
            |doc: DocId| crate::distance::kernel(Distance::L2Squared)(&query, &data[doc as usize]);
        let exact_distances = hits
            .iter()
            .all(|&(doc, d)| (d - exact(doc)).abs() <= 1e-3 * (1.0 + d));
        assert_eq!(
            exact_distances,
            want > 0,
            "{compression:?}: distances exact only when rescored"
        );
    }
}

#[test]
fn built_compressed_from_the_first_insert() {
    let data = gaussian_data(2500, 64, 33);
    let items = items(&data);
    let queries = gaussian_data(25, 64, 34);
    for compression in [
        Compression::Bq(BqParams::default()),
        Compression::Rq(RqParams::default()),
        Compression::Rq(RqParams::one_bit()),
    ] {
        let metric = Distance::Cosine;
        let loader = loader_of(&items);
        let index =
            HnswIndex::with_compression(metric, params(), compression, Some(loader)).unwrap();
        assert_eq!(
            index.compression_state(),
            CompressionState::Pending(compression)
        );
        index.insert_batch(&items).unwrap();
        assert!(index.is_compressed());
        assert_eq!(index.vectors_in_memory(), 0);
        let r = mean_recall(&index, &reference(metric, &items), &queries, K, None);
        assert!(r >= 0.9, "{compression:?}: recall {r}");
    }
}

#[test]
fn pending_pq_trains_once_due() {
    let data = clustered_data(1200, 32, 12, 35);
    let items = items(&data);
    let pq = Compression::Pq(PqParams {
        training_limit: 1000,
        ..PqParams::default()
    });
    let index = HnswIndex::with_compression(Distance::L2Squared, params(), pq, None).unwrap();
    index.insert_batch(&items[..999]).unwrap();
    assert!(!index.compression_due());
    index.insert_batch(&items[999..]).unwrap();
    assert!(index.compression_due());
    assert_eq!(index.compress_pending(), Ok(true));
    assert!(matches!(
        index.compression_state(),
        CompressionState::Compressed(Compression::Pq(PqParams { segments: 16, .. }))
    ));
    assert!(index.compressed_bytes() > 0 && index.memory_bytes() > index.compressed_bytes());
    assert_eq!(index.compress(pq, None), Err(Error::AlreadyCompressed));
    let r = mean_recall(
        &index,
        &reference(Distance::L2Squared, &items),
        &data[..20],
        K,
        None,
    );
    assert!(r >= 0.9, "recall {r}");
}

#[test]
fn filtered_search_removals_and_cleanup_work_on_codes() {
    let data = clustered_data(3000, 32, 20, 36);
    let items = items(&data);
    let index = built(Distance::L2Squared, &items);
    index
        .compress(Compression::Sq(SqParams::default()), None)
        .unwrap();
    for id in (0..3000).step_by(3) {
        index.remove(id);
    }
    let live: Vec<(DocId, Vec<f32>)> = items
        .iter()
        .filter(|(id, _)| id % 3 != 0)
        .cloned()
        .collect();
    assert!(index.cleanup() > 0);
    check_invariants(&index).assert_mostly_reachable();
    let flat = reference(Distance::L2Squared, &live);
    let queries = &data[..20];
    let r = mean_recall(&index, &flat, queries, K, None);
    assert!(r >= 0.9, "after cleanup: recall {r}");
    for allow in [
        (0..3000u32)
            .filter(|i| i % 2 == 0)
            .collect::<RoaringBitmap>(),
        (0..3000u32)
            .filter(|i| i % 50 == 1)
            .collect::<RoaringBitmap>(),
    ] {
        let r = mean_recall(&index, &flat, queries, K, Some(&allow));
        assert!(r >= 0.9, "filtered ({} allowed): recall {r}", allow.len());
    }
}

fn results(index: &HnswIndex, queries: &[Vec<f32>]) -> Vec<Vec<(DocId, f32)>> {
    queries
        .iter()
        .map(|q| index.search(q, K, None).unwrap())
        .collect()
}

#[allow(clippy::type_complexity)] // the feeder `read_graph` takes
fn feed(items: &[(DocId, Vec<f32>)]) -> impl FnMut(&mut dyn FnMut(DocId, &[f32])) + '_ {
    move |sink| {
        for (id, v) in items {
            sink(*id, v);
        }
    }
}

#[test]
fn compressed_snapshots_round_trip_without_retraining() {
    let data = clustered_data(2000, 32, 16, 37);
    let items = items(&data);
    let queries = gaussian_data(20, 32, 38);
    for (compression, metric) in kinds() {
        let index = built(metric, &items);
        index.compress(compression, None).unwrap();
        index.remove(5);
        let live: Vec<_> = items.iter().filter(|(id, _)| *id != 5).cloned().collect();
        let mut bytes = Vec::new();
        index.write_graph(&mut bytes).unwrap();
        let want = results(&index, &queries);

        let (resident, missing) =
            HnswIndex::read_graph(metric, params(), &mut &bytes[..], &mut feed(&live)).unwrap();
        assert!(missing.is_empty());
        assert_eq!(resident.compression_state(), index.compression_state());
        assert_eq!(results(&resident, &queries), want, "{compression:?}");

        let loader = loader_of(&live);
        let (dropped, _) = HnswIndex::read_graph_compressed(
            metric,
            params(),
            loader,
            &mut &bytes[..],
            &mut feed(&live),
        )
        .unwrap();
        assert_eq!(dropped.vectors_in_memory(), 0);
        assert!(dropped.memory_bytes() < resident.memory_bytes());
        assert_eq!(
            results(&dropped, &queries),
            want,
            "{compression:?} without vectors"
        );
        assert_reachable(&dropped, metric);
    }
}

#[test]
fn version_2_snapshots_still_load() {
    let data = gaussian_data(800, 16, 39);
    let items = items(&data);
    let index = built(Distance::Cosine, &items);
    let mut bytes = Vec::new();
    index.write_graph(&mut bytes).unwrap();
    let old = as_version_2(&bytes);
    let (restored, missing) =
        HnswIndex::read_graph(Distance::Cosine, params(), &mut &old[..], &mut feed(&items))
            .unwrap();
    assert!(missing.is_empty() && !restored.is_compressed());
    let queries = &data[..10];
    assert_eq!(results(&restored, queries), results(&index, queries));
}

#[test]
fn compressing_while_others_search_and_insert() {
    let data = gaussian_data(5000, 32, 40);
    let items = items(&data);
    let index = built(Distance::Cosine, &items[..3000]);
    let loader = loader_of(&items);
    thread::scope(|scope| {
        let (index, items, data) = (&index, &items, &data);
        scope.spawn(move || {
            for chunk in items[3000..].chunks(100) {
                index.insert_batch(chunk).unwrap();
            }
        });
        scope.spawn(move || {
            for q in data.iter().take(300) {
                assert!(index.search(q, K, None).unwrap().len() <= K);
            }
        });
        index
            .compress(
                Compression::Pq(PqParams {
                    segments: 16,
                    centroids: 64,
                    ..PqParams::default()
                }),
                Some(loader),
            )
            .unwrap();
    });
    assert!(index.is_compressed());
    assert_eq!(index.len(), 5000);
    assert_eq!(index.vectors_in_memory(), 0);
    check_invariants(&index).assert_mostly_reachable();
    let r = mean_recall(
        &index,
        &reference(Distance::Cosine, &items),
        &gaussian_data(25, 32, 41),
        K,
        None,
    );
    assert!(r >= 0.9, "recall {r}");
}

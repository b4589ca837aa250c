//! Search quality: exact with a large `ef` for every metric, recall at default parameters.

use types::schema::Distance;

use super::*;

const METRICS: [Distance; 5] = [
    Distance::Cosine,
    Distance::Dot,
    Distance::L2Squared,
    Distance::Manhattan,
    Distance::Hamming,
];

/// Vectors for `metric`: small integers for hamming (so that distances tie and differ), unit
/// length for dot, Gaussian otherwise.
///
/// Under the dot product a vector strictly inside the convex hull of others is nobody's
/// nearest neighbour, so an HNSW graph (hnswlib's too) leaves many such nodes without inbound
/// links and a graph walk cannot find them; on unit vectors dot ranks like cosine.
fn vectors_for(metric: Distance, n: usize, seed: u64) -> Vec<Vec<f32>> {
    let vectors = gaussian_vectors(n, 8, seed);
    match metric {
        Distance::Hamming => vectors
            .into_iter()
            .map(|v| {
                v.into_iter()
                    .map(|x| (x * 1.5).round().clamp(-1.0, 1.0))
                    .collect()
            })
            .collect(),
        Distance::Dot => vectors
            .into_iter()
            .map(|mut v| {
                crate::distance::normalize(&mut v);
                v
            })
            .collect(),
        Distance::Cosine | Distance::L2Squared | Distance::Manhattan => vectors,
    }
}

#[test]
fn large_ef_equals_brute_force_for_every_metric() {
    for metric in METRICS {
        let batch = items(&vectors_for(metric, 400, 5));
        let index = HnswIndex::new(metric, HnswParams::default());
        index.insert_batch(&batch).unwrap();
        let flat = reference(metric, &batch);
        assert_eq!(check_invariants(&index).unreachable, 0, "{metric:?}");
        for q in vectors_for(metric, 20, 6) {
            for k in [1, 10, 400] {
                let got = index.search_with_ef(&q, k, 500, None).unwrap();
                assert_eq!(got, flat.search(&q, k, None).unwrap(), "{metric:?} k={k}");
            }
        }
    }
}

#[test]
fn recall_at_default_ef_on_gaussian_data() {
    let batch = items(&gaussian_vectors(20_000, 32, 21));
    let index = HnswIndex::new(Distance::L2Squared, HnswParams::default());
    index.insert_batch(&batch).unwrap();
    let flat = reference(Distance::L2Squared, &batch);
    let queries = gaussian_vectors(200, 32, 22);
    let r = mean_recall(&index, &flat, &queries, 10, None);
    assert!(r >= 0.95, "recall@10 {r}");
    let report = check_invariants(&index);
    report.assert_mostly_reachable();
}

#[test]
fn k_beyond_the_size_returns_everything_live() {
    let batch = items(&gaussian_vectors(50, 4, 8));
    let index = HnswIndex::new(Distance::L2Squared, small_params());
    index.insert_batch(&batch).unwrap();
    index.remove(0);
    let hits = index.search(&batch[0].1, 1000, None).unwrap();
    assert_eq!(hits.len(), 49);
    assert!(hits.iter().all(|h| h.0 != 0));
    assert!(hits.windows(2).all(|w| w[0].1 <= w[1].1));
}

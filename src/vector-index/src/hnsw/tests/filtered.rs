//! Filtered search: the exact path below `flat_search_cutoff`, the graph paths above it.

use std::sync::OnceLock;

use types::schema::Distance;

use super::*;

/// A 20k x 32 Gaussian index (filtered searches always walk the graph: cutoff 0), its exact
/// reference and queries; built once for all tests here.
fn fixture() -> &'static (HnswIndex, FlatIndex, Vec<Vec<f32>>) {
    static FIXTURE: OnceLock<(HnswIndex, FlatIndex, Vec<Vec<f32>>)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let batch = items(&gaussian_vectors(20_000, 32, 31));
        let index = HnswIndex::new(
            Distance::L2Squared,
            HnswParams {
                flat_search_cutoff: 0,
                ..HnswParams::default()
            },
        );
        index.insert_batch(&batch).unwrap();
        let flat = reference(Distance::L2Squared, &batch);
        (index, flat, gaussian_vectors(100, 32, 32))
    })
}

/// About `percent`% of `0..n`, chosen at random.
fn allow_list(n: u32, percent: u32, seed: u64) -> RoaringBitmap {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).filter(|_| rng.gen_range(0..100) < percent).collect()
}

#[test]
fn graph_search_keeps_recall_at_every_selectivity() {
    let (index, flat, queries) = fixture();
    for percent in [1, 10, 50] {
        let allow = allow_list(20_000, percent, u64::from(percent));
        for q in queries.iter().take(5) {
            let hits = index.search(q, 10, Some(&allow)).unwrap();
            assert_eq!(hits.len(), 10);
            assert!(hits.iter().all(|h| allow.contains(h.0)));
            assert!(hits.windows(2).all(|w| w[0].1 <= w[1].1));
        }
        let r = mean_recall(index, flat, queries, 10, Some(&allow));
        assert!(r >= 0.9, "recall@10 {r} at {percent}%");
    }
}

#[test]
fn exact_path_below_the_cutoff_is_exact() {
    let (index, flat, queries) = fixture();
    let exact = HnswIndex::new(Distance::L2Squared, HnswParams::default());
    let batch: Vec<(DocId, Vec<f32>)> = (0..3000)
        .map(|i| (i, flat_vector(flat, index, i)))
        .collect();
    exact.insert_batch(&batch).unwrap();
    let small = reference(Distance::L2Squared, &batch);
    for percent in [1, 10, 50] {
        let allow = allow_list(3000, percent, 7);
        for q in queries.iter().take(20) {
            assert_eq!(
                exact.search(q, 10, Some(&allow)).unwrap(),
                small.search(q, 10, Some(&allow)).unwrap()
            );
        }
    }
    // Ids in the allow-list without a vector are ignored.
    let allow: RoaringBitmap = [1, 2, 100_000].into_iter().collect();
    let hits = exact.search(&queries[0], 10, Some(&allow)).unwrap();
    assert_eq!(hits.len(), 2);
}

/// The stored vector of `id` (the fixture's metric stores vectors unchanged).
fn flat_vector(_flat: &FlatIndex, index: &HnswIndex, id: DocId) -> Vec<f32> {
    let st = index.storage.read();
    let node = index.ids.read().node_of(id).unwrap();
    st.resident_vector(node).to_vec()
}

#[test]
fn tombstones_are_never_returned_by_filtered_searches() {
    let batch = items(&gaussian_vectors(3000, 8, 41));
    let index = HnswIndex::new(
        Distance::L2Squared,
        HnswParams {
            flat_search_cutoff: 0,
            ..HnswParams::default()
        },
    );
    index.insert_batch(&batch).unwrap();
    let flat = reference(Distance::L2Squared, &batch);
    for id in (0..3000).step_by(3) {
        index.remove(id);
        flat.remove(id);
    }
    let queries = gaussian_vectors(30, 8, 42);
    for percent in [2, 30, 80] {
        // The allow-list still names removed ids, as a stale filter might.
        let allow = allow_list(3000, percent, 43);
        for q in &queries {
            let hits = index.search(q, 10, Some(&allow)).unwrap();
            assert!(hits.iter().all(|h| h.0 % 3 != 0 && allow.contains(h.0)));
        }
        let r = mean_recall(&index, &flat, &queries, 10, Some(&allow));
        assert!(r >= 0.9, "recall@10 {r} at {percent}% with tombstones");
    }
}

#[test]
fn a_filter_far_from_the_query_is_still_found() {
    // The allowed vectors form a cluster far away from the queries: the seeds from the
    // allow-list lead the search there.
    let mut vectors = gaussian_vectors(4000, 8, 51);
    for v in vectors.iter_mut().skip(3900) {
        v[0] += 50.0;
    }
    let batch = items(&vectors);
    let index = HnswIndex::new(
        Distance::L2Squared,
        HnswParams {
            flat_search_cutoff: 0,
            ..HnswParams::default()
        },
    );
    index.insert_batch(&batch).unwrap();
    let flat = reference(Distance::L2Squared, &batch);
    let allow: RoaringBitmap = (3900..4000).collect();
    let queries = gaussian_vectors(20, 8, 52);
    let r = mean_recall(&index, &flat, &queries, 10, Some(&allow));
    assert!(r >= 0.9, "recall@10 {r}");
}

/// `n` points of a Gaussian mixture of `clusters` clusters in `dim` dimensions: centers
/// N(0, 1), points center + 0.3 N(0, 1).
fn mixture(n: usize, dim: usize, clusters: usize, seed: u64) -> Vec<Vec<f32>> {
    let centers = gaussian_vectors(clusters, dim, seed);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x9E37_79B9);
    (0..n)
        .map(|_| {
            let c = &centers[rng.gen_range(0..clusters)];
            c.iter().map(|&x| x + 0.3 * gaussian(&mut rng)).collect()
        })
        .collect()
}

#[test]
fn clustered_data_with_a_one_percent_filter_keeps_recall() {
    // Clusters of about 100 points with a random 1% allow-list hold about one allowed point
    // each: the allowed nodes are not connected through short detours.
    let (n, dim) = (20_000, 64);
    let mut vectors = mixture(n + 100, dim, 200, 61);
    let queries = vectors.split_off(n);
    let batch = items(&vectors);
    let index = HnswIndex::new(
        Distance::L2Squared,
        HnswParams {
            max_connections: 16,
            ef_construction: 128,
            flat_search_cutoff: 50,
            ..HnswParams::default()
        },
    );
    index.insert_batch(&batch).unwrap();
    let flat = reference(Distance::L2Squared, &batch);
    let allow = allow_list(n as u32, 1, 62);
    let truth: Vec<_> = queries
        .iter()
        .map(|q| flat.search(q, 10, Some(&allow)).unwrap())
        .collect();
    let mut at_64 = 0.0;
    for ef in [16, 32, 64, 128, 256] {
        let start = std::time::Instant::now();
        let got: Vec<_> = queries
            .iter()
            .map(|q| index.search_with_ef(q, 10, ef, Some(&allow)).unwrap())
            .collect();
        let qps = queries.len() as f64 / start.elapsed().as_secs_f64();
        let r = got
            .iter()
            .zip(&truth)
            .map(|(g, t)| recall(g, t))
            .sum::<f64>()
            / truth.len() as f64;
        println!("1% clustered, ef {ef}: recall@10 {r:.3}, {qps:.0} qps");
        if ef == 64 {
            at_64 = r;
        }
    }
    assert!(at_64 >= 0.9, "recall@10 {at_64} at ef 64");
}

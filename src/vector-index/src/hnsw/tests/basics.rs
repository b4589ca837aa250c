//! The API's contract on small inputs: upsert, removal, errors, range search, parameters,
//! batches and memory accounting.

use types::schema::Distance;

use super::*;
use crate::error::Error;
use crate::VectorIndex;

#[test]
fn the_index_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<HnswIndex>();
    shareable::<VectorIndex>();
}

#[test]
fn empty_index_answers_nothing() {
    let index = HnswIndex::new(Distance::L2Squared, HnswParams::default());
    assert!(index.is_empty() && index.dim().is_none());
    assert!(index.search(&[1.0, 2.0], 5, None).unwrap().is_empty());
    assert!(index
        .search_within(&[1.0], 1.0, 5, None)
        .unwrap()
        .is_empty());
    assert_eq!(index.cleanup(), 0);
    check_invariants(&index);
}

#[test]
fn insert_search_upsert_remove() {
    let index = HnswIndex::new(Distance::L2Squared, HnswParams::default());
    index.insert(1, &[0.0, 0.0]).unwrap();
    index.insert(2, &[3.0, 4.0]).unwrap();
    index.insert(3, &[10.0, 10.0]).unwrap();
    assert_eq!((index.len(), index.dim()), (3, Some(2)));
    assert_eq!(
        index.search(&[3.0, 3.0], 2, None).unwrap(),
        vec![(2, 1.0), (1, 18.0)]
    );
    // Upsert: the old node becomes a tombstone, the doc is found at its new place.
    index.insert(1, &[3.0, 3.0]).unwrap();
    assert_eq!((index.len(), index.tombstones()), (3, 1));
    assert_eq!(index.search(&[3.0, 3.0], 1, None).unwrap(), vec![(1, 0.0)]);
    assert!(index.remove(2) && !index.remove(2) && !index.remove(99));
    assert!(!index.contains(2) && index.contains(1));
    assert_eq!((index.len(), index.tombstones()), (2, 2));
    let hits = index.search(&[3.0, 4.0], 10, None).unwrap();
    assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![1, 3]);
    check_invariants(&index);
    assert_eq!(index.cleanup(), 2);
    assert_eq!(index.tombstones(), 0);
    let report = check_invariants(&index);
    assert_eq!((report.live, report.unreachable), (2, 0));
    // Freed slots are reused.
    index.insert(7, &[1.0, 1.0]).unwrap();
    assert_eq!(index.ids.read().next, 4);
    check_invariants(&index);
}

#[test]
fn errors_match_the_flat_index() {
    let hnsw = HnswIndex::new(Distance::Dot, HnswParams::default());
    let flat = FlatIndex::new(Distance::Dot);
    hnsw.insert(1, &[1.0, 2.0]).unwrap();
    flat.insert(1, &[1.0, 2.0]).unwrap();
    // Compared as text: NaN inside an error is not equal to itself.
    let same = |a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| {
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    };
    for v in [&[1.0][..], &[], &[f32::NAN, 1.0], &[1.0, 2.0, 3.0]] {
        same(&hnsw.insert(2, v), &flat.insert(2, v));
        same(
            &hnsw.check_dimension(v.len()),
            &flat.check_dimension(v.len()),
        );
        same(&hnsw.search(v, 1, None), &flat.search(v, 1, None));
    }
    assert_eq!(
        hnsw.insert(2, &[1.0]).unwrap_err(),
        Error::DimensionMismatch {
            expected: 2,
            got: 1
        }
    );
    assert_eq!(hnsw.len(), 1);
}

#[test]
fn cosine_distances_are_of_the_original_vectors() {
    let index = HnswIndex::new(Distance::Cosine, HnswParams::default());
    index.insert(1, &[2.0, 0.0]).unwrap();
    index.insert(2, &[0.0, 5.0]).unwrap();
    let hits = index.search(&[1.0, 1.0], 2, None).unwrap();
    assert_eq!(hits[0].0, 1);
    assert!((hits[0].1 - (1.0 - std::f32::consts::FRAC_1_SQRT_2)).abs() < 1e-6);
    assert!((hits[1].1 - hits[0].1).abs() < 1e-6);
}

#[test]
fn search_within_grows_until_the_bound() {
    let vectors: Vec<Vec<f32>> = (0..500).map(|i| vec![i as f32, 0.0]).collect();
    let index = HnswIndex::new(Distance::L2Squared, small_params());
    index.insert_batch(&items(&vectors)).unwrap();
    // Distances 0, 1, 4, ..., 40000: 201 vectors within 200^2, more than the first k tried.
    let hits = index
        .search_within(&[0.0, 0.0], 40_000.0, usize::MAX, None)
        .unwrap();
    assert_eq!(hits.len(), 201);
    assert!(hits.windows(2).all(|w| w[0].1 <= w[1].1));
    assert_eq!(hits.last().unwrap(), &(200, 40_000.0));
    assert_eq!(
        index.search_within(&[0.0, 0.0], 40_000.0, 3, None).unwrap(),
        vec![(0, 0.0), (1, 1.0), (2, 4.0)]
    );
    assert!(index
        .search_within(&[0.0, 0.0], f32::NAN, 10, None)
        .unwrap()
        .is_empty());
    let allow: RoaringBitmap = [5, 6, 300].into_iter().collect();
    assert_eq!(
        index
            .search_within(&[0.0, 0.0], 100.0, 10, Some(&allow))
            .unwrap(),
        vec![(5, 25.0), (6, 36.0)]
    );
    assert!(index.search_within(&[0.0], 1.0, 10, None).is_err());
}

#[test]
fn mutable_params_change_and_fixed_ones_do_not() {
    let index = HnswIndex::new(Distance::L2Squared, HnswParams::default());
    index.set_params(HnswParams {
        max_connections: 8,
        ef_construction: 16,
        ef: 42,
        dynamic_ef_min: 1,
        dynamic_ef_max: 2,
        dynamic_ef_factor: 3,
        flat_search_cutoff: 7,
    });
    let p = index.params();
    assert_eq!((p.max_connections, p.ef_construction), (32, 128));
    assert_eq!((p.ef, p.dynamic_ef_min, p.dynamic_ef_max), (42, 1, 2));
    assert_eq!((p.dynamic_ef_factor, p.flat_search_cutoff), (3, 7));
    assert_eq!(p.ef_for(10), 42);
}

#[test]
fn batches_validate_first_and_keep_the_last_duplicate() {
    let index = HnswIndex::new(Distance::L2Squared, small_params());
    let mut batch = items(&gaussian_vectors(600, 4, 1));
    batch.push((3, vec![100.0; 4]));
    index.insert_batch(&batch).unwrap();
    assert_eq!((index.len(), index.tombstones()), (600, 0));
    assert_eq!(index.search(&[100.0; 4], 1, None).unwrap(), vec![(3, 0.0)]);
    let bad = vec![(1000, vec![1.0; 4]), (1001, vec![1.0; 3])];
    assert!(index.insert_batch(&bad).is_err());
    assert!(
        !index.contains(1000),
        "nothing of a failed batch is inserted"
    );
    let report = check_invariants(&index);
    report.assert_mostly_reachable();
}

#[test]
fn memory_grows_with_the_vectors() {
    let index = HnswIndex::new(Distance::L2Squared, HnswParams::default());
    let empty = index.memory_bytes();
    index
        .insert_batch(&items(&gaussian_vectors(5000, 16, 2)))
        .unwrap();
    let full = index.memory_bytes();
    // At least the vectors and the layer-0 links of every node.
    assert!(
        full - empty >= 5000 * (16 * 4 + 65 * 4),
        "{empty} -> {full}"
    );
    assert!(full < 5000 * 1000, "{full} bytes for 5000 small vectors");
}

#[test]
fn the_enum_delegates() {
    let index = VectorIndex::hnsw(Distance::L2Squared, HnswParams::default());
    assert_eq!(index.metric(), Distance::L2Squared);
    index
        .insert_batch(&[(1, vec![0.0, 0.0]), (2, vec![3.0, 4.0])])
        .unwrap();
    index.insert(3, &[1.0, 1.0]).unwrap();
    assert_eq!((index.len(), index.dim()), (3, Some(2)));
    assert!(index.contains(2) && index.check_dimension(3).is_err());
    assert_eq!(index.search(&[3.0, 3.0], 1, None).unwrap(), vec![(2, 1.0)]);
    assert_eq!(
        index.search_within(&[0.0, 0.0], 2.0, 10, None).unwrap(),
        vec![(1, 0.0), (3, 2.0)]
    );
    assert!(index.remove(1));
    assert_eq!(
        (index.tombstones(), index.cleanup(), index.tombstones()),
        (1, 1, 0)
    );
    assert!(index.memory_bytes() > 0);
    let flat = VectorIndex::flat(Distance::L2Squared);
    flat.insert_batch(&[(1, vec![0.0]), (1, vec![2.0])])
        .unwrap();
    assert_eq!(flat.search(&[2.0], 1, None).unwrap(), vec![(1, 0.0)]);
    assert!(flat.insert_batch(&[(2, vec![0.0]), (3, vec![])]).is_err());
    assert!(!flat.contains(2));
    assert_eq!((flat.cleanup(), flat.tombstones()), (0, 0));
    assert!(flat.memory_bytes() > 0);
}

#[test]
fn corrupt_graph_errors_are_internal() {
    assert_eq!(
        Error::CorruptGraph("x".into()).kind(),
        types::ErrorKind::Internal
    );
    assert_eq!(
        Error::IncompatibleGraph("x".into()).kind(),
        types::ErrorKind::Internal
    );
}

//! Flat index behaviour: per-metric results against hand-computed values, upsert and removal,
//! validation, cosine normalisation, equivalence with a naive sort, and concurrent use.

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;
use roaring::RoaringBitmap;
use types::schema::Distance;
use types::{DocId, VectorLengthMismatch};

use super::FlatIndex;
use crate::distance::{kernel, normalize};
use crate::error::Error;

fn index_with(metric: Distance, vectors: &[(DocId, &[f32])]) -> FlatIndex {
    let index = FlatIndex::new(metric);
    for (id, v) in vectors {
        index.insert(*id, v).unwrap();
    }
    index
}

fn bitmap(ids: &[DocId]) -> RoaringBitmap {
    ids.iter().copied().collect()
}

const POINTS: [(DocId, &[f32]); 3] = [(1, &[1.0, 0.0]), (2, &[0.0, 2.0]), (3, &[-1.0, -1.0])];

#[test]
fn l2_squared_ranks_by_squared_distance() {
    let index = index_with(Distance::L2Squared, &POINTS);
    let hits = index.search(&[1.0, 1.0], 3, None).unwrap();
    assert_eq!(hits, vec![(1, 1.0), (2, 2.0), (3, 8.0)]);
}

#[test]
fn manhattan_ranks_by_absolute_differences() {
    let index = index_with(Distance::Manhattan, &POINTS);
    let hits = index.search(&[1.0, 1.0], 3, None).unwrap();
    assert_eq!(hits, vec![(1, 1.0), (2, 2.0), (3, 4.0)]);
}

#[test]
fn dot_ranks_by_negated_product() {
    let index = index_with(Distance::Dot, &POINTS);
    let hits = index.search(&[1.0, 3.0], 3, None).unwrap();
    assert_eq!(hits, vec![(2, -6.0), (1, -1.0), (3, 4.0)]);
}

#[test]
fn hamming_counts_differing_positions() {
    let index = index_with(
        Distance::Hamming,
        &[
            (1, &[1.0, 2.0, 3.0]),
            (2, &[1.0, 0.0, 0.0]),
            (3, &[0.0, 2.0, 3.0]),
        ],
    );
    let hits = index.search(&[1.0, 2.0, -0.0], 3, None).unwrap();
    assert_eq!(hits, vec![(1, 1.0), (2, 1.0), (3, 2.0)]);
}

#[test]
fn cosine_reports_one_minus_cos_of_the_original_vectors() {
    let index = index_with(
        Distance::Cosine,
        &[
            (1, &[3.0, 4.0]),
            (2, &[-30.0, 40.0]),
            (3, &[-8.0, -6.0]),
            (4, &[0.0, 0.0]),
        ],
    );
    // The stored copies are normalised; the distances do not depend on the vectors' lengths.
    // Ids 2 (orthogonal) and 4 (zero vector, distance 1 by convention) tie up to rounding.
    let hits = index.search(&[0.4, 0.3], 4, None).unwrap();
    assert_eq!((hits[0].0, hits[3].0), (1, 3), "{hits:?}");
    let want: BTreeMap<DocId, f32> = [(1, 1.0 - 0.96), (2, 1.0), (3, 2.0), (4, 1.0)].into();
    for (id, got) in &hits {
        assert!((got - want[id]).abs() < 1e-6, "{hits:?}");
    }
}

#[test]
fn ties_break_by_smaller_id() {
    let index = index_with(
        Distance::L2Squared,
        &[(9, &[1.0]), (4, &[-1.0]), (7, &[1.0]), (5, &[3.0])],
    );
    let hits = index.search(&[0.0], 2, None).unwrap();
    assert_eq!(hits, vec![(4, 1.0), (7, 1.0)]);
}

#[test]
fn k_is_capped_and_zero_k_returns_nothing() {
    let index = index_with(Distance::L2Squared, &POINTS);
    assert_eq!(
        index.search(&[0.0, 0.0], usize::MAX, None).unwrap().len(),
        3
    );
    assert!(index.search(&[0.0, 0.0], 0, None).unwrap().is_empty());
}

#[test]
fn insert_replaces_an_existing_vector() {
    let index = index_with(Distance::L2Squared, &POINTS);
    index.insert(1, &[10.0, 10.0]).unwrap();
    assert_eq!(index.len(), 3);
    let hits = index.search(&[10.0, 10.0], 1, None).unwrap();
    assert_eq!(hits, vec![(1, 0.0)]);
}

#[test]
fn remove_keeps_the_other_vectors_intact() {
    let vectors: Vec<(DocId, Vec<f32>)> = (0..6).map(|i| (i, vec![i as f32; 3])).collect();
    let index = FlatIndex::new(Distance::L2Squared);
    for (id, v) in &vectors {
        index.insert(*id, v).unwrap();
    }
    // A middle slot (filled by the last one), the last slot, then an absent id.
    assert!(index.remove(2));
    assert!(index.remove(5));
    assert!(!index.remove(2));
    assert!(!index.remove(100));
    assert_eq!(index.len(), 4);
    assert!(!index.contains(2) && index.contains(4));
    for (id, v) in vectors.iter().filter(|(id, _)| ![2, 5].contains(id)) {
        assert_eq!(index.search(v, 1, None).unwrap(), vec![(*id, 0.0)]);
    }
    index.insert(2, &[2.0; 3]).unwrap();
    assert_eq!(index.search(&[2.0; 3], 1, None).unwrap(), vec![(2, 0.0)]);
}

#[test]
fn dimension_errors_carry_both_lengths() {
    let index = index_with(Distance::L2Squared, &POINTS);
    let err = index.insert(4, &[1.0, 2.0, 3.0]).unwrap_err();
    assert_eq!(
        err,
        Error::DimensionMismatch {
            expected: 2,
            got: 3
        }
    );
    assert_eq!(
        err.length_mismatch(),
        Some(VectorLengthMismatch::Stored {
            expected: 2,
            got: 3
        })
    );
    let err = index.search(&[1.0], 1, None).unwrap_err();
    assert_eq!(
        err.length_mismatch(),
        Some(VectorLengthMismatch::Query {
            expected: 2,
            got: 1
        })
    );
    assert_eq!(index.check_dimension(2), Ok(()));
    assert_eq!(
        index.check_dimension(5),
        Err(Error::DimensionMismatch {
            expected: 2,
            got: 5
        })
    );
    assert_eq!(index.check_dimension(0), Err(Error::EmptyVector));
    assert_eq!(index.len(), 3);
}

#[test]
fn invalid_vectors_leave_the_index_unchanged() {
    let index = index_with(Distance::Dot, &POINTS);
    assert_eq!(index.insert(1, &[]), Err(Error::EmptyVector));
    assert!(matches!(
        index.insert(1, &[0.0, f32::NEG_INFINITY]),
        Err(Error::NonFinite { position: 1, .. })
    ));
    assert!(matches!(
        index.search(&[f32::NAN, 0.0], 1, None),
        Err(Error::NonFinite { position: 0, .. })
    ));
    assert_eq!(index.search(&[0.0, 1.0], 1, None).unwrap(), vec![(2, -2.0)]);
}

#[test]
fn empty_index_returns_nothing_and_keeps_its_dimension() {
    let index = FlatIndex::new(Distance::Cosine);
    assert_eq!(index.dim(), None);
    assert!(index.check_dimension(7).is_ok());
    assert!(index.search(&[1.0, 2.0], 5, None).unwrap().is_empty());

    index.insert(1, &[1.0, 2.0]).unwrap();
    assert!(index.remove(1));
    assert!(index.is_empty());
    assert_eq!(index.dim(), Some(2));
    assert!(index.search(&[1.0, 2.0], 5, None).unwrap().is_empty());
    assert!(index.search(&[1.0], 5, None).is_err());
    assert!(index.insert(1, &[1.0]).is_err());
}

#[test]
fn allow_list_restricts_results_either_way_it_is_walked() {
    let index = index_with(Distance::L2Squared, &POINTS);
    // Smaller than the index: walked id by id, including an id the index lacks.
    let small = bitmap(&[3, 99]);
    assert_eq!(
        index.search(&[0.0, 0.0], 3, Some(&small)).unwrap(),
        vec![(3, 2.0)]
    );
    // Larger than the index: the slots are walked and probed.
    let large = bitmap(&[2, 3, 50, 60, 70]);
    let hits = index.search(&[0.0, 0.0], 3, Some(&large)).unwrap();
    assert_eq!(hits, vec![(3, 2.0), (2, 4.0)]);
    assert!(index
        .search(&[0.0, 0.0], 3, Some(&RoaringBitmap::new()))
        .unwrap()
        .is_empty());
}

#[test]
fn search_within_is_inclusive_limited_and_filtered() {
    let index = index_with(Distance::L2Squared, &POINTS);
    let q = [1.0, 1.0];
    assert_eq!(
        index.search_within(&q, 2.0, 10, None).unwrap(),
        vec![(1, 1.0), (2, 2.0)]
    );
    assert_eq!(
        index.search_within(&q, 2.0, 1, None).unwrap(),
        vec![(1, 1.0)]
    );
    assert!(index.search_within(&q, 0.5, 10, None).unwrap().is_empty());
    assert!(index
        .search_within(&q, f32::NAN, 10, None)
        .unwrap()
        .is_empty());
    let allow = bitmap(&[2, 3]);
    assert_eq!(
        index.search_within(&q, 2.0, 10, Some(&allow)).unwrap(),
        vec![(2, 2.0)]
    );
}

#[test]
fn debug_shows_shape_not_contents() {
    let index = index_with(Distance::Dot, &POINTS);
    assert_eq!(
        format!("{index:?}"),
        "FlatIndex { metric: Dot, dim: Some(2), len: 3, compressed: None }"
    );
}

#[test]
fn concurrent_inserts_removals_and_searches() {
    const WRITERS: u32 = 4;
    const PER_WRITER: u32 = 500;
    let index = Arc::new(FlatIndex::new(Distance::L2Squared));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let index = Arc::clone(&index);
            std::thread::spawn(move || {
                for i in 0..PER_WRITER {
                    let id = w * PER_WRITER + i;
                    index.insert(id, &[id as f32, 1.0, -1.0, 0.5]).unwrap();
                    // Every fourth id goes away again.
                    if i % 4 == 3 {
                        assert!(index.remove(id));
                    }
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..4)
        .map(|r| {
            let index = Arc::clone(&index);
            std::thread::spawn(move || {
                for i in 0..300u32 {
                    let q = [(i * 7 + r) as f32, 1.0, -1.0, 0.5];
                    let hits = index.search(&q, 10, None).unwrap();
                    assert!(hits.len() <= 10);
                    assert!(hits.windows(2).all(|w| w[0].1 <= w[1].1));
                    // Every hit's distance is its own id's, whatever was moved meanwhile.
                    for (id, d) in hits {
                        assert_eq!(d, (id as f32 - q[0]).powi(2));
                    }
                }
            })
        })
        .collect();
    for handle in writers.into_iter().chain(readers) {
        handle.join().unwrap();
    }
    assert_eq!(index.len(), (WRITERS * PER_WRITER * 3 / 4) as usize);
    let hits = index.search(&[1999.0, 1.0, -1.0, 0.5], 2, None).unwrap();
    assert_eq!(hits, vec![(1998, 1.0), (1997, 4.0)]);
}

/// Components from a small integer set (so distances tie and hamming sees equal positions) or
/// a continuous range.
fn component() -> impl Strategy<Value = f32> + Clone {
    prop_oneof![(-3i8..=3).prop_map(f32::from), -10f32..10f32]
}

fn metric() -> impl Strategy<Value = Distance> {
    prop::sample::select(Distance::ALL.to_vec())
}

/// A dimension, a history of upserts (with `Some`) and removals (with `None`), a query, `k`
/// and an optional allow-list that may name absent ids.
type Case = (
    usize,
    Vec<(DocId, Option<Vec<f32>>)>,
    Vec<f32>,
    usize,
    Option<Vec<DocId>>,
);

fn case() -> impl Strategy<Value = Case> {
    (1usize..20).prop_flat_map(|dim| {
        let vector = prop::collection::vec(component(), dim);
        let op = (0u32..40, prop::option::weighted(0.8, vector.clone()));
        (
            Just(dim),
            prop::collection::vec(op, 0..80),
            vector,
            0usize..50,
            prop::option::of(prop::collection::vec(0u32..60, 0..40)),
        )
    })
}

/// The index's kernel over the stored form (normalised for cosine): what an exact index must
/// reproduce bit for bit.
fn naive(metric: Distance, model: &BTreeMap<DocId, Vec<f32>>, query: &[f32]) -> Vec<(DocId, f32)> {
    let prepare = |v: &[f32]| {
        let mut v = v.to_vec();
        if metric == Distance::Cosine {
            normalize(&mut v);
        }
        v
    };
    let q = prepare(query);
    let mut all: Vec<(DocId, f32)> = model
        .iter()
        .map(|(&id, v)| (id, kernel(metric)(&q, &prepare(v)) + 0.0))
        .collect();
    all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    all
}

/// The metric in f64 over the original vectors.
fn true_distance(metric: Distance, a: &[f32], b: &[f32]) -> f64 {
    let pairs = a.iter().zip(b).map(|(&x, &y)| (f64::from(x), f64::from(y)));
    let dot = |a: &[f32], b: &[f32]| -> f64 {
        a.iter()
            .zip(b)
            .map(|(&x, &y)| f64::from(x) * f64::from(y))
            .sum()
    };
    match metric {
        Distance::Cosine => {
            let norms = (dot(a, a) * dot(b, b)).sqrt();
            if norms == 0.0 {
                1.0
            } else {
                1.0 - dot(a, b) / norms
            }
        }
        Distance::Dot => -dot(a, b),
        Distance::L2Squared => pairs.map(|(x, y)| (x - y) * (x - y)).sum(),
        Distance::Manhattan => pairs.map(|(x, y)| (x - y).abs()).sum(),
        Distance::Hamming => pairs.filter(|(x, y)| x != y).count() as f64,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn search_equals_a_naive_sort(metric in metric(), (dim, ops, query, k, allow) in case()) {
        let index = FlatIndex::new(metric);
        let mut model = BTreeMap::new();
        let mut inserted_any = false;
        for (id, op) in ops {
            match op {
                Some(v) => {
                    inserted_any = true;
                    index.insert(id, &v).unwrap();
                    model.insert(id, v);
                }
                None => prop_assert_eq!(index.remove(id), model.remove(&id).is_some()),
            }
        }
        prop_assert_eq!(index.len(), model.len());
        prop_assert_eq!(index.dim(), inserted_any.then_some(dim));

        let allow = allow.map(|ids| bitmap(&ids));
        let mut want = naive(metric, &model, &query);
        if let Some(allow) = &allow {
            want.retain(|(id, _)| allow.contains(*id));
        }
        want.truncate(k);
        let got = index.search(&query, k, allow.as_ref()).unwrap();
        prop_assert_eq!(&got, &want);

        for (id, d) in &got {
            let truth = true_distance(metric, &query, &model[id]);
            prop_assert!((f64::from(*d) - truth).abs() <= 1e-4 * truth.abs().max(1.0),
                "{:?} id {}: {} vs true {}", metric, id, d, truth);
        }
    }

    #[test]
    fn search_within_equals_a_naive_filter(
        metric in metric(),
        (_, ops, query, limit, allow) in case(),
        max_distance in -20f32..60f32,
    ) {
        let index = FlatIndex::new(metric);
        let mut model = BTreeMap::new();
        for (id, v) in ops.into_iter().filter_map(|(id, v)| Some((id, v?))) {
            index.insert(id, &v).unwrap();
            model.insert(id, v);
        }
        let allow = allow.map(|ids| bitmap(&ids));
        let mut want = naive(metric, &model, &query);
        want.retain(|(id, d)| {
            let allowed = match &allow {
                Some(allow) => allow.contains(*id),
                None => true,
            };
            *d <= max_distance && allowed
        });
        want.truncate(limit);
        let got = index.search_within(&query, max_distance, limit, allow.as_ref()).unwrap();
        prop_assert_eq!(got, want);
    }
}

mod compressed;

//! Graph invariants after random sequences of inserts, updates, removals and cleanups.

use std::collections::HashMap;

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use types::schema::Distance;

use super::*;

#[derive(Debug, Clone)]
enum Op {
    Insert(DocId, Vec<f32>),
    Remove(DocId),
    Cleanup,
}

fn op(dim: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..120u32, prop::collection::vec(-10.0f32..10.0, dim))
            .prop_map(|(id, v)| Op::Insert(id, v)),
        3 => (0..120u32).prop_map(Op::Remove),
        1 => Just(Op::Cleanup),
    ]
}

/// Applies `ops` to an HNSW index and a flat reference, checking the invariants after every
/// cleanup and at the end, and that a search with `ef >= n` then equals the reference.
fn run(ops: &[Op], metric: Distance) -> Result<(), TestCaseError> {
    let params = HnswParams {
        max_connections: 8,
        ..small_params()
    };
    let index = HnswIndex::new(metric, params);
    let flat = FlatIndex::new(metric);
    for op in ops {
        match op {
            Op::Insert(id, v) => {
                index.insert(*id, v).unwrap();
                flat.insert(*id, v).unwrap();
            }
            Op::Remove(id) => prop_assert_eq!(index.remove(*id), flat.remove(*id)),
            Op::Cleanup => {
                let before = index.tombstones();
                prop_assert_eq!(index.cleanup(), before);
                let report = check_invariants(&index);
                prop_assert!(report.unreachable <= 1 + report.live / 100, "{report:?}");
            }
        }
        prop_assert_eq!(index.len(), flat.len());
    }
    let report = check_invariants(&index);
    prop_assert!(report.unreachable <= 1 + report.live / 100, "{report:?}");
    // With ef >= n the search returns every live node that layer 0 reaches from where the
    // descent through the upper layers ends (links are directed, so that may miss a few more
    // than `unreachable`), with exact distances.
    let q = [1.0, -2.0, 0.5, 3.0];
    let n = flat.len();
    let got = index.search_with_ef(&q, n, n + 10, None).unwrap();
    let truth: HashMap<DocId, f32> = flat.search(&q, n, None).unwrap().into_iter().collect();
    prop_assert!(n - got.len() <= 2 + n / 20, "{} of {n} found", got.len());
    prop_assert!(got.windows(2).all(|w| w[0].1 <= w[1].1));
    for (id, d) in &got {
        prop_assert_eq!(truth.get(id), Some(d));
    }
    index.cleanup();
    check_invariants(&index);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("HNSW_PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(48),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_operations_keep_the_graph_sound(ops in prop::collection::vec(op(4), 1..400)) {
        run(&ops, Distance::L2Squared)?;
    }
}

#[test]
fn heavy_churn_with_cleanups_keeps_every_live_node_reachable() {
    let mut rng = StdRng::seed_from_u64(11);
    let index = HnswIndex::new(Distance::L2Squared, small_params());
    let flat = FlatIndex::new(Distance::L2Squared);
    let vectors = gaussian_vectors(3000, 8, 12);
    for round in 0..6 {
        for (i, v) in vectors.iter().enumerate() {
            // Every round updates a third of the ids and removes a tenth.
            if rng.gen_range(0..3) == 0 || round == 0 {
                let v: Vec<f32> = v.iter().map(|x| x + round as f32 * 0.1).collect();
                index.insert(i as DocId, &v).unwrap();
                flat.insert(i as DocId, &v).unwrap();
            } else if rng.gen_range(0..10) == 0 {
                index.remove(i as DocId);
                flat.remove(i as DocId);
            }
        }
        index.cleanup();
        let report = check_invariants(&index);
        assert_eq!(report.live, flat.len());
        report.assert_mostly_reachable();
    }
    let queries = gaussian_vectors(50, 8, 13);
    let r = mean_recall(&index, &flat, &queries, 10, None);
    assert!(r >= 0.95, "recall after churn {r}");
}

#[test]
fn removing_everything_then_reinserting() {
    let index = HnswIndex::new(Distance::Cosine, small_params());
    let batch = items(&gaussian_vectors(300, 6, 3));
    index.insert_batch(&batch).unwrap();
    for (id, _) in &batch {
        assert!(index.remove(*id));
    }
    assert!(index.search(&batch[0].1, 5, None).unwrap().is_empty());
    assert_eq!(index.cleanup(), 300);
    assert!(index.entry().is_none());
    check_invariants(&index);
    index.insert_batch(&batch).unwrap();
    let report = check_invariants(&index);
    assert_eq!(report.live, 300);
    report.assert_mostly_reachable();
    assert_eq!(index.ids.read().next, 300, "all slots were reused");
    assert_eq!(index.search(&batch[7].1, 1, None).unwrap()[0].0, 7);
}

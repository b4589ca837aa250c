//! Concurrent inserts, updates, removals, searches and cleanups.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use types::schema::Distance;

use super::*;

#[test]
fn concurrent_inserts_and_searches() {
    let vectors = gaussian_vectors(8000, 16, 61);
    let index = HnswIndex::new(Distance::L2Squared, HnswParams::default());
    let done = AtomicBool::new(false);
    thread::scope(|scope| {
        for t in 0..4usize {
            let (index, vectors) = (&index, &vectors);
            scope.spawn(move || {
                for i in (t..vectors.len()).step_by(4) {
                    index.insert(i as DocId, &vectors[i]).unwrap();
                }
            });
        }
        for t in 0..2u64 {
            let (index, done) = (&index, &done);
            scope.spawn(move || {
                let queries = gaussian_vectors(20, 16, 70 + t);
                while !done.load(Ordering::Relaxed) {
                    for q in &queries {
                        let hits = index.search(q, 10, None).unwrap();
                        assert!(hits.windows(2).all(|w| w[0].1 <= w[1].1));
                    }
                }
            });
        }
        // Stop the searchers once the writers are done.
        scope.spawn(|| {
            while index.len() < vectors.len() {
                thread::yield_now();
            }
            done.store(true, Ordering::Relaxed);
        });
    });
    let report = check_invariants(&index);
    assert_eq!(report.live, 8000);
    report.assert_mostly_reachable();
    let flat = reference(Distance::L2Squared, &items(&vectors));
    let r = mean_recall(&index, &flat, &gaussian_vectors(100, 16, 62), 10, None);
    assert!(r >= 0.95, "recall@10 {r}");
}

#[test]
fn concurrent_updates_removals_and_cleanups() {
    let vectors = gaussian_vectors(3000, 8, 63);
    let index = HnswIndex::new(Distance::Cosine, small_params());
    index.insert_batch(&items(&vectors)).unwrap();
    let done = AtomicBool::new(false);
    let finished = AtomicUsize::new(0);
    thread::scope(|scope| {
        for t in 0..3u64 {
            let (index, vectors, finished) = (&index, &vectors, &finished);
            scope.spawn(move || {
                let mut rng = StdRng::seed_from_u64(t);
                for _ in 0..3000 {
                    let id = rng.gen_range(0..3000u32);
                    if rng.gen_range(0..4) == 0 {
                        index.remove(id);
                    } else {
                        let v: Vec<f32> = vectors[id as usize].iter().map(|x| x * 1.01).collect();
                        index.insert(id, &v).unwrap();
                    }
                }
                finished.fetch_add(1, Ordering::Relaxed);
            });
        }
        {
            let (index, done) = (&index, &done);
            scope.spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    index.cleanup();
                    thread::yield_now();
                }
            });
        }
        {
            let (index, done) = (&index, &done);
            scope.spawn(move || {
                let queries = gaussian_vectors(10, 8, 64);
                let allow: RoaringBitmap = (0..3000).step_by(7).collect();
                while !done.load(Ordering::Relaxed) {
                    for q in &queries {
                        let hits = index.search(q, 5, None).unwrap();
                        assert!(hits.len() <= 5);
                        let hits = index.search_with_ef(q, 5, 50, Some(&allow)).unwrap();
                        assert!(hits.iter().all(|h| allow.contains(h.0)));
                    }
                }
            });
        }
        // Stop the cleaner and the searcher once the writers are done.
        scope.spawn(|| {
            while finished.load(Ordering::Relaxed) < 3 {
                thread::yield_now();
            }
            done.store(true, Ordering::Relaxed);
        });
    });
    index.cleanup();
    let report = check_invariants(&index);
    report.assert_mostly_reachable();
    assert_eq!(index.tombstones(), 0);
    // Searches find the final state: every live id with its last vector (a scaled copy of
    // the original, which is the same direction under cosine).
    let flat = FlatIndex::new(Distance::Cosine);
    for id in 0..3000 {
        if index.contains(id) {
            flat.insert(id, &vectors[id as usize]).unwrap();
        }
    }
    assert_eq!(flat.len(), index.len());
    let r = mean_recall(&index, &flat, &gaussian_vectors(50, 8, 65), 10, None);
    assert!(r >= 0.9, "recall@10 {r}");
}

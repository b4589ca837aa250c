//! Persistence: round trips, ids missing on either side, corruption and incompatibility.

use std::collections::HashMap;

use types::schema::Distance;

use super::*;
use crate::error::Error;

fn write(index: &HnswIndex) -> Vec<u8> {
    let mut bytes = Vec::new();
    index.write_graph(&mut bytes).unwrap();
    bytes
}

fn read(
    metric: Distance,
    params: HnswParams,
    bytes: &[u8],
    vectors: &HashMap<DocId, Vec<f32>>,
) -> crate::Result<(HnswIndex, Vec<DocId>)> {
    let mut input = bytes;
    HnswIndex::read_graph(metric, params, &mut input, &mut |sink| {
        for (id, v) in vectors {
            sink(*id, v);
        }
    })
}

/// An index with updates and removals (so tombstones), built single-threaded.
fn built(metric: Distance) -> (HnswIndex, HashMap<DocId, Vec<f32>>) {
    let vectors = gaussian_vectors(1500, 8, 81);
    let index = HnswIndex::new(metric, small_params());
    let mut current = HashMap::new();
    for (i, v) in vectors.iter().enumerate() {
        index.insert(i as DocId, v).unwrap();
        current.insert(i as DocId, v.clone());
    }
    for id in (0..1500).step_by(10) {
        let v: Vec<f32> = vectors[id as usize].iter().map(|x| -x).collect();
        index.insert(id, &v).unwrap();
        current.insert(id, v);
    }
    for id in (5..1500).step_by(20) {
        index.remove(id);
        current.remove(&id);
    }
    (index, current)
}

#[test]
fn round_trip_gives_identical_results() {
    for metric in [Distance::Cosine, Distance::L2Squared, Distance::Dot] {
        let (index, vectors) = built(metric);
        let bytes = write(&index);
        let (restored, missing) = read(metric, small_params(), &bytes, &vectors).unwrap();
        assert!(missing.is_empty());
        assert_eq!(
            (restored.len(), restored.tombstones()),
            (index.len(), index.tombstones())
        );
        assert_eq!(write(&restored), bytes, "the graph is restored exactly");
        check_invariants(&restored);
        for q in gaussian_vectors(30, 8, 82) {
            assert_eq!(
                restored.search(&q, 10, None).unwrap(),
                index.search(&q, 10, None).unwrap()
            );
        }
        // Both go on identically, including level choices and cleanup.
        for i in 0..50 {
            let v = vec![i as f32; 8];
            index.insert(2000 + i, &v).unwrap();
            restored.insert(2000 + i, &v).unwrap();
        }
        assert_eq!(index.cleanup(), restored.cleanup());
        assert_eq!(write(&restored), write(&index));
    }
}

#[test]
fn empty_index_round_trips() {
    let index = HnswIndex::new(Distance::L2Squared, HnswParams::default());
    let bytes = write(&index);
    let vectors = HashMap::from([(3, vec![1.0, 2.0])]);
    let (restored, missing) =
        read(Distance::L2Squared, HnswParams::default(), &bytes, &vectors).unwrap();
    assert_eq!(missing, vec![3]);
    assert!(restored.is_empty() && restored.dim().is_none());
    restored.insert(3, &[1.0, 2.0]).unwrap();
    assert_eq!(
        restored.search(&[1.0, 2.0], 1, None).unwrap(),
        vec![(3, 0.0)]
    );
}

#[test]
fn ids_missing_on_either_side() {
    let (index, mut vectors) = built(Distance::L2Squared);
    let bytes = write(&index);
    // The caller lost some ids (deleted after the snapshot) and has new ones.
    let lost: Vec<DocId> = (1..1500)
        .step_by(4)
        .filter(|id| vectors.contains_key(id))
        .collect();
    for id in &lost {
        vectors.remove(id);
    }
    vectors.insert(5000, vec![0.5; 8]);
    vectors.insert(5001, vec![-0.5; 8]);
    vectors.insert(5, vec![0.25; 8]); // removed in the graph (tombstone), present again
    let (restored, missing) = read(Distance::L2Squared, small_params(), &bytes, &vectors).unwrap();
    assert_eq!(missing, vec![5, 5000, 5001]);
    assert_eq!(restored.len(), index.len() - lost.len());
    assert!(lost.iter().all(|id| !restored.contains(*id)));
    let report = check_invariants(&restored);
    report.assert_mostly_reachable();
    for id in missing {
        restored.insert(id, &vectors[&id]).unwrap();
    }
    assert_eq!(restored.len(), vectors.len());
    let flat = FlatIndex::new(Distance::L2Squared);
    for (id, v) in &vectors {
        flat.insert(*id, v).unwrap();
    }
    let r = mean_recall(&restored, &flat, &gaussian_vectors(50, 8, 83), 10, None);
    assert!(r >= 0.95, "recall@10 {r}");
    restored.cleanup();
    check_invariants(&restored);
}

#[test]
fn corrupt_bytes_are_an_error_not_a_panic() {
    let (index, vectors) = built(Distance::L2Squared);
    let bytes = write(&index);
    let mut rng = StdRng::seed_from_u64(84);
    let mut positions: Vec<usize> = (0..64).collect();
    positions.extend((0..300).map(|_| rng.gen_range(0..bytes.len())));
    positions.extend(bytes.len() - 16..bytes.len());
    for at in positions {
        let mut damaged = bytes.clone();
        damaged[at] ^= 1 << rng.gen_range(0..8);
        let result = read(Distance::L2Squared, small_params(), &damaged, &vectors);
        assert!(
            matches!(
                result,
                Err(Error::CorruptGraph(_) | Error::IncompatibleGraph(_))
            ),
            "flipping a bit of byte {at} went unnoticed"
        );
    }
    for len in [0, 7, 40, 80, bytes.len() / 2, bytes.len() - 1] {
        let result = read(Distance::L2Squared, small_params(), &bytes[..len], &vectors);
        assert!(
            matches!(result, Err(Error::CorruptGraph(_))),
            "truncated to {len}"
        );
    }
}

#[test]
fn incompatible_graphs_are_refused() {
    let (index, vectors) = built(Distance::L2Squared);
    let bytes = write(&index);
    let other_m = HnswParams {
        max_connections: 8,
        ..small_params()
    };
    for (metric, params) in [
        (Distance::Cosine, small_params()),
        (Distance::L2Squared, other_m),
    ] {
        assert!(matches!(
            read(metric, params, &bytes, &vectors),
            Err(Error::IncompatibleGraph(_))
        ));
    }
    let mut short = vectors.clone();
    short.insert(0, vec![1.0; 3]);
    assert!(matches!(
        read(Distance::L2Squared, small_params(), &bytes, &short),
        Err(Error::IncompatibleGraph(_))
    ));
    // Mutable parameters may differ.
    let tuned = HnswParams {
        ef: 20,
        flat_search_cutoff: 5,
        ..small_params()
    };
    let (restored, _) = read(Distance::L2Squared, tuned, &bytes, &vectors).unwrap();
    assert_eq!(restored.params().ef, 20);
}

#[test]
fn restore_uses_all_the_callers_vectors_in_any_order() {
    let batch = items(&gaussian_vectors(2000, 16, 85));
    let index = HnswIndex::new(Distance::Cosine, HnswParams::default());
    index.insert_batch(&batch).unwrap();
    let bytes = write(&index);
    let mut input = &bytes[..];
    let (restored, missing) = HnswIndex::read_graph(
        Distance::Cosine,
        HnswParams::default(),
        &mut input,
        &mut |sink| {
            for (id, v) in batch.iter().rev() {
                sink(*id, v);
            }
        },
    )
    .unwrap();
    assert!(missing.is_empty());
    for (id, v) in batch.iter().step_by(50) {
        assert_eq!(restored.search(v, 1, None).unwrap()[0].0, *id);
        assert_eq!(
            restored.search(v, 10, None).unwrap(),
            index.search(v, 10, None).unwrap()
        );
    }
}

/// An output that, on the first write of slots (after the header's), inserts into the index
/// being written.
struct InsertingSink<'a> {
    index: &'a HnswIndex,
    bytes: Vec<u8>,
    writes: usize,
    todo: Vec<(DocId, Vec<f32>)>,
}

impl std::io::Write for InsertingSink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The header and its checksum come first, in small writes.
        self.writes += 1;
        if self.writes > 2 && !self.todo.is_empty() {
            for (id, v) in std::mem::take(&mut self.todo) {
                self.index
                    .insert(id, &v)
                    .expect("insert during the snapshot");
            }
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn inserts_proceed_while_a_snapshot_is_written_and_it_stays_readable() {
    // More slots than one chunk of the writer, with freed slots throughout.
    let n = 6000;
    let index = HnswIndex::new(Distance::L2Squared, small_params());
    let mut vectors: HashMap<DocId, Vec<f32>> = HashMap::new();
    for (i, v) in gaussian_vectors(n, 8, 86).into_iter().enumerate() {
        index.insert(i as DocId, &v).unwrap();
        vectors.insert(i as DocId, v);
    }
    for id in (1..n as DocId).step_by(7) {
        index.remove(id);
        vectors.remove(&id);
    }
    assert!(index.cleanup() > 0, "freed slots an insert could reuse");
    // After the first chunk is written: updates of docs in it, and new docs.
    let fresh = gaussian_vectors(400, 8, 87);
    let todo: Vec<(DocId, Vec<f32>)> = (0..400u32)
        .map(|i| {
            (
                if i % 2 == 0 { i * 6 } else { 9000 + i },
                fresh[i as usize].clone(),
            )
        })
        .collect();
    let index = std::sync::Arc::new(index);
    let (done, finished) = std::sync::mpsc::channel();
    let writer = {
        let (index, todo) = (index.clone(), todo.clone());
        std::thread::spawn(move || {
            let mut sink = InsertingSink {
                index: &index,
                bytes: Vec::new(),
                writes: 0,
                todo,
            };
            index.write_graph(&mut sink).expect("write");
            let _ = done.send((sink.bytes, sink.todo.is_empty()));
        })
    };
    let (bytes, all_inserted) = finished
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("an insert waited for the whole snapshot");
    writer.join().expect("writer");
    assert!(all_inserted, "every insert ran during the snapshot");
    vectors.extend(todo.iter().cloned());
    let (restored, _) = read(Distance::L2Squared, small_params(), &bytes, &vectors)
        .expect("a snapshot written during inserts is readable");
    // The caller re-inserts what changed since the snapshot started (its log).
    for (id, v) in &todo {
        restored.insert(*id, v).unwrap();
    }
    // As many find themselves as in the live index (the test graph is small-degree, so a
    // few docs are not their own nearest hit either way).
    let finds = |index: &HnswIndex| {
        vectors
            .iter()
            .filter(|(id, v)| index.search(v, 1, None).unwrap()[0].0 == **id)
            .count()
    };
    assert!(finds(&restored) + 10 >= finds(&index));
}

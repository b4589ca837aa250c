//! Chunk sizing, slot addressing and memory per node.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use types::schema::Distance;

use super::super::{HnswIndex, HnswParams};
use super::{node_bytes, Storage, MAX_CHUNK, MIN_CHUNK};

/// A storage of `dim`-float nodes grown to hold `n` nodes.
fn storage(n: usize, dim: usize, m: usize) -> Storage {
    let mut st = Storage::new(m);
    st.dim = dim;
    while st.capacity() < n {
        st.grow();
    }
    st
}

#[test]
fn chunks_fit_the_node_size_and_address_every_slot() {
    for (dim, m) in [
        (1, 4),
        (8, 16),
        (128, 16),
        (768, 32),
        (1_536, 16),
        (1_536, 32),
        (8_192, 16),
    ] {
        let n = 9_500;
        let st = storage(n, dim, m);
        let chunk = st.chunk();
        assert!(
            (MIN_CHUNK..=MAX_CHUNK).contains(&chunk),
            "dim {dim}: chunk {chunk}"
        );
        assert!(chunk == MIN_CHUNK || chunk * node_bytes(dim, 2 * m) <= super::CHUNK_BYTES);
        // Slack is below one chunk; for big nodes that is a small share of the whole.
        assert!(st.capacity() < n + chunk);
        if node_bytes(dim, 2 * m) >= 4_096 {
            assert!(st.bytes() as f64 <= 1.1 * (n * node_bytes(dim, 2 * m)) as f64);
        }
        for node in 0..st.capacity() as u32 {
            st.set_doc(node, node ^ 0x5a5a);
        }
        for node in 0..st.capacity() as u32 {
            assert_eq!(st.doc(node), node ^ 0x5a5a);
        }
        let last = st.capacity() as u32 - 1;
        let v: Vec<f32> = (0..dim).map(|i| i as f32).collect();
        // SAFETY: single-threaded; no other reference to the slot exists.
        unsafe { st.write_vector(last, &v) };
        assert_eq!(st.resident_vector(last), &v[..]);
    }
}

#[test]
fn high_dimensional_index_memory_is_close_to_raw_node_size() {
    let (n, dim, m) = (9_500, 1_536, 16);
    let params = HnswParams {
        max_connections: m,
        ef_construction: 16,
        ..HnswParams::default()
    };
    let index = HnswIndex::new(Distance::L2Squared, params);
    let mut rng = StdRng::seed_from_u64(7);
    let items: Vec<_> = (0..n)
        .map(|i| {
            (
                i as _,
                (0..dim).map(|_| rng.gen::<f32>()).collect::<Vec<f32>>(),
            )
        })
        .collect();
    index.insert_batch(&items).unwrap();
    assert_eq!(index.len(), n);
    let per_vector = index.memory_bytes() as f64 / n as f64;
    let raw = node_bytes(dim, 2 * m);
    assert!(
        per_vector <= 1.1 * raw as f64,
        "{per_vector:.0} bytes/vector vs {raw} raw"
    );
}

/// What a node costs besides its vector or code: its `2M` layer-0 ids and 17 bytes of state
/// (count 2, doc 4, flags 1, level 1, lock 1, upper-block pointer 8). faiss's HNSW node carries
/// 12 (offset 8, level 4) and no doc id; this pins the layout the memory benchmark measures.
#[test]
fn a_node_costs_its_links_and_17_bytes_of_state() {
    assert_eq!(node_bytes(0, 32), 32 * 4 + 17);
    assert_eq!(node_bytes(128, 32), 128 * 4 + 32 * 4 + 17);
}

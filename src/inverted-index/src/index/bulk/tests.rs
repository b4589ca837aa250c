//! The bulk build against the reference path (`State::add` per entry): random stored
//! entries of every kind, in store order or shuffled, with repeats (a token with two
//! frequencies, a doc with two geo points), then random later adds and removes.

use proptest::prelude::*;

use super::Bulk;
use crate::index::State;
use crate::postings::{
    self, codec, key, KIND_CREATED, KIND_GEO, KIND_ID, KIND_PRESENT, KIND_UPDATED, KIND_VALUE,
};

type Stored = (Vec<u8>, Vec<u8>);

fn doc() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0u32..30, 1 => Just(70_000u32), 1 => Just(u32::MAX)]
}

fn prop_name() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("a"), Just("b")]
}

/// One stored entry, encoded as the index encodes it.
fn entry() -> impl Strategy<Value = Stored> {
    let id = (0u8..6, doc()).prop_map(|(i, d)| (key(KIND_ID, None, &[i; 16], d), vec![]));
    let time = (
        prop_oneof![Just(KIND_CREATED), Just(KIND_UPDATED)],
        -5i64..5,
        doc(),
    )
        .prop_map(|(k, ms, d)| (key(k, None, &codec::int(ms * 1_000_003), d), vec![]));
    // tokens that are prefixes of one another interleave with doc bytes in key order
    let token = prop_oneof![
        Just(&b"a"[..]),
        Just(&b"ab"[..]),
        Just(&b"a\0"[..]),
        Just(&b""[..])
    ];
    let text = (prop_name(), token, doc(), 0u32..4)
        .prop_map(|(p, t, d, tf)| (key(KIND_VALUE, Some(p), t, d), tf.to_be_bytes().to_vec()));
    // all values of a property have its type's width (the reference path is order-dependent
    // otherwise: a 1-byte and an 8-byte value can share a zero-padded key)
    let typed = prop_oneof![
        Just(("a", 8usize)),
        Just(("b", 12)),
        Just(("c", 1)),
        Just(("d", 16))
    ];
    let value = (typed, -3i64..3, doc()).prop_map(|((p, width), v, d)| {
        let mut bytes = codec::int(v).to_vec();
        bytes.resize(width.max(8), 0x5a);
        (key(KIND_VALUE, Some(p), &bytes[..width], d), vec![])
    });
    let present = (
        prop_name(),
        prop_oneof![Just(0u32), Just(2), Just(u32::MAX)],
        doc(),
    )
        .prop_map(|(p, len, d)| (key(KIND_PRESENT, Some(p), &len.to_be_bytes(), d), vec![]));
    let geo = (prop_name(), doc(), -2i8..2).prop_map(|(p, d, x)| {
        let mut v = f64::from(x).to_be_bytes().to_vec();
        v.extend_from_slice(&f64::from(x * 2).to_be_bytes());
        (key(KIND_GEO, Some(p), &[], d), v)
    });
    prop_oneof![2 => id, 2 => time, 3 => text, 3 => value, 2 => present, 1 => geo]
}

fn reference(entries: &[Stored]) -> State {
    let mut state = State::default();
    for (k, v) in entries {
        if let Ok(e) = postings::decode(k, v) {
            state.add(e);
        }
    }
    state
}

fn collected(entries: &[Stored]) -> Bulk {
    let mut bulk = Bulk::default();
    for (k, v) in entries {
        if let Ok(e) = postings::decode(k, v) {
            bulk.add(e);
        }
    }
    bulk
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn bulk_build_equals_adding_one_by_one(
        mut entries in prop::collection::vec(entry(), 0..150),
        store_order in any::<bool>(),
        later in prop::collection::vec((entry(), any::<bool>()), 0..40),
    ) {
        if store_order {
            // as the store returns them: sorted by key, one entry per key (the last write)
            entries.reverse();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries.dedup_by(|a, b| a.0 == b.0);
        }
        let mut want = reference(&entries);
        let mut got = collected(&entries).build();
        prop_assert!(got.same_data(&want));
        // the built structures keep working: updates and deletes after loading
        for ((k, v), add) in &later {
            let (Ok(a), Ok(b)) = (postings::decode(k, v), postings::decode(k, v)) else {
                continue;
            };
            if *add {
                want.add(a);
                got.add(b);
            } else {
                want.remove(a);
                got.remove(b);
            }
            prop_assert!(got.same_data(&want));
        }
    }

    #[test]
    fn loading_into_a_non_empty_state_replays(
        first in prop::collection::vec(entry(), 1..30),
        rest in prop::collection::vec(entry(), 0..60),
    ) {
        let all: Vec<Stored> = first.iter().chain(&rest).cloned().collect();
        let mut got = reference(&first);
        collected(&rest).replay(&mut got);
        prop_assert!(got.same_data(&reference(&all)));
    }
}

//! The bit-sliced index against a naive set of `(value, doc)` pairs.

use std::collections::BTreeSet;
use std::ops::{Bound, RangeBounds};

use proptest::prelude::*;
use roaring::RoaringBitmap;

use super::Bsi;
use crate::index::prop::value_key;
use crate::postings::codec;

/// The docs of `pairs` with a value within the bounds, by brute force.
fn naive(pairs: &BTreeSet<(u128, u32)>, lo: Bound<u128>, hi: Bound<u128>) -> RoaringBitmap {
    pairs
        .iter()
        .filter(|(v, _)| (lo, hi).contains(v))
        .map(|p| p.1)
        .collect()
}

fn bounds_of(kind: u8, v: u128) -> Bound<u128> {
    match kind % 3 {
        0 => Bound::Included(v),
        1 => Bound::Excluded(v),
        _ => Bound::Unbounded,
    }
}

fn int(v: i64) -> u128 {
    value_key(&codec::int(v))
}

fn number(v: f64) -> u128 {
    value_key(&codec::number(v))
}

fn check_all(bsi: &Bsi, pairs: &BTreeSet<(u128, u32)>, probes: &[u128]) {
    for &a in probes {
        for &b in probes {
            for (k, l) in [
                (0, 0),
                (0, 1),
                (1, 0),
                (1, 1),
                (2, 0),
                (0, 2),
                (2, 1),
                (1, 2),
            ] {
                let (lo, hi) = (bounds_of(k, a), bounds_of(l, b));
                assert_eq!(bsi.range(lo, hi), naive(pairs, lo, hi), "{lo:?} {hi:?}");
            }
        }
    }
    let all = (Bound::Unbounded, Bound::Unbounded);
    assert_eq!(bsi.range(all.0, all.1), naive(pairs, all.0, all.1));
}

#[test]
fn empty_index() {
    let bsi = Bsi::default();
    assert!(bsi.range(Bound::Unbounded, Bound::Unbounded).is_empty());
    assert!(bsi.range(Bound::Included(5), Bound::Included(5)).is_empty());
    assert_eq!(bsi, Bsi::default());
}

#[test]
fn all_docs_equal() {
    let mut bsi = Bsi::default();
    let mut pairs = BTreeSet::new();
    for doc in 0..1000 {
        bsi.insert(int(42), doc);
        pairs.insert((int(42), doc));
    }
    check_all(&bsi, &pairs, &[int(41), int(42), int(43), 0, u128::MAX]);
}

#[test]
fn extreme_ints_and_dates_before_1970() {
    let mut bsi = Bsi::default();
    let mut pairs = BTreeSet::new();
    let mut probes = vec![0, 1, u128::MAX, u128::MAX - 1];
    for (doc, v) in [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX]
        .into_iter()
        .enumerate()
    {
        bsi.insert(int(v), doc as u32);
        pairs.insert((int(v), doc as u32));
        probes.push(int(v));
    }
    for (doc, d) in [
        "0001-01-01T00:00:00Z",
        "1969-12-31T23:59:59.999999999Z",
        "1970-01-01T00:00:00Z",
        "1900-06-01T12:00:00.5+02:00",
        "9999-12-31T23:59:59Z",
    ]
    .into_iter()
    .enumerate()
    {
        let Some(bytes) = codec::date(d) else {
            panic!("{d} parses")
        };
        let (v, doc) = (value_key(&bytes), 100 + doc as u32);
        bsi.insert(v, doc);
        pairs.insert((v, doc));
        probes.push(v);
    }
    check_all(&bsi, &pairs, &probes);
}

#[test]
fn inserting_twice_and_removing_absent_pairs_change_nothing() {
    let mut bsi = Bsi::default();
    assert!(bsi.insert(int(5), 1));
    assert!(!bsi.insert(int(5), 1));
    assert!(bsi.insert(int(6), 1), "a second value of the doc");
    assert!(!bsi.remove(int(7), 1));
    assert!(!bsi.remove(int(5), 2));
    assert!(bsi.remove(int(5), 1));
    assert_eq!(
        bsi.layers.len(),
        2,
        "layer 0 is now empty but layer 1 is not"
    );
    assert!(bsi.remove(int(6), 1));
    assert!(bsi.layers.is_empty());
    assert_eq!(bsi, Bsi::default());
}

/// A value drawn from a few clusters, so that ranges, duplicates and shared bits all occur.
fn value() -> impl Strategy<Value = u128> {
    prop_oneof![
        (-20i64..20).prop_map(int),
        any::<i64>().prop_map(int),
        prop_oneof![
            Just(0.0f64),
            Just(-0.0),
            Just(1e-300),
            Just(-1e300),
            Just(f64::MAX),
            Just(f64::MIN_POSITIVE),
            -1e6f64..1e6,
        ]
        .prop_map(number),
        (-70_000_000_000i64..260_000_000_000, 0u32..2_000_000_000).prop_map(|(s, n)| {
            let mut b = [0u8; 12];
            b[..8].copy_from_slice(&codec::int(s));
            b[8..].copy_from_slice(&n.to_be_bytes());
            value_key(&b)
        }),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u128, u32),
    Remove(usize),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            3 => (value(), 0u32..40).prop_map(|(v, d)| Op::Insert(v, d)),
            1 => any::<usize>().prop_map(Op::Remove),
        ],
        0..120,
    )
}

/// Applies `ops` to the index and to the reference set, checking each step's answer.
fn apply(
    bsi: &mut Bsi,
    pairs: &mut BTreeSet<(u128, u32)>,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    for op in ops {
        match op {
            Op::Insert(v, d) => prop_assert_eq!(bsi.insert(v, d), pairs.insert((v, d))),
            Op::Remove(i) => {
                if let Some(&p) = pairs.iter().nth(i % pairs.len().max(1)) {
                    prop_assert!(bsi.remove(p.0, p.1));
                    pairs.remove(&p);
                }
            }
        }
    }
    Ok(())
}

/// Values to probe ranges at: some stored ones, `extra`, and both ends.
fn probes(pairs: &BTreeSet<(u128, u32)>, extra: Vec<u128>) -> Vec<u128> {
    let mut probes: Vec<u128> = pairs.iter().map(|p| p.0).take(8).collect();
    probes.extend(extra);
    probes.extend([0, u128::MAX]);
    probes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Every operator and two-sided range, through inserts, repeated inserts (several values
    /// per doc, as arrays) and removals, equals the naive evaluation; a fresh index of the
    /// same pairs compares equal.
    #[test]
    fn ranges_equal_naive_evaluation(ops in ops(), extra in prop::collection::vec(value(), 0..6)) {
        let mut bsi = Bsi::default();
        let mut pairs: BTreeSet<(u128, u32)> = BTreeSet::new();
        apply(&mut bsi, &mut pairs, ops)?;
        check_all(&bsi, &pairs, &probes(&pairs, extra));
        let mut fresh = Bsi::default();
        for &(v, d) in pairs.iter().rev() {
            fresh.insert(v, d);
        }
        prop_assert!(fresh == bsi);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// A bulk-built index (pairs in any order, repeated, several values per doc) answers every
    /// range as the naive evaluation, and stays right through later inserts and removals.
    #[test]
    fn bulk_built_index_equals_naive_evaluation(
        built in prop::collection::vec((value(), 0u32..40), 0..120),
        later in ops(),
        extra in prop::collection::vec(value(), 0..6),
    ) {
        let mut bsi = Bsi::from_pairs(built.clone());
        let mut pairs: BTreeSet<(u128, u32)> = built.into_iter().collect();
        prop_assert_eq!(bsi.pairs(), pairs.clone());
        apply(&mut bsi, &mut pairs, later)?;
        check_all(&bsi, &pairs, &probes(&pairs, extra));
        prop_assert!(bsi.is_empty() == pairs.is_empty());
    }
}

/// Dense containers (more than 4096 docs per 65536) take the bulk path's bitmap branch.
#[test]
fn bulk_build_of_many_docs_equals_inserts() {
    let pairs: Vec<(u128, u32)> = (0..150_000u32)
        .map(|d| (int(i64::from(d) * 6 / 10 - 40_000), d))
        .chain((0..3000).map(|d| (int(7), d * 3)))
        .collect();
    let mut inserted = Bsi::default();
    for &(v, d) in &pairs {
        inserted.insert(v, d);
    }
    let built = Bsi::from_pairs(pairs);
    assert!(built == inserted);
    for (lo, hi) in [
        (int(-100), int(5_000)),
        (int(7), int(7)),
        (int(80_000), int(90_000)),
    ] {
        let (lo, hi) = (Bound::Included(lo), Bound::Excluded(hi));
        assert_eq!(built.range(lo, hi), inserted.range(lo, hi));
    }
}

//! [`Docs`]: the doc set of one posting, and [`Union`]: or-ing many of them.

use roaring::RoaringBitmap;
use types::DocId;

/// The docs having one value (token, uuid). Most values of high-cardinality properties
/// (numbers, dates, object ids, rare tokens) have exactly one doc, which is kept inline: a
/// one-doc `RoaringBitmap` costs three heap allocations (~100 bytes with allocator overhead),
/// this costs 16 bytes. Never empty, and `Many` always holds at least two docs, so that the
/// derived equality is equality of sets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Docs {
    One(DocId),
    Many(Box<RoaringBitmap>),
}

/// What [`Docs::remove`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Removal {
    /// The doc was not there.
    Absent,
    /// The doc was removed; others remain.
    Removed,
    /// The doc was the only one (left in place: a `Docs` cannot be empty, so the owner drops
    /// the whole posting).
    Last,
}

impl Docs {
    /// True if `doc` was not there yet.
    pub fn insert(&mut self, doc: DocId) -> bool {
        match self {
            Docs::One(d) if *d == doc => false,
            Docs::One(d) => {
                let pair = RoaringBitmap::from_iter([*d, doc]);
                *self = Docs::Many(Box::new(pair));
                true
            }
            Docs::Many(b) => b.insert(doc),
        }
    }

    /// The docs of a non-empty, strictly increasing list (`None` if empty).
    pub fn from_sorted(docs: &[DocId]) -> Option<Docs> {
        match docs {
            [] => None,
            [one] => Some(Docs::One(*one)),
            many => Some(Docs::Many(Box::new(sorted_bitmap(many)))),
        }
    }

    pub fn remove(&mut self, doc: DocId) -> Removal {
        match self {
            Docs::One(d) if *d == doc => Removal::Last,
            Docs::One(_) => Removal::Absent,
            Docs::Many(b) => {
                if !b.remove(doc) {
                    return Removal::Absent;
                }
                if b.len() == 1 {
                    if let Some(last) = b.min() {
                        *self = Docs::One(last);
                    }
                }
                Removal::Removed
            }
        }
    }

    /// The docs in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = DocId> + '_ {
        let (one, many) = match self {
            Docs::One(d) => (Some(*d), None),
            Docs::Many(b) => (None, Some(b.iter())),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }

    pub fn into_bitmap(self) -> RoaringBitmap {
        match self {
            Docs::One(d) => RoaringBitmap::from_iter([d]),
            Docs::Many(b) => *b,
        }
    }

    pub fn to_bitmap(&self) -> RoaringBitmap {
        match self {
            Docs::One(d) => RoaringBitmap::from_iter([*d]),
            Docs::Many(b) => (**b).clone(),
        }
    }
}

/// Docs per roaring container; a container with this many becomes a bitmap container.
const CONTAINER: u32 = 1 << 16;
const ARRAY_LIMIT: usize = 4096;

/// The bitmap of strictly increasing docs (any other order is also right, only slower).
/// Dense containers are built from their bits at once: appending to a bitmap container
/// (`from_sorted_iter`, `push`) scans it for its maximum per doc when debug assertions are
/// on, as in the `ci` build that the benches and tests run.
pub(crate) fn sorted_bitmap(docs: &[DocId]) -> RoaringBitmap {
    if !docs.windows(2).all(|w| w[0] < w[1]) {
        return docs.iter().copied().collect();
    }
    let mut out = RoaringBitmap::new();
    for chunk in docs.chunk_by(|a, b| a / CONTAINER == b / CONTAINER) {
        let part = if chunk.len() < ARRAY_LIMIT {
            RoaringBitmap::from_sorted_iter(chunk.iter().copied()).unwrap_or_default()
        } else {
            dense(chunk)
        };
        out |= part;
    }
    out
}

/// The bitmap of docs all in one container, from its bits.
fn dense(docs: &[DocId]) -> RoaringBitmap {
    let mut words = vec![0u64; (CONTAINER / 64) as usize];
    for &d in docs {
        let bit = (d % CONTAINER) as usize;
        words[bit / 64] |= 1 << (bit % 64);
    }
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let start = docs.first().map_or(0, |d| d / CONTAINER * CONTAINER);
    RoaringBitmap::from_lsb0_bytes(start, &bytes)
}

/// A union of many doc sets, most of them small (one per distinct number, or per referenced
/// object, say): sets up to [`SMALL_SET`] docs are collected as ids and built into a bitmap in
/// one go. Or-ing each into the result instead copies the result's sorted arrays every time,
/// which made a union of 520 sets of about 20 docs (a filter through a reference) spend 55% of
/// its query in roaring's array merge.
#[derive(Default)]
pub(crate) struct Union {
    out: RoaringBitmap,
    small: Vec<u32>,
}

/// Sets at most this large go through the id list: roaring's array containers hold up to 4,096
/// ids, beyond which a set's containers are bitmaps that or cheaply.
const SMALL_SET: u64 = 4096;

impl Union {
    pub fn add(&mut self, docs: &Docs) {
        match docs {
            Docs::One(d) => self.small.push(*d),
            Docs::Many(b) if b.len() <= SMALL_SET => self.small.extend(b.iter()),
            Docs::Many(b) => self.out |= &**b,
        }
    }

    pub fn finish(mut self) -> RoaringBitmap {
        if !self.small.is_empty() {
            self.small.sort_unstable();
            self.small.dedup();
            let small = RoaringBitmap::from_sorted_iter(self.small.iter().copied())
                .unwrap_or_else(|_| self.small.iter().copied().collect());
            self.out |= small;
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_stay_normalised() {
        let mut d = Docs::One(5);
        assert!(!d.insert(5));
        assert!(d.insert(9));
        assert!(matches!(d, Docs::Many(_)));
        assert_eq!(d.iter().collect::<Vec<_>>(), [5, 9]);
        assert_eq!(d.remove(7), Removal::Absent);
        assert_eq!(d.remove(5), Removal::Removed);
        assert_eq!(d, Docs::One(9));
        assert_eq!(d.remove(9), Removal::Last);
        assert_eq!(d.to_bitmap().iter().collect::<Vec<_>>(), [9]);
    }

    #[test]
    fn sorted_bitmaps_of_dense_and_sparse_containers() {
        // dense (bitmap containers, built from bits), sparse, at both ends of the id space
        let docs: Vec<DocId> = (0..70_000)
            .filter(|d| d % 3 != 0)
            .chain((200_000..200_010).map(|d| d * 7))
            .chain(u32::MAX - 5000..=u32::MAX)
            .collect();
        let want: RoaringBitmap = docs.iter().copied().collect();
        assert_eq!(sorted_bitmap(&docs), want);
        assert_eq!(sorted_bitmap(&[]), RoaringBitmap::new());
        let unsorted = [9, 3, 3, 70_000];
        assert_eq!(sorted_bitmap(&unsorted), unsorted.into_iter().collect());
    }

    #[test]
    fn union_of_small_and_large_sets() {
        let big = Docs::Many(Box::new((0..100).collect()));
        let mut u = Union::default();
        u.add(&Docs::One(500));
        u.add(&big);
        u.add(&Docs::One(3));
        u.add(&Docs::Many(Box::new([200, 201].into_iter().collect())));
        let got = u.finish();
        assert_eq!(got.len(), 103);
        assert!(got.contains(500) && got.contains(201));
    }
}

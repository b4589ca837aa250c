//! [`Counts`]: a small number per doc (the BM25 property length), stored densely.

use std::collections::BTreeMap;

use types::DocId;

const PAGE_BITS: u32 = 10;
const PAGE: usize = 1 << PAGE_BITS;

/// One page of counts and how many of them are not zero.
#[derive(Debug, Clone, PartialEq)]
struct Page {
    nonzero: u32,
    counts: [u32; PAGE],
}

/// A `u32` per doc, in pages of 1024 docs allocated on first use and dropped when all their
/// counts are zero. A shard allocates doc ids in sequence, so pages are nearly full: about 4
/// bytes per doc, where a hash map of doc -> count costs 10 to 20. Doc ids far apart only
/// cost a page each.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Counts {
    pages: BTreeMap<u32, Box<Page>>,
}

impl Page {
    fn empty() -> Page {
        Page {
            nonzero: 0,
            counts: [0; PAGE],
        }
    }
}

fn split(doc: DocId) -> (u32, usize) {
    (doc >> PAGE_BITS, (doc as usize) & (PAGE - 1))
}

impl Counts {
    /// The count of `doc` (0 if never set).
    pub fn get(&self, doc: DocId) -> u32 {
        let (page, slot) = split(doc);
        self.pages.get(&page).map_or(0, |p| p.counts[slot])
    }

    /// The counts of how often each doc occurs in `docs` (any order): `increment` once per
    /// element, in one pass over the sorted docs.
    pub fn from_docs(mut docs: Vec<DocId>) -> Counts {
        docs.sort_unstable();
        let mut out = Counts::default();
        let mut current: Option<(u32, Box<Page>)> = None;
        for doc in docs {
            let (page, slot) = split(doc);
            if current.as_ref().is_none_or(|c| c.0 != page) {
                out.pages.extend(current.take());
                current = Some((page, Box::new(Page::empty())));
            }
            if let Some((_, p)) = current.as_mut() {
                if p.counts[slot] == 0 {
                    p.nonzero += 1;
                }
                p.counts[slot] = p.counts[slot].saturating_add(1);
            }
        }
        out.pages.extend(current);
        out
    }

    /// Adds 1 to the count of `doc`.
    pub fn increment(&mut self, doc: DocId) {
        let (page, slot) = split(doc);
        let p = self
            .pages
            .entry(page)
            .or_insert_with(|| Box::new(Page::empty()));
        if p.counts[slot] == 0 {
            p.nonzero += 1;
        }
        p.counts[slot] = p.counts[slot].saturating_add(1);
    }

    /// Subtracts 1 from the count of `doc` (a count of 0 stays 0).
    pub fn decrement(&mut self, doc: DocId) {
        let (page, slot) = split(doc);
        let Some(p) = self.pages.get_mut(&page) else {
            return;
        };
        if p.counts[slot] == 0 {
            return;
        }
        p.counts[slot] -= 1;
        if p.counts[slot] == 0 {
            p.nonzero -= 1;
            if p.nonzero == 0 {
                self.pages.remove(&page);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_go_up_and_down_and_free_their_pages() {
        let mut c = Counts::default();
        c.increment(3);
        c.increment(3);
        c.increment(u32::MAX);
        assert_eq!((c.get(3), c.get(4), c.get(u32::MAX)), (2, 0, 1));
        c.decrement(3);
        c.decrement(3);
        c.decrement(3);
        c.decrement(7);
        c.decrement(u32::MAX);
        assert_eq!(c, Counts::default());
    }
}

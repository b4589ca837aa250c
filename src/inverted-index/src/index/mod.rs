//! [`InvertedIndex`]: the configuration and the in-memory state behind one lock.

mod bsi;
mod bulk;
mod counts;
mod docs;
mod prop;
mod state;

pub(crate) use bsi::Bsi;
pub(crate) use docs::{Docs, Union};
pub(crate) use prop::{empty_range, value_key, PropIndex};
pub(crate) use state::{is_length, time_key, State};

use parking_lot::RwLock;
use roaring::RoaringBitmap;
use types::filter::Filter;
use types::DocId;

use crate::bm25::{self, Bm25Stats};
use crate::config::IndexConfig;
use crate::postings::{self, DocInput, Posting};
use crate::{filter, Result};
use types::keyword::TermsMatch;

/// The inverted index of one shard. `Send + Sync`; every method takes `&self` (an internal
/// `RwLock` serialises writers against readers).
#[derive(Debug)]
pub struct InvertedIndex {
    inner: RwLock<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: IndexConfig,
    state: State,
}

impl InvertedIndex {
    /// An empty index.
    pub fn new(config: IndexConfig) -> Self {
        InvertedIndex {
            inner: RwLock::new(Inner {
                config,
                state: State::default(),
            }),
        }
    }

    /// Runtime changes: stopwords, BM25 `k1`/`b`, properties added to the class. Entries do not
    /// depend on stopwords or BM25 parameters, so nothing is re-indexed; documents written
    /// before a property existed simply have no entries for it (missing = null, length 0).
    pub fn set_config(&self, config: IndexConfig) {
        self.inner.write().config = config;
    }

    /// A copy of the current configuration.
    pub fn config(&self) -> IndexConfig {
        self.inner.read().config.clone()
    }

    /// The posting entries of a document (deterministic: the same input and configuration give
    /// the same entries, in the same order).
    pub fn postings(&self, doc: DocId, input: &DocInput) -> Vec<Posting> {
        postings::postings(&self.inner.read().config, doc, input)
    }

    /// The entries of a document's cross-reference targets: the part of
    /// [`InvertedIndex::postings`] that entries stored under layout version 1 lack (see
    /// [`LAYOUT_VERSION`](crate::LAYOUT_VERSION)). Storing them for every stored document
    /// brings a shard's entries up to the current layout.
    pub fn reference_postings(&self, doc: DocId, input: &DocInput) -> Vec<Posting> {
        postings::reference_postings(&self.inner.read().config, doc, input)
    }

    /// Applies a document's change to memory: removes the `old` entries, then adds the `new`
    /// ones. Entries that do not decode (never produced by [`InvertedIndex::postings`]) are
    /// ignored.
    pub fn apply(&self, doc: DocId, old: &[Posting], new: &[Posting]) {
        let mut inner = self.inner.write();
        for p in old {
            if let Ok(e) = postings::decode(&p.key, &p.value) {
                debug_assert_eq!(entry_doc(&e), doc, "entry of another doc");
                inner.state.remove(e);
            }
        }
        for p in new {
            if let Ok(e) = postings::decode(&p.key, &p.value) {
                debug_assert_eq!(entry_doc(&e), doc, "entry of another doc");
                inner.state.add(e);
            }
        }
    }

    /// Loads one stored entry at open (call it for every stored entry, in any order). For
    /// many entries [`InvertedIndex::loader`] is several times faster.
    pub fn load(&self, key: &[u8], value: &[u8]) -> Result<()> {
        let e = postings::decode(key, value)?;
        self.inner.write().state.add(e);
        Ok(())
    }

    /// Loads many stored entries at once: push each to the [`Loader`] (fastest in the
    /// store's key order; any order and repeats give the same index), then
    /// [`Loader::finish`]. The result is the same as [`InvertedIndex::load`] of each entry;
    /// nothing is visible before `finish`.
    pub fn loader(&self) -> Loader<'_> {
        Loader {
            index: self,
            bulk: bulk::Bulk::default(),
        }
    }

    /// Evaluates a `where` filter into the set of matching docs, after checking it against the
    /// configuration (see the `filter` module for the semantics and the errors).
    pub fn filter(&self, filter: &Filter) -> Result<RoaringBitmap> {
        let inner = self.inner.read();
        filter::evaluate(&inner.config, &inner.state, filter)
    }

    /// BM25F over searchable text properties (`properties` empty = every searchable text
    /// property), each `(name, boost)`; stopwords are removed from the query (they are
    /// indexed); only docs in `allow` if given. The top `k` (every match when `k` is 0) by
    /// score, highest first, ties by doc id; each with an explanation like Weaviate's
    /// `explainScore` (`, BM25F_<term>_frequency:<f>, BM25F_<term>_propLength:<len>`).
    pub fn bm25(
        &self,
        query: &str,
        properties: &[(String, f32)],
        k: usize,
        allow: Option<&RoaringBitmap>,
    ) -> Result<Vec<(DocId, f32, String)>> {
        self.bm25_with_stats(query, properties, k, allow, None, TermsMatch::default())
    }

    /// [`InvertedIndex::bm25`] scored with `stats` (summed over every shard of the class) in
    /// place of this index's own statistics, so that the scores of several shards compare.
    pub fn bm25_with_stats(
        &self,
        query: &str,
        properties: &[(String, f32)],
        k: usize,
        allow: Option<&RoaringBitmap>,
        stats: Option<&Bm25Stats>,
        matching: TermsMatch,
    ) -> Result<Vec<(DocId, f32, String)>> {
        let inner = self.inner.read();
        let limits = bm25::Limits {
            k,
            allow,
            global: stats,
            matching,
        };
        bm25::search(&inner.config, &inner.state, query, properties, limits)
    }

    /// This index's BM25 statistics for `query` over `properties` (as [`InvertedIndex::bm25`]
    /// takes them, with the same errors): the part of a class's statistics its shard adds.
    pub fn bm25_stats(&self, query: &str, properties: &[(String, f32)]) -> Result<Bm25Stats> {
        let inner = self.inner.read();
        bm25::stats(&inner.config, &inner.state, query, properties)
    }

    /// The number of documents (live `_id` entries).
    pub fn doc_count(&self) -> u64 {
        self.inner.read().state.all.len()
    }

    /// True if both indexes hold exactly the same data (for tests of rebuilds).
    pub fn same_data(&self, other: &InvertedIndex) -> bool {
        if std::ptr::eq(self, other) {
            return true;
        }
        self.inner.read().state.same_data(&other.inner.read().state)
    }
}

/// Collects stored entries for [`InvertedIndex::loader`].
#[derive(Debug)]
pub struct Loader<'a> {
    index: &'a InvertedIndex,
    bulk: bulk::Bulk,
}

impl Loader<'_> {
    /// Decodes and collects one stored entry (a corrupt one is an error and is not kept).
    pub fn push(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        self.bulk.add(postings::decode(key, value)?);
        Ok(())
    }

    /// Builds the structures from the collected entries and adds them to the index.
    pub fn finish(self) {
        let state = &mut self.index.inner.write().state;
        if state.is_empty() {
            *state = self.bulk.build();
        } else {
            // the shard loads into a new index; this only keeps the contract general
            self.bulk.replay(state);
        }
    }
}

fn entry_doc(e: &postings::Entry<'_>) -> DocId {
    use postings::Entry;
    match *e {
        Entry::Id { doc, .. }
        | Entry::Created { doc, .. }
        | Entry::Updated { doc, .. }
        | Entry::Value { doc, .. }
        | Entry::Present { doc, .. }
        | Entry::Geo { doc, .. } => doc,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_index_is_shareable_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<super::InvertedIndex>();
    }
}

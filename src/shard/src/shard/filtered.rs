//! Reads through the inverted index: filters to doc sets, keyword (BM25) search, filtered
//! vector search, and objects of a doc set.

use inverted_index::Bm25Stats;
use roaring::RoaringBitmap;
use storage::{keys, Cf};
use types::filter::Filter;
use types::keyword::TermsMatch;
use types::{DocId, Object};

use super::Shard;
use crate::{Error, Result};

/// A keyword search result.
#[derive(Debug, Clone)]
pub struct KeywordHit {
    pub object: Object,
    pub score: f32,
    pub explain: String,
}

/// A keyword query: its text, the properties it searches (with boosts; empty: every
/// searchable one) and how many of its terms a match must hold.
#[derive(Debug, Clone, Copy)]
pub struct KeywordQuery<'a> {
    pub text: &'a str,
    pub properties: &'a [(String, f32)],
    pub matching: TermsMatch,
}

impl Shard {
    /// The docs matching `filter`.
    pub fn filter(&self, filter: &Filter) -> Result<RoaringBitmap> {
        Ok(self.inverted.filter(filter)?)
    }

    /// This shard's part of the BM25 statistics of a query: summed over every shard of a
    /// class, they make the shards' scores comparable.
    pub fn keyword_stats(&self, query: &str, properties: &[(String, f32)]) -> Result<Bm25Stats> {
        Ok(self.inverted.bm25_stats(query, properties)?)
    }

    /// BM25 top `k` over `properties` (all searchable ones when empty), within `allow` if given,
    /// scored with the class's statistics (`None`: the shard's own, exact for a class with one
    /// shard), of the documents holding as many query terms as `matching` asks.
    pub fn keyword_search(
        &self,
        query: KeywordQuery<'_>,
        k: usize,
        allow: Option<&RoaringBitmap>,
        with_vectors: bool,
        stats: Option<&Bm25Stats>,
    ) -> Result<Vec<KeywordHit>> {
        let found = self.inverted.bm25_with_stats(
            query.text,
            query.properties,
            k,
            allow,
            stats,
            query.matching,
        )?;
        let docs: Vec<DocId> = found.iter().map(|(d, _, _)| *d).collect();
        let objects = self.objects_of(&docs, with_vectors)?;
        Ok(found
            .into_iter()
            .zip(objects)
            .filter_map(|((_, score, explain), object)| {
                object.map(|object| KeywordHit {
                    object,
                    score,
                    explain,
                })
            })
            .collect())
    }

    /// The objects of `docs` in the given order, at most `limit`, skipping docs deleted meanwhile.
    pub fn objects_of_set(
        &self,
        docs: &RoaringBitmap,
        limit: usize,
        with_vectors: bool,
    ) -> Result<Vec<Object>> {
        let wanted: Vec<DocId> = docs.iter().take(limit).collect();
        Ok(self
            .objects_of(&wanted, with_vectors)?
            .into_iter()
            .flatten()
            .collect())
    }

    /// The ids of `docs` in doc order, at most `limit`, skipping docs deleted meanwhile: one
    /// multi-get of the doc -> uuid map, no object read (reference filters, batch deletes).
    pub fn ids_of_set(&self, docs: &RoaringBitmap, limit: usize) -> Result<Vec<uuid::Uuid>> {
        let doc_keys: Vec<Vec<u8>> = docs
            .iter()
            .take(limit)
            .map(|d| keys::doc_key(self.prefix, d))
            .collect();
        self.store
            .multi_get(Cf::DocIds, &doc_keys)?
            .into_iter()
            .flatten()
            .map(|bytes| {
                uuid::Uuid::from_slice(&bytes).map_err(|e| Error::Corrupt(format!("bad uuid: {e}")))
            })
            .collect()
    }

    /// The object of each doc (`None` for docs deleted since they were found).
    pub(crate) fn objects_of(
        &self,
        docs: &[DocId],
        with_vectors: bool,
    ) -> Result<Vec<Option<Object>>> {
        let doc_keys: Vec<Vec<u8>> = docs
            .iter()
            .map(|d| keys::doc_key(self.prefix, *d))
            .collect();
        let ids = self.store.multi_get(Cf::DocIds, &doc_keys)?;
        let mut out = Vec::with_capacity(docs.len());
        for id in ids {
            let Some(bytes) = id else {
                out.push(None);
                continue;
            };
            let uuid = uuid::Uuid::from_slice(&bytes)
                .map_err(|e| Error::Corrupt(format!("bad uuid: {e}")))?;
            out.push(self.get(&uuid, with_vectors)?);
        }
        Ok(out)
    }

    /// Every doc of the shard.
    pub fn all_docs(&self) -> Result<RoaringBitmap> {
        Ok(self.inverted.filter(&Filter::And(Vec::new()))?)
    }

    /// Applies a changed inverted-index configuration (stopwords, BM25 parameters, new properties).
    pub fn update_inverted(&self, config: inverted_index::IndexConfig) {
        self.inverted.set_config(config);
    }
}

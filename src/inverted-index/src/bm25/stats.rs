//! [`Bm25Stats`]: the corpus statistics BM25 takes from an index, as a value that can be summed
//! over the shards of a class. Scoring every shard with the sum makes their scores comparable
//! (a shard's own statistics rank its docs as if it were the whole class), and equal to the
//! scores one index holding every doc would give: each statistic is a count or a sum over
//! docs, and a doc lives in exactly one shard.

use std::collections::BTreeMap;
use std::iter::Sum;

use serde::{Deserialize, Serialize};

use crate::config::{IndexConfig, PropertySpec};
use crate::index::{State, Union};
use crate::tokenize::Tokenization;

/// The statistics of one keyword query on one index (or summed over several).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bm25Stats {
    /// `N`: the live docs.
    pub(crate) docs: u64,
    /// Per searched property: its lengths (distinct tokens per doc) summed and the docs that
    /// have it, from which `avgL` is the mean of the per-property means.
    pub(crate) properties: BTreeMap<String, PropStats>,
    /// Per tokenization (wire name), per query term: `n`, the docs having the term in any
    /// searched property of that tokenization. Kept per group rather than per property,
    /// because a doc having the term in two properties counts once.
    pub(crate) terms: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The length statistics of one property.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PropStats {
    /// Sum over docs of the property's BM25 length.
    pub length: u64,
    /// Docs that have the property.
    pub docs: u64,
}

impl Bm25Stats {
    /// Adds the statistics of another index (another shard's docs).
    pub fn add(&mut self, other: &Bm25Stats) {
        self.docs += other.docs;
        for (name, p) in &other.properties {
            let mine = self.properties.entry(name.clone()).or_default();
            mine.length += p.length;
            mine.docs += p.docs;
        }
        for (tokenization, terms) in &other.terms {
            let mine = self.terms.entry(tokenization.clone()).or_default();
            for (term, n) in terms {
                *mine.entry(term.clone()).or_default() += n;
            }
        }
    }

    /// `N` as the formula takes it.
    pub(crate) fn n_docs(&self) -> f64 {
        self.docs as f64
    }

    /// `avgL` over the searched properties, as [`super::search`] computes it from an index.
    pub(crate) fn avg_len(&self, props: &[(&PropertySpec, f32)]) -> f64 {
        super::mean_or_one(
            props
                .iter()
                .map(|(spec, _)| match self.properties.get(&spec.name) {
                    Some(p) if p.docs > 0 => p.length as f64 / p.docs as f64,
                    _ => 0.0,
                }),
        )
    }

    /// `n` of a term, if these statistics have it.
    pub(crate) fn term_docs(&self, tokenization: Tokenization, term: &str) -> Option<u64> {
        self.terms.get(tokenization.as_str())?.get(term).copied()
    }
}

impl Sum for Bm25Stats {
    fn sum<I: Iterator<Item = Bm25Stats>>(iter: I) -> Bm25Stats {
        iter.fold(Bm25Stats::default(), |mut total, s| {
            total.add(&s);
            total
        })
    }
}

/// `N` and the property lengths of `state`.
fn corpus(state: &State, props: &[(&PropertySpec, f32)]) -> Bm25Stats {
    let properties = props
        .iter()
        .map(|(spec, _)| {
            let p = state
                .props
                .get(&spec.name)
                .map_or(PropStats::default(), |p| PropStats {
                    length: p.term_total,
                    docs: p.present.len(),
                });
            (spec.name.clone(), p)
        })
        .collect();
    Bm25Stats {
        docs: state.all.len(),
        properties,
        terms: BTreeMap::new(),
    }
}

/// Every statistic of `query` on `state`: [`corpus`] plus `n` of each query term.
pub(crate) fn collect(
    config: &IndexConfig,
    state: &State,
    query: &str,
    props: &[(&PropertySpec, f32)],
) -> Bm25Stats {
    let mut stats = corpus(state, props);
    for (tokenization, group) in super::groups(props) {
        let terms = stats.terms.entry(tokenization.as_str().into()).or_default();
        for (term, _) in super::query_terms(config, tokenization, query) {
            let mut docs = Union::default();
            for (spec, _) in &group {
                let postings = state
                    .props
                    .get(&spec.name)
                    .and_then(|p| p.terms.get(term.as_bytes()));
                if let Some(postings) = postings {
                    docs.add(&postings.docs);
                }
            }
            terms.insert(term, docs.finish().len());
        }
    }
    stats
}

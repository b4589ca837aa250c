//! BM25F keyword ranking as Weaviate 1.27 computes it (`inverted/bm25_searcher.go` and
//! `terms/terms.go` at v1.27.0; restated by the acceptance tests' `test_keyword.py`):
//!
//! - The query is tokenized once per tokenization used by the searched properties; for `word`
//!   the stopwords are removed (other tokenizations keep them). A term that occurs `d` times
//!   counts once, with its idf multiplied by `d`. Each (tokenization, term) is scored over the
//!   searched properties of that tokenization and the scores of all terms are added.
//! - For term `t` and doc `D`, over the searched properties `P` (of the term's tokenization)
//!   whose tokens include `t`: `f = Σ tf(t, D.P) · boost(P)` and `L = Σ |distinct tokens of
//!   D.P|` (stopwords included).
//! - `avgL` = the mean over all searched properties of that property's mean distinct-token
//!   count (over the docs that have the property).
//! - `n` = docs having `t` in any of those properties (the allow list does not change it),
//!   `N` = docs in the shard, `idf = ln(1 + (N - n + 0.5) / (n + 0.5))`.
//! - `score(D) = Σ_t idf · f / (f + k1 · (1 - b + b · L / avgL))` — no `(k1 + 1)` factor.
//!
//! Several shards of a class score with the class's statistics (`N`, `avgL`, `n`) when the
//! caller gives them: see [`Bm25Stats`].

mod stats;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use roaring::RoaringBitmap;
use types::keyword::TermsMatch;
use types::DocId;

pub use stats::Bm25Stats;

use crate::config::{IndexConfig, PropertySpec};
use crate::index::State;
use crate::tokenize::{tokenize, Tokenization};
use crate::{Error, Result};

/// The searched properties with their boosts.
pub(crate) type Searched<'a> = Vec<(&'a PropertySpec, f32)>;

/// One scored doc: its score, the explanation parts of each term, and which distinct query
/// terms it matched (kept only when [`TermsMatch`] needs them).
#[derive(Default)]
struct Hit {
    score: f64,
    explain: String,
    matched: Vec<usize>,
}

/// The statistics of `query` on `state` that [`search`] uses (see [`Bm25Stats`]).
pub(crate) fn stats(
    config: &IndexConfig,
    state: &State,
    query: &str,
    properties: &[(String, f32)],
) -> Result<Bm25Stats> {
    let props = searched(config, properties)?;
    Ok(stats::collect(config, state, query, &props))
}

/// What a search returns beside its query: how many, from which docs, scored with which
/// statistics (`global` replaces this index's own), holding how many query terms.
pub(crate) struct Limits<'a> {
    pub k: usize,
    pub allow: Option<&'a RoaringBitmap>,
    pub global: Option<&'a Bm25Stats>,
    pub matching: TermsMatch,
}

/// See the module docs.
pub(crate) fn search(
    config: &IndexConfig,
    state: &State,
    query: &str,
    properties: &[(String, f32)],
    limits: Limits<'_>,
) -> Result<Vec<(DocId, f32, String)>> {
    let Limits {
        k,
        allow,
        global,
        matching,
    } = limits;
    let props = searched(config, properties)?;
    let scorer = Scorer::new(config, state, &props, global);
    let mut hits: HashMap<DocId, Hit> = HashMap::new();
    // The same term may come from several tokenizations: it counts once.
    let mut distinct: Vec<String> = Vec::new();
    let counting = !matches!(matching, TermsMatch::AtLeast(0 | 1));
    for (tokenization, group) in groups(&props) {
        for (term, dup) in query_terms(config, tokenization, query) {
            let term_id = match distinct.iter().position(|t| *t == term) {
                Some(i) => i,
                None => {
                    distinct.push(term.clone());
                    distinct.len() - 1
                }
            };
            let per_doc = term_docs(state, &group, &term);
            if per_doc.is_empty() {
                continue;
            }
            // without statistics, or (never, from a complete phase one) a term they lack:
            // this index's own count
            let n = global
                .and_then(|g| g.term_docs(tokenization, &term))
                .map_or(per_doc.len() as f64, |n| n as f64);
            let idf = scorer.idf(n) * f64::from(dup);
            for (doc, (f, len)) in per_doc {
                if allow.is_some_and(|a| !a.contains(doc)) {
                    continue;
                }
                let hit = hits.entry(doc).or_default();
                if counting && !hit.matched.contains(&term_id) {
                    hit.matched.push(term_id);
                }
                hit.score += scorer.score(idf, f, len);
                hit.explain.push_str(&format!(
                    ", BM25F_{term}_frequency:{}, BM25F_{term}_propLength:{}",
                    f as f32, len as f32
                ));
            }
        }
    }
    let needed = match matching {
        TermsMatch::AtLeast(n) => n,
        TermsMatch::All => distinct.len(),
    };
    if counting {
        hits.retain(|_, hit| hit.matched.len() >= needed);
    }
    Ok(top(hits, k))
}

/// `avgL` from the mean lengths of the searched properties; 1 when none has any token
/// (nothing can match then, and the formula must not divide by zero).
pub(crate) fn mean_or_one(means: impl ExactSizeIterator<Item = f64>) -> f64 {
    let count = means.len() as f64;
    let avg = means.sum::<f64>() / count;
    if avg > 0.0 {
        avg
    } else {
        1.0
    }
}

/// The corpus-wide parts of the formula.
struct Scorer {
    n_docs: f64,
    avg_len: f64,
    k1: f64,
    b: f64,
}

impl Scorer {
    /// With `N` and `avgL` from `global`, else from `state`.
    fn new(
        config: &IndexConfig,
        state: &State,
        props: &[(&PropertySpec, f32)],
        global: Option<&Bm25Stats>,
    ) -> Scorer {
        let (n_docs, avg_len) = match global {
            Some(g) => (g.n_docs(), g.avg_len(props)),
            None => {
                let means = props
                    .iter()
                    .map(|(spec, _)| state.props.get(&spec.name).map_or(0.0, |p| p.mean_terms()));
                (state.all.len() as f64, mean_or_one(means))
            }
        };
        Scorer {
            n_docs,
            avg_len,
            k1: f64::from(config.k1),
            b: f64::from(config.b),
        }
    }

    fn idf(&self, n: f64) -> f64 {
        (1.0 + (self.n_docs - n + 0.5) / (n + 0.5)).ln()
    }

    fn score(&self, idf: f64, f: f64, len: f64) -> f64 {
        idf * f / (f + self.k1 * (1.0 - self.b + self.b * len / self.avg_len))
    }
}

/// Per doc having `term` in a property of `group`: `(f, L)` (boosted frequency, lengths).
fn term_docs(
    state: &State,
    group: &[&(&PropertySpec, f32)],
    term: &str,
) -> BTreeMap<DocId, (f64, f64)> {
    let mut per_doc: BTreeMap<DocId, (f64, f64)> = BTreeMap::new();
    for (spec, boost) in group {
        let Some(p) = state.props.get(&spec.name) else {
            continue;
        };
        let Some(postings) = p.terms.get(term.as_bytes()) else {
            continue;
        };
        for doc in postings.docs.iter() {
            let e = per_doc.entry(doc).or_default();
            e.0 += f64::from(postings.frequency(doc)) * f64::from(*boost);
            e.1 += f64::from(p.doc_terms.get(doc));
        }
    }
    per_doc
}

/// The best `k` hits (all when `k` is 0), highest score first, ties by doc id.
fn top(hits: HashMap<DocId, Hit>, k: usize) -> Vec<(DocId, f32, String)> {
    let mut ranked: Vec<(DocId, Hit)> = hits.into_iter().collect();
    ranked.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(&b.0)));
    if k > 0 {
        ranked.truncate(k);
    }
    ranked
        .into_iter()
        .map(|(doc, h)| (doc, h.score as f32, h.explain))
        .collect()
}

/// The searched properties by tokenization, in Weaviate's order, skipping empty groups.
pub(crate) fn groups<'p, 'a>(
    props: &'p [(&'a PropertySpec, f32)],
) -> Vec<(Tokenization, Vec<&'p (&'a PropertySpec, f32)>)> {
    Tokenization::ALL
        .into_iter()
        .map(|t| {
            (
                t,
                props.iter().filter(|(s, _)| s.tokenization == t).collect(),
            )
        })
        .filter(|(_, group): &(_, Vec<_>)| !group.is_empty())
        .collect()
}

/// [`resolve`], refusing a search with nothing to search.
fn searched<'a>(config: &'a IndexConfig, properties: &[(String, f32)]) -> Result<Searched<'a>> {
    let props = resolve(config, properties)?;
    if props.is_empty() {
        return Err(Error::InvalidSearch(
            "No properties provided, and no indexed properties found in class".into(),
        ));
    }
    Ok(props)
}

/// The searched properties with their boosts, checked as Weaviate checks them.
fn resolve<'a>(config: &'a IndexConfig, properties: &[(String, f32)]) -> Result<Searched<'a>> {
    if properties.is_empty() {
        return Ok(config
            .properties
            .iter()
            .filter(|p| p.searchable && p.data_type.is_text())
            .map(|p| (p, 1.0))
            .collect());
    }
    let mut out: Vec<(&PropertySpec, f32)> = Vec::with_capacity(properties.len());
    for (name, boost) in properties {
        let spec = config.property(name).ok_or_else(|| {
            Error::InvalidSearch(format!(
                "no such prop with name '{name}' found in the schema. Check your schema files for which properties in this class are available"
            ))
        })?;
        if !spec.data_type.is_text() {
            return Err(Error::InvalidSearch(format!(
                "cannot handle datatype '{}' of property '{name}'",
                spec.data_type.name().unwrap_or("cross-reference")
            )));
        }
        if !spec.searchable {
            return Err(Error::InvalidSearch(format!(
                "Searching by property '{name}' requires inverted index. Is `indexSearchable` option of property '{name}' enabled? Set it to `true` or leave empty"
            )));
        }
        // a property named twice counts once, with the last boost
        match out.iter_mut().find(|(s, _)| s.name == spec.name) {
            Some(existing) => existing.1 = *boost,
            None => out.push((spec, *boost)),
        }
    }
    Ok(out)
}

/// The distinct query terms of one tokenization, in order of first occurrence, each with its
/// number of occurrences; stopwords removed for `word`.
pub(crate) fn query_terms(
    config: &IndexConfig,
    tokenization: Tokenization,
    query: &str,
) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    for t in tokenize(tokenization, query) {
        if tokenization == Tokenization::Word && config.stopwords.contains(&t) {
            continue;
        }
        match position.get(&t) {
            Some(&i) => out[i].1 += 1,
            None => {
                position.insert(t.clone(), out.len());
                out.push((t, 1));
            }
        }
    }
    out
}

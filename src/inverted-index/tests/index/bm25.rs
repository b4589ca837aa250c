//! BM25F against a straightforward reference computation of test_keyword.py's formula
//! (Weaviate 1.27), on a small random corpus.

use std::collections::{BTreeMap, HashMap};

use rand::{Rng, SeedableRng};
use roaring::RoaringBitmap;
use serde_json::{json, Map, Value};
use shoal_inverted_index::{tokenize, Error, InvertedIndex, Stopwords, Tokenization};
use types::schema::DataType;

use super::{build, config, prop, Obj};

const K1: f64 = 1.2;
const B: f64 = 0.75;
const VOCAB: [&str; 12] = [
    "river", "stone", "forest", "light", "engine", "garden", "copper", "winter", "harbor",
    "marble", "signal", "echo",
];
const STOP: [&str; 5] = ["the", "a", "of", "and", "to"];

/// Docs with `title` (word), `body` (word) and `kw` (lowercase); some lack a property.
fn corpus(seed: u64, n: usize) -> Vec<Map<String, Value>> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let words = |rng: &mut rand::rngs::StdRng, n: usize| -> String {
        (0..n)
            .map(|_| {
                if rng.gen_bool(0.2) {
                    STOP[rng.gen_range(0..STOP.len())].to_owned()
                } else {
                    // skewed towards the first words
                    let i = (rng.gen_range(0.0f64..1.0).powi(2) * VOCAB.len() as f64) as usize;
                    let w = VOCAB[i.min(VOCAB.len() - 1)];
                    if rng.gen_bool(0.2) {
                        w.to_uppercase()
                    } else {
                        w.to_owned()
                    }
                }
            })
            .collect::<Vec<_>>()
            .join(if rng.gen_bool(0.5) { " " } else { ", " })
    };
    (0..n)
        .map(|i| {
            let mut m = Map::new();
            m.insert("title".into(), json!(words(&mut rng, 1 + i % 5)));
            if i % 7 != 3 {
                m.insert("body".into(), json!(words(&mut rng, 8 + (i * 5) % 23)));
            }
            if i % 5 == 0 {
                m.insert("body".into(), json!(""));
            }
            m.insert("kw".into(), json!(words(&mut rng, 2)));
            m
        })
        .collect()
}

fn index(docs: &[Map<String, Value>]) -> InvertedIndex {
    let props = vec![
        prop("title", DataType::Text, Tokenization::Word),
        prop("body", DataType::Text, Tokenization::Word),
        prop("kw", DataType::Text, Tokenization::Lowercase),
        prop("count", DataType::Int, Tokenization::Word),
    ];
    let objs: Vec<Obj> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| Obj::new(i as u32, Value::Object(d.clone())))
        .collect();
    build(config(props), &objs).0
}

/// Weaviate 1.27's BM25F, written out plainly (see test_keyword.py's docstring); properties
/// of several tokenizations are scored per tokenization and added, stopwords are removed from
/// `word` query terms only, and a property's mean length is over the docs that have it.
fn reference(
    docs: &[Map<String, Value>],
    query: &str,
    props: &[(&str, Tokenization, f64)],
) -> Vec<(u32, f64)> {
    let stop = Stopwords::english();
    let tf = |p: &str, t: Tokenization, d: &Map<String, Value>| -> Option<HashMap<String, f64>> {
        let text = d.get(p)?.as_str()?;
        let mut c = HashMap::new();
        for tok in tokenize(t, text) {
            *c.entry(tok).or_insert(0.0) += 1.0;
        }
        Some(c)
    };
    let mean = |p: &str, t: Tokenization| {
        let lens: Vec<f64> = docs
            .iter()
            .filter_map(|d| tf(p, t, d))
            .map(|c| c.len() as f64)
            .collect();
        if lens.is_empty() {
            0.0
        } else {
            lens.iter().sum::<f64>() / lens.len() as f64
        }
    };
    let avg_len = props.iter().map(|(p, t, _)| mean(p, *t)).sum::<f64>() / props.len() as f64;
    let n_docs = docs.len() as f64;
    let mut scores: BTreeMap<u32, f64> = BTreeMap::new();
    for group in [Tokenization::Word, Tokenization::Lowercase] {
        let group_props: Vec<_> = props.iter().filter(|(_, t, _)| *t == group).collect();
        if group_props.is_empty() {
            continue;
        }
        let mut terms: Vec<(String, f64)> = Vec::new();
        for t in tokenize(group, query) {
            if group == Tokenization::Word && stop.contains(&t) {
                continue;
            }
            match terms.iter_mut().find(|(x, _)| *x == t) {
                Some(e) => e.1 += 1.0,
                None => terms.push((t, 1.0)),
            }
        }
        for (term, dup) in terms {
            let mut postings: Vec<(u32, f64, f64)> = Vec::new();
            for (i, d) in docs.iter().enumerate() {
                let (mut f, mut len, mut hit) = (0.0, 0.0, false);
                for (p, t, boost) in &group_props {
                    if let Some(c) = tf(p, *t, d) {
                        if let Some(n) = c.get(&term) {
                            f += n * boost;
                            len += c.len() as f64;
                            hit = true;
                        }
                    }
                }
                if hit {
                    postings.push((i as u32, f, len));
                }
            }
            if postings.is_empty() {
                continue;
            }
            let n = postings.len() as f64;
            let idf = (1.0 + (n_docs - n + 0.5) / (n + 0.5)).ln() * dup;
            for (i, f, len) in postings {
                *scores.entry(i).or_default() += idf * f / (f + K1 * (1.0 - B + B * len / avg_len));
            }
        }
    }
    let mut out: Vec<(u32, f64)> = scores.into_iter().collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

fn assert_matches_reference(
    got: &[(u32, f32, String)],
    reference: &[(u32, f64)],
    k: usize,
    label: &str,
) {
    let want: HashMap<u32, f64> = reference.iter().copied().collect();
    assert_eq!(got.len(), k.min(reference.len()), "{label}: result count");
    for (pos, (doc, score, _)) in got.iter().enumerate() {
        let r = want
            .get(doc)
            .unwrap_or_else(|| panic!("{label}: doc {doc} matches no term"));
        assert!(
            (f64::from(*score) - r).abs() <= 1e-5 * r.abs().max(1.0),
            "{label}: doc {doc} score {score} != {r}"
        );
        let at = reference[pos].1;
        assert!(
            (r - at).abs() <= 1e-9 * at.abs().max(1.0),
            "{label}: rank {pos} has {doc} ({r}), reference {at}"
        );
    }
}

#[test]
fn scores_and_rankings_match_the_reference() {
    let docs = corpus(42, 60);
    let ix = index(&docs);
    let w = Tokenization::Word;
    let queries = [
        "river stone",
        "forest light engine",
        "copper",
        "the winter of harbor",
        "Signal, marble! echo echo",
    ];
    let prop_sets: Vec<Vec<(&str, Tokenization, f64)>> = vec![
        vec![("title", w, 1.0), ("body", w, 1.0)],
        vec![("body", w, 1.0)],
        vec![("title", w, 3.0), ("body", w, 1.0)],
        vec![
            ("title", w, 1.0),
            ("body", w, 0.5),
            ("kw", Tokenization::Lowercase, 2.0),
        ],
    ];
    for q in queries {
        for props in &prop_sets {
            let reference = reference(&docs, q, props);
            assert!(!reference.is_empty(), "{q}: corpus has no match");
            let args: Vec<(String, f32)> = props
                .iter()
                .map(|(p, _, b)| ((*p).to_owned(), *b as f32))
                .collect();
            for k in [1, 5, 100] {
                let got = ix.bm25(q, &args, k, None).expect("bm25");
                assert_matches_reference(&got, &reference, k, &format!("{q:?} {props:?} k={k}"));
            }
        }
    }
}

#[test]
fn empty_property_list_means_every_searchable_text_property() {
    let docs = corpus(7, 30);
    let ix = index(&docs);
    let all = [
        ("title", Tokenization::Word, 1.0),
        ("body", Tokenization::Word, 1.0),
        ("kw", Tokenization::Lowercase, 1.0),
    ];
    let got = ix.bm25("river garden", &[], 0, None).expect("bm25");
    let reference = reference(&docs, "river garden", &all);
    assert_matches_reference(
        &got,
        &reference,
        reference.len(),
        "all properties, k = 0 is every match",
    );
}

#[test]
fn allow_list_restricts_results_but_not_scores() {
    let docs = corpus(9, 40);
    let ix = index(&docs);
    let props = [("title".to_owned(), 1.0), ("body".to_owned(), 1.0)];
    let all = ix.bm25("river", &props, 0, None).expect("bm25");
    let allow: RoaringBitmap = all
        .iter()
        .map(|(d, _, _)| *d)
        .filter(|d| d % 2 == 0)
        .collect();
    let got = ix.bm25("river", &props, 0, Some(&allow)).expect("bm25");
    let expected: Vec<_> = all
        .into_iter()
        .filter(|(d, _, _)| allow.contains(*d))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn stopwords_unknown_terms_and_ties() {
    let docs: Vec<Map<String, Value>> = [
        "zebra crossing",
        "the zebra",
        "zebra crossing",
        "of the and",
    ]
    .iter()
    .map(|t| json!({"title": t}).as_object().cloned().unwrap_or_default())
    .collect();
    let ix = index(&docs);
    assert!(ix
        .bm25("the of and", &[], 10, None)
        .expect("bm25")
        .is_empty());
    assert!(ix
        .bm25("xylophone", &[], 10, None)
        .expect("bm25")
        .is_empty());
    let got = ix.bm25("crossing", &[], 10, None).expect("bm25");
    assert_eq!(
        got.iter().map(|h| h.0).collect::<Vec<_>>(),
        [0, 2],
        "equal scores rank by doc id"
    );
    assert_eq!(got[0].1, got[1].1);
    // stopwords are indexed: a doc of stopwords only has a length, and is found by a filter
    assert_eq!(
        got[0].2,
        ", BM25F_crossing_frequency:1, BM25F_crossing_propLength:2"
    );
}

#[test]
fn changed_parameters_and_stopwords_apply_without_reindexing() {
    let docs: Vec<Map<String, Value>> = ["the river", "river river stone"]
        .iter()
        .map(|t| json!({"title": t}).as_object().cloned().unwrap_or_default())
        .collect();
    let ix = index(&docs);
    assert!(ix.bm25("the", &[], 10, None).expect("bm25").is_empty());
    let before = ix.bm25("river", &[], 10, None).expect("bm25");
    let mut cfg = ix.config();
    cfg.stopwords = Stopwords::none();
    cfg.k1 = 2.0;
    ix.set_config(cfg);
    assert_eq!(ix.bm25("the", &[], 10, None).expect("bm25").len(), 1);
    assert_ne!(
        ix.bm25("river", &[], 10, None).expect("bm25")[0].1,
        before[0].1
    );
}

#[test]
fn unsearchable_properties_are_errors() {
    let ix = index(&corpus(1, 5));
    let e = ix
        .bm25("x", &[("count".into(), 1.0)], 10, None)
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidSearch(m) if m.contains("cannot handle datatype 'int'")),
        "{e}"
    );
    let e = ix.bm25("x", &[("nope".into(), 1.0)], 10, None).unwrap_err();
    assert!(
        e.to_string().contains("no such prop with name 'nope'"),
        "{e}"
    );
    let mut cfg = ix.config();
    cfg.properties[0].searchable = false;
    ix.set_config(cfg);
    let e = ix
        .bm25("x", &[("title".into(), 1.0)], 10, None)
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("Searching by property 'title' requires inverted index"),
        "{e}"
    );
    assert_eq!(e.kind(), types::ErrorKind::InvalidInput);
    let mut cfg = ix.config();
    cfg.properties.iter_mut().for_each(|p| p.searchable = false);
    ix.set_config(cfg);
    let e = ix.bm25("x", &[], 10, None).unwrap_err();
    assert!(e.to_string().contains("no indexed properties found"), "{e}");
}

/// test_keyword.py's own `bm25_reference` (run by `bm25_python.py`, numpy replaced by plain
/// Python) on a corpus built like the acceptance test's: rankings and scores must agree.
#[test]
fn agrees_with_the_acceptance_suites_python_reference() {
    let data: Value = serde_json::from_str(include_str!("bm25_python.json")).expect("json");
    let docs: Vec<Map<String, Value>> = data["docs"]
        .as_array()
        .expect("docs")
        .iter()
        .map(|d| d.as_object().cloned().expect("doc"))
        .collect();
    let ix = index(&docs);
    for case in data["cases"].as_array().expect("cases") {
        let query = case["query"].as_str().expect("query");
        let props: Vec<(String, f32)> = case["props"]
            .as_array()
            .expect("props")
            .iter()
            .map(|p| {
                (
                    p[0].as_str().expect("name").to_owned(),
                    p[1].as_f64().expect("boost") as f32,
                )
            })
            .collect();
        let reference: Vec<(u32, f64)> = case["expected"]
            .as_array()
            .expect("expected")
            .iter()
            .map(|e| {
                (
                    e[0].as_u64().expect("doc") as u32,
                    e[1].as_f64().expect("score"),
                )
            })
            .collect();
        for k in [5, 0] {
            let got = ix.bm25(query, &props, k, None).expect("bm25");
            let k = if k == 0 { reference.len() } else { k };
            assert_matches_reference(&got, &reference, k, &format!("python {query:?} {props:?}"));
        }
    }
}

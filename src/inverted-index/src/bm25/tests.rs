//! Summed statistics: indexes holding parts of a corpus, scored with the sum of their
//! statistics, give the scores of one index holding the whole corpus.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use types::schema::DataType;
use types::DocId;

use crate::{Bm25Stats, DocInput, IndexConfig, InvertedIndex, PropertySpec, Tokenization};

fn prop(name: &str, tokenization: Tokenization) -> PropertySpec {
    PropertySpec::with_defaults(name, DataType::Text, tokenization)
}

fn config() -> IndexConfig {
    IndexConfig {
        properties: vec![
            prop("title", Tokenization::Word),
            prop("body", Tokenization::Word),
            prop("tags", Tokenization::Lowercase),
        ],
        ..IndexConfig::default()
    }
}

/// A corpus whose terms are spread unevenly, so that every part's own statistics differ
/// from the whole's: "river" is frequent in the first docs and rare after them.
fn corpus() -> Vec<Map<String, Value>> {
    const WORDS: [&str; 6] = ["river", "stone", "forest", "light", "engine", "garden"];
    (0..60usize)
        .map(|i| {
            let word = |k: usize| WORDS[(i * k + k / 2) % WORDS.len()];
            let mut body: Vec<&str> = (1..(3 + i % 9)).map(word).collect();
            if i < 20 || i % 11 == 0 {
                body.extend(["river", "the", "river"]);
            }
            let mut m = Map::new();
            m.insert("title".into(), json!(format!("{} of {}", word(2), word(5))));
            if i % 4 != 1 {
                m.insert("body".into(), json!(body.join(" ")));
            }
            if i % 3 == 0 {
                m.insert("tags".into(), json!(format!("River {}", word(7))));
            }
            m
        })
        .collect()
}

/// An index of the docs `doc` of `docs` for which `keep(doc)`, under their corpus doc ids.
fn index(docs: &[Map<String, Value>], keep: impl Fn(usize) -> bool) -> InvertedIndex {
    let index = InvertedIndex::new(config());
    for (i, props) in docs.iter().enumerate().filter(|(i, _)| keep(*i)) {
        let id = uuid::Uuid::from_u128(i as u128 + 1);
        let input = DocInput {
            id: &id,
            properties: props,
            creation_ms: 0,
            update_ms: 0,
        };
        let doc = i as DocId;
        index.apply(doc, &[], &index.postings(doc, &input));
    }
    index
}

type Scores = BTreeMap<DocId, (f32, String)>;

fn scores(found: Vec<(DocId, f32, String)>) -> Scores {
    found.into_iter().map(|(d, s, e)| (d, (s, e))).collect()
}

fn assert_close(got: &Scores, want: &Scores, what: &str) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{what}: docs"
    );
    for (doc, (score, explain)) in want {
        let (g, e) = &got[doc];
        assert!(
            (g - score).abs() < 1e-5,
            "{what}: doc {doc}: {g} != {score}"
        );
        assert_eq!(e, explain, "{what}: doc {doc}: explanation");
    }
}

fn queries() -> Vec<(&'static str, Vec<(String, f32)>)> {
    let p = |list: &[(&str, f32)]| list.iter().map(|(n, b)| ((*n).into(), *b)).collect();
    vec![
        ("river", vec![]),
        ("river stone", vec![]),
        ("river river garden of the", p(&[("body", 1.0)])),
        ("stone light", p(&[("title", 3.0), ("body", 1.0)])),
        (
            "river forest",
            p(&[("title", 2.0), ("body", 0.5), ("tags", 4.0)]),
        ),
        ("River engine", p(&[("tags", 1.0), ("title", 1.5)])),
    ]
}

#[test]
fn summed_statistics_score_parts_as_the_whole() {
    let docs = corpus();
    let whole = index(&docs, |_| true);
    // skewed split: the first part holds most "river" docs
    let parts = [
        index(&docs, |i| i < 15),
        index(&docs, |i| (15..40).contains(&i)),
        index(&docs, |i| i >= 40),
    ];
    let mut any_local_differs = false;
    for (query, props) in queries() {
        let want = scores(whole.bm25(query, &props, 0, None).expect("whole"));
        assert!(!want.is_empty(), "{query}: no match");
        let global: Bm25Stats = parts
            .iter()
            .map(|p| p.bm25_stats(query, &props).expect("stats"))
            .sum();
        assert_eq!(global, whole.bm25_stats(query, &props).expect("stats"));
        let (mut got, mut local) = (Scores::new(), Scores::new());
        for part in &parts {
            let found =
                part.bm25_with_stats(query, &props, 0, None, Some(&global), Default::default());
            got.extend(scores(found.expect("part")));
            local.extend(scores(part.bm25(query, &props, 0, None).expect("part")));
        }
        assert_close(&got, &want, query);
        any_local_differs |= local.iter().any(|(d, (s, _))| (s - want[d].0).abs() > 1e-3);
    }
    assert!(
        any_local_differs,
        "the split does not exercise the statistics"
    );
}

#[test]
fn an_index_s_own_statistics_change_nothing() {
    let whole = index(&corpus(), |_| true);
    for (query, props) in queries() {
        let own = whole.bm25_stats(query, &props).expect("stats");
        let plain = whole.bm25(query, &props, 5, None).expect("plain");
        let with = whole.bm25_with_stats(query, &props, 5, None, Some(&own), Default::default());
        assert_eq!(with.expect("with"), plain, "{query}");
    }
}

#[test]
fn statistics_survive_the_wire_and_refuse_what_search_refuses() {
    let whole = index(&corpus(), |_| true);
    let stats = whole.bm25_stats("river stone", &[]).expect("stats");
    let json = serde_json::to_string(&stats).expect("serialize");
    let back: Bm25Stats = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(back, stats);
    let unknown = [("nope".to_string(), 1.0)];
    assert_eq!(
        whole.bm25_stats("river", &unknown).unwrap_err(),
        whole.bm25("river", &unknown, 1, None).unwrap_err()
    );
}

/// `TermsMatch` keeps the documents holding enough distinct query terms, counted once across
/// properties and tokenizations, and scores them as plain BM25 does.
#[test]
fn terms_match_counts_distinct_query_terms() {
    use types::keyword::TermsMatch;
    let docs: Vec<Map<String, Value>> = [
        json!({"title": "red fox", "body": "fox"}),
        json!({"title": "red", "tags": "RED"}),
        json!({"title": "blue fox", "body": "red"}),
        json!({"body": "green"}),
    ]
    .into_iter()
    .map(|v| v.as_object().unwrap().clone())
    .collect();
    let ix = index(&docs, |_| true);
    // Word tokenization only: its stopwords are not query terms.
    let words = [("title".to_string(), 1.0), ("body".to_string(), 1.0)];
    let found = |matching| -> Vec<DocId> {
        let hits = ix
            .bm25_with_stats("red fox the", &words, 0, None, None, matching)
            .unwrap();
        let mut ids: Vec<DocId> = hits.iter().map(|(d, _, _)| *d).collect();
        ids.sort();
        ids
    };
    let any = found(TermsMatch::default());
    assert_eq!(any.len(), 3, "every doc with red or fox in a word property");
    // "the" is a stopword: it is not a term to match.
    assert_eq!(found(TermsMatch::All).len(), 2, "red and fox: docs 0 and 2");
    assert_eq!(found(TermsMatch::AtLeast(2)), found(TermsMatch::All));
    assert_eq!(found(TermsMatch::AtLeast(0)), any);
    assert!(found(TermsMatch::AtLeast(3)).is_empty());
    let plain = ix.bm25("red fox", &words, 0, None).unwrap();
    let all = ix
        .bm25_with_stats("red fox", &words, 0, None, None, TermsMatch::All)
        .unwrap();
    for (doc, score, _) in &all {
        let same = plain.iter().find(|(d, _, _)| d == doc).unwrap();
        assert_eq!(same.1, *score, "filtering does not change scores");
    }
}

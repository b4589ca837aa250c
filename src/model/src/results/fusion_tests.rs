//! Hand-computed hybrid fusion cases (see the module docs for the rules).

use super::*;
use crate::results::testutil::{id, kw, vec_hit};

fn ids(hits: &[SearchHit]) -> Vec<u128> {
    hits.iter().map(|h| h.object.id.as_u128()).collect()
}

fn scores(hits: &[SearchHit]) -> Vec<f32> {
    hits.iter().map(|h| h.score.unwrap_or(f32::NAN)).collect()
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 1e-6
}

// The shared scenario: A=1, B=2, C=3 (vector only), D=4 (keyword only).
fn vector_list() -> Vec<SearchHit> {
    vec![vec_hit(1, 0.1), vec_hit(2, 0.2), vec_hit(3, 0.5)]
}
fn keyword_list() -> Vec<SearchHit> {
    vec![kw(2, 3.0), kw(4, 2.0), kw(1, 1.0)]
}

#[test]
fn ranked_half_and_half() {
    let out = fuse(
        keyword_list(),
        vector_list(),
        0.5,
        Fusion::RankedFusion,
        false,
    );
    // A: 0.5/60 + 0.5/62, B: 0.5/61 + 0.5/60, C: 0.5/62, D: 0.5/61.
    assert_eq!(ids(&out), vec![2, 1, 4, 3]);
    let want = [
        0.5 / 61.0 + 0.5 / 60.0,
        0.5 / 60.0 + 0.5 / 62.0,
        0.5 / 61.0,
        0.5 / 62.0,
    ];
    for (got, want) in scores(&out).iter().zip(want) {
        assert!(close(*got, want as f32), "{got} vs {want}");
    }
    assert!(out.iter().all(|h| h.explain_score.is_none()));
    // Distances survive for objects the vector search found, also when the keyword hit won.
    assert_eq!(out[0].distance, Some(0.2));
    assert_eq!(out[2].distance, None);
}

#[test]
fn ranked_explain_text() {
    let out = fuse(
        keyword_list(),
        vector_list(),
        0.5,
        Fusion::RankedFusion,
        true,
    );
    let b = id(2);
    assert_eq!(
        out[0].explain_score.as_deref(),
        Some(
            format!(
                "\nHybrid (Result Set vector,hybridVector) Document {b} contributed 0.008196721 to the score\
                 \nHybrid (Result Set keyword,bm25) Document {b} contributed 0.008333334 to the score"
            )
            .as_str()
        )
    );
    let d = id(4);
    assert_eq!(
        out[2].explain_score.as_deref(),
        Some(format!("\nHybrid (Result Set keyword,bm25) Document {d} contributed 0.008196721 to the score").as_str())
    );
}

#[test]
fn relative_half_and_half() {
    let out = fuse(
        keyword_list(),
        vector_list(),
        0.5,
        Fusion::RelativeScoreFusion,
        false,
    );
    // Vector secondaries 0.9, 0.8, 0.5 -> 1, 0.75, 0; keyword 3, 2, 1 -> 1, 0.5, 0; halved.
    // A: 0.5 + 0, B: 0.375 + 0.5, C: 0, D: 0.25.
    assert_eq!(ids(&out), vec![2, 1, 4, 3]);
    for (got, want) in scores(&out).iter().zip([0.875, 0.5, 0.25, 0.0]) {
        assert!(close(*got, want), "{got} vs {want}");
    }
}

#[test]
fn relative_explain_text() {
    let out = fuse(
        keyword_list(),
        vector_list(),
        0.5,
        Fusion::RelativeScoreFusion,
        true,
    );
    let a = id(1);
    assert_eq!(out[1].object.id, a);
    assert_eq!(
        out[1].explain_score.as_deref(),
        Some(
            format!(
                "\nHybrid (Result Set keyword,bm25) Document {a}: original score 1, normalized score: 0 - \
                 \nHybrid (Result Set vector,hybridVector) Document {a}: original score 0.9, normalized score: 0.5"
            )
            .as_str()
        )
    );
    let text = out[0]
        .explain_score
        .clone()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        text.contains("keyword") && text.contains("vector"),
        "{text}"
    );
}

#[test]
fn alpha_zero_is_the_keyword_ranking() {
    for fusion in [Fusion::RankedFusion, Fusion::RelativeScoreFusion] {
        let out = fuse(keyword_list(), vector_list(), 0.0, fusion, false);
        assert_eq!(ids(&out), vec![2, 4, 1], "{fusion:?}");
        // The vector search did not run: no distances either.
        assert!(out.iter().all(|h| h.distance.is_none()));
    }
    let out = fuse(
        keyword_list(),
        vector_list(),
        0.0,
        Fusion::RelativeScoreFusion,
        false,
    );
    assert_eq!(scores(&out), vec![1.0, 0.5, 0.0]);
    let out = fuse(
        keyword_list(),
        vector_list(),
        0.0,
        Fusion::RankedFusion,
        false,
    );
    assert!(close(out[0].score.unwrap_or(0.0), 1.0 / 60.0));
}

#[test]
fn alpha_one_is_the_vector_ranking() {
    for fusion in [Fusion::RankedFusion, Fusion::RelativeScoreFusion] {
        let out = fuse(keyword_list(), vector_list(), 1.0, fusion, false);
        assert_eq!(ids(&out), vec![1, 2, 3], "{fusion:?}");
    }
}

#[test]
fn keyword_explanation_prefixes_the_hybrid_text() {
    let mut hit = kw(7, 2.5);
    hit.explain_score = Some(", BM25F_quasar_frequency:1, BM25F_quasar_propLength:2".into());
    let out = fuse(vec![hit], Vec::new(), 0.0, Fusion::RankedFusion, true);
    assert_eq!(
        out[0].explain_score.as_deref(),
        Some(
            format!(
                ", BM25F_quasar_frequency:1, BM25F_quasar_propLength:2\
                 \nHybrid (Result Set keyword,bm25) Document {} contributed 0.016666668 to the score",
                id(7)
            )
            .as_str()
        )
    );
}

#[test]
fn ties_break_on_secondary_then_uuid() {
    // Ranked: A is 1st in vector and 2nd in keyword, B the other way round: equal sums.
    // The keyword score (the secondary of results found by both) decides: B (2.0) first.
    let out = fuse(
        vec![kw(2, 2.0), kw(1, 1.0)],
        vec![vec_hit(1, 0.1), vec_hit(2, 0.2)],
        0.5,
        Fusion::RankedFusion,
        false,
    );
    assert_eq!(ids(&out), vec![2, 1]);
    assert_eq!(out[0].score, out[1].score);

    // Relative, vector only, equal distances: both get the full weight, equal secondary,
    // so the larger uuid comes first.
    let out = fuse(
        Vec::new(),
        vec![vec_hit(1, 0.5), vec_hit(2, 0.5)],
        1.0,
        Fusion::RelativeScoreFusion,
        false,
    );
    assert_eq!(ids(&out), vec![2, 1]);
    assert_eq!(scores(&out), vec![1.0, 1.0]);
}

#[test]
fn single_list_and_empty_inputs() {
    assert!(fuse(
        Vec::new(),
        Vec::new(),
        0.5,
        Fusion::RelativeScoreFusion,
        true
    )
    .is_empty());
    assert!(fuse(Vec::new(), Vec::new(), 0.5, Fusion::RankedFusion, true).is_empty());
    // No keyword hits: the vector half alone, its best hit first with score alpha.
    let out = fuse(
        Vec::new(),
        vector_list(),
        0.25,
        Fusion::RelativeScoreFusion,
        false,
    );
    assert_eq!(ids(&out), vec![1, 2, 3]);
    assert!(close(out[0].score.unwrap_or(0.0), 0.25));
    assert!(close(out[2].score.unwrap_or(1.0), 0.0));
}

#[test]
fn default_alpha_weighs_the_vector_part() {
    // alpha 0.75: the vector leader beats the keyword leader in relative fusion.
    let out = fuse(
        vec![kw(5, 9.0), kw(6, 1.0)],
        vec![vec_hit(6, 0.0), vec_hit(5, 0.9)],
        0.75,
        Fusion::RelativeScoreFusion,
        false,
    );
    // 6: 0.75 * 1 + 0.25 * 0 = 0.75; 5: 0.75 * 0 + 0.25 * 1 = 0.25.
    assert_eq!(ids(&out), vec![6, 5]);
    assert!(close(out[0].score.unwrap_or(0.0), 0.75));
    assert!(close(out[1].score.unwrap_or(0.0), 0.25));
}

//! Hybrid search: fusing a keyword ranking and a vector ranking into one.
//!
//! Follows Weaviate 1.27 (`usecases/traverser/explorer_hybrid.go` for which searches run and in
//! which order, `usecases/traverser/hybrid/hybrid_fusion.go` for `FusionRanked` and
//! `FusionRelativeScore`):
//!
//! - the vector search runs only when `alpha > 0` (weight `alpha`, result set
//!   `"vector,hybridVector"`), the keyword search only when `alpha < 1` (weight `1 - alpha`,
//!   result set `"keyword,bm25"`); the vector set is fused first, then the keyword set;
//! - each result carries a "secondary" value: the bm25 score for keyword results and
//!   `1 - distance` for vector results. A result found by both keeps the keyword one (the set
//!   fused last), which matters for tie-breaks;
//! - ranked fusion adds `weight / (rank + 60)` per set (rank from 0);
//! - relative score fusion min-max normalises each set's secondary values to [0, 1] (all equal:
//!   1) and adds `weight * normalised`;
//! - results are ordered by fused score, scores within 1e-7 count as equal and are ordered by
//!   the secondary value (higher first), then by uuid (higher first).
//!
//! The explainScore texts are built exactly as Weaviate builds them, including the leading
//! newline and, for relative score fusion, the " - " joining the later set's line to the earlier.

use std::cmp::Ordering;
use std::collections::HashMap;

use uuid::Uuid;

use crate::gofmt::v_f32;
use crate::query::{Fusion, SearchHit};

/// Weaviate's `k` of reciprocal rank fusion (hard-coded there too).
pub const RANK_CONSTANT: f64 = 60.0;
/// Result-set name of the vector half in explainScore texts.
pub const VECTOR_SET: &str = "vector,hybridVector";
/// Result-set name of the keyword half in explainScore texts.
pub const KEYWORD_SET: &str = "keyword,bm25";
/// Fused scores closer than this (squared difference < 1e-14) are ties.
const TIE_EPSILON: f64 = 1e-7;

/// One input result set: its name, weight and hits with their secondary values.
struct ResultSet {
    name: &'static str,
    weight: f64,
    hits: Vec<(SearchHit, f32)>,
}

/// A fused result while it is being built.
struct Fused {
    hit: SearchHit,
    score: f32,
    secondary: f32,
    explain: String,
}

/// Fuses a keyword ranking (scores, higher is better) and a vector ranking (distances, lower is
/// better), both best-first, into one ranking with hybrid scores; `alpha` weighs the vector part.
///
/// The returned hits carry the fused score in `score`, the distance of the vector hit when the
/// object was found by the vector search, and, with `explain`, Weaviate's explainScore text
/// (prefixed by the input hit's own explanation, such as the bm25 one, as Weaviate does).
/// Without `explain`, `explain_score` is `None`.
///
/// A list whose weight is zero (keyword at `alpha >= 1`, vector at `alpha <= 0`) is ignored, as
/// Weaviate does not run that search at all. Limits are the caller's: fusion keeps everything.
pub fn fuse(
    keyword: Vec<SearchHit>,
    vector: Vec<SearchHit>,
    alpha: f32,
    fusion: Fusion,
    explain: bool,
) -> Vec<SearchHit> {
    let alpha = f64::from(alpha);
    let mut sets = Vec::with_capacity(2);
    if alpha > 0.0 {
        let hits = vector
            .into_iter()
            .map(|h| {
                let secondary = 1.0 - h.distance.unwrap_or(0.0);
                (h, secondary)
            })
            .collect();
        sets.push(ResultSet {
            name: VECTOR_SET,
            weight: alpha,
            hits,
        });
    }
    if 1.0 - alpha > 0.0 {
        let hits = keyword
            .into_iter()
            .map(|h| {
                let secondary = h.score.unwrap_or(0.0);
                (h, secondary)
            })
            .collect();
        sets.push(ResultSet {
            name: KEYWORD_SET,
            weight: 1.0 - alpha,
            hits,
        });
    }

    let mut fused = match fusion {
        Fusion::RankedFusion => ranked(sets),
        Fusion::RelativeScoreFusion => relative(sets),
    };
    order(&mut fused);
    fused
        .into_iter()
        .map(|f| {
            let mut hit = f.hit;
            hit.score = Some(f.score);
            hit.explain_score = explain.then_some(f.explain);
            hit
        })
        .collect()
}

/// Adds `incoming` (a hit of the current set) to the fused results under its uuid, keeping
/// the incoming hit (Weaviate keeps the later set's result) but the earlier vector distance.
fn merge(fused: &mut Vec<Fused>, index: &mut HashMap<Uuid, usize>, mut incoming: Fused) {
    match index.get(&incoming.hit.object.id) {
        Some(&at) => {
            let previous = &mut fused[at];
            if incoming.hit.distance.is_none() {
                incoming.hit.distance = previous.hit.distance;
            }
            *previous = incoming;
        }
        None => {
            index.insert(incoming.hit.object.id, fused.len());
            fused.push(incoming);
        }
    }
}

/// Reciprocal rank fusion: `weight / (rank + 60)` per set, summed.
fn ranked(sets: Vec<ResultSet>) -> Vec<Fused> {
    let mut fused: Vec<Fused> = Vec::new();
    let mut index: HashMap<Uuid, usize> = HashMap::new();
    for set in sets {
        for (rank, (hit, secondary)) in set.hits.into_iter().enumerate() {
            let contribution = (set.weight / (rank as f64 + RANK_CONSTANT)) as f32;
            let id = hit.object.id;
            let (prefix, score) = match index.get(&id) {
                Some(&at) => (fused[at].explain.clone(), contribution + fused[at].score),
                None => (hit.explain_score.clone().unwrap_or_default(), contribution),
            };
            let explain = format!(
                "{prefix}\nHybrid (Result Set {}) Document {id} contributed {} to the score",
                set.name,
                v_f32(contribution)
            );
            merge(
                &mut fused,
                &mut index,
                Fused {
                    hit,
                    score,
                    secondary,
                    explain,
                },
            );
        }
    }
    fused
}

/// Relative score fusion: each set min-max normalised to [0, 1], weighted, summed.
fn relative(sets: Vec<ResultSet>) -> Vec<Fused> {
    let mut fused: Vec<Fused> = Vec::new();
    let mut index: HashMap<Uuid, usize> = HashMap::new();
    for set in sets {
        let (min, max) = set
            .hits
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), (_, s)| {
                (lo.min(*s), hi.max(*s))
            });
        let weight = set.weight as f32;
        for (hit, secondary) in set.hits {
            // All values equal (or a single result): the full weight, as Weaviate does.
            let mut score = if max != min {
                weight * ((secondary - min) / (max - min))
            } else {
                weight
            };
            let id = hit.object.id;
            let mut line = format!(
                "Hybrid (Result Set {}) Document {id}: original score {}, normalized score: {}",
                set.name,
                v_f32(secondary),
                v_f32(score)
            );
            if let Some(&at) = index.get(&id) {
                score += fused[at].score;
                line.push_str(" - ");
                line.push_str(&fused[at].explain);
            }
            let own = hit.explain_score.clone().unwrap_or_default();
            let explain = format!("{own}\n{line}");
            merge(
                &mut fused,
                &mut index,
                Fused {
                    hit,
                    score,
                    secondary,
                    explain,
                },
            );
        }
    }
    fused
}

/// Best first: by score; near-equal scores by secondary value, then by uuid, both descending.
///
/// Weaviate compares with an epsilon, which is not a total order; sorting with it directly
/// could be inconsistent. Instead: sort exactly, then re-sort each run of consecutive
/// near-equal scores by the tie-breaks, which gives Weaviate's order whenever near-ties do not
/// chain across more than the epsilon (and a deterministic one when they do).
fn order(fused: &mut [Fused]) {
    let by_ties = |a: &Fused, b: &Fused| -> Ordering {
        let d = f64::from(b.secondary - a.secondary);
        if d * d < TIE_EPSILON * TIE_EPSILON {
            b.hit.object.id.cmp(&a.hit.object.id)
        } else {
            b.secondary.total_cmp(&a.secondary)
        }
    };
    fused.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.secondary.total_cmp(&a.secondary))
            .then_with(|| b.hit.object.id.cmp(&a.hit.object.id))
    });
    let mut start = 0;
    while start < fused.len() {
        let mut end = start + 1;
        while end < fused.len() {
            let d = f64::from(fused[end - 1].score - fused[end].score);
            if d * d >= TIE_EPSILON * TIE_EPSILON {
                break;
            }
            end += 1;
        }
        if end - start > 1 {
            // A stable insertion sort: runs are tiny and `by_ties` need not be transitive.
            let run = &mut fused[start..end];
            for i in 1..run.len() {
                let mut j = i;
                while j > 0 && by_ties(&run[j - 1], &run[j]) == Ordering::Greater {
                    run.swap(j - 1, j);
                    j -= 1;
                }
            }
        }
        start = end;
    }
}

#[cfg(test)]
#[path = "fusion_tests.rs"]
mod tests;

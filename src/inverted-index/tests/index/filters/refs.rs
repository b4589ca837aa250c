//! `ReferencesAny` (the coordinator's rewrite of a condition on a cross-reference path) and
//! cross-reference paths that reach the index unresolved.

use roaring::RoaringBitmap;
use serde_json::{json, Value};
use shoal_inverted_index::{Error, InvertedIndex, Tokenization};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::DataType;
use types::ErrorKind;
use uuid::Uuid;

use super::{cond, err, ids, text};
use crate::naive::target_of;
use crate::{build, config, prop, Obj};

fn refs_any(property: &str, targets: &[Uuid]) -> Filter {
    Filter::ReferencesAny {
        property: property.into(),
        targets: targets.to_vec(),
    }
}

fn beacon(class: Option<&str>, target: Uuid) -> Value {
    match class {
        Some(c) => json!({ "beacon": format!("weaviate://localhost/{c}/{target}") }),
        None => json!({ "beacon": format!("weaviate://localhost/{target}") }),
    }
}

fn index(objs: &[Value]) -> InvertedIndex {
    let refs = DataType::Reference(vec!["Author".into(), "Editor".into()]);
    let mut hidden = prop("hidden", refs.clone(), Tokenization::Word);
    hidden.filterable = false;
    let props = vec![
        prop("name", DataType::Text, Tokenization::Word),
        prop("by", refs.clone(), Tokenization::Word),
        prop("cites", refs, Tokenization::Word),
        hidden,
    ];
    let objs: Vec<Obj> = objs
        .iter()
        .enumerate()
        .map(|(i, p)| Obj::new(i as u32, p.clone()))
        .collect();
    build(config(props), &objs).0
}

/// Docs 0..=5: `by` with one or several targets, a legacy class-less beacon, repeats, an
/// empty list, a missing property; `cites` pointing at the same targets as other docs' `by`.
fn fixture() -> InvertedIndex {
    let (a, b, c) = (target_of(0), target_of(1), target_of(2));
    index(&[
        json!({"name": "one", "by": [beacon(Some("Author"), a)]}),
        json!({"name": "two", "by": [beacon(Some("Author"), a), beacon(Some("Editor"), b)]}),
        json!({"name": "three", "by": [beacon(None, b), beacon(Some("Editor"), b)]}),
        json!({"name": "four", "by": [], "cites": [beacon(Some("Author"), c)]}),
        json!({"name": "five", "cites": [beacon(Some("Author"), a)], "hidden": [beacon(None, c)]}),
        json!({"name": "six", "by": [beacon(Some("Author"), c)]}),
    ])
}

#[test]
fn docs_referencing_any_of_the_targets() {
    let ix = fixture();
    let (a, b, c, nobody) = (target_of(0), target_of(1), target_of(2), target_of(9));
    assert_eq!(ids(&ix, &refs_any("by", &[a])), [0, 1]);
    assert_eq!(
        ids(&ix, &refs_any("by", &[b])),
        [1, 2],
        "legacy beacons too"
    );
    assert_eq!(ids(&ix, &refs_any("by", &[a, b])), [0, 1, 2]);
    assert_eq!(ids(&ix, &refs_any("by", &[c, b, c])), [1, 2, 5]);
    assert_eq!(ids(&ix, &refs_any("by", &[nobody])), Vec::<u32>::new());
    // the other property's references are its own
    assert_eq!(ids(&ix, &refs_any("cites", &[a, c])), [3, 4]);
}

#[test]
fn an_empty_target_list_matches_nothing() {
    let ix = fixture();
    assert_eq!(ids(&ix, &refs_any("by", &[])), Vec::<u32>::new());
    assert_eq!(
        ids(&ix, &Filter::Not(Box::new(refs_any("by", &[])))),
        [0, 1, 2, 3, 4, 5]
    );
}

#[test]
fn combined_with_and_or_not() {
    let ix = fixture();
    let (a, b) = (target_of(0), target_of(1));
    let f = Filter::And(vec![
        refs_any("by", &[a, b]),
        cond("name", Operator::NotEqual, text("two")),
    ]);
    assert_eq!(ids(&ix, &f), [0, 2]);
    let f = Filter::Or(vec![refs_any("by", &[b]), refs_any("cites", &[a])]);
    assert_eq!(ids(&ix, &f), [1, 2, 4]);
    // not referencing `a`: docs without the property or with an empty list included
    let f = Filter::Not(Box::new(refs_any("by", &[a])));
    assert_eq!(ids(&ix, &f), [2, 3, 4, 5]);
    let f = Filter::And(vec![
        Filter::Not(Box::new(refs_any("by", &[a]))),
        refs_any("by", &[b]),
    ]);
    assert_eq!(ids(&ix, &f), [2]);
}

#[test]
fn updates_and_deletes_follow_the_references() {
    let (a, b, c) = (target_of(0), target_of(1), target_of(2));
    let ix = index(&[]);
    let doc = |targets: &[Uuid]| {
        let by: Vec<Value> = targets.iter().map(|t| beacon(Some("Author"), *t)).collect();
        Obj::new(0, json!({ "by": by }))
    };
    let first = ix.postings(7, &doc(&[a, b]).input());
    ix.apply(7, &[], &first);
    assert_eq!(ids(&ix, &refs_any("by", &[a])), [7]);
    // the references replaced: the old targets no longer match
    let second = ix.postings(7, &doc(&[c]).input());
    ix.apply(7, &first, &second);
    assert_eq!(ids(&ix, &refs_any("by", &[a, b])), Vec::<u32>::new());
    assert_eq!(ids(&ix, &refs_any("by", &[c])), [7]);
    // a target kept across the update stays
    let third = ix.postings(7, &doc(&[c, a]).input());
    ix.apply(7, &second, &third);
    assert_eq!(ids(&ix, &refs_any("by", &[c])), [7]);
    assert_eq!(ids(&ix, &refs_any("by", &[a])), [7]);
    ix.apply(7, &third, &[]);
    assert_eq!(ids(&ix, &refs_any("by", &[a, b, c])), Vec::<u32>::new());
    assert_eq!(ix.doc_count(), 0);
}

#[test]
fn properties_that_cannot_answer_are_invalid_filters() {
    let ix = fixture();
    let a = target_of(0);
    let m = err(&ix, &refs_any("nope", &[a]));
    assert!(m.starts_with("no such prop with name 'nope'"), "{m}");
    let m = err(&ix, &refs_any("name", &[a]));
    assert!(
        m.contains("'name' of type 'text' is not a cross-reference"),
        "{m}"
    );
    // the property is checked even when there is nothing to look up
    assert_eq!(err(&ix, &refs_any("name", &[])), m);
    let m = err(&ix, &refs_any("hidden", &[target_of(2)]));
    assert!(m.contains("indexFilterable"), "{m}");
    let m = err(
        &ix,
        &Filter::And(vec![refs_any("by", &[a]), refs_any("name", &[a])]),
    );
    assert!(m.starts_with("child operand at position 1: "), "{m}");
}

#[test]
fn an_unresolved_reference_path_is_an_internal_error() {
    let ix = fixture();
    let path = FilterPath::Reference {
        property: "by".into(),
        class: "Author".into(),
        rest: Box::new(FilterPath::Property("name".into())),
    };
    let f = Filter::Condition(Condition {
        path,
        operator: Operator::Equal,
        value: FilterValue::Text("x".into()),
    });
    for f in [f.clone(), Filter::Or(vec![refs_any("by", &[]), f])] {
        match ix.filter(&f) {
            Err(e @ Error::UnresolvedReferencePath { .. }) => {
                assert_eq!(e.kind(), ErrorKind::Internal);
                assert!(e.to_string().contains("\"by\" -> Author"), "{e}");
            }
            other => panic!("{f:?}: expected an unresolved-path error, got {other:?}"),
        }
    }
}

#[test]
fn thousands_of_targets_in_one_filter() {
    // 3000 docs referencing 1..=3 of 2000 targets each; a filter on 1500 of them (some
    // repeated, some referenced by no doc)
    let refs = DataType::Reference(vec!["Author".into()]);
    let ix = InvertedIndex::new(config(vec![prop("by", refs, Tokenization::Word)]));
    let target =
        |i: u32| Uuid::from_u128(0xabc0_0000_0000_4000_8000_0000_0000_0000 + u128::from(i));
    let refs_of = |d: u32| -> Vec<u32> { (0..=d % 3).map(|k| (d * 7 + k * 13) % 2000).collect() };
    for d in 0..3000 {
        let by: Vec<Value> = refs_of(d)
            .into_iter()
            .map(|t| beacon(Some("Author"), target(t)))
            .collect();
        let o = Obj::new(d, json!({ "by": by }));
        let p = ix.postings(d, &o.input());
        ix.apply(d, &[], &p);
    }
    let wanted: Vec<u32> = (0..1500).map(|i| (i * 3) % 2600).collect();
    let targets: Vec<Uuid> = wanted.iter().map(|t| target(*t)).collect();
    let want: RoaringBitmap = (0..3000)
        .filter(|d| refs_of(*d).iter().any(|t| wanted.contains(t)))
        .collect();
    assert!(want.len() > 1000 && want.len() < 3000, "{}", want.len());
    assert_eq!(ix.filter(&refs_any("by", &targets)), Ok(want));
}

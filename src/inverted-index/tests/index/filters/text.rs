//! Text properties: word and field tokenization, Like, ranges, Contains.

use types::filter::{FilterValue, Operator};

use super::{cond, err, fixture, ids, text};

#[test]
fn text_word_equal_needs_every_token_and_drops_stopwords() {
    let ix = fixture();
    assert_eq!(ids(&ix, &cond("name", Operator::Equal, text("APPLE"))), [0]);
    assert_eq!(
        ids(&ix, &cond("name", Operator::Equal, text("red apple"))),
        [0]
    );
    assert_eq!(
        ids(&ix, &cond("name", Operator::Equal, text("red banana"))),
        Vec::<u32>::new()
    );
    assert_eq!(
        ids(&ix, &cond("name", Operator::Equal, text("the mango"))),
        [2]
    );
    assert_eq!(
        ids(&ix, &cond("name", Operator::Equal, text("tart"))),
        [5],
        "underscore separates words"
    );
    let m = err(&ix, &cond("name", Operator::Equal, text("the of")));
    assert!(m.contains("only stopwords provided"), "{m}");
}

#[test]
fn text_not_equal_is_the_complement_and_includes_missing() {
    let ix = fixture();
    assert_eq!(
        ids(&ix, &cond("name", Operator::NotEqual, text("banana"))),
        [0, 2, 3, 4, 5]
    );
    // several tokens: docs with none of them
    assert_eq!(
        ids(&ix, &cond("name", Operator::NotEqual, text("apple mango"))),
        [1, 3, 4, 5]
    );
    assert_eq!(
        ids(&ix, &cond("tags", Operator::NotEqual, text("tech"))),
        [1, 2, 3, 5]
    );
}

#[test]
fn text_like_matches_whole_tokens() {
    let ix = fixture();
    assert_eq!(ids(&ix, &cond("name", Operator::Like, text("app*"))), [0]);
    assert_eq!(ids(&ix, &cond("name", Operator::Like, text("b?nana"))), [1]);
    assert_eq!(
        ids(&ix, &cond("name", Operator::Like, text("*an*"))),
        [1, 2]
    );
    assert_eq!(ids(&ix, &cond("name", Operator::Like, text("*rry"))), [5]);
    assert_eq!(
        ids(&ix, &cond("name", Operator::Like, text("re* pi?"))),
        [0]
    );
    assert_eq!(
        ids(&ix, &cond("label", Operator::Like, text("Alpha*"))),
        [0, 1]
    );
    assert_eq!(
        ids(&ix, &cond("label", Operator::Like, text("?amma*"))),
        [4]
    );
    assert_eq!(ids(&ix, &cond("tags", Operator::Like, text("te*"))), [0, 4]);
}

#[test]
fn text_field_is_trimmed_and_case_sensitive() {
    let ix = fixture();
    assert_eq!(
        ids(&ix, &cond("label", Operator::Equal, text("Alpha One"))),
        [0, 1]
    );
    assert_eq!(
        ids(&ix, &cond("label", Operator::Equal, text(" Beta "))),
        [3]
    );
    assert_eq!(
        ids(&ix, &cond("label", Operator::Equal, text("Alpha"))),
        Vec::<u32>::new()
    );
    assert_eq!(
        ids(&ix, &cond("label", Operator::Equal, text(""))),
        [5],
        "whitespace-only is the empty token"
    );
    assert_eq!(
        ids(&ix, &cond("label", Operator::NotEqual, text("Beta"))),
        [0, 1, 2, 4, 5]
    );
}

#[test]
fn text_ranges_compare_tokens_bytewise() {
    let ix = fixture();
    // tokens: 0 {red, apple, pie} 1 {green, banana} 2 {the, mango} 5 {cherry, tart}
    assert_eq!(
        ids(&ix, &cond("name", Operator::GreaterThan, text("red"))),
        [2, 5]
    );
    assert_eq!(
        ids(&ix, &cond("name", Operator::GreaterThanEqual, text("red"))),
        [0, 2, 5]
    );
    assert_eq!(ids(&ix, &cond("name", Operator::LessThan, text("b"))), [0]);
    assert_eq!(
        ids(
            &ix,
            &cond("label", Operator::LessThanEqual, text("Alpha One"))
        ),
        [0, 1, 5]
    );
}

#[test]
fn contains_any_and_all() {
    let ix = fixture();
    let list = |v: &[&str]| FilterValue::TextList(v.iter().map(|s| s.to_string()).collect());
    assert_eq!(
        ids(
            &ix,
            &cond("name", Operator::ContainsAny, list(&["apple", "mango"]))
        ),
        [0, 2]
    );
    assert_eq!(
        ids(
            &ix,
            &cond("name", Operator::ContainsAll, list(&["red", "apple"]))
        ),
        [0]
    );
    assert_eq!(
        ids(
            &ix,
            &cond("tags", Operator::ContainsAny, list(&["art", "sport"]))
        ),
        [1, 4]
    );
    assert_eq!(
        ids(
            &ix,
            &cond("tags", Operator::ContainsAll, list(&["news", "tech"]))
        ),
        [0]
    );
    assert_eq!(
        ids(
            &ix,
            &cond(
                "count",
                Operator::ContainsAny,
                FilterValue::IntList(vec![5, 120])
            )
        ),
        [0, 2, 3]
    );
    assert_eq!(
        ids(
            &ix,
            &cond(
                "nums",
                Operator::ContainsAll,
                FilterValue::IntList(vec![1, 3])
            )
        ),
        [0]
    );
    assert_eq!(
        ids(
            &ix,
            &cond("nums", Operator::ContainsAny, FilterValue::IntList(vec![3]))
        ),
        [0, 2]
    );
    let ids_list = list(&[
        "10000000-0000-4000-8000-000000000001",
        "10000000-0000-4000-8000-000000000004",
    ]);
    assert_eq!(
        ids(&ix, &cond("id", Operator::ContainsAny, ids_list)),
        [1, 4]
    );
    assert!(
        err(&ix, &cond("name", Operator::ContainsAny, list(&[]))).contains("at least one value")
    );
}

use super::*;

/// Outputs of common.py's `tokenize` / `tokenize_with_wildcards` (Python 3.11) on tricky
/// inputs: accents, Greek final sigma, dotted capital I, `Other_Alphabetic` marks, circled
/// letters, fractions, Arabic-Indic digits, U+001C (Python whitespace, not Unicode's), NBSP,
/// zero-width space, underscores, CJK, emoji, titlecase digraphs, combining accents.
const VECTORS: &str = include_str!("vectors.json");

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect()
}

#[test]
fn matches_the_python_reference_on_tricky_inputs() {
    let rows: Vec<serde_json::Value> = serde_json::from_str(VECTORS).expect("vectors parse");
    assert!(rows.len() >= 20);
    for row in &rows {
        let input = row["in"].as_str().expect("input");
        for t in Tokenization::ALL {
            assert_eq!(
                tokenize(t, input),
                strings(&row[t.as_str()]),
                "{} of {input:?}",
                t.as_str()
            );
        }
        assert_eq!(
            tokenize_with_wildcards(Tokenization::Word, input),
            strings(&row["wild"]),
            "word with wildcards of {input:?}"
        );
    }
}

#[test]
fn word_splits_on_punctuation_and_underscore_and_lowercases() {
    assert_eq!(
        tokenize(Tokenization::Word, "World_Class e-mail"),
        ["world", "class", "e", "mail"]
    );
    assert_eq!(
        tokenize(Tokenization::Word, "Red, apple!"),
        ["red", "apple"]
    );
    assert!(tokenize(Tokenization::Word, "-- __ !!").is_empty());
}

#[test]
fn whitespace_and_lowercase_keep_punctuation() {
    assert_eq!(
        tokenize(Tokenization::Whitespace, " Hello  World-Wide "),
        ["Hello", "World-Wide"]
    );
    assert_eq!(
        tokenize(Tokenization::Lowercase, " Hello  World-Wide "),
        ["hello", "world-wide"]
    );
}

#[test]
fn field_trims_and_keeps_case_and_inner_spaces() {
    assert_eq!(
        tokenize(Tokenization::Field, "  Gamma  Ray \n"),
        ["Gamma  Ray"]
    );
    assert_eq!(tokenize(Tokenization::Field, "   "), [""]);
}

#[test]
fn trigram_joins_words_and_windows_by_character() {
    assert_eq!(tokenize(Tokenization::Trigram, "Wide!"), ["wid", "ide"]);
    assert_eq!(tokenize(Tokenization::Trigram, "o-r l_d"), ["orl", "rld"]);
    assert_eq!(tokenize(Tokenization::Trigram, "éàü"), ["éàü"]);
    assert!(tokenize(Tokenization::Trigram, "ab").is_empty());
}

#[test]
fn wildcards_stay_in_word_tokens_only() {
    assert_eq!(
        tokenize_with_wildcards(Tokenization::Word, "App* b?nana"),
        ["app*", "b?nana"]
    );
    assert_eq!(
        tokenize_with_wildcards(Tokenization::Field, " Alpha* "),
        ["Alpha*"]
    );
    assert_eq!(
        tokenize_with_wildcards(Tokenization::Trigram, "ab*cd"),
        ["abc", "bcd"]
    );
}

#[test]
fn word_char_table_agrees_with_std_on_ascii_and_common_letters() {
    for c in ['a', 'Z', '0', 'é', 'ß', 'Ж', '中', '٣', '½'] {
        assert!(is_word_char(c), "{c:?}");
    }
    for c in ['_', '-', ' ', '\u{345}', 'Ⓐ', '🙂', '\u{301}'] {
        assert!(!is_word_char(c), "{c:?}");
    }
}

#[test]
fn tokenization_names_round_trip() {
    for t in Tokenization::ALL {
        assert_eq!(Tokenization::parse(t.as_str()), Some(t));
    }
    assert_eq!(Tokenization::parse("gse"), None);
}

//! Tokenizers (Weaviate 1.27 `helpers/tokenizer.go`, restated by the acceptance tests'
//! `common.py`, which is what these follow to the character) and stopwords.
//!
//! - `word`: maximal runs of Unicode letters and numbers (see [`word_chars`]), lower-cased.
//!   Punctuation, underscores and everything else separate tokens.
//! - `lowercase`: split on whitespace, lower-cased.
//! - `whitespace`: split on whitespace, case kept.
//! - `field`: the whole value with leading and trailing whitespace trimmed (one token, which
//!   may be empty).
//! - `trigram`: the `word` runs joined, lower-cased, cut into every window of three characters.
//!
//! "Whitespace" is Python's `str.isspace()`: Unicode `White_Space` plus U+001C..U+001F.
//! Lower-casing is full Unicode lower-casing (`str.lower()`), final sigma included.

mod stopwords;
mod word_chars;

pub use stopwords::Stopwords;

/// How a text property is split into tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tokenization {
    Word,
    Lowercase,
    Whitespace,
    Field,
    Trigram,
}

impl Tokenization {
    /// Every tokenization, in Weaviate's order (the order BM25 groups query terms in).
    pub const ALL: [Tokenization; 5] = [
        Tokenization::Word,
        Tokenization::Lowercase,
        Tokenization::Whitespace,
        Tokenization::Field,
        Tokenization::Trigram,
    ];

    /// Parses the wire name (`word`, `lowercase`, `whitespace`, `field`, `trigram`).
    pub fn parse(name: &str) -> Option<Tokenization> {
        Tokenization::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tokenization::Word => "word",
            Tokenization::Lowercase => "lowercase",
            Tokenization::Whitespace => "whitespace",
            Tokenization::Field => "field",
            Tokenization::Trigram => "trigram",
        }
    }
}

/// True for the characters `word` tokens are made of (Python's `[^\W_]`).
pub fn is_word_char(c: char) -> bool {
    let c = c as u32;
    if c < 0x80 {
        return (c as u8).is_ascii_alphanumeric();
    }
    let ranges = &word_chars::WORD_RANGES;
    let i = ranges.partition_point(|&(_, hi)| hi < c);
    i < ranges.len() && ranges[i].0 <= c
}

/// Python's `str.isspace()`.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Splits `text` into the tokens of `tokenization` (common.py `tokenize`).
pub fn tokenize(tokenization: Tokenization, text: &str) -> Vec<String> {
    match tokenization {
        Tokenization::Word => runs(text, is_word_char).map(str::to_lowercase).collect(),
        Tokenization::Lowercase => runs(text, |c| !is_space(c))
            .map(str::to_lowercase)
            .collect(),
        Tokenization::Whitespace => runs(text, |c| !is_space(c)).map(str::to_owned).collect(),
        Tokenization::Field => vec![text.trim_matches(is_space).to_owned()],
        Tokenization::Trigram => {
            let joined: String = runs(text, is_word_char).collect();
            let chars: Vec<char> = joined.to_lowercase().chars().collect();
            chars.windows(3).map(|w| w.iter().collect()).collect()
        }
    }
}

/// How a `Like` value is split (common.py `tokenize_with_wildcards`): like [`tokenize`], but
/// for `word` the wildcards `*` and `?` stay inside tokens. Other tokenizations split exactly
/// as [`tokenize`] does (for `trigram` that drops the wildcards).
pub fn tokenize_with_wildcards(tokenization: Tokenization, text: &str) -> Vec<String> {
    match tokenization {
        Tokenization::Word => runs(text, |c| is_word_char(c) || c == '*' || c == '?')
            .map(str::to_lowercase)
            .collect(),
        Tokenization::Lowercase
        | Tokenization::Whitespace
        | Tokenization::Field
        | Tokenization::Trigram => tokenize(tokenization, text),
    }
}

/// The maximal non-empty runs of characters satisfying `keep`.
fn runs(text: &str, keep: impl Fn(char) -> bool + Copy) -> impl Iterator<Item = &str> {
    text.split(move |c: char| !keep(c))
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests;

//! Stopwords: Weaviate's presets (`inverted/stopwords/presets.go`) plus a class's additions
//! and removals (`detector.go`: the preset, then additions, then removals, so a word both
//! added and removed is not a stopword). Matching is exact on the token.

use std::collections::HashSet;

use crate::{Error, Result};

/// Weaviate's `en` preset (1.25–1.27).
const EN: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// A class's stopword set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopwords {
    words: HashSet<String>,
}

impl Stopwords {
    /// The preset `en` or `none` (an empty name is `none`), with `additions` added and then
    /// `removals` removed. An unknown preset is an error, in Weaviate's words.
    pub fn new(preset: &str, additions: &[String], removals: &[String]) -> Result<Self> {
        let mut words: HashSet<String> = match preset {
            "en" => EN.iter().map(|w| (*w).to_owned()).collect(),
            "none" | "" => HashSet::new(),
            other => {
                return Err(Error::InvalidConfig(format!(
                    "failed to create new detector from config: preset {other:?} not known to stopword detector"
                )))
            }
        };
        words.extend(additions.iter().cloned());
        for w in removals {
            words.remove(w);
        }
        Ok(Stopwords { words })
    }

    /// No stopwords at all.
    pub fn none() -> Self {
        Stopwords {
            words: HashSet::new(),
        }
    }

    /// Weaviate's default: the `en` preset.
    pub fn english() -> Self {
        Stopwords {
            words: EN.iter().map(|w| (*w).to_owned()).collect(),
        }
    }

    /// True if `word` (a token, as produced by the tokenizer) is a stopword.
    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }
}

impl Default for Stopwords {
    fn default() -> Self {
        Stopwords::english()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_additions_and_removals() {
        let s = |v: &[&str]| v.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        let en = Stopwords::new("en", &[], &[]).unwrap();
        assert!(
            en.contains("the")
                && en.contains("with")
                && !en.contains("The")
                && !en.contains("apple")
        );
        let none = Stopwords::new("none", &s(&["foo"]), &[]).unwrap();
        assert!(none.contains("foo") && !none.contains("the"));
        let both = Stopwords::new("en", &s(&["foo"]), &s(&["the", "foo"])).unwrap();
        assert!(!both.contains("the") && !both.contains("foo") && both.contains("a"));
        let err = Stopwords::new("fr", &[], &[]).unwrap_err().to_string();
        assert!(err.contains("preset \"fr\" not known"), "{err}");
        assert_eq!(Stopwords::default(), en);
    }
}

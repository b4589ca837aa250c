//! Stopword presets (adapters/repos/db/inverted/stopwords/presets.go). The schema needs them to
//! validate `stopwords.preset` and to drop additions the preset already contains, as Weaviate does.

/// The `en` preset.
const ENGLISH: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// The words of a preset, or `None` for an unknown preset.
pub(super) fn preset(name: &str) -> Option<&'static [&'static str]> {
    match name {
        "en" => Some(&ENGLISH),
        "none" => Some(&[]),
        _ => None,
    }
}

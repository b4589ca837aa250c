//! What a keyword (BM25) search asks of its matches, shared by the request model and the
//! inverted index.

use serde::{Deserialize, Serialize};

/// How many of the query's distinct terms a document must contain (Weaviate's BM25 search
/// operator: `Or` with `minimum_or_tokens_match`, or `And`). Stopwords removed from the query
/// do not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TermsMatch {
    /// At least this many (0 and 1 both mean any one: plain BM25).
    AtLeast(usize),
    /// Every one.
    All,
}

impl Default for TermsMatch {
    /// Any one term: plain BM25.
    fn default() -> Self {
        TermsMatch::AtLeast(1)
    }
}

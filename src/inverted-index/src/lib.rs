//! The inverted index: tokenizers, stopwords, roaring-bitmap postings, range indexes, BM25 and
//! filter evaluation into bitmaps of doc ids.
//!
//! Nothing of it is built yet: it arrives with the inverted-index issue. Until then Shoal
//! answers filters, BM25 and hybrid queries with a clear "not supported yet" error rather than
//! pretending to evaluate them, and this crate exports nothing.

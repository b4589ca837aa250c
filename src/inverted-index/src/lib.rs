//! The inverted index of one shard: tokenizers, stopwords, roaring-bitmap postings, bit-sliced
//! indexes for range filters, property lengths and null state, timestamps, geo points,
//! `where`-filter evaluation into bitmaps of doc ids, and BM25F keyword ranking, all with
//! Weaviate 1.27's semantics (the acceptance tests `test_filters.py` and `test_keyword.py`
//! compare against Python restatements of them).
//!
//! What it is: an in-memory structure behind an `RwLock`, built from *posting entries*. The
//! shard asks [`InvertedIndex::postings`] for the entries of an object, stores them in RocksDB
//! in the same atomic batch as the object, hands them to [`InvertedIndex::apply`], and at open
//! feeds every stored entry back through [`InvertedIndex::load`]. Entries are deterministic
//! (the same object and configuration give the same entries), so an update deletes the entries
//! computed from the old object and writes those of the new one.
//!
//! What it is not: it does no IO, owns no storage, does not parse GraphQL or check filter
//! syntax (the filter arrives as [`types::filter::Filter`]), and does not filter on
//! nested-object leaves. Nor does it resolve cross-reference paths (`["ref","Class","prop"]`),
//! which need the target class's objects: the coordinator evaluates the condition there and
//! hands the shard `Filter::ReferencesAny` with the matching targets' uuids, which the index
//! answers from the reference property's value entries (target uuid -> docs); a
//! `FilterPath::Reference` reaching the index is an internal error.
//!
//! # Entries (durable layout)
//!
//! Every key ends with the doc id as `u32` big-endian; `prop` is `u16` BE length + UTF-8 name:
//!
//! | kind | key | value | meaning |
//! |---|---|---|---|
//! | `0x01` | `uuid(16) doc` | – | the object id (`_id`); the set of live docs |
//! | `0x02` / `0x03` | `ms(8, ordered) doc` | – | creation / last-update time in ms |
//! | `0x10` | `prop value doc` | text: tf `u32` BE; else – | a token or value of a property; a reference's target |
//! | `0x11` | `prop len(u32 BE) doc` | – | the property is present; its length |
//! | `0x12` | `prop doc` | lat, lon (`f64` BE) | a geo point |
//!
//! Values are order-preserving byte strings: tokens as UTF-8; ints as sign-flipped
//! big-endian `i64`; numbers as `f64` with the usual sign flip (`-0.0` stored as `0.0`);
//! booleans as one byte; dates as ordered seconds `i64` + nanoseconds `u32`; uuids as their
//! 16 bytes (no non-text value is longer: decoding rejects one that is). The values of a
//! reference property are its targets' uuids (16 bytes), one entry per distinct target of
//! its beacons (`weaviate://localhost/<Class>/<uuid>` or the class-less
//! `weaviate://localhost/<uuid>`; a beacon that does not parse gets none). The length of
//! `0x11` is characters for text, elements for arrays and references, and `u32::MAX`
//! ("present, no length") for other types. A property is *null* when it has no `0x11` entry
//! or its length is 0 (Weaviate: missing, empty text, empty array).
//!
//! [`LAYOUT_VERSION`] is 2: version 1 had no value entries for references. A store of
//! version-1 entries is brought up to date by adding [`InvertedIndex::reference_postings`] of
//! every stored document (the shard does it once, when it opens).
//!
//! # Memory layout
//!
//! Per property:
//! - text tokens: an ordered map token → (docs, term frequencies above 1 as a sorted
//!   `(doc, tf)` list), which answers equality, ranges (bytewise) and `Like`; the per-doc
//!   count of distinct tokens (BM25 property length) in pages of 1024 `u32` and its sum;
//! - other values: an ordered map from the value bytes zero-padded to a `u128` (all values
//!   of a property have its type's width, so the keys order like the bytes) → docs, for
//!   equality (and ranges on booleans and uuids; `ReferencesAny` looks its targets up
//!   there); for ints, numbers and dates the same `(value, doc)` pairs again as a
//!   *bit-sliced index* (`index/bsi`, O'Neil's BSI, as Weaviate's `indexRangeFilters`): one
//!   bitmap per bit of the 128-bit key plus one of the docs that have a value, stored XOR
//!   the first value so that bits shared by every value (padding, sign, the high bits of
//!   small ints) cost neither memory nor time; a range, one- or two-sided, is a pass from
//!   the top bit down with a few bitmap operations per varying bit, whatever the number of
//!   distinct values. A doc with several values (arrays) has them in several *layers* of
//!   one value per doc each, united by a search. An `And` of ranges on one single-valued
//!   property is evaluated as one range. `indexRangeFilters` changes nothing but what is
//!   allowed;
//! - lengths as an ordered map length → docs, the present docs, geo points.
//!
//! Globally: uuid bytes → docs (byte order is the canonical strings' order, which `_id`
//! filters compare), the all-docs bitmap, and creation and update times as two bit-sliced
//! indexes (equality there is a bit-sliced search too). Doc sets of a single doc, the common
//! case for numbers, dates, ids and rare tokens, are kept inline instead of in a bitmap.
//!
//! Everything is derived from the entries: loading them in any order, or replaying one twice,
//! gives the same structure. See `index/` for the structure, `filter/` for the filter
//! semantics and `bm25/` for the ranking formula.

mod bm25;
mod config;
mod error;
mod filter;
mod index;
mod postings;
mod tokenize;

pub use bm25::Bm25Stats;
pub use config::{IndexConfig, PropertySpec};
pub use error::{Error, Result};
pub use index::{InvertedIndex, Loader};
pub use postings::{DocInput, Posting, LAYOUT_VERSION};
pub use tokenize::{
    is_space, is_word_char, tokenize, tokenize_with_wildcards, Stopwords, Tokenization,
};

//! The layout of a shard's stored inverted-index entries. Entries are derived from the
//! objects, so a shard whose entries predate the current layout
//! ([`inverted_index::LAYOUT_VERSION`], recorded in the shard's metadata) is brought up to
//! date when it opens, before the entries are loaded. Layout 2 added the value entries of
//! reference properties (their targets' uuids, which `ReferencesAny` filters look up): they
//! are computed from every stored object and written in bounded batches, then the version is
//! recorded. A shard without a reference property that indexes its targets, or that never
//! stored an object (a new one), lacks nothing and only records the version.
//!
//! Crash safety: the entries are those the write path computes for the same object and
//! configuration (deterministic, and exactly what an update or delete removes later), written
//! with puts, so a backfill cut short by a crash is run again, whole, at the next open, and
//! rewriting an entry changes nothing. The version goes in a batch after the last entries,
//! and RocksDB recovers its log in order, so a stored version means every entry before it is
//! stored too. Nothing else writes to the shard while it opens.

use std::time::Instant;

use inverted_index::InvertedIndex;
use storage::{keys, Cf, KvStore, WriteBatch};
use types::DocId;

use super::{read::uuid_from_key, read_counter, BACKFILL_BATCH};
use crate::record::Record;
use crate::Result;

/// The shard-metadata key of the layout version of the stored entries (missing: version 1).
const POSTINGS_LAYOUT_KEY: &[u8] = b"postings_layout";
/// Objects read per scan. The scan is paged rather than streamed so that no batch is written
/// while the store iterates (`MemStore` holds its lock during a streamed scan).
const SCAN_PAGE: usize = 1000;

/// Brings the stored entries of the shard at `prefix` up to the current layout (see the module
/// docs); `next_doc` is the shard's next doc id (0: it never stored an object).
pub(super) fn upgrade_postings(
    store: &dyn KvStore,
    prefix: u64,
    inverted: &InvertedIndex,
    next_doc: DocId,
) -> Result<()> {
    let current = u64::from(inverted_index::LAYOUT_VERSION);
    if read_counter(store, prefix, POSTINGS_LAYOUT_KEY)? >= current {
        return Ok(());
    }
    let mut batch = WriteBatch::new();
    if next_doc > 0 && inverted.config().indexes_reference_targets() {
        let started = Instant::now();
        let (objects, entries) = add_reference_postings(store, prefix, inverted, &mut batch)?;
        let ms = started.elapsed().as_millis() as u64;
        tracing::info!(
            prefix,
            objects,
            entries,
            ms,
            "inverted index: references' targets indexed for objects stored before layout 2"
        );
    }
    batch.put(
        Cf::ShardMeta,
        keys::shard_key(prefix, POSTINGS_LAYOUT_KEY),
        current.to_be_bytes().to_vec(),
    );
    Ok(store.write(batch)?)
}

/// Stages the reference-target entries of every stored object, writing full batches as it
/// goes (the last, partial one is left in `batch`). Returns the objects read and the entries
/// staged.
fn add_reference_postings(
    store: &dyn KvStore,
    prefix: u64,
    inverted: &InvertedIndex,
    batch: &mut WriteBatch,
) -> Result<(u64, u64)> {
    let shard_prefix = keys::shard_prefix(prefix);
    let (mut objects, mut entries) = (0u64, 0u64);
    let mut start = Vec::new();
    loop {
        let page = store.scan_prefix(Cf::Objects, &shard_prefix, &start, SCAN_PAGE)?;
        for (key, bytes) in &page {
            let id = uuid_from_key(key)?;
            let record = Record::decode(bytes)?;
            for p in inverted.reference_postings(record.doc, &record.input(&id)) {
                batch.put(Cf::Postings, keys::shard_key(prefix, &p.key), p.value);
                entries += 1;
            }
            objects += 1;
            if batch.len() >= BACKFILL_BATCH {
                store.write(std::mem::take(batch))?;
            }
        }
        match page.last() {
            Some((last, _)) if page.len() == SCAN_PAGE => {
                start = last.clone();
                // the smallest key after `last`
                start.push(0);
            }
            _ => return Ok((objects, entries)),
        }
    }
}

//! The Raft log, vote and commit hint in `Cf::RaftLog` / `Cf::RaftMeta` of the node's Raft
//! RocksDB.
//!
//! The database is opened with synced writes, so every write below is fsynced before it returns:
//! appends before openraft is told they are durable, the vote (a lost vote allows voting twice in
//! a term) and truncations (removed entries must not come back after a crash). RocksDB calls
//! block briefly; that is acceptable because openraft runs on its own small runtime
//! (see `node.rs`) and metadata writes are rare.

use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

use openraft::storage::{LogFlushed, LogState, RaftLogStorage};
use openraft::{OptionalSend, RaftLogReader};
use storage::keys::{self, raft as rk};
use storage::{Cf, KvStore, RocksStore, WriteBatch};

use crate::raft::codec::{decode, encode, get_meta, Op, OrStorageErr};
use crate::raft::types::{typ, TypeConfig};
use crate::Result;

type StorageResult<T> = std::result::Result<T, typ::StorageError>;

/// The log store; cheap to clone (replication tasks each get a reader clone).
#[derive(Clone)]
pub struct LogStore {
    db: Arc<RocksStore>,
}

impl LogStore {
    /// A log store over an open Raft database (shared with the state machine).
    pub fn new(db: Arc<RocksStore>) -> Self {
        LogStore { db }
    }

    /// The entries whose index is in `range`, ascending.
    fn read_range<RB: RangeBounds<u64>>(&self, range: &RB) -> Result<Vec<typ::Entry>> {
        let start = match range.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => match s.checked_add(1) {
                Some(s) => s,
                None => return Ok(Vec::new()),
            },
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&e) => e.checked_add(1),
            Bound::Excluded(&e) => Some(e),
            Bound::Unbounded => None,
        };
        let limit = match end {
            Some(e) if e <= start => return Ok(Vec::new()),
            Some(e) => usize::try_from(e - start).unwrap_or(usize::MAX),
            None => usize::MAX,
        };
        let rows = self
            .db
            .scan_prefix(Cf::RaftLog, b"", &keys::raft_log_key(start), limit)?;
        let mut out = Vec::with_capacity(rows.len());
        for (key, value) in rows {
            match keys::raft_log_index(&key) {
                Some(index) if range.contains(&index) => out.push(decode(&value)?),
                _ => break,
            }
        }
        Ok(out)
    }

    /// The log id of the last entry in the log, if any.
    fn last_entry_id(&self) -> Result<Option<typ::LogId>> {
        // The log is bounded by snapshot purging (a few thousand entries at most), and this runs
        // at startup only, so a key-only walk is cheaper than maintaining a cache.
        let mut last: Option<Vec<u8>> = None;
        self.db.for_each_prefix(Cf::RaftLog, b"", &mut |k, _| {
            last = Some(k.to_vec());
            true
        })?;
        let Some(key) = last else { return Ok(None) };
        match self.db.get(Cf::RaftLog, &key)? {
            Some(bytes) => Ok(Some(decode::<typ::Entry>(&bytes)?.log_id)),
            None => Ok(None),
        }
    }

    fn write(&self, batch: WriteBatch) -> Result<()> {
        Ok(self.db.write(batch)?)
    }

    fn put_meta<T: serde::Serialize>(&self, key: &[u8], value: &T) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.put(Cf::RaftMeta, key.to_vec(), encode(value)?);
        self.write(batch)
    }

    fn append_batch<I: IntoIterator<Item = typ::Entry>>(&self, entries: I) -> Result<()> {
        let mut batch = WriteBatch::new();
        for entry in entries {
            batch.put(
                Cf::RaftLog,
                keys::raft_log_key(entry.log_id.index).to_vec(),
                encode(&entry)?,
            );
        }
        if batch.is_empty() {
            return Ok(());
        }
        self.write(batch)
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> StorageResult<Vec<typ::Entry>> {
        self.read_range(&range).or_storage(Op::ReadLogs)
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> StorageResult<LogState<TypeConfig>> {
        let last_purged: Option<typ::LogId> =
            get_meta(&self.db, rk::LAST_PURGED).or_storage(Op::ReadLogs)?;
        let last = self.last_entry_id().or_storage(Op::ReadLogs)?;
        Ok(LogState {
            last_purged_log_id: last_purged,
            last_log_id: last.or(last_purged),
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &typ::Vote) -> StorageResult<()> {
        self.put_meta(rk::VOTE, vote).or_storage(Op::WriteVote)
    }

    async fn read_vote(&mut self) -> StorageResult<Option<typ::Vote>> {
        get_meta(&self.db, rk::VOTE).or_storage(Op::ReadVote)
    }

    async fn save_committed(&mut self, committed: Option<typ::LogId>) -> StorageResult<()> {
        // A hint only (a lost one means less is re-applied on start), but the store syncs every
        // write anyway and commits are as rare as metadata changes.
        self.put_meta(rk::COMMITTED, &committed)
            .or_storage(Op::WriteLogs)
    }

    async fn read_committed(&mut self) -> StorageResult<Option<typ::LogId>> {
        let committed: Option<Option<typ::LogId>> =
            get_meta(&self.db, rk::COMMITTED).or_storage(Op::ReadLogs)?;
        Ok(committed.flatten())
    }

    async fn append<I>(&mut self, entries: I, callback: LogFlushed<TypeConfig>) -> StorageResult<()>
    where
        I: IntoIterator<Item = typ::Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        // The batch is synced when `write` returns, so the entries are durable before openraft
        // hears about it (openraft.md §5.2).
        match self.append_batch(entries) {
            Ok(()) => {
                callback.log_io_completed(Ok(()));
                Ok(())
            }
            Err(e) => {
                callback.log_io_completed(Err(std::io::Error::other(e.to_string())));
                Err(crate::raft::codec::storage_err(Op::WriteLogs, &e))
            }
        }
    }

    async fn truncate(&mut self, log_id: typ::LogId) -> StorageResult<()> {
        let mut batch = WriteBatch::new();
        batch.delete_range(
            Cf::RaftLog,
            keys::raft_log_key(log_id.index).to_vec(),
            keys::RAFT_LOG_END.to_vec(),
        );
        self.write(batch).or_storage(Op::WriteLogs)
    }

    async fn purge(&mut self, log_id: typ::LogId) -> StorageResult<()> {
        // `last_purged` and the deletion in one batch: a crash leaves either both or neither.
        let end = match log_id.index.checked_add(1) {
            Some(next) => keys::raft_log_key(next).to_vec(),
            None => keys::RAFT_LOG_END.to_vec(),
        };
        let mut batch = WriteBatch::new();
        batch.put(
            Cf::RaftMeta,
            rk::LAST_PURGED.to_vec(),
            encode(&log_id).or_storage(Op::WriteLogs)?,
        );
        batch.delete_range(Cf::RaftLog, keys::raft_log_key(0).to_vec(), end);
        self.write(batch).or_storage(Op::WriteLogs)
    }
}

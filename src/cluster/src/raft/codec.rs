//! How Raft records are stored: a format byte, then JSON.
//!
//! JSON rather than bincode because the metadata types (`Class` and its free-form configs) rely
//! on serde features bincode cannot decode; the volume is tiny. The leading byte lets a later
//! version change the encoding without guessing (openraft.md §5.6).

use serde::de::DeserializeOwned;
use serde::Serialize;
use storage::{Cf, KvStore, RocksStore};

use crate::raft::types::typ;
use crate::{Error, Result};

/// The only format so far.
const FORMAT_JSON: u8 = 1;

/// `FORMAT_JSON | json(value)`.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut out = vec![FORMAT_JSON];
    serde_json::to_writer(&mut out, value).map_err(|e| Error::Corrupt(e.to_string()))?;
    Ok(out)
}

/// The inverse of [`encode`].
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    match bytes.split_first() {
        Some((&FORMAT_JSON, json)) => {
            types::json::from_slice(json).map_err(|e| Error::Corrupt(e.to_string()))
        }
        Some((format, _)) => Err(Error::Corrupt(format!(
            "unknown raft record format {format}"
        ))),
        None => Err(Error::Corrupt("empty raft record".to_string())),
    }
}

/// Refuses a value that would be written but could not be read back, before it reaches the log:
/// a record Raft cannot read stops the node for good.
pub(crate) fn check_round_trip<T: Serialize + DeserializeOwned>(value: &T) -> Result<()> {
    let bytes = encode(value).map_err(|e| Error::Invalid(format!("cannot be stored: {e}")))?;
    decode::<T>(&bytes)
        .map(drop)
        .map_err(|e| Error::Invalid(format!("cannot be stored: {e}")))
}

/// Reads and decodes one record of `Cf::RaftMeta`.
pub(crate) fn get_meta<T: DeserializeOwned>(db: &RocksStore, key: &[u8]) -> Result<Option<T>> {
    match db.get(Cf::RaftMeta, key)? {
        Some(bytes) => decode(&bytes).map(Some),
        None => Ok(None),
    }
}

/// Which openraft operation failed, for the error openraft reports.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    ReadLogs,
    WriteLogs,
    ReadVote,
    WriteVote,
    WriteStateMachine,
    ReadSnapshot,
    WriteSnapshot,
}

/// Wraps a crate error into the storage error openraft expects. Any storage error stops the
/// Raft node (openraft treats it as fatal), so this is only used for real I/O or decode faults.
pub(crate) fn storage_err(op: Op, e: &Error) -> typ::StorageError {
    use openraft::StorageIOError as Io;
    let io = match op {
        Op::ReadLogs => Io::read_logs(e),
        Op::WriteLogs => Io::write_logs(e),
        Op::ReadVote => Io::read_vote(e),
        Op::WriteVote => Io::write_vote(e),
        Op::WriteStateMachine => Io::write_state_machine(e),
        Op::ReadSnapshot => Io::read_snapshot(None, e),
        Op::WriteSnapshot => Io::write_snapshot(None, e),
    };
    io.into()
}

/// `result.map_err(|e| storage_err(op, &e))`.
// The error type is openraft's, whose size we do not choose.
#[allow(clippy::result_large_err)]
pub(crate) trait OrStorageErr<T> {
    fn or_storage(self, op: Op) -> std::result::Result<T, typ::StorageError>;
}

impl<T> OrStorageErr<T> for Result<T> {
    fn or_storage(self, op: Op) -> std::result::Result<T, typ::StorageError> {
        self.map_err(|e| storage_err(op, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_unknown_formats_are_rejected() {
        let bytes = encode(&vec![1u64, 2]).expect("encode");
        assert_eq!(bytes[0], FORMAT_JSON);
        assert_eq!(decode::<Vec<u64>>(&bytes).expect("decode"), vec![1, 2]);
        assert!(decode::<Vec<u64>>(&[9, b'1']).is_err());
        assert!(decode::<Vec<u64>>(&[]).is_err());
    }
}

//! Vector-index snapshot files, one per shard and target:
//!
//! ```text
//! <index dir>/<shard prefix as 16 hex>-<target name as hex>.hnsw
//!   magic "SHOALIX1" | covered u64 LE | graph bytes (the index's own checksummed format)
//! ```
//! `covered` is the shard's index-log sequence number the snapshot includes everything below:
//! on open, log entries at or above it are queued for the indexer. Files are written to a
//! temporary name, fsynced and renamed, so a crash leaves either the old snapshot or the new one.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use vector_index::HnswIndex;

use crate::{Error, Result};

const MAGIC: &[u8; 8] = b"SHOALIX1";

/// The snapshot file of one target of one shard.
pub(crate) fn path(dir: &Path, prefix: u64, target: &str) -> PathBuf {
    let hex: String = target.bytes().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{prefix:016x}-{hex}.hnsw"))
}

/// Writes `index`'s graph atomically, recording that it covers log entries below `covered`.
pub(crate) fn write(
    dir: &Path,
    prefix: u64,
    target: &str,
    covered: u64,
    index: &HnswIndex,
) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| io_error("create index dir", e))?;
    let final_path = path(dir, prefix, target);
    let tmp = final_path.with_extension("hnsw.tmp");
    {
        let file = File::create(&tmp).map_err(|e| io_error("create snapshot", e))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(MAGIC)
            .map_err(|e| io_error("write snapshot", e))?;
        out.write_all(&covered.to_le_bytes())
            .map_err(|e| io_error("write snapshot", e))?;
        index
            .write_graph(&mut out)
            .map_err(|e| io_error("write snapshot", e))?;
        let file = out
            .into_inner()
            .map_err(|e| io_error("write snapshot", e.into_error()))?;
        file.sync_all().map_err(|e| io_error("sync snapshot", e))?;
    }
    fs::rename(&tmp, &final_path).map_err(|e| io_error("rename snapshot", e))?;
    // Make the rename itself durable.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Opens a snapshot for reading: `(covered, reader positioned at the graph)`, or `None`.
pub(crate) fn open(
    dir: &Path,
    prefix: u64,
    target: &str,
) -> Result<Option<(u64, BufReader<File>)>> {
    let file = match File::open(path(dir, prefix, target)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("open snapshot", e)),
    };
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut header = [0u8; 16];
    reader
        .read_exact(&mut header)
        .map_err(|e| io_error("read snapshot header", e))?;
    if &header[..8] != MAGIC {
        return Err(Error::Corrupt(
            "index snapshot has an unknown header".into(),
        ));
    }
    let covered = u64::from_le_bytes(header[8..].try_into().unwrap_or_default());
    Ok(Some((covered, reader)))
}

/// Removes every snapshot of a shard (when the shard is dropped).
pub(crate) fn remove_all(dir: &Path, prefix: u64) -> Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error("list index dir", e)),
    };
    let own = format!("{prefix:016x}-");
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&own) {
            fs::remove_file(entry.path()).map_err(|e| io_error("remove snapshot", e))?;
        }
    }
    Ok(())
}

fn io_error(what: &str, e: std::io::Error) -> Error {
    Error::Snapshot(format!("{what}: {e}"))
}

//! The node's copy of the metadata: applied commands, persisted, announced to a listener.

use std::path::Path;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use storage::{Cf, KvStore, RocksConfig, RocksStore, WriteBatch};

use crate::meta::{MetaChange, MetaCommand, MetaState};
use crate::{Error, Result};

const STATE_KEY: &[u8] = b"meta/state";

/// Told about every applied change, after it is durable. The coordinator implements this to
/// create, reconfigure and drop local shards.
///
/// Under [`crate::raft::RaftMeta`] it is called from Raft's state-machine task, in log order:
/// it may do blocking local work, but must never wait on Raft itself (a `write` from inside it
/// would wait for an apply that cannot happen until it returns).
pub trait MetaListener: Send + Sync {
    /// `state` is the state after the change.
    fn on_applied(&self, change: &MetaChange, state: &MetaState);

    /// The whole state was replaced at once (a Raft snapshot was installed because this node fell
    /// too far behind, or joined late). The default replays the difference as ordinary changes,
    /// each with the final `state`, which is enough for a listener that reconciles per class;
    /// override it to resynchronise everything in one go.
    ///
    /// Why a method rather than a `MetaChange::Reset` variant: listeners match `MetaChange`
    /// exhaustively, and a new variant would break every implementation; a provided method does
    /// not, and still lets a listener choose a full reconcile.
    fn on_reset(&self, previous: &MetaState, state: &MetaState) {
        for change in crate::meta::changes_between(previous, state) {
            self.on_applied(&change, state);
        }
    }
}

/// Applies [`MetaCommand`]s in order, persists the result and notifies the listener.
pub struct MetaStore {
    node_name: String,
    db: RocksStore,
    state: RwLock<Arc<MetaState>>,
    /// Serialises apply + persist + notify so listeners see changes in order.
    apply_lock: Mutex<()>,
    listener: Arc<dyn MetaListener>,
}

impl MetaStore {
    /// Opens the metadata under `path` (created if missing).
    pub fn open(
        path: &Path,
        node_name: &str,
        listener: Arc<dyn MetaListener>,
    ) -> Result<MetaStore> {
        let db = RocksStore::open(
            path,
            &RocksConfig {
                sync_writes: true,
                block_cache_bytes: 8 << 20,
                write_buffer_bytes: 16 << 20,
            },
        )?;
        let state = match db.get(Cf::Meta, STATE_KEY)? {
            Some(bytes) => {
                types::json::from_slice(&bytes).map_err(|e| Error::Corrupt(e.to_string()))?
            }
            None => MetaState::default(),
        };
        Ok(MetaStore {
            node_name: node_name.to_string(),
            db,
            state: RwLock::new(Arc::new(state)),
            apply_lock: Mutex::new(()),
            listener,
        })
    }

    /// This node's name.
    pub fn node_name(&self) -> &str {
        &self.node_name
    }

    /// The names of the nodes of the cluster (one, until clustering lands).
    pub fn node_names(&self) -> Vec<String> {
        vec![self.node_name.clone()]
    }

    /// The current state; cheap, and consistent for as long as the caller holds it.
    pub fn snapshot(&self) -> Arc<MetaState> {
        self.state.read().clone()
    }

    /// Applies `cmd`, makes it durable, tells the listener, and returns the new state.
    pub fn execute(&self, cmd: MetaCommand) -> Result<Arc<MetaState>> {
        let _guard = self.apply_lock.lock();
        let mut next = (*self.snapshot()).clone();
        let change = next.apply(cmd)?;
        self.persist(&next)?;
        let next = Arc::new(next);
        // Local effects before the state is published, as under Raft.
        self.listener.on_applied(&change, &next);
        *self.state.write() = next.clone();
        Ok(next)
    }

    fn persist(&self, state: &MetaState) -> Result<()> {
        let bytes = serde_json::to_vec(state).map_err(|e| Error::Corrupt(e.to_string()))?;
        let mut batch = WriteBatch::new();
        batch.put(Cf::Meta, STATE_KEY.to_vec(), bytes);
        Ok(self.db.write(batch)?)
    }

    /// Makes everything durable (on shutdown).
    pub fn flush(&self) -> Result<()> {
        Ok(self.db.flush()?)
    }
}

/// Moves the metadata a node stored before it ran Raft (the single-node [`MetaStore`] in
/// `path`, `<data>/raft`) into the JSON file `to`, and removes it from the database, so that
/// the Raft group can adopt its classes. Returns whether there was any. The file is written
/// and synced before the key is deleted: a crash in between leaves both, never neither.
pub fn export_local_state(path: &Path, to: &Path) -> Result<bool> {
    if !path.exists() {
        return Ok(false);
    }
    let db = RocksStore::open(
        path,
        &RocksConfig {
            sync_writes: true,
            block_cache_bytes: 1 << 20,
            write_buffer_bytes: 1 << 20,
        },
    )?;
    let Some(bytes) = db.get(Cf::Meta, STATE_KEY)? else {
        return Ok(false);
    };
    write_synced(to, &bytes)
        .map_err(|e| Error::Corrupt(format!("cannot write {}: {e}", to.display())))?;
    let mut batch = WriteBatch::new();
    batch.delete(Cf::Meta, STATE_KEY.to_vec());
    db.write(batch)?;
    Ok(true)
}

/// Reads a state [`export_local_state`] wrote.
pub fn read_exported_state(from: &Path) -> Result<MetaState> {
    let bytes = std::fs::read(from)
        .map_err(|e| Error::Corrupt(format!("cannot read {}: {e}", from.display())))?;
    types::json::from_slice(&bytes).map_err(|e| Error::Corrupt(e.to_string()))
}

fn write_synced(to: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = to.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, to)?;
    match to.parent() {
        Some(dir) => std::fs::File::open(dir)?.sync_all(),
        None => Ok(()),
    }
}

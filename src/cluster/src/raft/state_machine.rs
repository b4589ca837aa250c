//! The replicated state machine: [`MetaState`] plus Raft's last applied id and membership, in
//! `Cf::RaftMeta` of the node's Raft RocksDB.
//!
//! Each `apply` batch is one synced RocksDB write holding the changed classes and tenants (in
//! rows of their own, see `rows`), the alias map when it changed, `last_applied`,
//! the membership and the dedup records, so after a crash the state is exactly that of some
//! applied prefix of the log (openraft.md §5.2: logs covered by a snapshot are purged, so the
//! state machine must never go back). Only after the write does the in-memory view change and
//! the [`MetaListener`] hear about it, as with `MetaStore::execute`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Cursor;
use std::sync::Arc;

use openraft::storage::RaftStateMachine;
use openraft::{EntryPayload, OptionalSend, RaftSnapshotBuilder};
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};
use storage::keys::raft as rk;
use storage::{Cf, KvStore, RocksStore, WriteBatch};

use crate::meta::{MetaChange, MetaState};
use crate::raft::codec::{
    check_round_trip, decode, encode, get_meta, storage_err, Op, OrStorageErr,
};
use crate::raft::rows;
use crate::raft::types::{typ, ApplyError, MetaRequest, MetaResponse, TypeConfig};
use crate::store::MetaListener;
use crate::{Error, Result};

type StorageResult<T> = std::result::Result<T, typ::StorageError>;

/// How many recent request ids are remembered for deduplication. A client retry comes within
/// seconds; at metadata write rates this window spans far longer.
const DEDUP_WINDOW: usize = 1000;

/// A remembered request and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct DedupEntry {
    index: u64,
    request_id: String,
    response: MetaResponse,
}

/// The state machine's content at one applied log id; replaced as a whole after each durable
/// batch, so readers and the snapshot builder always see a consistent version.
#[derive(Debug, Clone, Default)]
pub struct SmData {
    pub state: Arc<MetaState>,
    pub last_applied: Option<typ::LogId>,
    pub membership: typ::StoredMembership,
    pub(crate) dedup: VecDeque<DedupEntry>,
}

/// The view of the state machine shared with readers (the node handle, HTTP handlers).
#[derive(Default)]
pub struct SmShared {
    current: RwLock<Arc<SmData>>,
}

impl SmShared {
    /// The current content.
    pub fn load(&self) -> Arc<SmData> {
        self.current.read().clone()
    }

    fn store(&self, data: Arc<SmData>) {
        *self.current.write() = data;
    }
}

/// The snapshot payload (its `SnapshotMeta` carries last applied and membership).
#[derive(Serialize, Deserialize)]
struct SnapshotPayload {
    state: MetaState,
    dedup: Vec<DedupEntry>,
}

/// The last snapshot as stored. The data is the encoded payload, which is UTF-8 JSON, kept as a
/// string so that it is not inflated into a JSON array of numbers.
#[derive(Serialize, Deserialize)]
struct StoredSnapshot {
    meta: typ::SnapshotMeta,
    data: String,
}

/// The state machine handed to openraft.
pub struct StateMachine {
    db: Arc<RocksStore>,
    shared: Arc<SmShared>,
    listener: Arc<dyn MetaListener>,
}

impl StateMachine {
    /// Loads the persisted state machine from `db`.
    pub fn open(db: Arc<RocksStore>, listener: Arc<dyn MetaListener>) -> Result<StateMachine> {
        let data = load(&db)?;
        let shared = Arc::new(SmShared {
            current: RwLock::new(Arc::new(data)),
        });
        Ok(StateMachine {
            db,
            shared,
            listener,
        })
    }

    /// The view readers use.
    pub fn shared(&self) -> Arc<SmShared> {
        self.shared.clone()
    }

    fn install(&mut self, meta: &typ::SnapshotMeta, bytes: Vec<u8>) -> Result<()> {
        let payload: SnapshotPayload = decode(&bytes)?;
        let mut state = payload.state;
        state.applied = meta.last_log_id.map_or(0, |l| l.index);
        let data = String::from_utf8(bytes).map_err(|e| Error::Corrupt(e.to_string()))?;
        let mut batch = WriteBatch::new();
        batch.delete_range(
            Cf::RaftMeta,
            rk::CLASS_PREFIX.to_vec(),
            rk::CLASS_END.to_vec(),
        );
        batch.delete_range(
            Cf::RaftMeta,
            rk::TENANT_PREFIX.to_vec(),
            rk::TENANT_END.to_vec(),
        );
        batch.delete_range(
            Cf::RaftMeta,
            rk::DEDUP_PREFIX.to_vec(),
            rk::DEDUP_END.to_vec(),
        );
        for class in state.classes.values() {
            rows::put_class_and_tenants(&mut batch, class)?;
        }
        batch.put(Cf::RaftMeta, rk::ALIASES.to_vec(), encode(&state.aliases)?);
        for entry in &payload.dedup {
            batch.put(Cf::RaftMeta, rk::dedup_key(entry.index), encode(entry)?);
        }
        batch.put(
            Cf::RaftMeta,
            rk::APPLIED.to_vec(),
            encode(&meta.last_log_id)?,
        );
        let membership = meta.last_membership.clone();
        batch.put(Cf::RaftMeta, rk::MEMBERSHIP.to_vec(), encode(&membership)?);
        let stored = StoredSnapshot {
            meta: meta.clone(),
            data,
        };
        batch.put(Cf::RaftMeta, rk::SNAPSHOT.to_vec(), encode(&stored)?);
        self.db.write(batch)?;

        let previous = self.shared.load();
        let next = Arc::new(SmData {
            state: Arc::new(state),
            last_applied: meta.last_log_id,
            membership,
            dedup: payload.dedup.into(),
        });
        // As in `apply`: local effects before the state is published.
        self.listener.on_reset(&previous.state, &next.state);
        self.shared.store(next);
        Ok(())
    }
}

/// Reads the persisted state machine.
fn load(db: &RocksStore) -> Result<SmData> {
    let last_applied: Option<typ::LogId> =
        get_meta::<Option<typ::LogId>>(db, rk::APPLIED)?.flatten();
    let membership: typ::StoredMembership = get_meta(db, rk::MEMBERSHIP)?.unwrap_or_default();
    let mut state = MetaState::default();
    rows::load_classes(db, &mut state)?;
    // Absent in state machines written before aliases existed.
    state.aliases = get_meta(db, rk::ALIASES)?.unwrap_or_default();
    state.applied = last_applied.map_or(0, |l| l.index);
    let dedup = prefix_values(db, rk::DEDUP_PREFIX)?
        .iter()
        .map(|bytes| decode::<DedupEntry>(bytes))
        .collect::<Result<VecDeque<_>>>()?;
    Ok(SmData {
        state: Arc::new(state),
        last_applied,
        membership,
        dedup,
    })
}

/// Every value under `prefix` of `Cf::RaftMeta`, in key order.
fn prefix_values(db: &RocksStore, prefix: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    db.for_each_prefix(Cf::RaftMeta, prefix, &mut |_, v| {
        out.push(v.to_vec());
        true
    })?;
    Ok(out)
}

/// One `apply` call in progress: the next state, and what to write and announce.
struct ApplyBatch {
    state: MetaState,
    last_applied: Option<typ::LogId>,
    membership: typ::StoredMembership,
    membership_changed: bool,
    dedup: VecDeque<DedupEntry>,
    dedup_added: Vec<DedupEntry>,
    dedup_evicted: Vec<u64>,
    dirty_classes: BTreeSet<String>,
    /// Classes deleted by this batch: their tenants' rows go too.
    deleted_classes: BTreeSet<String>,
    /// Tenants added, changed or removed by this batch, as (class, tenant).
    dirty_tenants: BTreeSet<(String, String)>,
    aliases_changed: bool,
    /// Each change with the state right after it, for the listener.
    notes: Vec<(MetaChange, Arc<MetaState>)>,
}

impl ApplyBatch {
    fn new(current: &SmData) -> Self {
        ApplyBatch {
            state: (*current.state).clone(),
            last_applied: current.last_applied,
            membership: current.membership.clone(),
            membership_changed: false,
            dedup: current.dedup.clone(),
            dedup_added: Vec::new(),
            dedup_evicted: Vec::new(),
            dirty_classes: BTreeSet::new(),
            deleted_classes: BTreeSet::new(),
            dirty_tenants: BTreeSet::new(),
            aliases_changed: false,
            notes: Vec::new(),
        }
    }

    /// Applies one entry; exactly one response per entry, whatever its kind.
    fn apply_entry(&mut self, entry: typ::Entry) -> MetaResponse {
        let log_id = entry.log_id;
        self.last_applied = Some(log_id);
        self.state.applied = log_id.index;
        match entry.payload {
            EntryPayload::Blank => MetaResponse::none(),
            EntryPayload::Membership(m) => {
                self.membership = typ::StoredMembership::new(Some(log_id), m);
                self.membership_changed = true;
                MetaResponse::none()
            }
            EntryPayload::Normal(request) => self.apply_request(log_id.index, request),
        }
    }

    fn apply_request(&mut self, index: u64, request: MetaRequest) -> MetaResponse {
        if let Some(seen) = self
            .dedup
            .iter()
            .find(|d| d.request_id == request.request_id)
        {
            // A retry of a request that was already applied: same outcome, no second change.
            return seen.response.clone();
        }
        let before = self.state.clone();
        let outcome = match self.state.apply(request.command) {
            Ok(change) => match self.storable(&change) {
                Ok(()) => {
                    // `MetaState::apply` counts commands; the schema version is the log index.
                    self.state.applied = index;
                    self.mark_dirty(&change);
                    self.notes.push((change, Arc::new(self.state.clone())));
                    Ok(())
                }
                Err(e) => {
                    // Refused like any rejected command: the state stays as it was and Raft
                    // goes on, where a write that fails later would stop it for good.
                    self.state = before;
                    Err(ApplyError::from(e))
                }
            },
            Err(e) => Err(ApplyError::from(e)),
        };
        let response = MetaResponse { outcome };
        self.remember(index, request.request_id, response.clone());
        response
    }

    /// Whether what `change` touched (its class, its tenants, or the alias map) can be written
    /// and read back.
    fn storable(&self, change: &MetaChange) -> Result<()> {
        let Some(name) = changed_class(change) else {
            return check_round_trip(&self.state.aliases);
        };
        let Some(class) = self.state.classes.get(name) else {
            return Ok(());
        };
        match change {
            MetaChange::TenantsChanged { names, .. } => rows::check_tenants(class, names),
            MetaChange::ClassAdded(_)
            | MetaChange::ClassUpdated(_)
            | MetaChange::ClassDeleted(_)
            | MetaChange::VectorDimsSet(_)
            | MetaChange::CopyProgressed(_)
            | MetaChange::ShardStatusChanged { .. }
            | MetaChange::AliasChanged(_) => rows::check_class(class),
        }
    }

    /// Records which rows `change` makes stale.
    fn mark_dirty(&mut self, change: &MetaChange) {
        match change {
            MetaChange::TenantsChanged { class, names } => {
                for name in names {
                    self.dirty_tenants.insert((class.clone(), name.clone()));
                }
            }
            MetaChange::ClassDeleted(class) => {
                self.deleted_classes.insert(class.clone());
                self.dirty_classes.insert(class.clone());
            }
            MetaChange::AliasChanged(_) => self.aliases_changed = true,
            MetaChange::ClassAdded(class)
            | MetaChange::ClassUpdated(class)
            | MetaChange::VectorDimsSet(class)
            | MetaChange::CopyProgressed(class)
            | MetaChange::ShardStatusChanged { class, .. } => {
                self.dirty_classes.insert(class.clone());
            }
        }
    }

    fn remember(&mut self, index: u64, request_id: String, response: MetaResponse) {
        let entry = DedupEntry {
            index,
            request_id,
            response,
        };
        self.dedup.push_back(entry.clone());
        self.dedup_added.push(entry);
        while self.dedup.len() > DEDUP_WINDOW {
            if let Some(old) = self.dedup.pop_front() {
                self.dedup_evicted.push(old.index);
            }
        }
    }

    /// The one atomic write of this batch.
    fn write_batch(&self) -> Result<WriteBatch> {
        let mut batch = WriteBatch::new();
        // Deletions first: a class deleted and created again in one batch keeps its new rows.
        for name in &self.deleted_classes {
            rows::delete_class(&mut batch, name);
        }
        for name in &self.dirty_classes {
            if let Some(class) = self.state.classes.get(name) {
                rows::put_class(&mut batch, class)?;
            }
        }
        rows::put_tenants(&mut batch, &self.state, &self.dirty_tenants)?;
        if self.aliases_changed {
            let aliases = encode(&self.state.aliases)?;
            batch.put(Cf::RaftMeta, rk::ALIASES.to_vec(), aliases);
        }
        for entry in &self.dedup_added {
            batch.put(Cf::RaftMeta, rk::dedup_key(entry.index), encode(entry)?);
        }
        // Deletes after puts: an entry added and evicted in the same batch ends up deleted.
        for index in &self.dedup_evicted {
            batch.delete(Cf::RaftMeta, rk::dedup_key(*index));
        }
        if self.membership_changed {
            batch.put(
                Cf::RaftMeta,
                rk::MEMBERSHIP.to_vec(),
                encode(&self.membership)?,
            );
        }
        batch.put(
            Cf::RaftMeta,
            rk::APPLIED.to_vec(),
            encode(&self.last_applied)?,
        );
        Ok(batch)
    }

    fn into_data(self) -> (SmData, Vec<(MetaChange, Arc<MetaState>)>) {
        let data = SmData {
            state: Arc::new(self.state),
            last_applied: self.last_applied,
            membership: self.membership,
            dedup: self.dedup,
        };
        (data, self.notes)
    }
}

/// The class a change is about; `None` for an alias change, which touches the alias map.
fn changed_class(change: &MetaChange) -> Option<&str> {
    match change {
        MetaChange::ClassAdded(name)
        | MetaChange::ClassUpdated(name)
        | MetaChange::ClassDeleted(name)
        | MetaChange::VectorDimsSet(name)
        | MetaChange::CopyProgressed(name)
        | MetaChange::TenantsChanged { class: name, .. } => Some(name),
        MetaChange::ShardStatusChanged { class, .. } => Some(class),
        MetaChange::AliasChanged(_) => None,
    }
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(
        &mut self,
    ) -> StorageResult<(Option<typ::LogId>, typ::StoredMembership)> {
        let data = self.shared.load();
        Ok((data.last_applied, data.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> StorageResult<Vec<MetaResponse>>
    where
        I: IntoIterator<Item = typ::Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut batch = ApplyBatch::new(&self.shared.load());
        let responses: Vec<MetaResponse> =
            entries.into_iter().map(|e| batch.apply_entry(e)).collect();
        if responses.is_empty() {
            return Ok(responses);
        }
        let write = batch.write_batch().or_storage(Op::WriteStateMachine)?;
        self.db
            .write(write)
            .map_err(Error::from)
            .or_storage(Op::WriteStateMachine)?;
        let (data, notes) = batch.into_data();
        // The listener first, then the state is published: whoever sees a state (a peer's
        // shard call waiting for a schema version, say) also sees its local effects (shards
        // opened or dropped).
        for (change, state) in &notes {
            self.listener.on_applied(change, state);
        }
        self.shared.store(Arc::new(data));
        Ok(responses)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        SnapshotBuilder {
            db: self.db.clone(),
            shared: self.shared.clone(),
        }
    }

    async fn begin_receiving_snapshot(&mut self) -> StorageResult<Box<Cursor<Vec<u8>>>> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &typ::SnapshotMeta,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> StorageResult<()> {
        self.install(meta, snapshot.into_inner())
            .map_err(|e| storage_err(Op::WriteSnapshot, &e))
    }

    async fn get_current_snapshot(&mut self) -> StorageResult<Option<typ::Snapshot>> {
        let stored: Option<StoredSnapshot> =
            get_meta(&self.db, rk::SNAPSHOT).or_storage(Op::ReadSnapshot)?;
        Ok(stored.map(|s| typ::Snapshot {
            meta: s.meta,
            snapshot: Box::new(Cursor::new(s.data.into_bytes())),
        }))
    }
}

/// Builds snapshots from the shared view; runs concurrently with `apply` (openraft.md §13.15),
/// which is safe because the view is an immutable version.
pub struct SnapshotBuilder {
    db: Arc<RocksStore>,
    shared: Arc<SmShared>,
}

impl SnapshotBuilder {
    fn build(&self) -> Result<typ::Snapshot> {
        let data = self.shared.load();
        let payload = SnapshotPayload {
            state: (*data.state).clone(),
            dedup: data.dedup.iter().cloned().collect(),
        };
        let bytes = encode(&payload)?;
        let snapshot_id = match data.last_applied {
            Some(l) => format!(
                "{}-{}-{}",
                l.leader_id,
                l.index,
                uuid::Uuid::new_v4().simple()
            ),
            None => format!("none-{}", uuid::Uuid::new_v4().simple()),
        };
        let meta = typ::SnapshotMeta {
            last_log_id: data.last_applied,
            last_membership: data.membership.clone(),
            snapshot_id,
        };
        let stored = StoredSnapshot {
            meta: meta.clone(),
            data: String::from_utf8(bytes.clone()).map_err(|e| Error::Corrupt(e.to_string()))?,
        };
        let mut batch = WriteBatch::new();
        batch.put(Cf::RaftMeta, rk::SNAPSHOT.to_vec(), encode(&stored)?);
        self.db.write(batch)?;
        Ok(typ::Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(bytes)),
        })
    }
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> StorageResult<typ::Snapshot> {
        self.build().or_storage(Op::WriteSnapshot)
    }
}

/// The node names and addresses of a membership, by node id.
pub fn members_of(membership: &typ::StoredMembership) -> BTreeMap<u64, crate::raft::NodeInfo> {
    membership
        .nodes()
        .map(|(id, info)| (*id, info.clone()))
        .collect()
}

//! The [`Shard`] type: opening (index rebuild from the store), status and counters.

mod read;
mod write;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use storage::{keys, Cf, KvStore};
use types::schema::Distance;
use types::DocId;
use vector_index::VectorIndex;

use crate::{Error, Result};

pub use read::VectorHit;
pub use write::{PutMode, PutRefusal, PutResult};

const NEXT_DOC_KEY: &[u8] = b"next_doc";
const COUNT_KEY: &[u8] = b"count";

/// One target vector of the shard's class.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSpec {
    /// `types::DEFAULT_TARGET` for the legacy unnamed vector.
    pub name: String,
    pub distance: Distance,
    /// `vectorIndexConfig.skip`: vectors are stored but not indexed.
    pub skip: bool,
}

/// What a shard needs to know to open.
#[derive(Debug, Clone)]
pub struct ShardSpec {
    /// Storage key prefix, unique per shard on this node.
    pub prefix: u64,
    pub name: String,
    pub class: String,
    pub targets: Vec<TargetSpec>,
    pub status: ShardStatus,
}

/// Whether the shard accepts writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardStatus {
    Ready,
    ReadOnly,
}

impl ShardStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ShardStatus::Ready => "READY",
            ShardStatus::ReadOnly => "READONLY",
        }
    }
}

struct Target {
    spec: TargetSpec,
    /// `None` when the target is skipped.
    index: Option<VectorIndex>,
}

/// One physical shard.
pub struct Shard {
    prefix: u64,
    name: String,
    class: String,
    store: Arc<dyn KvStore>,
    targets: BTreeMap<String, Target>,
    status: RwLock<ShardStatus>,
    /// Serialises writers: doc-id allocation, counters and index updates stay in store order.
    write_lock: Mutex<WriterState>,
    object_count: AtomicU64,
}

/// Counters owned by the writer.
struct WriterState {
    next_doc: DocId,
}

impl Shard {
    /// Opens the shard, rebuilding its vector indexes from the stored vectors.
    pub fn open(store: Arc<dyn KvStore>, spec: ShardSpec) -> Result<Shard> {
        let next_doc = read_counter(&*store, spec.prefix, NEXT_DOC_KEY)? as DocId;
        let count = read_counter(&*store, spec.prefix, COUNT_KEY)?;
        let mut targets = BTreeMap::new();
        for t in spec.targets {
            let index = (!t.skip).then(|| VectorIndex::flat(t.distance));
            if let Some(index) = &index {
                load_vectors(&*store, spec.prefix, &t.name, index)?;
            }
            targets.insert(t.name.clone(), Target { spec: t, index });
        }
        Ok(Shard {
            prefix: spec.prefix,
            name: spec.name,
            class: spec.class,
            store,
            targets,
            status: RwLock::new(spec.status),
            write_lock: Mutex::new(WriterState { next_doc }),
            object_count: AtomicU64::new(count),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn class(&self) -> &str {
        &self.class
    }

    /// Objects in the shard.
    pub fn object_count(&self) -> u64 {
        self.object_count.load(Ordering::Acquire)
    }

    pub fn status(&self) -> ShardStatus {
        *self.status.read()
    }

    pub fn set_status(&self, status: ShardStatus) {
        *self.status.write() = status;
    }

    /// The shard's target vectors.
    pub fn targets(&self) -> impl Iterator<Item = &TargetSpec> {
        self.targets.values().map(|t| &t.spec)
    }

    fn target(&self, name: &str) -> Result<&Target> {
        self.targets.get(name).ok_or_else(|| Error::UnknownTarget {
            class: self.class.clone(),
            target: name.to_string(),
        })
    }
}

fn read_counter(store: &dyn KvStore, prefix: u64, name: &[u8]) -> Result<u64> {
    match store.get(Cf::ShardMeta, &keys::shard_key(prefix, name))? {
        None => Ok(0),
        Some(bytes) => {
            let arr: [u8; 8] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| Error::Corrupt(format!("counter of {} bytes", bytes.len())))?;
            Ok(u64::from_be_bytes(arr))
        }
    }
}

fn load_vectors(store: &dyn KvStore, prefix: u64, target: &str, index: &VectorIndex) -> Result<()> {
    let mut failure = None;
    store.for_each_prefix(
        Cf::Vectors,
        &keys::vector_prefix(prefix, target),
        &mut |k, v| {
            let loaded = match (keys::doc_from_key(k), keys::decode_vector(v)) {
                (Some(doc), Some(vec)) => index.insert(doc, &vec).map_err(Error::from),
                _ => Err(Error::Corrupt("undecodable vector entry".into())),
            };
            match loaded {
                Ok(()) => true,
                Err(e) => {
                    failure = Some(e);
                    false
                }
            }
        },
    )?;
    failure.map_or(Ok(()), Err)
}

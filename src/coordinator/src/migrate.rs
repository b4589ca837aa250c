//! Adoption of the metadata a node kept before it ran Raft: its classes (and so its shards'
//! data) must survive the upgrade. The old state is exported to a file before Raft starts, its
//! classes are kept open meanwhile, and once the node is ready they are written through the
//! Raft leader; the file goes only after every class is in the Raft state.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use cluster::raft::RaftMeta;
use cluster::{ClassMeta, MetaCommand, MetaState};

use crate::Result;

/// The exported pre-Raft metadata, in the data directory.
fn export_path(data: &Path) -> PathBuf {
    data.join("metadata-before-raft.json")
}

/// The classes of the node's pre-Raft metadata still to adopt (exporting it first if the
/// database still holds it); empty on a node that never ran without Raft.
pub(crate) fn pending_classes(data: &Path) -> Result<Vec<Arc<ClassMeta>>> {
    let file = export_path(data);
    cluster::export_local_state(&data.join("raft"), &file)?;
    if !file.exists() {
        return Ok(Vec::new());
    }
    let state = cluster::read_exported_state(&file)?;
    Ok(state.classes.into_values().collect())
}

/// `state` with `pending` classes it lacks added: what the node's shards must match until the
/// adoption is done, so that their data is not dropped as unknown.
pub(crate) fn with_pending(state: &MetaState, pending: &[Arc<ClassMeta>]) -> MetaState {
    let mut state = state.clone();
    for meta in pending {
        state
            .classes
            .entry(meta.class.class.clone())
            .or_insert_with(|| meta.clone());
    }
    state
}

/// Waits until the node is ready, writes every pending class the Raft state lacks through the
/// leader, then removes the export. Retries until it succeeds; a restart resumes it.
pub(crate) async fn adopt(raft: Arc<RaftMeta>, data: PathBuf, pending: Vec<Arc<ClassMeta>>) {
    loop {
        match adopt_once(&raft, &pending).await {
            Ok(()) => break,
            Err(e) => tracing::warn!(error = %e, "adopting the pre-Raft classes; retrying"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    if let Err(e) = std::fs::remove_file(export_path(&data)) {
        tracing::warn!(error = %e, "cannot remove the exported pre-Raft metadata");
    }
    tracing::info!(classes = pending.len(), "pre-Raft classes adopted");
}

async fn adopt_once(raft: &RaftMeta, pending: &[Arc<ClassMeta>]) -> Result<()> {
    while !raft.is_ready() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for meta in pending {
        if raft.snapshot().class(&meta.class.class).is_some() {
            continue;
        }
        let command = MetaCommand::AddClass {
            meta: Box::new((**meta).clone()),
        };
        match raft.write(command).await {
            Ok(_) | Err(cluster::Error::ClassExists(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use std::collections::BTreeMap;
    use std::sync::Arc;

    use cluster::raft::RaftMetaConfig;
    use cluster::{ClassMeta, MetaCommand, ShardingState};
    use serde_json::json;
    use shard::PutMode;
    use types::Object;
    use uuid::Uuid;

    use crate::registry::ShardRegistry;
    use crate::{Coordinator, CoordinatorConfig};
    use model::schema::{self, SchemaDefaults};

    /// What a node kept before it ran Raft: its metadata in the local store under
    /// `<data>/raft`, one class `Kept` with `objects` objects in its shard.
    fn write_pre_raft_node(config: &CoordinatorConfig, objects: u128) {
        let shards = Arc::new(ShardRegistry::open(config).unwrap());
        let store =
            cluster::MetaStore::open(&config.data_path.join("raft"), "node1", shards.clone())
                .unwrap();
        let defaults = SchemaDefaults {
            default_distance: config.default_distance,
            async_indexing: false,
            node_count: 1,
            ..SchemaDefaults::default()
        };
        let class = schema::parse_class(&json!({"class": "Kept", "vectorizer": "none"}), &defaults)
            .unwrap();
        let sharding =
            ShardingState::new(1, 128, &["node1".to_string()], 1, &mut rand::thread_rng());
        let meta = ClassMeta {
            class,
            sharding,
            vector_dims: Default::default(),
            tenants: Default::default(),
            copy: None,
        };
        store
            .execute(MetaCommand::AddClass {
                meta: Box::new(meta),
            })
            .unwrap();
        let shard = shards.shards_of("Kept").pop().expect("the class's shard");
        let batch = (0..objects)
            .map(|i| Object {
                id: Uuid::from_u128(i + 1),
                class: "Kept".into(),
                tenant: None,
                properties: Default::default(),
                vectors: BTreeMap::from([(String::new(), vec![i as f32, 1.0])]),
                creation_time_ms: 1,
                last_update_time_ms: 1,
            })
            .collect();
        shard.put_batch(batch, PutMode::Upsert).unwrap();
        shards.flush().unwrap();
        store.flush().unwrap();
    }

    /// A node that kept its metadata without Raft keeps its classes and their objects when it
    /// restarts with Raft.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn classes_and_objects_survive_the_move_to_raft() {
        let dir = tempfile::tempdir().unwrap();
        let config = CoordinatorConfig::new(dir.path().join("data"), "node1");
        write_pre_raft_node(&config, 10);
        let raft = RaftMetaConfig::new("node1", config.data_path.clone(), "127.0.0.1:1", "");
        let new = Coordinator::start_clustered(config.clone(), raft)
            .await
            .unwrap();
        // The class and its data are there at once, before the Raft state has adopted it.
        assert_eq!(new.local_node_status(None).object_count, 10);
        let deadline = Instant::now() + Duration::from_secs(30);
        while new.meta.snapshot().class("Kept").is_none() {
            assert!(Instant::now() < deadline, "the class was not adopted");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        while super::export_path(&config.data_path).exists() {
            assert!(Instant::now() < deadline, "the export was not removed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(new.local_node_status(None).object_count, 10);
        new.shutdown().await.unwrap();
    }
}

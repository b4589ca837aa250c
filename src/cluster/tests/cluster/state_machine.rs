//! The state machine's own guarantees: deterministic rejections are responses, request ids
//! deduplicate, state (aliases included) survives a reopen, and a snapshot install is announced
//! to the listener.

use std::sync::Arc;

use cluster::raft::{open_stores, ApplyError, MetaRequest, MetaResponse};
use cluster::{MetaChange, MetaCommand};
use openraft::storage::{RaftSnapshotBuilder, RaftStateMachine};
use openraft::{CommittedLeaderId, Entry, EntryPayload, LogId};

use crate::support::{add_class, Recorder};

fn entry(index: u64, request_id: &str, command: MetaCommand) -> Entry<cluster::raft::TypeConfig> {
    Entry {
        log_id: LogId::new(CommittedLeaderId::new(1, 0), index),
        payload: EntryPayload::Normal(MetaRequest {
            request_id: request_id.to_string(),
            command,
        }),
    }
}

#[tokio::test]
async fn rejections_are_responses_and_request_ids_deduplicate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let recorder = Arc::new(Recorder::default());
    {
        let (_log, mut sm) = open_stores(dir.path(), recorder.clone()).expect("open");
        let responses = sm
            .apply(vec![
                entry(1, "a", add_class("Alpha")),
                entry(2, "b", add_class("Alpha")),
                entry(3, "a", add_class("Alpha")),
            ])
            .await
            .expect("apply");
        assert_eq!(responses.len(), 3, "one response per entry");
        assert_eq!(responses[0], MetaResponse { outcome: Ok(()) });
        assert_eq!(
            responses[1].outcome,
            Err(ApplyError::ClassExists("Alpha".to_string()))
        );
        assert_eq!(
            responses[2], responses[0],
            "a retried request gets its first outcome"
        );
        assert_eq!(
            *recorder.changes.lock(),
            vec![MetaChange::ClassAdded("Alpha".to_string())]
        );
        let (applied, _) = sm.applied_state().await.expect("applied");
        assert_eq!(applied.map(|l| l.index), Some(3));
    }
    // Reopened: same state, and the dedup window survived.
    let (_log, mut sm) = open_stores(dir.path(), recorder.clone()).expect("reopen");
    let (applied, _) = sm.applied_state().await.expect("applied");
    assert_eq!(applied.map(|l| l.index), Some(3));
    let responses = sm
        .apply(vec![entry(4, "a", add_class("Alpha"))])
        .await
        .expect("apply");
    assert_eq!(responses[0], MetaResponse { outcome: Ok(()) });
    let state = sm.shared().load().state.clone();
    assert!(state.class("Alpha").is_some());
    assert_eq!(state.applied, 4, "the schema version is the log index");
}

#[tokio::test]
async fn installing_a_snapshot_replaces_state_and_tells_the_listener() {
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("a"),
        tempfile::tempdir().expect("b"),
    );
    let (_la, mut leader) = open_stores(dir_a.path(), Arc::new(Recorder::default())).expect("a");
    leader
        .apply(vec![
            entry(1, "x", add_class("Kept")),
            entry(2, "y", add_class("New")),
        ])
        .await
        .expect("apply");
    let snapshot = leader
        .get_snapshot_builder()
        .await
        .build_snapshot()
        .await
        .expect("build");

    let recorder = Arc::new(Recorder::default());
    let (_lb, mut follower) = open_stores(dir_b.path(), recorder.clone()).expect("b");
    follower
        .apply(vec![
            entry(1, "x", add_class("Kept")),
            entry(2, "z", add_class("Gone")),
        ])
        .await
        .expect("apply");
    recorder.changes.lock().clear();
    follower
        .install_snapshot(&snapshot.meta, snapshot.snapshot)
        .await
        .expect("install");
    let state = follower.shared().load().state.clone();
    let names: Vec<&String> = state.classes.keys().collect();
    assert_eq!(names, ["Kept", "New"]);
    assert_eq!(
        *recorder.changes.lock(),
        vec![
            MetaChange::ClassDeleted("Gone".to_string()),
            MetaChange::ClassAdded("New".to_string())
        ]
    );
    let current = follower
        .get_current_snapshot()
        .await
        .expect("current")
        .expect("stored snapshot");
    assert_eq!(current.meta, snapshot.meta);
}

#[tokio::test]
async fn aliases_survive_a_reopen_and_travel_in_snapshots() {
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("a"),
        tempfile::tempdir().expect("b"),
    );
    {
        let (_log, mut sm) = open_stores(dir_a.path(), Arc::new(Recorder::default())).expect("a");
        let responses = sm
            .apply(vec![
                entry(1, "c1", add_class("Books")),
                entry(2, "c2", add_class("BooksV2")),
                entry(
                    3,
                    "a1",
                    MetaCommand::CreateAlias {
                        alias: "Library".into(),
                        class: "Books".into(),
                    },
                ),
                entry(
                    4,
                    "a2",
                    MetaCommand::ReplaceAlias {
                        alias: "Library".into(),
                        class: "BooksV2".into(),
                    },
                ),
                entry(5, "c3", add_class("Library")),
            ])
            .await
            .expect("apply");
        assert_eq!(
            responses[4].outcome,
            Err(ApplyError::ClassIsAliasName("Library".into())),
            "a class may not take an alias's name, on any node"
        );
    }
    let recorder = Arc::new(Recorder::default());
    let (_log, mut sm) = open_stores(dir_a.path(), recorder.clone()).expect("reopen");
    let state = sm.shared().load().state.clone();
    assert_eq!(state.alias_target("Library"), Some("BooksV2"));

    let snapshot = sm
        .get_snapshot_builder()
        .await
        .build_snapshot()
        .await
        .expect("build");
    let follower_log = Arc::new(Recorder::default());
    {
        let (_lb, mut follower) = open_stores(dir_b.path(), follower_log.clone()).expect("b");
        follower
            .install_snapshot(&snapshot.meta, snapshot.snapshot)
            .await
            .expect("install");
        assert!(follower_log
            .changes
            .lock()
            .contains(&MetaChange::AliasChanged("Library".into())));
    }
    // The installed aliases are durable too.
    let (_lb, follower) = open_stores(dir_b.path(), follower_log).expect("reopen b");
    let state = follower.shared().load().state.clone();
    assert_eq!(state.alias_target("Library"), Some("BooksV2"));
}

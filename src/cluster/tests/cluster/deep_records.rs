//! Records that used to be written but not read back: a class nested deeper than serde_json's
//! default limit of 128 levels once wrapped in a log entry and an append-entries call. Before
//! the fix, followers refused the append, forwarding failed, and a restarted node stopped with
//! "corrupt metadata: recursion limit exceeded". And a command whose result cannot be stored is
//! refused, by the proposer and by the state machine, without stopping Raft.

use std::sync::Arc;
use std::time::Duration;

use cluster::raft::{open_stores, MetaRequest};
use cluster::{Error, MetaCommand};
use openraft::storage::RaftStateMachine;
use openraft::{CommittedLeaderId, Entry, EntryPayload, LogId};
use serde_json::{json, Value};

use crate::support::{bind, class_meta, config, wait_formed, Recorder, TestNode};

/// `{"k": {"k": ... 1}}`, `levels` objects deep, built without recursion.
fn nested(levels: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..levels {
        v = json!({ "k": v });
    }
    v
}

/// A class whose module config nests `levels` deep: the cluster layer stores what it is given,
/// so this reaches well past anything the API would accept.
fn deep_class(name: &str, levels: usize) -> MetaCommand {
    let mut meta = class_meta(name);
    meta.class.module_config = Some(nested(levels));
    MetaCommand::AddClass {
        meta: Box::new(meta),
    }
}

fn depth_of(state: &cluster::MetaState, class: &str) -> usize {
    let meta = state.class(class).expect("class present");
    types::json::depth(meta.class.module_config.as_ref().expect("module config"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_classes_replicate_forward_and_survive_a_restart() {
    let mut listeners = Vec::new();
    let mut addrs = Vec::new();
    for _ in 0..3 {
        let (listener, addr) = bind().await;
        listeners.push(Some(listener));
        addrs.push(addr);
    }
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().expect("dir")).collect();
    let names = ["d1", "d2", "d3"];
    let cfg = |i: usize| config(names[i], dirs[i].path(), &addrs[i], &addrs, 3);
    let mut nodes = Vec::new();
    for (i, listener) in listeners.iter_mut().enumerate() {
        let listener = listener.take().expect("listener");
        nodes.push(TestNode::start(cfg(i), listener).await);
    }
    let leader = wait_formed(&nodes.iter().collect::<Vec<_>>()).await;
    let follower = nodes
        .iter()
        .position(|n| n.meta.node_id() != leader)
        .expect("a follower");

    // Forwarded by a follower (/raft/write), then replicated (/raft/append) to everyone.
    let state = tokio::time::timeout(
        Duration::from_secs(30),
        nodes[follower].meta.write(deep_class("Deep", 400)),
    )
    .await
    .expect("the write does not hang")
    .expect("a deep class is committed");
    assert_eq!(depth_of(&state, "Deep"), 400);
    for node in &nodes {
        let state = node.meta.linearizable_read().await.expect("read");
        assert_eq!(depth_of(&state, "Deep"), 400, "{} has it", node.name);
    }

    // The restarted node reads its log and state machine back.
    let restarted = (follower + 1) % 3;
    nodes[restarted].kill().await;
    let listener = tokio::net::TcpListener::bind(&addrs[restarted])
        .await
        .expect("rebind");
    nodes[restarted] = TestNode::start(cfg(restarted), listener).await;
    wait_formed(&nodes.iter().collect::<Vec<_>>()).await;
    let state = nodes[restarted]
        .meta
        .linearizable_read()
        .await
        .expect("read");
    assert_eq!(depth_of(&state, "Deep"), 400, "survived the restart");
    nodes[restarted]
        .meta
        .write(deep_class("Deeper", 1_000))
        .await
        .expect("Raft still applies after the restart");
    for node in &mut nodes {
        node.kill().await;
    }
}

/// A class that serialises (`k1: NaN` becomes `null`) but cannot be read back (`null` is not a
/// number): the kind of record that stopped Raft for good.
fn unreadable_class(name: &str) -> MetaCommand {
    let mut meta = class_meta(name);
    meta.class.inverted_index_config.bm25.k1 = f64::NAN;
    MetaCommand::AddClass {
        meta: Box::new(meta),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_that_cannot_be_stored_is_refused_and_raft_goes_on() {
    let dir = tempfile::tempdir().expect("dir");
    let (listener, addr) = bind().await;
    let cfg = config("solo", dir.path(), &addr, std::slice::from_ref(&addr), 1);
    let mut node = TestNode::start(cfg, listener).await;
    wait_formed(&[&node]).await;
    let refused = node.meta.write(unreadable_class("Broken")).await;
    assert!(
        matches!(&refused, Err(Error::Invalid(m)) if m.contains("cannot be stored")),
        "refused before the log: {refused:?}"
    );
    assert!(node.meta.is_ready(), "Raft is still running");
    node.meta
        .write(MetaCommand::AddClass {
            meta: Box::new(class_meta("Fine")),
        })
        .await
        .expect("later writes apply");
    node.kill().await;
}

#[tokio::test]
async fn the_state_machine_rejects_an_unstorable_entry_as_a_response() {
    let dir = tempfile::tempdir().expect("dir");
    let recorder = Arc::new(Recorder::default());
    let entry = |index, id: &str, command| Entry::<cluster::raft::TypeConfig> {
        log_id: LogId::new(CommittedLeaderId::new(1, 0), index),
        payload: EntryPayload::Normal(MetaRequest {
            request_id: id.to_string(),
            command,
        }),
    };
    {
        let (_log, mut sm) = open_stores(dir.path(), recorder.clone()).expect("open");
        let responses = sm
            .apply(vec![
                entry(1, "a", unreadable_class("Broken")),
                entry(2, "b", deep_class("Deep", 300)),
            ])
            .await
            .expect("apply does not fail: an unstorable entry is a response");
        assert!(responses[0].outcome.is_err(), "{:?}", responses[0]);
        assert!(responses[1].outcome.is_ok(), "{:?}", responses[1]);
        let state = sm.shared().load().state.clone();
        assert!(state.class("Broken").is_none(), "no partial state");
    }
    let (_log, sm) = open_stores(dir.path(), recorder).expect("reopens");
    let state = sm.shared().load().state.clone();
    assert_eq!(depth_of(&state, "Deep"), 300);
    assert!(state.class("Broken").is_none());
}

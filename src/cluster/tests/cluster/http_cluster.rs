//! Real clusters in one process: every node serves its router over HTTP on a loopback port
//! bound before any node starts (openraft.md §12.3).

use std::time::Duration;

use cluster::raft::{node_id_for, ClusterStatus, RaftMetaConfig, CLUSTER_HEADER, TARGET_HEADER};
use cluster::{Error, MetaCommand};
use tempfile::TempDir;

use crate::support::{add_class, bind, class_meta, config, eventually, wait_formed, TestNode};

const LONG: Duration = Duration::from_secs(60);

/// Binds `n` ports and makes `n` data directories.
async fn ports_and_dirs(
    n: usize,
) -> (
    Vec<Option<tokio::net::TcpListener>>,
    Vec<String>,
    Vec<TempDir>,
) {
    let mut listeners = Vec::new();
    let mut addrs = Vec::new();
    for _ in 0..n {
        let (listener, addr) = bind().await;
        listeners.push(Some(listener));
        addrs.push(addr);
    }
    let dirs = (0..n)
        .map(|_| tempfile::tempdir().expect("tempdir"))
        .collect();
    (listeners, addrs, dirs)
}

fn take(listeners: &mut [Option<tokio::net::TcpListener>], i: usize) -> tokio::net::TcpListener {
    listeners[i].take().expect("listener used once")
}

async fn kill_all(nodes: &mut [TestNode]) {
    for node in nodes {
        node.kill().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_node_forms_alone_restarts_and_guards_its_routes() {
    let (mut listeners, addrs, dirs) = ports_and_dirs(1).await;
    let mut cfg = config("solo", dirs[0].path(), &addrs[0], &addrs, 1);
    cfg.basic_auth = Some(("shoal".to_string(), "secret".to_string()));
    let mut node = TestNode::start(cfg.clone(), take(&mut listeners, 0)).await;
    wait_formed(&[&node]).await;
    node.meta.write(add_class("Alpha")).await.expect("write");

    let http = reqwest::Client::new();
    let url = format!("http://{}/cluster/status", addrs[0]);
    let anonymous = http.get(&url).send().await.expect("status");
    assert_eq!(anonymous.status(), reqwest::StatusCode::UNAUTHORIZED);
    let status: ClusterStatus = http
        .get(&url)
        .basic_auth("shoal", Some("secret"))
        .send()
        .await
        .expect("status")
        .json()
        .await
        .expect("status json");
    assert_eq!(status.node_id, node_id_for("solo"));
    assert!(status.initialized);
    assert_eq!(status.leader, Some(status.node_id));
    let misaddressed = http
        .post(format!("http://{}/raft/vote", addrs[0]))
        .basic_auth("shoal", Some("secret"))
        .header(TARGET_HEADER, "12345")
        .header(CLUSTER_HEADER, "shoal")
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("vote");
    assert_eq!(misaddressed.status(), reqwest::StatusCode::CONFLICT);
    let other_cluster = http
        .post(format!("http://{}/raft/vote", addrs[0]))
        .basic_auth("shoal", Some("secret"))
        .header(TARGET_HEADER, status.node_id.to_string())
        .header(CLUSTER_HEADER, "another")
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("vote");
    assert_eq!(other_cluster.status(), reqwest::StatusCode::CONFLICT);

    let applied_before = node.meta.snapshot().applied;
    node.kill().await;
    let (listener, _) = rebind(&addrs[0]).await;
    let mut node = TestNode::start(cfg.clone(), listener).await;
    wait_formed(&[&node]).await;
    assert!(
        node.meta.snapshot().class("Alpha").is_some(),
        "state survived the restart"
    );
    let state = node
        .meta
        .write(add_class("Beta"))
        .await
        .expect("write after restart");
    assert!(state.applied > applied_before);
    node.kill().await;

    let mut renamed = cfg;
    renamed.node_name = "other".to_string();
    let refused = cluster::raft::RaftMeta::start(renamed, node.recorder.clone()).await;
    assert!(
        matches!(refused, Err(Error::Raft(_))),
        "a directory keeps its node name"
    );
}

/// Binds `addr` again after its node was killed. The killed node's server task closes its
/// socket asynchronously, so the port may still be taken for a moment.
async fn rebind(addr: &str) -> (tokio::net::TcpListener, String) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => return (listener, addr.to_string()),
            Err(e) if std::time::Instant::now() < deadline => {
                assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse, "rebind: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => panic!("rebind {addr}: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_form_in_any_order_forward_writes_and_survive_leader_loss() {
    let (mut listeners, addrs, dirs) = ports_and_dirs(3).await;
    let names = ["n1", "n2", "n3"];
    let cfg = |i: usize| config(names[i], dirs[i].path(), &addrs[i], &addrs, 3);
    // Started as n3, n1, n2: formation must not depend on the order.
    let n3 = TestNode::start(cfg(2), take(&mut listeners, 2)).await;
    let n1 = TestNode::start(cfg(0), take(&mut listeners, 0)).await;
    let n2 = TestNode::start(cfg(1), take(&mut listeners, 1)).await;
    let mut nodes = vec![n1, n2, n3];
    let leader = wait_formed(&nodes.iter().collect::<Vec<_>>()).await;
    assert_eq!(nodes[0].meta.voters().len(), 3);
    assert_eq!(nodes[2].meta.node_names(), ["n1", "n2", "n3"]);

    // A write on a follower is forwarded, and the follower answers after applying it.
    let follower = nodes
        .iter()
        .position(|n| n.meta.node_id() != leader)
        .expect("a follower");
    let state = nodes[follower]
        .meta
        .write(add_class("Alpha"))
        .await
        .expect("forwarded write");
    assert!(state.class("Alpha").is_some(), "read-your-writes");
    for node in &nodes {
        let state = node.meta.linearizable_read().await.expect("read");
        assert!(
            state.class("Alpha").is_some(),
            "{} sees the write",
            node.name
        );
    }

    // Tenants replicate like any metadata; a rejection crosses the wire with its kind.
    let mut mt = class_meta("Tenanted");
    mt.class.multi_tenancy_config.enabled = true;
    nodes[follower]
        .meta
        .write(MetaCommand::AddClass { meta: Box::new(mt) })
        .await
        .expect("multi-tenant class");
    let names: Vec<String> = nodes[0].meta.node_names();
    let requested = vec![("t1".to_string(), "HOT".to_string())];
    let tenants = cluster::tenants::place_tenants(&Default::default(), &requested, &names, 2);
    nodes[follower]
        .meta
        .write(MetaCommand::AddTenants {
            class: "Tenanted".into(),
            tenants,
        })
        .await
        .expect("tenants");
    for node in &nodes {
        let state = node.meta.linearizable_read().await.expect("read");
        let tenant = &state.class("Tenanted").expect("class").tenants["t1"];
        assert_eq!(
            tenant.belongs_to_nodes,
            ["n1", "n2"],
            "{} sees the tenant",
            node.name
        );
    }
    let missing = nodes[follower]
        .meta
        .write(MetaCommand::UpdateTenants {
            class: "Tenanted".into(),
            statuses: vec![("nope".into(), "COLD".into())],
        })
        .await
        .expect_err("missing tenant");
    assert!(matches!(missing, Error::TenantNotFound { .. }), "{missing}");

    // Conflicting creations on two nodes at once: one winner, one clear error.
    let (a, b) = tokio::join!(
        nodes[0].meta.write(add_class("Beta")),
        nodes[1].meta.write(add_class("Beta"))
    );
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{outcomes:?}");
    let loser = if a.is_ok() { b } else { a };
    assert!(
        matches!(loser, Err(Error::ClassExists(ref c)) if c == "Beta"),
        "{loser:?}"
    );

    // Kill the leader: the others elect a new one, which accepts writes.
    let li = nodes
        .iter()
        .position(|n| n.meta.node_id() == leader)
        .expect("leader node");
    nodes[li].kill().await;
    let survivors: Vec<usize> = (0..3).filter(|i| *i != li).collect();
    eventually("a new leader", LONG, || {
        survivors
            .iter()
            .all(|i| nodes[*i].meta.leader().is_some_and(|(id, _)| id != leader))
    })
    .await;
    nodes[survivors[0]]
        .meta
        .write(add_class("Gamma"))
        .await
        .expect("write after failover");

    // Restart the killed node from its directory: it catches up without re-initializing.
    let (listener, _) = rebind(&addrs[li]).await;
    nodes[li] = TestNode::start(cfg(li), listener).await;
    eventually("the restarted node catches up", LONG, || {
        nodes[li].meta.is_ready() && nodes[li].meta.snapshot().class("Gamma").is_some()
    })
    .await;
    let state = nodes[li]
        .meta
        .write(add_class("Delta"))
        .await
        .expect("write through the restarted node");
    assert!(state.class("Delta").is_some());
    kill_all(&mut nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_nodes_join_as_learners_and_receive_snapshots() {
    let (mut listeners, addrs, dirs) = ports_and_dirs(5).await;
    // The voters' join list names a 4th node (as a Compose file listing every node would).
    let voters_join = &addrs[..4];
    let cfg = |i: usize, join: &[String]| -> RaftMetaConfig {
        let mut c = config(&format!("n{}", i + 1), dirs[i].path(), &addrs[i], join, 3);
        c.basic_auth = Some(("shoal".to_string(), "secret".to_string()));
        // Purge everything a snapshot covers, so a new node can only catch up by snapshot.
        c.max_in_snapshot_log_to_keep = 0;
        c
    };
    let mut nodes = Vec::new();
    for i in 0..3 {
        nodes.push(TestNode::start(cfg(i, voters_join), take(&mut listeners, i)).await);
    }
    let leader = wait_formed(&nodes.iter().collect::<Vec<_>>()).await;
    nodes[0].meta.write(add_class("One")).await.expect("write");
    nodes[1].meta.write(add_class("Two")).await.expect("write");

    // The 4th node knows no peer: only the leader's reconcile loop can add it, as a learner.
    let join4: Vec<String> = vec![addrs[3].clone()];
    nodes.push(TestNode::start(cfg(3, &join4), take(&mut listeners, 3)).await);
    eventually(
        "the leader adds the 4th node, which catches up",
        LONG,
        || nodes[3].meta.is_ready() && nodes[3].meta.snapshot().class("Two").is_some(),
    )
    .await;
    assert_eq!(nodes[0].meta.nodes().len(), 4);
    assert_eq!(nodes[0].meta.voters().len(), 3, "late nodes do not vote");
    assert!(!nodes[0].meta.voters().contains(&nodes[3].meta.node_id()));

    // Snapshot on the leader and purge the log it covers.
    let li = nodes
        .iter()
        .position(|n| n.meta.node_id() == leader)
        .expect("leader node");
    let raft = nodes[li].meta.raft().clone();
    let applied = raft.metrics().borrow().last_applied.map(|l| l.index);
    raft.trigger().snapshot().await.expect("trigger snapshot");
    raft.wait(Some(LONG))
        .metrics(
            |m| m.purged.map(|p| p.index) >= applied && m.snapshot.map(|s| s.index) >= applied,
            "snapshot built and log purged",
        )
        .await
        .expect("purged");

    // A 5th node that no voter lists asks to join (`/cluster/join`); it can only be brought up
    // to date with the snapshot.
    let join5: Vec<String> = addrs.to_vec();
    nodes.push(TestNode::start(cfg(4, &join5), take(&mut listeners, 4)).await);
    eventually("the 5th node installs the snapshot", LONG, || {
        let state = nodes[4].meta.snapshot();
        nodes[4].meta.is_ready() && state.class("One").is_some() && state.class("Two").is_some()
    })
    .await;
    let installed = nodes[4].meta.raft().metrics().borrow().snapshot;
    assert!(installed.is_some(), "caught up through a snapshot");
    assert!(
        nodes[4]
            .recorder
            .changes
            .lock()
            .contains(&cluster::MetaChange::ClassAdded("One".to_string())),
        "the listener heard about the installed state"
    );
    kill_all(&mut nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_cut_off_from_its_quorum_refuses_promptly_and_recovers() {
    let (mut listeners, addrs, dirs) = ports_and_dirs(3).await;
    let names = ["n1", "n2", "n3"];
    let cfg = |i: usize| config(names[i], dirs[i].path(), &addrs[i], &addrs, 3);
    let mut nodes = Vec::new();
    for i in 0..3 {
        nodes.push(TestNode::start(cfg(i), take(&mut listeners, i)).await);
    }
    let leader = wait_formed(&nodes.iter().collect::<Vec<_>>()).await;
    let li = nodes
        .iter()
        .position(|n| n.meta.node_id() == leader)
        .expect("leader node");
    nodes[li]
        .meta
        .write(add_class("Before"))
        .await
        .expect("write");

    // Both followers gone: the leader still names itself leader, but no quorum answers it.
    let followers: Vec<usize> = (0..3).filter(|i| *i != li).collect();
    for &i in &followers {
        nodes[i].kill().await;
    }
    eventually("the cut-off leader to report not ready", LONG, || {
        !nodes[li].meta.is_ready()
    })
    .await;
    assert_eq!(nodes[li].meta.leader().map(|l| l.0), Some(leader));
    // Refused as unavailable (503 through the API), not left to time out (504).
    let refused = nodes[li]
        .meta
        .write(add_class("Refused"))
        .await
        .expect_err("no quorum");
    assert!(
        matches!(refused, Error::Unavailable(ref m) if m.contains("no quorum reachable")),
        "{refused:?}"
    );
    let read = nodes[li]
        .meta
        .linearizable_read()
        .await
        .expect_err("no quorum");
    assert!(matches!(read, Error::Unavailable(_)), "{read:?}");
    // What the node holds stays readable locally.
    assert!(nodes[li].meta.snapshot().class("Before").is_some());

    // One follower back: a quorum again, writes through the old leader's node succeed, and the
    // refused class was never written.
    let back = followers[0];
    let (listener, _) = rebind(&addrs[back]).await;
    nodes[back] = TestNode::start(cfg(back), listener).await;
    eventually("a quorum again", LONG, || {
        nodes[li].meta.is_ready() && nodes[back].meta.is_ready()
    })
    .await;
    let state = nodes[li]
        .meta
        .write(add_class("After"))
        .await
        .expect("write with a quorum");
    assert!(state.class("After").is_some());
    assert!(state.class("Refused").is_none());
    kill_all(&mut nodes).await;
}

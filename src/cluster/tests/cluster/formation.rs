//! Only the nodes a join list names may form the cluster: extra nodes (a StatefulSet's pods
//! beyond the voters) wait for it and join as learners, whatever their ids and start order.

use std::time::Duration;

use cluster::raft::node_id_for;

use crate::support::{add_class, bind, config, eventually, wait_formed, TestNode};

const LONG: Duration = Duration::from_secs(30);

/// A name whose node id is below every one of `others`' ids, so that it would be the
/// lowest-id voter (the one that initializes) if it were a candidate.
fn lowest_id_name(others: &[&str]) -> String {
    let floor = others.iter().map(|n| node_id_for(n)).min().unwrap_or(0);
    (0..)
        .map(|i| format!("extra{i}"))
        .find(|n| node_id_for(n) < floor)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlisted_node_started_first_waits_and_joins_the_voter() {
    let (voter_listener, voter_addr) = bind().await;
    let (extra_listener, extra_addr) = bind().await;
    let (voter_dir, extra_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let join = vec![voter_addr.clone()];
    // One voter expected: before the fix, the extra node counted itself and formed alone.
    let extra = TestNode::start(
        config("extra", extra_dir.path(), &extra_addr, &join, 1),
        extra_listener,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let raft = extra.meta.raft().clone();
    assert!(
        !raft.is_initialized().await.expect("raft"),
        "an unlisted node formed a cluster of its own"
    );

    let voter = TestNode::start(
        config("voter", voter_dir.path(), &voter_addr, &join, 1),
        voter_listener,
    )
    .await;
    wait_formed(&[&voter]).await;
    voter.meta.write(add_class("Shared")).await.expect("write");
    eventually("the extra node joins and catches up", LONG, || {
        extra.meta.is_ready() && extra.meta.snapshot().class("Shared").is_some()
    })
    .await;
    assert_eq!(voter.meta.voters().len(), 1);
    assert!(!voter.meta.voters().contains(&extra.meta.node_id()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lowest_id_extra_node_does_not_become_a_voter() {
    let names = ["v1", "v2", "v3"];
    let extra_name = lowest_id_name(&names);
    let mut addrs = Vec::new();
    let mut listeners = Vec::new();
    for _ in 0..4 {
        let (listener, addr) = bind().await;
        listeners.push(listener);
        addrs.push(addr);
    }
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let join = addrs[..3].to_vec();
    let mut listeners = listeners.into_iter();
    let extra_listener = listeners.next_back().expect("4th listener");
    // The extra node starts first, with the lowest id of all four.
    let extra = TestNode::start(
        config(&extra_name, dirs[3].path(), &addrs[3], &join, 3),
        extra_listener,
    )
    .await;
    let mut voters = Vec::new();
    for (i, listener) in listeners.enumerate() {
        let cfg = config(names[i], dirs[i].path(), &addrs[i], &join, 3);
        voters.push(TestNode::start(cfg, listener).await);
    }
    wait_formed(&voters.iter().collect::<Vec<_>>()).await;
    eventually("the extra node joins as a learner", LONG, || {
        extra.meta.is_ready()
    })
    .await;
    let voter_ids = voters[0].meta.voters();
    assert_eq!(voter_ids.len(), 3);
    for v in &voters {
        assert!(voter_ids.contains(&v.meta.node_id()));
    }
    assert!(!voter_ids.contains(&extra.meta.node_id()));
    assert_eq!(extra.meta.leader(), voters[0].meta.leader());
}

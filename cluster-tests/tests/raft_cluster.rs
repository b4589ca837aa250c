//! Raft metadata cluster scenarios on real `shoal` processes: formation in any start order,
//! schema replication with read-your-writes, leader loss, a node restarting with its data, and a
//! node joining a formed cluster as a learner.
//!
//! Every check goes through the REST API and waits with a deadline (the cluster converges
//! asynchronously); nothing asserts how long anything took.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;
use shoal_cluster_tests::{poll, statistics_entries, TestCluster, CONVERGE_TIMEOUT, READY_TIMEOUT};

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The `name`s of a list of entries (`statistics` or `nodes`), sorted.
fn entry_names(entries: &[Value]) -> BTreeSet<String> {
    entries
        .iter()
        .map(|e| e["name"].as_str().unwrap_or("<no name>").to_string())
        .collect()
}

/// Fails unless `r` has status `status`, naming the request and showing the answer.
fn expect_status(what: &str, r: shoal_cluster_tests::Response, status: u16) -> Result<()> {
    ensure!(r.status == status, "{what}: expected {status}, got {r}");
    Ok(())
}

#[test]
fn form_in_any_start_order() -> Result<()> {
    let mut cluster = TestCluster::prepare(3)?;
    // n3 alone first: it must wait for the others instead of forming a cluster of one; the
    // second is not the lowest-named node either, so formation cannot depend on n1 being first.
    cluster.node_mut("n3").spawn()?;
    std::thread::sleep(Duration::from_secs(1));
    cluster.node_mut("n1").spawn()?;
    cluster.node_mut("n2").spawn()?;
    cluster.run(|c| {
        c.wait_all_ready()?;
        let all: BTreeSet<String> = ["n1", "n2", "n3"].map(String::from).into();
        let leader = poll(CONVERGE_TIMEOUT, || {
            let mut leaders = BTreeSet::new();
            for node in &c.nodes {
                let stats = node.statistics()?;
                let entries = statistics_entries(&stats)?;
                ensure!(
                    entry_names(entries) == all && entries.len() == 3,
                    "{} lists {:?}: {stats}",
                    node.name,
                    entry_names(entries)
                );
                for e in entries {
                    leaders.insert(e["leaderId"].as_str().unwrap_or_default().to_string());
                }
            }
            ensure!(leaders.len() == 1, "leaders disagree: {leaders:?}");
            let leader = leaders.pop_first().expect("one");
            ensure!(all.contains(&leader), "leader {leader:?} is not a member");
            Ok(leader)
        })
        .context("statistics on every node list n1..n3 and one leader")?;
        ensure!(
            c.node(&leader).own_statistics()?["raft"]["state"] == "Leader",
            "{leader} is named leader but does not say so: {}",
            c.node(&leader).statistics()?
        );
        // Every member is a voter: three configured, three expected.
        let stats = c.node(&leader).statistics()?;
        for e in statistics_entries(&stats)? {
            ensure!(e["isVoter"] == true, "not a voter: {e}");
        }
        // /v1/nodes lists the whole cluster too, on every node.
        for node in &c.nodes {
            poll(CONVERGE_TIMEOUT, || {
                let nodes = node.get_json("/v1/nodes")?;
                let list = nodes["nodes"].as_array().context("no nodes array")?;
                ensure!(
                    entry_names(list) == all,
                    "/v1/nodes on {}: {nodes}",
                    node.name
                );
                Ok(())
            })?;
        }
        Ok(())
    })
}

#[test]
fn schema_created_on_one_node_is_visible_everywhere() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        let r = c.node("n2").create_class("Article")?;
        expect_status("create Article through n2", r, 200)?;
        // Read-your-writes: the receiving node answers only after it applied the change.
        ensure!(
            c.node("n2").has_class("Article")?,
            "n2 accepted the class but does not show it right away"
        );
        let schema = c.node("n2").get_json("/v1/schema")?;
        let classes = schema["classes"].as_array().context("no classes")?;
        ensure!(
            classes.iter().any(|cl| cl["class"] == "Article"),
            "GET /v1/schema on n2: {schema}"
        );
        c.wait_class_on(&["n1", "n3"], "Article", true)?;

        let r = c.node("n3").create_class("Article")?;
        ensure!(r.status == 422, "creating Article again through n3: {r}");
        ensure!(
            r.body["error"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "422 without an error message: {r}"
        );

        let r = c.node("n1").delete("/v1/schema/Article")?;
        expect_status("delete Article through n1", r, 200)?;
        ensure!(
            !c.node("n1").has_class("Article")?,
            "n1 deleted the class but still shows it"
        );
        c.wait_class_on(&["n2", "n3"], "Article", false)?;
        Ok(())
    })
}

#[test]
fn leader_loss() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        let old = c.leader()?;
        c.node_mut(&old).kill();
        let survivors: Vec<String> = c.running();
        ensure!(
            survivors.len() == 2,
            "running after the kill: {survivors:?}"
        );

        let new = c.wait_for_leader(&survivors, CONVERGE_TIMEOUT)?;
        ensure!(new != old, "the killed {old} is still the leader");
        for name in &survivors {
            c.node_mut(name).wait_ready(READY_TIMEOUT)?;
        }
        // The new leader sees the old one as unreachable.
        poll(CONVERGE_TIMEOUT, || {
            let stats = c.node(&new).statistics()?;
            let entries = statistics_entries(&stats)?;
            let Some(gone) = entries.iter().find(|e| e["name"] == old.as_str()) else {
                bail!("{old} is missing from {stats}");
            };
            ensure!(
                gone["status"] != "HEALTHY",
                "{old} reported HEALTHY: {gone}"
            );
            Ok(())
        })
        .context("statistics report the killed leader")?;

        // A schema change through the survivor that does not lead (forwarded to the new leader).
        let follower = survivors
            .iter()
            .find(|n| **n != new)
            .expect("two survivors");
        let r = c.node(follower).create_class("AfterLeaderLoss")?;
        expect_status(
            &format!("create AfterLeaderLoss through {follower}"),
            r,
            200,
        )?;
        ensure!(c.node(follower).has_class("AfterLeaderLoss")?);
        c.wait_class_on(&[new.as_str()], "AfterLeaderLoss", true)?;
        Ok(())
    })
}

#[test]
fn restart_rejoins_with_its_state() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        let leader = c.leader()?;
        let follower = ["n1", "n2", "n3"]
            .into_iter()
            .find(|n| *n != leader)
            .expect("a follower");
        let r = c.node(&leader).create_class("BeforeKill")?;
        expect_status("create BeforeKill", r, 200)?;
        c.wait_class_on(&[follower], "BeforeKill", true)?;

        c.node_mut(follower).kill();
        // Two of three voters remain: the change commits without the follower.
        let r = c.node(&leader).create_class("WhileDown")?;
        expect_status(
            &format!("create WhileDown while {follower} is down"),
            r,
            200,
        )?;

        c.node_mut(follower).restart()?;
        c.wait_class_on(&[follower], "WhileDown", true)?;
        c.wait_class_on(&[follower], "BeforeKill", true)?;
        // It is a member again: the leader reports every node healthy.
        poll(CONVERGE_TIMEOUT, || {
            let stats = c.node(&leader).statistics()?;
            let entries = statistics_entries(&stats)?;
            ensure!(
                entries.len() == 3 && entries.iter().all(|e| e["status"] == "HEALTHY"),
                "statistics on {leader}: {stats}"
            );
            Ok(())
        })
        .with_context(|| format!("{follower} healthy again in the leader's statistics"))?;
        Ok(())
    })
}

#[test]
fn a_fourth_node_joins_as_learner() -> Result<()> {
    TestCluster::start(3)?.run(|c| {
        let r = c.node("n1").create_class("BeforeJoin")?;
        expect_status("create BeforeJoin", r, 200)?;

        c.add_node("n4")?;
        c.wait_class_on(&["n4"], "BeforeJoin", true)?;

        let leader = c.wait_for_leader(&names(&["n1", "n2", "n3"]), CONVERGE_TIMEOUT)?;
        let all: BTreeSet<String> = ["n1", "n2", "n3", "n4"].map(String::from).into();
        poll(CONVERGE_TIMEOUT, || {
            let stats = c.node(&leader).statistics()?;
            let entries = statistics_entries(&stats)?;
            ensure!(
                entries.len() == 4 && entry_names(entries) == all,
                "statistics on {leader}: {stats}"
            );
            for e in entries {
                let voter = e["name"] != "n4";
                ensure!(
                    e["isVoter"] == voter,
                    "{} should have isVoter {voter}: {stats}",
                    e["name"]
                );
            }
            Ok(())
        })
        .context("the leader lists n4 as a learner")?;
        poll(CONVERGE_TIMEOUT, || {
            let nodes = c.node(&leader).get_json("/v1/nodes")?;
            let list = nodes["nodes"].as_array().context("no nodes array")?;
            ensure!(entry_names(list) == all, "/v1/nodes on {leader}: {nodes}");
            Ok(())
        })?;

        // The learner takes writes too (forwarded to the leader) and reads its own write.
        let r = c.node("n4").create_class("ThroughLearner")?;
        expect_status("create ThroughLearner through n4", r, 200)?;
        ensure!(c.node("n4").has_class("ThroughLearner")?);
        c.wait_class_on(&["n1", "n2", "n3"], "ThroughLearner", true)?;
        Ok(())
    })
}

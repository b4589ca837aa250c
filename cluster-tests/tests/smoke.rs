//! A single real node answers the endpoints a cluster member must answer.

use shoal_cluster_tests::TestNode;

#[test]
fn a_node_starts_and_reports_itself() -> anyhow::Result<()> {
    let node = TestNode::start("smoke1")?;
    let nodes = node.get_json("/v1/nodes")?;
    assert_eq!(nodes["nodes"][0]["name"], "smoke1");
    assert_eq!(nodes["nodes"][0]["status"], "HEALTHY");
    let meta = node.get_json("/v1/meta")?;
    assert!(
        meta["version"].as_str().is_some_and(|v| v >= "1.27.0"),
        "{meta}"
    );
    Ok(())
}

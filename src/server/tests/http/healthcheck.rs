//! `shoal healthcheck` against a real node: what the Docker image's HEALTHCHECK runs.

use std::process::{Command, ExitStatus};

use anyhow::Result;

use crate::Node;

/// Runs `shoal healthcheck --url <url>` and returns its exit status and printed reason.
fn healthcheck(url: &str) -> Result<(ExitStatus, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_shoal"))
        .args(["healthcheck", "--url", url, "--timeout", "10"])
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    Ok((out.status, text))
}

#[test]
fn healthcheck_follows_the_node() -> Result<()> {
    let mut node = Node::start()?;
    let ready = node.url("/v1/.well-known/ready");
    let (status, text) = healthcheck(&ready)?;
    assert!(status.success(), "ready node: {status}: {text}");
    assert!(text.contains("answered 200"), "{text}");

    // Any answer but 200 is unhealthy: a path the node answers 404 to.
    let (status, text) = healthcheck(&node.url("/v1/.well-known/none"))?;
    assert_eq!(status.code(), Some(1), "404: {text}");
    assert!(text.contains("answered 404"), "{text}");

    node.stop()?;
    let (status, text) = healthcheck(&ready)?;
    assert_eq!(status.code(), Some(1), "stopped node: {text}");
    assert!(text.contains("unhealthy"), "{text}");
    Ok(())
}

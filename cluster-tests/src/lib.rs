//! Test harness for real `shoal` processes on loopback ports with temporary data directories.
//!
//! Today it starts single nodes; multi-node clusters arrive with the cluster issue. The binary is
//! the one cargo built for the same profile as the test (`target/<profile>/shoal`), or
//! `SHOAL_BIN` when set.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// A running `shoal` process; killed when dropped.
pub struct TestNode {
    pub url: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl TestNode {
    /// Starts a node named `name` and waits until `/v1/.well-known/ready` answers 200.
    pub fn start(name: &str) -> Result<TestNode> {
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let child = Command::new(shoal_binary()?)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .env("PERSISTENCE_DATA_PATH", dir.path().join("data"))
            .env("CLUSTER_HOSTNAME", name)
            .env("LOG_FORMAT", "text")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting shoal")?;
        let node = TestNode {
            url: format!("http://127.0.0.1:{port}"),
            child,
            _dir: dir,
        };
        node.wait_ready(Duration::from_secs(60))?;
        Ok(node)
    }

    fn wait_ready(&self, timeout: Duration) -> Result<()> {
        let client = reqwest::blocking::Client::new();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let ready = client
                .get(format!("{}/v1/.well-known/ready", self.url))
                .send();
            if ready.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("shoal at {} not ready within {timeout:?}", self.url)
    }

    /// GET `path` as JSON.
    pub fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        Ok(reqwest::blocking::get(format!("{}{path}", self.url))?
            .error_for_status()?
            .json()?)
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `SHOAL_BIN`, or `shoal` in the target directory of the running test.
fn shoal_binary() -> Result<PathBuf> {
    if let Ok(bin) = std::env::var("SHOAL_BIN") {
        return Ok(PathBuf::from(bin));
    }
    // The test runs from target/<profile>/deps/.
    let exe = std::env::current_exe()?;
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("shoal"))
        .context("cannot locate the target directory")?;
    if !bin.exists() {
        bail!(
            "{} is missing: build it first (cargo build --bins with the test's profile)",
            bin.display()
        );
    }
    Ok(bin)
}

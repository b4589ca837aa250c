//! [`DockerCluster`]: three Shoal containers forming one cluster, configured as in
//! `docker/docker-compose.yml` (names `shoal-0..2`, internal port 7947, basic auth on it).
//!
//! Each container is on two networks. On the cluster's private network the nodes know each other
//! by name (network aliases); on Docker's default `bridge`, which has no name resolution, only the
//! test reaches them, by IP. Cutting a node off the private network (`docker network
//! disconnect`) therefore partitions it from its peers while the test can still ask it questions.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use super::docker;
use crate::{poll, send, Response};

/// The nodes' names (`CLUSTER_HOSTNAME` and network alias), as in docker-compose.yml.
pub const NODE_NAMES: [&str; 3] = ["shoal-0", "shoal-1", "shoal-2"];
/// The internal port (Raft and the data plane).
const INTERNAL_PORT: u16 = 7947;
/// How long a container may take to answer ready after a start (Raft forms or rejoins).
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// Seconds `docker stop` waits after SIGTERM before SIGKILL: more than the node's own drain
/// limit (30 s), as the Compose file's `stop_grace_period`.
const STOP_GRACE_SECONDS: &str = "45";
/// Lines of each container's log printed when a scenario fails.
const LOG_TAIL_LINES: &str = "60";

/// One container running a Shoal node.
pub struct ContainerNode {
    /// `CLUSTER_HOSTNAME` and its alias on the private network.
    pub name: String,
    /// The container's name.
    pub container: String,
    /// `http://<bridge IP>:8080`; the IP may change when the container restarts.
    pub url: String,
    client: reqwest::blocking::Client,
}

impl ContainerNode {
    /// GET `path`; any status is returned, only transport errors fail.
    pub fn get(&self, path: &str) -> Result<Response> {
        send(self.client.get(format!("{}{path}", self.url)))
    }

    /// GET `path` with one extra header.
    pub fn get_with(&self, path: &str, header: (&str, &str)) -> Result<Response> {
        let request = self.client.get(format!("{}{path}", self.url));
        send(request.header(header.0, header.1))
    }

    /// POST `body` as JSON to `path`.
    pub fn post(&self, path: &str, body: &Value) -> Result<Response> {
        send(self.client.post(format!("{}{path}", self.url)).json(body))
    }

    /// PUT `body` as JSON to `path`.
    pub fn put(&self, path: &str, body: &Value) -> Result<Response> {
        send(self.client.put(format!("{}{path}", self.url)).json(body))
    }

    /// This node's own entry of its `/v1/cluster/statistics`.
    pub fn own_statistics(&self) -> Result<Value> {
        let r = self.get("/v1/cluster/statistics")?;
        if r.status != 200 {
            bail!("statistics of {}: {r}", self.name);
        }
        let entries = crate::statistics_entries(&r.body)?;
        entries
            .iter()
            .find(|e| e["name"] == self.name.as_str())
            .cloned()
            .with_context(|| format!("{} has no entry of its own: {}", self.name, r.body))
    }

    /// Whether the container's process runs.
    pub fn is_running(&self) -> Result<bool> {
        Ok(self.inspect("{{.State.Running}}")? == "true")
    }

    /// `docker inspect --format <format>` of the container.
    pub fn inspect(&self, format: &str) -> Result<String> {
        docker(&["inspect", "--format", format, &self.container])
    }

    /// Polls `/v1/.well-known/ready` until 200; fails early when the container stopped.
    pub fn wait_ready(&self) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut last = String::from("no answer yet");
        while Instant::now() < deadline {
            if !self.is_running()? {
                bail!("{} stopped while waiting to be ready", self.container);
            }
            match self.get("/v1/.well-known/ready") {
                Ok(r) if r.status == 200 => return Ok(()),
                Ok(r) => last = r.to_string(),
                Err(e) => last = format!("{e:#}"),
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        bail!(
            "{} at {} not ready within {READY_TIMEOUT:?}; last answer: {last}",
            self.name,
            self.url
        )
    }

    /// Waits until Docker's HEALTHCHECK (`shoal healthcheck`) reports the container healthy.
    pub fn wait_healthy(&self) -> Result<()> {
        poll(READY_TIMEOUT, || {
            let status = self.inspect("{{.State.Health.Status}}")?;
            if status != "healthy" {
                let log = self.inspect("{{json .State.Health.Log}}")?;
                bail!("{} is {status}; health log: {log}", self.container);
            }
            Ok(())
        })
    }

    /// Reads the container's IP on the default bridge into [`ContainerNode::url`].
    fn refresh_url(&mut self) -> Result<()> {
        let ip = self.inspect("{{(index .NetworkSettings.Networks \"bridge\").IPAddress}}")?;
        if ip.is_empty() {
            bail!("{} has no IP on the default bridge", self.container);
        }
        self.url = format!("http://{ip}:8080");
        Ok(())
    }
}

/// Three Shoal containers on a private network; every container and the network are removed
/// when it drops.
pub struct DockerCluster {
    pub nodes: Vec<ContainerNode>,
    network: String,
}

impl DockerCluster {
    /// Creates the private network `<prefix>-net` and starts the three nodes from `image`, each
    /// also attached to the default bridge; does not wait for readiness.
    pub fn start(prefix: &str, image: &str) -> Result<DockerCluster> {
        let network = format!("{prefix}-net");
        docker(&["network", "create", "--label", "shoal-test", &network])?;
        let mut cluster = DockerCluster {
            nodes: Vec::new(),
            network,
        };
        let password = format!("{prefix}-secret");
        for name in NODE_NAMES {
            let container = format!("{prefix}-{name}");
            // Listed before it exists, so the drop guard removes it whatever fails next.
            cluster.nodes.push(ContainerNode {
                name: name.to_string(),
                container: container.clone(),
                url: String::new(),
                client: crate::http_client()?,
            });
            cluster.run_container(&container, name, image, &password)?;
            docker(&["network", "connect", "bridge", &container])?;
            cluster.node_mut(name).refresh_url()?;
        }
        Ok(cluster)
    }

    fn run_container(
        &self,
        container: &str,
        name: &str,
        image: &str,
        password: &str,
    ) -> Result<()> {
        let join = NODE_NAMES.map(|n| format!("{n}:{INTERNAL_PORT}")).join(",");
        let env = [
            format!("CLUSTER_HOSTNAME={name}"),
            format!("CLUSTER_JOIN={join}"),
            format!("RAFT_BOOTSTRAP_EXPECT={}", NODE_NAMES.len()),
            "CLUSTER_BASIC_AUTH_USERNAME=shoal".to_string(),
            format!("CLUSTER_BASIC_AUTH_PASSWORD={password}"),
            "LOG_FORMAT=text".to_string(),
        ];
        let mut args = vec![
            "run",
            "--detach",
            "--name",
            container,
            "--hostname",
            name,
            "--label",
            "shoal-test",
            "--network",
            &self.network,
            "--network-alias",
            name,
        ];
        for e in &env {
            args.extend(["--env", e.as_str()]);
        }
        args.push(image);
        docker(&args)?;
        Ok(())
    }

    /// The node named `name`.
    pub fn node(&self, name: &str) -> &ContainerNode {
        self.nodes
            .iter()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("no node {name}"))
    }

    fn node_mut(&mut self, name: &str) -> &mut ContainerNode {
        self.nodes
            .iter_mut()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("no node {name}"))
    }

    /// Waits until every node answers ready.
    pub fn wait_all_ready(&self) -> Result<()> {
        self.nodes.iter().try_for_each(ContainerNode::wait_ready)
    }

    /// `docker kill` (SIGKILL): the node dies as in a crash; its volume stays.
    pub fn kill(&self, name: &str) -> Result<()> {
        docker(&["kill", &self.node(name).container]).map(drop)
    }

    /// `docker stop`: SIGTERM (the image's STOPSIGNAL), then the node drains. Fails unless the
    /// node exited by itself with code 0, i.e. it shut down cleanly within the grace period.
    pub fn stop(&self, name: &str) -> Result<()> {
        let node = self.node(name);
        docker(&["stop", "--time", STOP_GRACE_SECONDS, &node.container])?;
        let code = node.inspect("{{.State.ExitCode}}")?;
        if code != "0" {
            bail!("{} exited with {code} after SIGTERM", node.container);
        }
        Ok(())
    }

    /// `docker start` after a kill or stop, then waits until the node is ready.
    pub fn start_again(&mut self, name: &str) -> Result<()> {
        let node = self.node_mut(name);
        docker(&["start", &node.container])?;
        node.refresh_url()?;
        node.wait_ready()
    }

    /// Cuts `name` off the private network: its peers can no longer reach it, nor it them.
    pub fn disconnect(&self, name: &str) -> Result<()> {
        docker(&[
            "network",
            "disconnect",
            &self.network,
            &self.node(name).container,
        ])
        .map(drop)
    }

    /// Undoes [`DockerCluster::disconnect`]: back on the private network under its alias.
    pub fn reconnect(&self, name: &str) -> Result<()> {
        let node = self.node(name);
        docker(&[
            "network",
            "connect",
            "--alias",
            &node.name,
            &self.network,
            &node.container,
        ])
        .map(drop)
    }

    /// The leader every node in `among` names in its own statistics, once that node says it
    /// leads; waits up to `timeout`.
    pub fn wait_for_leader(&self, among: &[&str], timeout: Duration) -> Result<String> {
        poll(timeout, || {
            let mut views = Vec::new();
            for name in among {
                let own = self.node(name).own_statistics()?;
                views.push((name.to_string(), own));
            }
            let leader = views[0].1["leaderId"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let agreed = views
                .iter()
                .all(|(_, own)| own["leaderId"] == leader.as_str());
            let leads = views
                .iter()
                .any(|(n, own)| *n == leader && own["raft"]["state"] == "Leader");
            if leader.is_empty() || !agreed || !leads {
                let summary: Vec<String> = views
                    .iter()
                    .map(|(n, own)| {
                        format!("{n}: leader {} ({})", own["leaderId"], own["raft"]["state"])
                    })
                    .collect();
                bail!("no agreed leader among {among:?}: {}", summary.join(", "));
            }
            Ok(leader)
        })
    }

    /// Prints the end of every container's log (stdout and stderr) to stderr.
    pub fn print_logs(&self) {
        for node in &self.nodes {
            let logs = std::process::Command::new("docker")
                .args(["logs", "--tail", LOG_TAIL_LINES, &node.container])
                .output();
            let text = match logs {
                Ok(out) => format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
                Err(e) => format!("(docker logs failed: {e})"),
            };
            eprintln!(
                "----- last {LOG_TAIL_LINES} log lines of {} ({}) -----\n{text}",
                node.container, node.url
            );
        }
    }
}

impl Drop for DockerCluster {
    fn drop(&mut self) {
        let containers: Vec<&str> = self.nodes.iter().map(|n| n.container.as_str()).collect();
        if !containers.is_empty() {
            // --volumes: the anonymous volume each container got for /var/lib/shoal.
            let mut args = vec!["rm", "--force", "--volumes"];
            args.extend(containers);
            if let Err(e) = docker(&args) {
                eprintln!("cleanup: {e:#}");
            }
        }
        if let Err(e) = docker(&["network", "rm", &self.network]) {
            eprintln!("cleanup: {e:#}");
        }
    }
}

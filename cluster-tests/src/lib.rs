//! Test harness for real `shoal` processes on loopback ports with temporary data directories.
//!
//! What it is: [`TestNode`] runs one `shoal` process (its own REST port, internal port, data
//! directory and log file) and can kill it with SIGKILL and start it again on the same ports,
//! directory and environment; [`TestCluster`] runs several of them configured as one Raft cluster
//! (`CLUSTER_JOIN` lists every voter, `RAFT_BOOTSTRAP_EXPECT` the voter count) and answers
//! questions every scenario asks: is everyone ready, who leads, does everyone see a class.
//!
//! What it is not: a mock or an in-process cluster. Every assertion goes through the public REST
//! API of a separate process, so the tests check what a client would see. It measures no
//! timings: every wait is a poll with a generous deadline, because the machine running the tests
//! is shared and slow; a deadline only bounds how long a broken cluster takes to fail.
//!
//! The binary is the one cargo built for the same profile as the test (`target/<profile>/shoal`),
//! or `SHOAL_BIN` when set. Each node writes its stdout (the server log) to `node.log` in its
//! temporary directory; the last lines of every node's log are printed when a scenario fails, so
//! a failure on CI can be understood without rerunning it.
//!
//! [`docker`] does the same with containers of the runtime image, for the faults only Docker
//! can inflict (a network partition, a graceful stop through the image's STOPSIGNAL).

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::TcpListener;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::Value;

pub mod docker;

/// How long a node may take to become ready (start, find its peers, elect, replay its log).
/// Generous: several clusters start in parallel on a shared 2-core machine.
pub const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the cluster may take to agree on something after a change (replication of a schema
/// change, an election after a leader loss, a learner being added).
pub const CONVERGE_TIMEOUT: Duration = Duration::from_secs(45);
/// Interval between two polls of a wait loop.
const POLL: Duration = Duration::from_millis(150);
/// Per-request timeout: a request to a live node on loopback answers in milliseconds, and one to
/// a killed node fails at once (connection refused); the bound only stops a hung node from
/// hanging the test.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Lines of each node's log printed when a scenario fails.
const LOG_TAIL_LINES: usize = 50;

/// An HTTP answer: the status code and the body as JSON (`Null` when the body is empty, a JSON
/// string holding the text when it is not JSON), so tests can print unexpected answers whole.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Value,
}

impl std::fmt::Display for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

/// A `shoal` process (or, after [`TestNode::kill`], the ports, data and environment to start it
/// again); killed when dropped, and its temporary directory removed.
pub struct TestNode {
    /// `CLUSTER_HOSTNAME`.
    pub name: String,
    /// Base URL of the REST port, `http://127.0.0.1:<port>`.
    pub url: String,
    /// `127.0.0.1:<internal port>`: what peers put in `CLUSTER_JOIN`.
    pub internal_addr: String,
    /// `GRPC_PORT`.
    pub grpc_port: u16,
    rest_port: u16,
    /// Environment beyond the data path and the name, kept so that a restart is identical.
    env: Vec<(String, String)>,
    child: Option<Child>,
    dir: tempfile::TempDir,
    client: reqwest::blocking::Client,
}

impl TestNode {
    /// Starts a single (non-clustered) node named `name` and waits until it is ready.
    pub fn start(name: &str) -> Result<TestNode> {
        let mut node = TestNode::prepare(name, Vec::new())?;
        node.spawn()?;
        if let Err(e) = node.wait_ready(READY_TIMEOUT) {
            node.print_log_tail();
            return Err(e);
        }
        Ok(node)
    }

    /// Allocates ports and a data directory without starting the process, so a cluster can know
    /// every member's internal address (for `CLUSTER_JOIN`) before the first one starts.
    /// `CLUSTER_DATA_BIND_PORT` and `CLUSTER_ADVERTISE_ADDR` are always set, to the allocated
    /// internal port, and `GRPC_PORT` to its own, so parallel tests never fight over the
    /// defaults 7947 and 50051.
    pub fn prepare(name: &str, env: Vec<(String, String)>) -> Result<TestNode> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("shoal-{name}-"))
            .tempdir()?;
        let rest_port = free_port()?;
        let internal_port = free_port()?;
        let internal_addr = format!("127.0.0.1:{internal_port}");
        let grpc_port = free_port()?;
        let mut full_env = vec![
            ("GRPC_PORT".to_string(), grpc_port.to_string()),
            (
                "CLUSTER_DATA_BIND_PORT".to_string(),
                internal_port.to_string(),
            ),
            ("CLUSTER_ADVERTISE_ADDR".to_string(), internal_addr.clone()),
        ];
        full_env.extend(env);
        Ok(TestNode {
            name: name.to_string(),
            url: format!("http://127.0.0.1:{rest_port}"),
            internal_addr,
            grpc_port,
            rest_port,
            env: full_env,
            child: None,
            dir,
            client: http_client()?,
        })
    }

    /// The value of an environment variable this node starts with.
    pub fn env_value(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Adds (or replaces) an environment variable for the next start.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    /// Starts the process without waiting for readiness. The log is appended to, so after a
    /// restart it still holds the previous run (separated by a marker line).
    pub fn spawn(&mut self) -> Result<()> {
        if self.is_running() {
            bail!("{} is already running", self.name);
        }
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())?;
        writeln!(log, "===== harness: starting {} =====", self.name)?;
        let child = Command::new(shoal_binary()?)
            .args(["--host", "127.0.0.1", "--port", &self.rest_port.to_string()])
            .env("PERSISTENCE_DATA_PATH", self.data_path())
            .env("CLUSTER_HOSTNAME", &self.name)
            .env("LOG_FORMAT", "text")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::from(log))
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting shoal {}", self.name))?;
        self.child = Some(child);
        Ok(())
    }

    /// SIGKILL (std's `Child::kill` on Unix): no graceful shutdown, as in a crash. The data
    /// directory and ports are kept for [`TestNode::restart`].
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGSTOP: the process stays and the kernel still accepts connections on its ports, but
    /// nothing answers, as with a hung or partitioned node. [`TestNode::resume`] undoes it.
    pub fn pause(&self) -> Result<()> {
        self.signal("STOP")
    }

    /// SIGCONT after [`TestNode::pause`].
    pub fn resume(&self) -> Result<()> {
        self.signal("CONT")
    }

    fn signal(&self, signal: &str) -> Result<()> {
        let pid = self.child.as_ref().context("not running")?.id();
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()?;
        if !status.success() {
            bail!("kill -{signal} {pid} failed: {status}");
        }
        Ok(())
    }

    /// Starts the node again with the same data directory, ports and environment, and waits
    /// until it is ready.
    pub fn restart(&mut self) -> Result<()> {
        self.kill();
        self.spawn()?;
        self.wait_ready(READY_TIMEOUT)
    }

    /// True while the process runs (it may have exited on its own, e.g. after a panic).
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Polls `/v1/.well-known/ready` until it answers 200. Fails early if the process exited,
    /// instead of waiting out the deadline.
    pub fn wait_ready(&mut self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let mut last = String::from("no answer yet");
        while Instant::now() < deadline {
            if let Some(child) = &mut self.child {
                if let Ok(Some(status)) = child.try_wait() {
                    bail!("{} exited while waiting to be ready: {status}", self.name);
                }
            } else {
                bail!("{} is not running", self.name);
            }
            match self.get("/v1/.well-known/ready") {
                Ok(r) if r.status == 200 => return Ok(()),
                Ok(r) => last = r.to_string(),
                Err(e) => last = format!("{e:#}"),
            }
            std::thread::sleep(POLL);
        }
        bail!(
            "{} at {} not ready within {timeout:?}; last answer: {last}",
            self.name,
            self.url
        )
    }

    /// GET `path`; any status is returned, only transport errors fail.
    pub fn get(&self, path: &str) -> Result<Response> {
        self.send(self.client.get(self.path_url(path)))
    }

    /// POST `body` as JSON to `path`.
    pub fn post(&self, path: &str, body: &Value) -> Result<Response> {
        self.send(self.client.post(self.path_url(path)).json(body))
    }

    /// PUT `body` as JSON to `path`.
    pub fn put(&self, path: &str, body: &Value) -> Result<Response> {
        self.send(self.client.put(self.path_url(path)).json(body))
    }

    /// DELETE `path`.
    pub fn delete(&self, path: &str) -> Result<Response> {
        self.send(self.client.delete(self.path_url(path)))
    }

    /// GET `path` as JSON, failing on a non-2xx status.
    pub fn get_json(&self, path: &str) -> Result<Value> {
        let r = self.get(path)?;
        if !(200..300).contains(&r.status) {
            bail!("GET {path} on {}: {r}", self.name);
        }
        Ok(r.body)
    }

    /// `GET /v1/cluster/statistics`.
    pub fn statistics(&self) -> Result<Value> {
        self.get_json("/v1/cluster/statistics")
    }

    /// This node's own entry of its `/v1/cluster/statistics` (the one named after it).
    pub fn own_statistics(&self) -> Result<Value> {
        let stats = self.statistics()?;
        statistics_entries(&stats)?
            .iter()
            .find(|e| e["name"] == self.name.as_str())
            .cloned()
            .with_context(|| format!("{} has no entry of its own in {stats}", self.name))
    }

    /// Whether `GET /v1/schema/<class>` answers 200 (true) or 404 (false); anything else fails.
    pub fn has_class(&self, class: &str) -> Result<bool> {
        let r = self.get(&format!("/v1/schema/{class}"))?;
        match r.status {
            200 => Ok(true),
            404 => Ok(false),
            _ => bail!("GET /v1/schema/{class} on {}: {r}", self.name),
        }
    }

    /// `POST /v1/schema` of a minimal class (no vectorizer, one text property).
    pub fn create_class(&self, class: &str) -> Result<Response> {
        self.post("/v1/schema", &class_body(class))
    }

    /// Path of the node's log file (stdout of every run).
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("node.log")
    }

    /// `PERSISTENCE_DATA_PATH`.
    pub fn data_path(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The last `lines` lines of the log.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log_path(), lines).unwrap_or_else(|e| format!("(cannot read the log: {e})"))
    }

    /// Prints the end of the log to stderr (captured by the test runner, shown on failure).
    pub fn print_log_tail(&self) {
        eprintln!(
            "----- last {LOG_TAIL_LINES} log lines of {} ({}) -----\n{}",
            self.name,
            self.url,
            self.log_tail(LOG_TAIL_LINES)
        );
    }

    fn path_url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    fn send(&self, request: reqwest::blocking::RequestBuilder) -> Result<Response> {
        send(request)
    }
}

/// Sends `request`; any status is returned as a [`Response`], only transport errors fail.
pub(crate) fn send(request: reqwest::blocking::RequestBuilder) -> Result<Response> {
    let response = request.send()?;
    let status = response.status().as_u16();
    let text = response.text()?;
    let body = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Ok(Response { status, body })
}

impl Drop for TestNode {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Several `shoal` processes configured as one Raft cluster. Nodes are named `n1`, `n2`, ...;
/// every voter's `CLUSTER_JOIN` lists all voters' internal addresses (itself included, as a
/// deployment with one shared configuration would).
pub struct TestCluster {
    pub nodes: Vec<TestNode>,
    /// Number of voters the cluster was formed with (`RAFT_BOOTSTRAP_EXPECT`).
    voters: usize,
}

impl TestCluster {
    /// Starts `n` voters and waits until all are ready. On failure the logs are printed.
    pub fn start(n: usize) -> Result<TestCluster> {
        let mut cluster = TestCluster::prepare(n)?;
        for i in 0..n {
            cluster.nodes[i].spawn()?;
        }
        cluster.wait_all_ready()?;
        Ok(cluster)
    }

    /// Allocates `n` voters (ports, directories, environment) without starting any, for
    /// scenarios that choose the start order.
    pub fn prepare(n: usize) -> Result<TestCluster> {
        let mut nodes = (1..=n)
            .map(|i| TestNode::prepare(&format!("n{i}"), Vec::new()))
            .collect::<Result<Vec<_>>>()?;
        let join = nodes
            .iter()
            .map(|node| node.internal_addr.clone())
            .collect::<Vec<_>>()
            .join(",");
        for node in &mut nodes {
            node.set_env("CLUSTER_JOIN", &join);
            node.set_env("RAFT_BOOTSTRAP_EXPECT", &n.to_string());
        }
        Ok(TestCluster { nodes, voters: n })
    }

    /// Starts `f` on this cluster; if it fails (error or panic) the end of every node's log is
    /// printed before the failure is passed on. The cluster is dropped (all processes killed)
    /// afterwards in both cases.
    pub fn run(mut self, f: impl FnOnce(&mut TestCluster) -> Result<()>) -> Result<()> {
        let outcome = catch_unwind(AssertUnwindSafe(|| f(&mut self)));
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                self.print_logs();
                Err(e)
            }
            Err(panic) => {
                self.print_logs();
                resume_unwind(panic)
            }
        }
    }

    /// Prints the end of every node's log.
    pub fn print_logs(&self) {
        for node in &self.nodes {
            node.print_log_tail();
        }
    }

    /// The node named `name`.
    pub fn node(&self, name: &str) -> &TestNode {
        self.nodes
            .iter()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("no node {name}"))
    }

    /// The node named `name`, mutably (to kill or restart it).
    pub fn node_mut(&mut self, name: &str) -> &mut TestNode {
        self.nodes
            .iter_mut()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("no node {name}"))
    }

    /// Names of the nodes whose process runs.
    pub fn running(&mut self) -> Vec<String> {
        self.nodes
            .iter_mut()
            .filter_map(|n| n.is_running().then(|| n.name.clone()))
            .collect()
    }

    /// Waits until every running node is ready. On failure prints every log.
    pub fn wait_all_ready(&mut self) -> Result<()> {
        // One shared deadline: the nodes become ready together (they need each other to elect).
        let deadline = Instant::now() + READY_TIMEOUT;
        for i in 0..self.nodes.len() {
            if self.nodes[i].child.is_none() {
                continue;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if let Err(e) = self.nodes[i].wait_ready(left.max(Duration::from_secs(1))) {
                self.print_logs();
                return Err(e);
            }
        }
        Ok(())
    }

    /// Starts another node named `name` that joins the formed cluster: its `CLUSTER_JOIN` lists
    /// the original voters only and `RAFT_BOOTSTRAP_EXPECT` stays the voter count, so the
    /// cluster adds it as a learner. Waits until it is ready.
    pub fn add_node(&mut self, name: &str) -> Result<&mut TestNode> {
        let join = self.nodes[..self.voters]
            .iter()
            .map(|node| node.internal_addr.clone())
            .collect::<Vec<_>>()
            .join(",");
        let mut node = TestNode::prepare(
            name,
            vec![
                ("CLUSTER_JOIN".to_string(), join),
                ("RAFT_BOOTSTRAP_EXPECT".to_string(), self.voters.to_string()),
            ],
        )?;
        node.spawn()?;
        self.nodes.push(node);
        let node = self.nodes.last_mut().expect("just pushed");
        node.wait_ready(READY_TIMEOUT)?;
        Ok(node)
    }

    /// The leader every running node agrees on, waiting up to [`CONVERGE_TIMEOUT`].
    pub fn leader(&mut self) -> Result<String> {
        let running = self.running();
        self.wait_for_leader(&running, CONVERGE_TIMEOUT)
    }

    /// Waits until every node in `among` reports, in its own `/v1/cluster/statistics` entry,
    /// the same `leaderId`, and that leader is one of `among` and reports itself as `Leader`.
    /// Returns its name.
    pub fn wait_for_leader(&self, among: &[String], timeout: Duration) -> Result<String> {
        poll(timeout, || self.agreed_leader(among))
            .with_context(|| format!("no agreed leader among {among:?}"))
    }

    /// The leader `among` agree on right now, or an error saying how they disagree.
    fn agreed_leader(&self, among: &[String]) -> Result<String> {
        let mut views = Vec::new();
        for name in among {
            let own = self.node(name).own_statistics()?;
            let leader = own["leaderId"].as_str().unwrap_or_default().to_string();
            views.push((name.clone(), leader, own));
        }
        let leader = views.first().context("no nodes to ask")?.1.clone();
        if leader.is_empty() || views.iter().any(|(_, l, _)| *l != leader) {
            let summary: Vec<_> = views
                .iter()
                .map(|(n, l, _)| format!("{n} says {l:?}"))
                .collect();
            bail!("no agreement: {}", summary.join(", "));
        }
        let Some((_, _, own)) = views.iter().find(|(n, _, _)| *n == leader) else {
            bail!("all say {leader}, which is not among {among:?}");
        };
        let state = &own["raft"]["state"];
        if state != "Leader" {
            bail!("all say {leader}, but its own raft.state is {state}: {own}");
        }
        Ok(leader)
    }

    /// Waits until `GET /v1/schema/<class>` on each of `names` answers 200 (`present`) or 404.
    pub fn wait_class_on(&self, names: &[&str], class: &str, present: bool) -> Result<()> {
        for name in names {
            let node = self.node(name);
            poll(CONVERGE_TIMEOUT, || {
                let r = node.get(&format!("/v1/schema/{class}"))?;
                match (r.status, present) {
                    (200, true) | (404, false) => Ok(()),
                    _ => bail!("GET /v1/schema/{class} on {name}: {r}"),
                }
            })
            .with_context(|| {
                let what = if present { "appear" } else { "disappear" };
                format!("waiting for class {class} to {what} on {name}")
            })?;
        }
        Ok(())
    }
}

/// The `statistics` array of a `/v1/cluster/statistics` answer.
pub fn statistics_entries(stats: &Value) -> Result<&Vec<Value>> {
    stats["statistics"]
        .as_array()
        .with_context(|| format!("no statistics array in {stats}"))
}

/// The body that creates a minimal class named `class`.
pub fn class_body(class: &str) -> Value {
    serde_json::json!({
        "class": class,
        "vectorizer": "none",
        "properties": [{"name": "title", "dataType": ["text"]}]
    })
}

/// Calls `check` every [`POLL`] until it succeeds or `timeout` passes. An error means "not yet"
/// (a node still electing, a change not replicated yet, a 503); the last one is reported when
/// the deadline passes, so a check should fail with a message that says what it saw.
pub fn poll<T>(timeout: Duration, mut check: impl FnMut() -> Result<T>) -> Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        match check() {
            Ok(value) => return Ok(value),
            Err(e) if Instant::now() >= deadline => {
                return Err(e.context(format!("not reached within {timeout:?}")))
            }
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

pub(crate) fn http_client() -> Result<reqwest::blocking::Client> {
    Ok(reqwest::blocking::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()?)
}

/// A port nobody listens on right now. Binding to port 0 and releasing leaves a small window in
/// which another process may take it; the set of ports already handed out keeps the parallel
/// tests of one binary from receiving the same port twice (the kernel may reuse a released one).
pub fn free_port() -> Result<u16> {
    static GIVEN: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    let given = GIVEN.get_or_init(|| Mutex::new(HashSet::new()));
    for _ in 0..100 {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        if given.lock().expect("port set").insert(port) {
            return Ok(port);
        }
    }
    bail!("no free port found")
}

/// The last `lines` lines of the file at `path` (reads at most its last 256 KiB).
fn tail(path: &Path, lines: usize) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(256 * 1024)))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    Ok(all[all.len().saturating_sub(lines)..].join("\n"))
}

/// `SHOAL_BIN`, or `shoal` in the target directory of the running test.
pub fn shoal_binary() -> Result<PathBuf> {
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

impl TestNode {
    /// `POST /v1/batch/objects<query>` of `objects` in batches of `batch_size`; fails on a
    /// non-200 answer or on any object whose `result.errors` is present, naming the first such
    /// object and its errors. `query` is appended to the path as is (e.g.
    /// `"?consistency_level=QUORUM"`, or `""`).
    pub fn batch_import(&self, objects: &[Value], batch_size: usize, query: &str) -> Result<()> {
        for (i, chunk) in objects.chunks(batch_size.max(1)).enumerate() {
            let path = format!("/v1/batch/objects{query}");
            let r = self.post(&path, &serde_json::json!({ "objects": chunk }))?;
            if r.status != 200 {
                bail!("POST {path} (batch {i}) on {}: {r}", self.name);
            }
            let results = r
                .body
                .as_array()
                .with_context(|| format!("batch {i} answer is not an array: {r}"))?;
            if results.len() != chunk.len() {
                bail!(
                    "batch {i}: {} results for {} objects",
                    results.len(),
                    chunk.len()
                );
            }
            let failed: Vec<&Value> = results
                .iter()
                .filter(|o| !o["result"]["errors"].is_null())
                .collect();
            if let Some(first) = failed.first() {
                bail!(
                    "POST {path} (batch {i}) on {}: {} of {} objects failed, first: {first}",
                    self.name,
                    failed.len(),
                    chunk.len()
                );
            }
        }
        Ok(())
    }

    /// `POST /v1/graphql` of `query`; returns `data`, failing on a non-200 answer or on a
    /// non-empty `errors`.
    pub fn graphql(&self, query: &str) -> Result<Value> {
        let r = self.post("/v1/graphql", &serde_json::json!({ "query": query }))?;
        if r.status != 200 {
            bail!("POST /v1/graphql on {} ({query}): {r}", self.name);
        }
        if r.body["errors"]
            .as_array()
            .is_some_and(|errors| !errors.is_empty())
        {
            bail!("POST /v1/graphql on {} ({query}): {r}", self.name);
        }
        Ok(r.body["data"].clone())
    }
}

/// A tiny seeded pseudo-random generator (xorshift64*), so data sets are reproducible without a
/// dependency. Not for anything but test data.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value; zero is remapped, xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Rng {
        Rng((seed ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A float in `[-1, 1)`, rounded to f32 precision so it survives a round trip unchanged.
    pub fn next_f32(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    /// A vector of `dim` floats in `[-1, 1)`.
    pub fn vector(&mut self, dim: usize) -> Vec<f32> {
        (0..dim).map(|_| self.next_f32()).collect()
    }

    /// A random version-4 UUID, formatted lowercase with dashes.
    pub fn uuid(&mut self) -> String {
        let mut v = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        v = (v & !(0xF << 76)) | (0x4 << 76); // version 4
        v = (v & !(0x3 << 62)) | (0x2 << 62); // RFC 4122 variant
        let h = format!("{v:032x}");
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
}

//! End-to-end tests of the `shoal` binary: each test starts the real binary on a free loopback
//! port with a fresh data directory, waits for `/v1/.well-known/ready`, and drives it over HTTP
//! the way Weaviate clients do. Restart tests stop the process with SIGTERM (expecting exit code
//! 0) or SIGKILL and start it again on the same data.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use reqwest::blocking::{Client, Response};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

mod aliases;
mod auth;
mod hardening;
mod healthcheck;
mod logs;
mod metrics;

const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// Starts tried before a port taken by another test counts as a failure.
const START_ATTEMPTS: usize = 3;
const STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// One `shoal` process on loopback.
struct Node {
    data: tempfile::TempDir,
    port: u16,
    /// The internal port (`CLUSTER_DATA_BIND_PORT`).
    data_port: u16,
    child: Option<Child>,
    http: Client,
    /// Environment beyond the defaults every test node gets.
    env: Vec<(String, String)>,
}

impl Node {
    /// Starts a node on a fresh data directory.
    fn start() -> Result<Node> {
        Node::start_with(&[])
    }

    /// Starts a node on a fresh data directory with extra environment variables.
    fn start_with(env: &[(&str, &str)]) -> Result<Node> {
        let data = tempfile::tempdir()?;
        let http = Client::builder().timeout(Duration::from_secs(60)).build()?;
        let mut node = Node {
            data,
            port: 0,
            data_port: 0,
            child: None,
            http,
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        node.spawn()?;
        Ok(node)
    }

    fn data_path(&self) -> PathBuf {
        self.data.path().join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.data.path().join("shoal.log")
    }

    /// Starts the process (again) on this node's data directory and waits until it is ready.
    /// Ports are found by binding port 0 and letting go, so a test running beside this one can
    /// take one in between: a start that lost that race is retried on fresh ports.
    fn spawn(&mut self) -> Result<()> {
        for _ in 1..START_ATTEMPTS {
            match self.spawn_once() {
                Err(e) if e.to_string().contains("Address already in use") => continue,
                done => return done,
            }
        }
        self.spawn_once()
    }

    fn spawn_once(&mut self) -> Result<()> {
        self.port = free_port()?;
        self.data_port = free_port()?;
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_path())?;
        let child = Command::new(env!("CARGO_BIN_EXE_shoal"))
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .env_clear()
            .env("PERSISTENCE_DATA_PATH", self.data_path())
            .env("CLUSTER_HOSTNAME", "node1")
            .env("CLUSTER_DATA_BIND_PORT", self.data_port.to_string())
            .env("GRPC_PORT", free_port()?.to_string())
            .env("LOG_FORMAT", "text")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start shoal")?;
        self.child = Some(child);
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self.child_mut()?.try_wait()? {
                bail!(
                    "shoal exited with {status} before it was ready\n{}",
                    self.log_tail()
                );
            }
            let ready = self.http.get(self.url("/v1/.well-known/ready")).send();
            if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "shoal not ready within {READY_TIMEOUT:?}\n{}",
                    self.log_tail()
                );
            }
            sleep(Duration::from_millis(100));
        }
    }

    fn child_mut(&mut self) -> Result<&mut Child> {
        self.child
            .as_mut()
            .ok_or_else(|| anyhow!("shoal is not running"))
    }

    /// SIGTERM, then waits for the exit status.
    fn stop(&mut self) -> Result<ExitStatus> {
        let pid = self.child_mut()?.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status()?;
        if !sent.success() {
            bail!("kill -TERM {pid} failed");
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if let Some(status) = self.child_mut()?.try_wait()? {
                self.child = None;
                return Ok(status);
            }
            if Instant::now() > deadline {
                bail!(
                    "shoal did not stop within {STOP_TIMEOUT:?}\n{}",
                    self.log_tail()
                );
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL, then waits for the process to be gone.
    fn kill9(&mut self) -> Result<()> {
        let child = self.child_mut()?;
        child.kill()?;
        child.wait()?;
        self.child = None;
        Ok(())
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    fn request(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Response> {
        let mut req = self.http.request(method, self.url(path));
        if let Some(body) = body {
            req = req.json(body);
        }
        req.send().with_context(|| format!("request to {path}"))
    }

    fn get(&self, path: &str) -> Result<Response> {
        self.request(Method::GET, path, None)
    }

    fn post(&self, path: &str, body: &Value) -> Result<Response> {
        self.request(Method::POST, path, Some(body))
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(60)..].join("\n");
        format!(
            "--- last lines of {} ---\n{tail}",
            self.log_path().display()
        )
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The status and JSON body of a response (Null for an empty body).
fn json_of(resp: Response) -> Result<(StatusCode, Value)> {
    let status = resp.status();
    let text = resp.text()?;
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text)?
    };
    Ok((status, body))
}

fn expect(resp: Response, status: StatusCode) -> Result<Value> {
    let (got, body) = json_of(resp)?;
    if got != status {
        bail!("expected {status}, got {got}: {body}");
    }
    Ok(body)
}

const ID1: &str = "00000000-0000-0000-0000-000000000001";
const ID2: &str = "00000000-0000-0000-0000-000000000002";
const ID3: &str = "00000000-0000-0000-0000-000000000003";

fn article_class() -> Value {
    json!({
        "class": "Article",
        "vectorizer": "none",
        "properties": [
            {"name": "title", "dataType": ["text"]},
            {"name": "count", "dataType": ["int"]},
        ],
    })
}

fn create_articles(node: &Node) -> Result<()> {
    expect(node.post("/v1/schema", &article_class())?, StatusCode::OK)?;
    let objects = json!({"fields": ["ALL"], "objects": [
        {"class": "Article", "id": ID1, "properties": {"title": "one", "count": 1}, "vector": [1.0, 0.0, 0.0]},
        {"class": "Article", "id": ID2, "properties": {"title": "two", "count": 2}, "vector": [0.0, 1.0, 0.0]},
        {"class": "Article", "id": ID3, "properties": {"title": "three", "count": 3}, "vector": [0.0, 0.0, 1.0]},
    ]});
    let results = expect(node.post("/v1/batch/objects", &objects)?, StatusCode::OK)?;
    for r in results.as_array().context("batch answer is not an array")? {
        if r["result"]["status"] != "SUCCESS" {
            bail!("batch entry failed: {r}");
        }
    }
    Ok(())
}

fn assert_articles_present(node: &Node) -> Result<()> {
    for (id, title) in [(ID1, "one"), (ID2, "two"), (ID3, "three")] {
        let obj = expect(
            node.get(&format!("/v1/objects/Article/{id}?include=vector"))?,
            StatusCode::OK,
        )?;
        assert_eq!(obj["properties"]["title"], title, "{obj}");
        assert!(obj["vector"].is_array(), "{obj}");
    }
    let schema = expect(node.get("/v1/schema/Article")?, StatusCode::OK)?;
    assert_eq!(schema["class"], "Article");
    Ok(())
}

#[test]
fn meta_and_discovery() -> Result<()> {
    let node = Node::start()?;
    let meta = expect(node.get("/v1/meta")?, StatusCode::OK)?;
    assert_eq!(meta["version"], types::WEAVIATE_COMPAT_VERSION);
    assert!(meta["modules"].is_object());
    assert_eq!(node.get("/v1/.well-known/live")?.status(), StatusCode::OK);
    assert_eq!(
        node.get("/v1/.well-known/openid-configuration")?.status(),
        StatusCode::NOT_FOUND
    );
    let (status, body) = json_of(node.get("/v1/no/such/route")?)?;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(404))
    );
    assert_eq!(
        node.request(Method::DELETE, "/v1/meta", None)?.status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    Ok(())
}

#[test]
fn schema_and_single_object_lifecycle() -> Result<()> {
    let node = Node::start()?;
    let echoed = expect(node.post("/v1/schema", &article_class())?, StatusCode::OK)?;
    assert_eq!(echoed["class"], "Article");
    assert_eq!(echoed["vectorIndexType"], "hnsw");
    assert_eq!(
        expect(node.get("/v1/schema/Article")?, StatusCode::OK)?,
        echoed
    );
    let (status, body) = json_of(node.get("/v1/schema/Missing")?)?;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, Value::Null));
    let dup = expect(
        node.post("/v1/schema", &article_class())?,
        StatusCode::UNPROCESSABLE_ENTITY,
    )?;
    assert!(
        dup["error"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("already exists"),
        "{dup}"
    );

    let upper = ID1.to_uppercase();
    let body = json!({"class": "Article", "id": upper, "properties": {"title": "hello", "count": 1},
                      "vector": [1.0, 0.0, 0.0]});
    let created = expect(node.post("/v1/objects", &body)?, StatusCode::OK)?;
    assert_eq!(created["id"], ID1);
    assert!(
        created["creationTimeUnix"].as_i64().unwrap_or(0) > 1_600_000_000_000,
        "{created}"
    );
    let again = expect(
        node.post("/v1/objects", &body)?,
        StatusCode::UNPROCESSABLE_ENTITY,
    )?;
    assert!(
        again["error"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("already exists"),
        "{again}"
    );

    let path = format!("/v1/objects/Article/{ID1}");
    let got = expect(node.get(&format!("{path}?include=vector"))?, StatusCode::OK)?;
    assert_eq!(got["vector"], json!([1.0, 0.0, 0.0]));
    assert!(expect(node.get(&path)?, StatusCode::OK)?
        .get("vector")
        .is_none());
    assert_eq!(
        node.request(Method::HEAD, &path, None)?.status(),
        StatusCode::NO_CONTENT
    );
    let missing = format!("/v1/objects/Article/{ID2}");
    assert_eq!(
        node.request(Method::HEAD, &missing, None)?.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        json_of(node.get(&missing)?)?,
        (StatusCode::NOT_FOUND, Value::Null)
    );

    let patch = json!({"class": "Article", "id": ID1, "properties": {"count": 2}});
    expect(
        node.request(Method::PATCH, &path, Some(&patch))?,
        StatusCode::NO_CONTENT,
    )?;
    let merged = expect(node.get(&path)?, StatusCode::OK)?;
    assert_eq!(merged["properties"], json!({"title": "hello", "count": 2}));
    let wrong_id = json!({"class": "Article", "id": ID2, "properties": {}});
    let err = expect(
        node.request(Method::PUT, &path, Some(&wrong_id))?,
        StatusCode::UNPROCESSABLE_ENTITY,
    )?;
    assert_eq!(
        err["error"][0]["message"],
        "invalid update: field 'id' is immutable"
    );
    let put = json!({"class": "Article", "id": ID1, "properties": {"title": "replaced"}});
    let replaced = expect(
        node.request(Method::PUT, &path, Some(&put))?,
        StatusCode::OK,
    )?;
    assert_eq!(replaced["properties"], json!({"title": "replaced"}));

    expect(
        node.request(Method::DELETE, &path, None)?,
        StatusCode::NO_CONTENT,
    )?;
    assert_eq!(
        json_of(node.request(Method::DELETE, &path, None)?)?,
        (StatusCode::NOT_FOUND, Value::Null)
    );
    assert_eq!(
        json_of(node.request(Method::PATCH, &path, Some(&patch))?)?.0,
        StatusCode::NOT_FOUND
    );
    Ok(())
}

#[test]
fn malformed_requests() -> Result<()> {
    let node = Node::start()?;
    let resp = node
        .http
        .post(node.url("/v1/objects"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()?;
    let (status, body) = json_of(resp)?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("parsing body body from"),
        "{body}"
    );

    let (status, body) = json_of(node.get("/v1/objects/Article/not-a-uuid")?)?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["message"],
        "id in path must be of type uuid: \"not-a-uuid\""
    );

    let bad_level = format!("/v1/objects/Article/{ID1}?consistency_level=TWO");
    assert_eq!(node.get(&bad_level)?.status(), StatusCode::BAD_REQUEST);
    let wrong_type = json!({"class": "Article", "properties": []});
    assert_eq!(
        node.post("/v1/objects", &wrong_type)?.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let empty = json!({"fields": ["ALL"], "objects": []});
    assert_eq!(
        node.post("/v1/batch/objects", &empty)?.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    Ok(())
}

#[test]
fn batch_with_one_bad_object_then_near_vector() -> Result<()> {
    let node = Node::start()?;
    expect(node.post("/v1/schema", &article_class())?, StatusCode::OK)?;
    let objects = json!({"fields": ["ALL"], "objects": [
        {"class": "Article", "id": ID1, "properties": {"title": "one", "count": 1}, "vector": [1.0, 0.0, 0.0]},
        {"class": "Article", "id": ID2, "properties": {"title": "two", "count": "many"}, "vector": [0.0, 1.0, 0.0]},
        {"class": "Article", "properties": {"title": "three", "count": 3}, "vector": [0.9, 0.1, 0.0]},
    ]});
    let results = expect(node.post("/v1/batch/objects", &objects)?, StatusCode::OK)?;
    let statuses: Vec<&Value> = results
        .as_array()
        .context("not an array")?
        .iter()
        .map(|r| &r["result"]["status"])
        .collect();
    assert_eq!(
        statuses,
        [&json!("SUCCESS"), &json!("FAILED"), &json!("SUCCESS")],
        "{results}"
    );
    let message = results[1]["result"]["errors"]["error"][0]["message"]
        .as_str()
        .unwrap_or("");
    assert!(message.contains("count"), "{message}");
    assert_eq!(results[0]["deprecations"], Value::Null);
    let generated = results[2]["id"]
        .as_str()
        .context("no generated id")?
        .to_string();
    expect(
        node.get(&format!("/v1/objects/Article/{generated}"))?,
        StatusCode::OK,
    )?;
    assert_eq!(
        json_of(node.get(&format!("/v1/objects/Article/{ID2}"))?)?.0,
        StatusCode::NOT_FOUND
    );

    let query = "{Get{Article(nearVector: {vector: [1.0, 0.0, 0.0]} limit: 2){title _additional {distance id }}}}";
    let answer = expect(
        node.post("/v1/graphql", &json!({"query": query}))?,
        StatusCode::OK,
    )?;
    let rows = answer["data"]["Get"]["Article"]
        .as_array()
        .with_context(|| format!("{answer}"))?;
    assert_eq!(rows.len(), 2, "{answer}");
    assert_eq!(rows[0]["_additional"]["id"], ID1, "{answer}");
    assert_eq!(
        rows[1]["_additional"]["id"].as_str(),
        Some(generated.as_str()),
        "{answer}"
    );
    assert!(
        rows[0]["_additional"]["distance"].as_f64().unwrap_or(1.0) < 1e-5,
        "{answer}"
    );

    let nodes = expect(node.get("/v1/nodes?output=verbose")?, StatusCode::OK)?;
    let first = &nodes["nodes"][0];
    assert_eq!(first["status"], "HEALTHY", "{nodes}");
    assert!(first["batchStats"]["ratePerSecond"].is_u64(), "{nodes}");
    assert!(first["stats"].get("ratePerSecond").is_none(), "{nodes}");
    Ok(())
}

#[test]
fn objects_survive_graceful_restart() -> Result<()> {
    let mut node = Node::start()?;
    create_articles(&node)?;
    let status = node.stop()?;
    assert_eq!(
        status.code(),
        Some(0),
        "SIGTERM must exit 0\n{}",
        node.log_tail()
    );
    node.spawn()?;
    assert_articles_present(&node)
}

#[test]
fn objects_survive_kill_9() -> Result<()> {
    let mut node = Node::start()?;
    create_articles(&node)?;
    node.kill9()?;
    node.spawn()?;
    assert_articles_present(&node)
}

/// The data directory must stay where the test put it (guards `PERSISTENCE_DATA_PATH`).
#[test]
fn data_lives_in_the_given_directory() -> Result<()> {
    let node = Node::start()?;
    let path: &Path = &node.data_path();
    let entries = std::fs::read_dir(path).with_context(|| format!("{} missing", path.display()))?;
    assert!(
        entries.count() > 0,
        "nothing written under {}",
        path.display()
    );
    Ok(())
}
